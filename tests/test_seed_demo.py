from typing import Any

import pytest
from django.core.management import call_command
from stdnum.ma import ice

from gie_erp.core.roles import Role
from gie_erp.demo.seed import seed_demo
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
    assert list(Cooperator.objects.order_by("pk").values_list("cin", "first_name_fr", "full_name_ar")) == snapshot

    for role, username, password in first.logins:
        assert client.login(username=username, password=password), role
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
