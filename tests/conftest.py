"""Fixtures shared by every test, and the CI guard that refuses skipped PostgreSQL / live-worker tests."""

import os
from typing import Any

import factory.random
import pytest

from tests.factories.members import GieFactory, OrganizationFactory, RepresentativeFactory, UserFactory

factory.random.reseed_random(20260101)

REQUIRE_ENV = {"postgres": "GIE_REQUIRE_POSTGRES", "celery_live": "GIE_REQUIRE_CELERY"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked postgres / celery_live skip where the service is absent; in CI the skip fails the run."""
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))
        if "celery_live" in item.keywords and not broker:
            item.add_marker(pytest.mark.skip(reason="needs a Celery worker on Redis"))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """In CI, a skipped postgres / celery_live test is a failure: those tests are the only proof of that code."""
    required = [marker for marker, env in REQUIRE_ENV.items() if os.environ.get(env)]
    if not required:
        return
    bad = [
        rep.nodeid
        for rep in terminalreporter.stats.get("skipped", [])
        if any(marker in rep.keywords for marker in required)
    ]
    if bad:
        terminalreporter.write_line(f"REQUIRED TESTS SKIPPED ({len(bad)}): " + ", ".join(bad), red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    required = [marker for marker, env in REQUIRE_ENV.items() if os.environ.get(env)]
    if not required:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if any(any(m in rep.keywords for m in required) for rep in skipped):
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language: a request in Arabic leaves Arabic active in the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def gie(db: Any) -> Any:
    return GieFactory()


@pytest.fixture
def coop_a(db: Any) -> Any:
    return OrganizationFactory(slug="coop-a", legal_name_fr="Coopérative Alpha", legal_name_ar="تعاونية ألفا")


@pytest.fixture
def coop_b(db: Any) -> Any:
    return OrganizationFactory(slug="coop-b", legal_name_fr="Coopérative Bêta", legal_name_ar="تعاونية بيتا")


@pytest.fixture
def accountant(db: Any) -> Any:
    return UserFactory(username="comptable")


@pytest.fixture
def rep_a(coop_a: Any) -> Any:
    return RepresentativeFactory(username="rep-a", organization=coop_a)


@pytest.fixture(autouse=True)
def _fresh_ledger_caches() -> Any:
    """Ids are reused between tests whose data is flushed: never let one test see another's cached books."""
    from ledger.books import reset_caches

    reset_caches()
    yield
    reset_caches()
