"""A representative of cooperative A must never reach cooperative B's data, on any URL or API route.

The test walks the URL configuration, so a new route is covered the day it is added: a route whose parameters the
test cannot fill fails here until `OBJECT_OF_B` learns them.
"""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories.members import CooperatorFactory

#: URL namespaces that are not ours to test here: Django's admin is for staff only (covered below).
SKIPPED_NAMESPACES = {"admin"}
#: routes with no object in the URL and no data of any cooperative (login, logout, language switch)
PUBLIC_OR_ACTION = {"login", "logout", "set_language"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def iter_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from iter_routes(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern), pattern.pattern


@pytest.fixture
def world(coop_a: Any, coop_b: Any, gie: Any) -> dict[str, Any]:
    return {
        "coop_a": coop_a,
        "coop_b": coop_b,
        "cooperator_a": CooperatorFactory(organization=coop_a, last_name_fr="Alaoui-A"),
        "cooperator_b": CooperatorFactory(organization=coop_b, last_name_fr="Bennis-B"),
    }


#: how to name one of cooperative B's objects for each URL parameter
OBJECT_OF_B: dict[str, Callable[[dict[str, Any]], str]] = {
    "org_slug": lambda w: w["coop_b"].slug,
    "cooperator_id": lambda w: str(w["cooperator_b"].pk),
}
OBJECT_OF_A: dict[str, Callable[[dict[str, Any]], str]] = {
    "org_slug": lambda w: w["coop_a"].slug,
    "cooperator_id": lambda w: str(w["cooperator_a"].pk),
}


def fill(route: str, objects: dict[str, Callable[[dict[str, Any]], str]], world: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(1)
        if param not in objects:
            pytest.fail(f"route {route!r} takes <{param}>: teach OBJECT_OF_B/OBJECT_OF_A how to fill it")
        return objects[param](world)

    return "/" + PARAM.sub(value, route)


def test_every_route_with_an_object_of_b_is_404_for_a(client: Any, rep_a: Any, world: dict[str, Any]) -> None:
    client.force_login(rep_a)
    checked = 0
    for name, route, pattern in iter_routes():
        if not pattern.converters:
            continue
        own = client.get(fill(route, OBJECT_OF_A, world))
        assert own.status_code in {200, 403}, f"{name}: own object gave {own.status_code}"
        other = client.get(fill(route, OBJECT_OF_B, world))
        assert other.status_code == 404, f"{name} leaked cooperative B to A's representative: {other.status_code}"
        checked += 1
    assert checked >= 6  # members pages and API routes at least


def test_routes_without_an_object_never_show_b(client: Any, rep_a: Any, world: dict[str, Any]) -> None:
    client.force_login(rep_a)
    for name, route, pattern in iter_routes():
        if pattern.converters or name in PUBLIC_OR_ACTION:
            continue
        response = client.get("/" + route)
        assert response.status_code in {200, 302, 403, 405}, f"{name}: {response.status_code}"
        body = response.content.decode()
        for secret in ("Coopérative Bêta", "تعاونية بيتا", world["coop_b"].ice, "Bennis-B"):
            assert secret not in body, f"{name} shows {secret!r} to A's representative"


def test_anonymous_is_sent_to_login_everywhere(client: Any, world: dict[str, Any]) -> None:
    for name, route, pattern in iter_routes():
        if name in PUBLIC_OR_ACTION:
            continue
        url = fill(route, OBJECT_OF_B, world) if pattern.converters else "/" + route
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"], name


def test_admin_is_closed_to_representatives(client: Any, rep_a: Any, world: dict[str, Any]) -> None:
    client.force_login(rep_a)
    response = client.get(f"/admin/members/organization/{world['coop_b'].pk}/change/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_gie_accountant_sees_both(client: Any, accountant: Any, world: dict[str, Any]) -> None:
    client.force_login(accountant)
    body = client.get("/api/members/").json()
    assert {row["slug"] for row in body["results"]} >= {"coop-a", "coop-b"}
    assert client.get(f"/members/{world['coop_b'].slug}/cooperators/").status_code == 200
