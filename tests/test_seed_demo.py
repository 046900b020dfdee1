import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from stdnum.ma import ice

from gie_erp.core.roles import Role
from gie_erp.demo.seed import seed_demo
from ledger import accounts
from ledger.models import Book
from ledger.selectors import account_balance, last_day, signed_balances
from ledger.statements import build_bilan
from members.models import Cooperator, Organization, User


@pytest.mark.django_db
def test_seed_is_complete_deterministic_and_idempotent(client: Any) -> None:
    first = seed_demo()
    assert first.organizations_created == 7
    assert first.cooperators_created == 32 + 18 + 27 + 38 + 15 + 24
    coops = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
    assert coops.count() == 6
    assert Organization.objects.filter(kind=Organization.Kind.GIE).count() == 1
    for org in Organization.objects.all():
        assert ice.is_valid(org.ice), org
        assert org.legal_name_ar
    for org in coops:
        assert 15 <= org.cooperators.count() <= 40
    assert set(User.objects.values_list("role", flat=True)) == {r.value for r in Role}
    snapshot = list(Cooperator.objects.order_by("pk").values_list("cin", "first_name_fr", "full_name_ar"))

    second = seed_demo()
    assert (second.organizations_created, second.cooperators_created, second.users_created) == (0, 0, 0)
    assert first.entries_posted > 900
    assert second.entries_posted == 0  # the same drafts under the same keys: nothing new to post
    assert list(Cooperator.objects.order_by("pk").values_list("cin", "first_name_fr", "full_name_ar")) == snapshot

    for role, username, password in first.logins:
        assert client.login(request=HttpRequest(), username=username, password=password), role  # axes: a request
        assert client.get("/").status_code == 200
        client.logout()


@pytest.mark.django_db
def test_seed_command_prints_one_login_per_role(capsys: Any) -> None:
    call_command("seed_demo", "--seed", "7")
    out = capsys.readouterr().out
    for role in Role:
        assert role.value in out


@pytest.mark.django_db
def test_representative_login_switches_to_arabic(client: Any) -> None:
    seed_demo()
    response = client.post("/accounts/login/", {"username": "coop1", "password": "demo-gie-2026"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'dir="rtl"' in body
    assert "تعاونية الزيتون شفشاون لزيت الزيتون" in body


@pytest.mark.django_db
def test_demo_books_pass_hledger_and_agree_with_trial_balance(tmp_path: Any) -> None:
    """The exported journal of the demo books passes `hledger check`; its balances equal `trial_balance all`'s."""
    import csv
    import subprocess
    from decimal import Decimal

    seed_demo()
    journal, tb = tmp_path / "demo.journal", tmp_path / "tb.csv"
    call_command("export_journal", "--book", "all", "--format", "hledger", "--out", str(journal))
    call_command("trial_balance", "--book", "all", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", str(tb))
    subprocess.run(["hledger", "-f", str(journal), "check"], check=True, capture_output=True)
    out = subprocess.run(
        ["hledger", "-f", str(journal), "bal", "--flat", "--no-total", "-O", "csv"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    theirs = {}
    for line in out.splitlines()[1:]:
        account, amount = (part.strip('"') for part in line.split('","'))
        theirs[account] = Decimal(amount.replace(" MAD", "").replace(",", ""))
    with tb.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["book"] != "*"]
    ours = {f"{r['book']}:{r['account_code']}": Decimal(r["balance"]) for r in rows}
    ours = {account: value for account, value in ours.items() if value}
    assert theirs == ours
    assert len(ours) > 60
    call_command("ledger_verify")


GIE_CASH_CEILING = Decimal("10000.00")  # a GIE banks its takings: only petty cash stays in the box


@pytest.mark.django_db
def test_the_gie_books_are_plausible() -> None:
    """Positive bank at every month end, small cash, non-negative equity, a result about zero, nothing left owed."""
    seed_demo()
    book = Book.objects.get(organization__kind=Organization.Kind.GIE)
    end = date(2026, 10, 31)
    assert account_balance(book=book, code=accounts.BANK, end=end) > 0
    assert Decimal("0.00") <= account_balance(book=book, code=accounts.CASH, end=end) < GIE_CASH_CEILING
    for month in range(1, 11):
        month_end = last_day(2026, month)
        assert account_balance(book=book, code=accounts.BANK, end=month_end) > 0, month_end  # never overdrawn
        assert account_balance(book=book, code=accounts.CASH, end=month_end) < GIE_CASH_CEILING, month_end
    balances = signed_balances(book_ids=[book.pk], start=None, end=end)
    equity = build_bilan(balances).passif[0].lines[0].net  # capitaux propres, the year's result included
    assert equity >= 0
    costs = sum(amount for code, amount in balances.items() if code.startswith("6"))
    result = -sum(amount for code, amount in balances.items() if code[0] in "67")
    assert abs(result) <= costs // 10  # fees recharged to the members: about break-even
    # the members were paid their fair takings and paid their fees, the quarter's VAT went to the State
    for code in (accounts.PARTNER_CURRENT_CREDIT, accounts.PARTNER_CURRENT_DEBIT, accounts.VAT_COLLECTED):
        assert account_balance(book=book, code=code, end=end) == Decimal("0.00"), code


@pytest.mark.django_db
def test_every_member_has_its_legal_ids_and_one_is_vat_registered() -> None:
    seed_demo()
    for org in Organization.objects.all():
        assert re.fullmatch(r"\d{7,8}", org.if_number), org
        assert re.fullmatch(r"\d{8}", org.tp_number), org
        assert re.fullmatch(r"\d{3,6} [A-Z][A-Za-zé ]+", org.rc_number), org  # number and city of the register
    coops = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
    registered = coops.get(vat_status=Organization.VatStatus.REGISTERED)
    assert registered.slug == "coop-nahl-rif"
    assert registered.vat_legal_reference
    end = date(2026, 10, 31)
    assert account_balance(book=registered.book, code=accounts.VAT_COLLECTED, end=end) < 0  # October's, owed
    return_day = date(2026, 10, 20)
    declared = account_balance(book=registered.book, code=accounts.VAT_COLLECTED, end=return_day, start=return_day)
    assert declared > 0  # the third quarter's VAT was declared and paid on 20 October
    assert account_balance(book=registered.book, code=accounts.VAT_RECOVERABLE_ON_CHARGES, end=end) > 0
    for org in coops.exclude(pk=registered.pk):
        assert org.vat_status == Organization.VatStatus.EXEMPT
        assert account_balance(book=org.book, code=accounts.VAT_COLLECTED, end=end) == Decimal("0.00")
