"""The product form after the user pass (issue 12): the first field focused, a member picker the keyboard can use, a
product moved to the right member while nothing refers to it, the VAT that follows the member (art. 91: exempt),
VAT codes shown by their labels, and the price refused in words people read."""

import html
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gie_erp.core.models import AuditEvent
from members.models import Organization
from sales.catalogue import product_save
from sales.consignment import deposits_record
from sales.models import Product
from tests.factories.members import OrganizationFactory
from tests.sales.conftest import TODAY, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client, accountant: Any, fair: dict[str, Any]) -> Client:
    client.force_login(accountant)
    return client


def page(client: Client, url: str, data: dict[str, Any] | None = None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    return html.unescape(response.content.decode())


def select(body: str, name: str) -> str:
    start = body.index(f'name="{name}"')
    return body[body.rindex("<select", 0, start) : body.index("</select>", start)]


def options(body: str, name: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select(body, name))


def selected(body: str, name: str) -> str:
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select(body, name))
    return found.group(1) if found else ""


def form_data(fair: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {"organization": fair["registered"].pk, "code": "savon", "name_fr": "Savon à l'huile d'argan",
            "unit": "piece", "price": "35", "vat_code": "normal-20", "is_active": "on"}  # fmt: skip
    data.update(changes)
    return data


def test_the_first_field_is_focused(staff: Client, fair: dict[str, Any]) -> None:
    new = page(staff, "/sales/products/new/")
    assert "autofocus" in select(new, "organization")
    miel = fair["products"]["miel"]  # sold nowhere yet, no deposit: its member may still change
    assert "autofocus" in select(page(staff, f"/sales/products/{miel.pk}/edit/"), "organization")
    deposits_record(event=fair["event"], organization=fair["registered"], quantities={miel.pk: D("3")},
                    on=fair["event"].starts_on, acting_user=None)  # fmt: skip
    edit = page(staff, f"/sales/products/{miel.pk}/edit/")
    code = edit[edit.index('name="code"') - 200 : edit.index('name="code"') + 300]
    assert "autofocus" in code  # the member is locked now: the first field a person can change
    assert "autofocus" not in select(edit, "organization")


def test_the_member_picker_starts_with_what_tells_members_apart(staff: Client, fair: dict[str, Any]) -> None:
    OrganizationFactory(slug="coop-amal", legal_name_fr="Coopérative féminine Amal", legal_name_ar="تعاونية أمل")
    labels = [label for value, label in options(page(staff, "/sales/products/new/"), "organization") if value]
    # every name starts with « Coopérative »: the picker puts the distinctive part first and sorts on it, so typing
    # « a » on the focused list reaches Amal (by legal name it came last: « Coopérative f… » after « Coopérative Z… »)
    assert labels == [
        "Amal · coopérative féminine",
        "Nahla · coopérative",
        "Zarbia · coopérative",
        "Zitouna · coopérative",
    ]
    assert "Zitouna · coopérative" in page(staff, "/sales/reports/?member=coop-olive")  # the reports' filter too


def test_a_product_moves_to_another_member_until_it_is_sold_or_deposited(
    staff: Client, fair: dict[str, Any], accountant: Any
) -> None:
    tapis = fair["products"]["tapis"]  # entered under coop-tapis; it is coop-olive's
    data = form_data(fair, organization=fair["exempt"].pk, code=tapis.code, name_fr=tapis.name_fr,
                     name_ar=tapis.name_ar, price="450", vat_code="exonere-91", unit="piece")  # fmt: skip
    response = staff.post(f"/sales/products/{tapis.pk}/edit/", data)
    assert response.status_code == 302, page(staff, f"/sales/products/{tapis.pk}/edit/", data)[:3000]
    tapis.refresh_from_db()
    assert (tapis.organization, tapis.scan_code) == (fair["exempt"], "2000000000046")  # the label stays valid
    audit = AuditEvent.objects.get(event="sales.product_updated", target_id=str(tapis.pk))
    assert audit.data == {"fields": ["organization"], "previous_member": "coop-tapis", "member": "coop-olive"}
    # once deposited (or sold), the member is part of the stock and the books: it stays, and the form says why
    deposits_record(event=fair["event"], organization=fair["exempt"], quantities={tapis.pk: D("2")},
                    on=fair["event"].starts_on, acting_user=accountant)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        product_save(product=tapis, organization=fair["tapis"], data={}, acting_user=accountant, today=TODAY)
    assert refused.value.message_dict["organization"] == [
        "Petit tapis a déjà des ventes ou un dépôt chez Coopérative Zitouna : son membre ne change plus. Créez le "
        "produit chez le bon membre et retirez celui-ci de la vente."
    ]
    edit = page(staff, f"/sales/products/{tapis.pk}/edit/")
    assert "disabled" in select(edit, "organization")
    assert "Ce produit a déjà des ventes ou un dépôt : son membre ne change plus." in edit
    staff.post(f"/sales/products/{tapis.pk}/edit/", {**data, "organization": fair["tapis"].pk})  # a forged POST
    assert Product.objects.get(pk=tapis.pk).organization == fair["exempt"]


def test_the_vat_defaults_to_exempt_for_an_art_91_member(staff: Client, fair: dict[str, Any]) -> None:
    assert selected(page(staff, f"/sales/products/new/?member_id={fair['exempt'].pk}"), "vat_code") == "exonere-91"
    assert selected(page(staff, f"/sales/products/new/?member_id={fair['registered'].pk}"), "vat_code") == "normal-20"
    # the script reads which members are exempt, and the codes to put
    new = page(staff, "/sales/products/new/")
    exempt = re.search(r'data-exempt="([^"]*)"', select(new, "organization"))
    assert exempt is not None
    assert set(exempt.group(1).split(",")) == {str(fair["exempt"].pk), str(fair["tapis"].pk)}
    assert 'data-exempt-code="exonere-91"' in select(new, "vat_code")
    # without the script: the VAT left at the page's default follows the member chosen
    response = staff.post("/sales/products/new/", form_data(fair, organization=fair["exempt"].pk))
    assert response.status_code == 302
    assert Product.objects.get(code="savon").vat_code == "exonere-91"
    # a code the person chose stays theirs (10 % for a VAT-registered member)
    staff.post("/sales/products/new/", form_data(fair, code="savon-2", vat_code="reduit-10"))
    assert Product.objects.get(code="savon-2").vat_code == "reduit-10"


def test_vat_codes_read_as_their_labels(staff: Client, fair: dict[str, Any]) -> None:
    choices = dict(options(page(staff, "/sales/products/new/"), "vat_code"))
    assert choices["normal-20"] == "TVA 20 % (taux normal)"
    assert choices["exonere-91"] == "Exonéré (art. 91)"
    listing = page(staff, "/sales/products/?member=coop-miel")
    row = listing[listing.index('data-code="amlou-250"') :]
    assert "TVA 10 %" in row[: row.index("</tr>")]
    assert "reduit-10" not in row[: row.index("</tr>")]
    detail = page(staff, f"/sales/products/{fair['products']['huile'].pk}/")
    assert 'id="product-vat">Exonéré (art. 91)<' in detail
    staff.cookies["django_language"] = "ar"
    arabic = page(staff, f"/sales/products/{fair['products']['huile'].pk}/")
    assert 'id="product-vat">معفى (المادة 91)<' in arabic


def test_a_price_below_one_centime_is_refused_in_plain_words(
    staff: Client, fair: dict[str, Any], accountant: Any
) -> None:
    body = page(staff, "/sales/products/new/", form_data(fair, price="0"))
    assert "Le prix doit être d'au moins 0,01 DH." in body
    assert body.count("Le prix doit être d'au moins 0,01 DH.") == 1
    assert "Assurez-vous" not in body
    assert not Product.objects.filter(code="savon").exists()
    with pytest.raises(ValidationError) as refused:  # the service says it the same way (the import goes there)
        product_save(product=fair["products"]["miel"], data={"price": D("0.00")}, acting_user=accountant, today=TODAY)
    assert refused.value.message_dict["price"] == ["Le prix doit être d'au moins 0,01 DH."]


def test_a_code_taken_is_said_once_on_the_code(staff: Client, fair: dict[str, Any]) -> None:
    body = page(staff, "/sales/products/new/", form_data(fair, code="miel-250"))
    assert body.count("Le code miel-250 est déjà celui d'un autre produit de Coopérative Nahla.") == 1
    assert "Un objet Produit" not in body  # Django's wording of the model's constraint
    assert body.count("Corrigez les champs signalés : rien n'a été enregistré.") == 1
    assert Organization.objects.get(slug="coop-miel").products.count() == 2
