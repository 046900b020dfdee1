"""What a pool's nature allows (user pass 2 of issue 14): a service of the GIE is billed with a VAT rate on a revenue
account and fed by its costs (class 6) net of what recovers them (class 7); a pool of débours re-bills at cost,
without VAT, on the third-party account where the GIE paid them, and only that account feeds it. Refused in the
model (``full_clean``) and on the pool's form, in words."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from gie_erp.fees.forms import PoolForm
from gie_erp.fees.models import Key, Pool
from gie_erp.fees.services import pool_source_add
from tests.fees.conftest import pool

SERVICE_WITH_DEBOURS_VAT = (
    "Un service du GIE se facture avec un taux de TVA (le taux normal en général) : « Débours » est réservé aux "
    "pools de nature « Débours refacturés au coût »."
)
DEBOURS_WITH_VAT = "Des débours se refacturent au coût, sans TVA : choisissez « Débours (hors base imposable) »."
DEBOURS_ON_REVENUE = (
    "Des débours se refacturent au coût sur le compte de tiers où le GIE les a payés (34… ou 44…, par exemple 3488), "
    "jamais sur un compte de charge ou de produit : ils restent hors du résultat du GIE."
)
NOT_A_SOURCE = (
    "Le compte {code} ne peut pas alimenter un pool : seules les charges (classe 6) et les produits qui les "
    "recouvrent déjà (classe 7) du GIE le font."
)


def form_data(**changes: Any) -> dict[str, Any]:
    data = {"slug": "locaux", "name_fr": "Locaux", "name_ar": "", "kind": "service", "key": "equal",
            "vat_code": "normal-20", "revenue_account": "7124", "member_account": "6131", "fixed_monthly": "",
            "pictogram": "", "is_active": "on", "frequency": "monthly"}  # fmt: skip
    return {**data, **changes}


def test_a_service_pool_refuses_the_debours_vat_code(fees: dict[str, Any]) -> None:
    """Regression: a service pool took ``debours`` and billed its members without VAT as if débours."""
    made = Pool(slug="locaux", name_fr="Locaux", kind=Pool.Kind.SERVICE, vat_code="debours")
    with pytest.raises(ValidationError) as caught:
        made.full_clean()
    assert caught.value.message_dict == {"vat_code": [SERVICE_WITH_DEBOURS_VAT]}
    form = PoolForm(form_data(vat_code="debours"))
    assert not form.is_valid()
    assert form.errors == {"vat_code": [SERVICE_WITH_DEBOURS_VAT]}


def test_a_debours_pool_refuses_a_vat_rate_and_a_revenue_account(fees: dict[str, Any]) -> None:
    """Regression: a pool of débours took 7124 (class 7) as its account, putting débours into the GIE's result."""
    made = Pool(slug="transport", name_fr="Transport", kind=Pool.Kind.DEBOURS, vat_code="normal-20")
    made.revenue_account = "7124"
    with pytest.raises(ValidationError) as caught:
        made.full_clean()
    assert caught.value.message_dict == {"vat_code": [DEBOURS_WITH_VAT], "revenue_account": [DEBOURS_ON_REVENUE]}
    form = PoolForm(form_data(kind="debours", vat_code="debours", revenue_account="6142"))
    assert not form.is_valid()
    assert form.errors == {"revenue_account": [DEBOURS_ON_REVENUE]}
    ok = PoolForm(form_data(kind="debours", vat_code="debours", revenue_account="3488"))
    assert ok.is_valid(), ok.errors


def test_sources_are_class_6_and_7_for_a_service_and_its_own_third_party_account_for_debours(
    fees: dict[str, Any],
) -> None:
    """Regression: 1111 (capital) and 4411 (suppliers) were taken as sources of a service pool."""
    premises = pool("locaux", key=Key.EQUAL)
    for code in ("1111", "4411", "3488", "5141"):
        with pytest.raises(ValidationError) as caught:
            pool_source_add(pool=premises, account_code=code)
        assert caught.value.message_dict == {"account_code": [NOT_A_SOURCE.format(code=code)]}
    assert pool_source_add(pool=premises, account_code="61312").account_code == "61312"
    assert pool_source_add(pool=premises, account_code="71272").account_code == "71272"
    transport = pool("transport", key=Key.EQUAL, kind="debours", vat_code="debours", revenue_account="3488")
    with pytest.raises(ValidationError) as caught:
        pool_source_add(pool=transport, account_code="61426")
    assert caught.value.message_dict == {
        "account_code": [
            "Un pool de débours est alimenté par son compte de tiers 3488 (celui que ses factures soldent), pas par "
            "61426."
        ]
    }
    assert pool_source_add(pool=transport, account_code="3488").account_code == "3488"
    # a service pool fed by 61312 cannot become a pool of débours without removing it first
    premises.kind, premises.vat_code, premises.revenue_account = Pool.Kind.DEBOURS, "debours", "3488"
    with pytest.raises(ValidationError) as changed:
        premises.full_clean()
    assert changed.value.message_dict == {
        "kind": [
            "Les comptes 61312, 71272 alimentent ce pool et ne conviennent pas à cette nature : retirez-les d'abord de "
            "la page du pool."
        ]
    }


def test_a_duplicate_code_and_an_unknown_pictogram_are_said_in_words(client: Client, fees: dict[str, Any]) -> None:
    """Regression: a code already taken got Django's generic message; "licorne" was accepted as a pictogram."""
    pool("locaux", key=Key.EQUAL)
    client.force_login(fees["staff"])
    response = client.post(reverse("fees:pool_new"), form_data())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Le code « locaux » est déjà celui du pool Pool locaux : choisissez-en un autre." in body
    assert "existe déjà" not in body
    form = PoolForm(form_data(slug="salon", pictogram="licorne"))
    assert not form.is_valid()
    assert form.errors == {"pictogram": ["Pictogramme inconnu : choisissez un des dessins de la liste."]}
    page = client.get(reverse("fees:pool_new")).content.decode()
    assert '<option value="basket">panier</option>' in page
    assert 'value="arrow-in"' not in page  # the notice's arrows mean money: not a pool's drawing
    made = PoolForm(form_data(slug="salon", pictogram="basket"))
    assert made.is_valid(), made.errors
    stored = Pool(slug="x", name_fr="X", pictogram="licorne")
    with pytest.raises(ValidationError) as caught:
        stored.full_clean()
    assert caught.value.message_dict == {"pictogram": ["Pictogramme inconnu : choisissez un des dessins de la liste."]}


def test_a_tampered_choice_is_said_in_words(fees: dict[str, Any]) -> None:
    form = PoolForm(form_data(kind="licorne", key="custom-x", exempted=[999999]))
    assert not form.is_valid()
    assert form.errors == {
        "kind": ["Choix inconnu : choisissez dans la liste."],
        "key": ["Choix inconnu : choisissez dans la liste."],
        "exempted": ["Membre inconnu : cochez les membres dans la liste."],
    }
