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
