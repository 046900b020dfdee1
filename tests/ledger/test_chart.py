"""The pooled chart data file and its sync into every book."""

from typing import Any

import pytest
from django.core.management import call_command
from django_ledger.io import roles
from django_ledger.models import AccountModel

from ledger import accounts
from ledger.books import book_ensure
from ledger.chart import ChartAccount, chart_accounts, chart_by_code, validate_code
from ledger.models import Book

FLOW_CODES = [value for name, value in vars(accounts).items() if name.isupper()]


def test_chart_is_consistent_and_holds_every_flow_account() -> None:
    chart = chart_accounts()
    assert len(chart) == len({a.code for a in chart}) >= 600
    assert {a.cgnc_class for a in chart} == {1, 2, 3, 4, 5, 6, 7, 8}
    valid_roles = set(roles.VALID_ROLES) - set(roles.ROOT_GROUP)
    for account in chart:
        validate_code(account.code)
        assert account.role in valid_roles, account
        assert account.name_fr
        assert account.name_ar
    missing = [code for code in FLOW_CODES if code not in chart_by_code()]
    assert missing == []
    assert chart_by_code()["5161"].name_ar == "الصندوق"
    assert chart_by_code()["4455"].balance_type == "credit"


@pytest.mark.django_db
def test_book_ensure_and_sync_are_idempotent(coop_a: Any, capsys: Any, monkeypatch: Any) -> None:
    book = book_ensure(organization=coop_a)
    assert book_ensure(organization=coop_a).pk == book.pk
    count = AccountModel.objects.filter(coa_model_id=book.coa_id).count()
    assert count == len(chart_accounts()) + len(roles.ROOT_GROUP)
    # a new chart version adds an account: the sync adds it to every book; nothing else changes
    import ledger.books
    import ledger.management.commands.ledger_sync_chart as command

    newer = (
        *chart_accounts(),
        ChartAccount("712799", "Commissions sur foires", "عمولات المعارض", 7, "in_operational", "credit", False),
    )
    monkeypatch.setattr(ledger.books, "chart_accounts", lambda: newer)
    monkeypatch.setattr(ledger.books, "chart_version", lambda: "v-next")
    monkeypatch.setattr(command, "chart_version", lambda: "v-next")
    call_command("ledger_sync_chart")
    assert "1 books synced, 1 accounts added" in capsys.readouterr().out
    assert AccountModel.objects.filter(coa_model_id=book.coa_id).count() == count + 1
    assert Book.objects.get(pk=book.pk).chart_version == "v-next"
    call_command("ledger_sync_chart")
    assert "0 books synced, 0 accounts added" in capsys.readouterr().out
    # the treebeard tree stays valid: every account sits under its role's root
    root = AccountModel.objects.get(coa_model_id=book.coa_id, role=roles.ROOT_INCOME)
    income = AccountModel.objects.get(coa_model_id=book.coa_id, code="712799")
    assert income.path.startswith(root.path)
    assert income.depth == root.depth + 1
    # (treebeard's own find_problems() trips over django-ledger's select_related: check the tree by hand)
    nodes = list(AccountModel.objects.filter(coa_model_id=book.coa_id).values_list("path", "depth", "numchild"))
    paths = {path for path, _, _ in nodes}
    assert len(paths) == len(nodes)
    step = AccountModel.steplen
    for path, depth, numchild in nodes:
        assert depth == len(path) // step
        assert depth == 1 or path[:-step] in paths
        assert numchild == sum(1 for p in paths if len(p) == len(path) + step and p.startswith(path))


@pytest.mark.django_db
def test_a_long_legal_name_still_gets_a_book() -> None:
    """Regression (PostgreSQL only): django-ledger's entity slug overflowed varchar(50) for long names."""
    from tests.factories.members import OrganizationFactory

    org = OrganizationFactory(
        slug="coop-" + "x" * 55,
        legal_name_fr="Coopérative féminine agricole de production et de valorisation des produits du terroir " * 2,
    )
    book = book_ensure(organization=org)
    assert Book.objects.get(pk=book.pk).organization == org
