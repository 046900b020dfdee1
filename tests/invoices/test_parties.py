"""The register of customers and suppliers: import (all or nothing), the mirror of a member, and its pages."""

import csv
import io
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from invoices.models import Party
from invoices.parties import parties_import, party_for_member, party_save
from members.models import Organization
from tests.factories.members import UserFactory, valid_ice

pytestmark = pytest.mark.django_db

HEADER = (
    "code,type,raison_sociale_fr,raison_sociale_ar,ice,if,rc,adresse,ville,telephone,email,langue,delai_paiement,"
    "client,fournisseur"
)
ICE_HOTEL, ICE_OLIVE, ICE_OTHER = valid_ice(900_001), valid_ice(900_002), valid_ice(900_003)
BAD_ICE = "001561191000067"  # the last digit breaks the mod-97 key


def sheet_csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def sheet_xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.append(HEADER.split(","))
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fields(party: Party) -> dict[str, Any]:
    return {
        "kind": party.kind,
        "legal_name_fr": party.legal_name_fr,
        "legal_name_ar": party.legal_name_ar,
        "ice": party.ice,
        "if_number": party.if_number,
        "rc_number": party.rc_number,
        "address": party.address,
        "city": party.city,
        "phone": party.phone,
        "email": party.email,
        "language": party.language,
        "payment_terms_days": party.payment_terms_days,
        "is_customer": party.is_customer,
        "is_supplier": party.is_supplier,
        "is_active": party.is_active,
    }


# Import ----------------------------------------------------------------------------------------------------------


def test_csv_import_creates_every_row_as_written(accountant: Any) -> None:
    content = sheet_csv(
        f"hotel-atlas,entreprise,Hôtel Atlas SARL,فندق الأطلس,{ICE_HOTEL},40123456,RC 555,12 av. Mohammed V,Tétouan,"
        "0539123456,compta@atlas.ma,ar,60,oui,non",
        "m-alami,Particulier,M. Alami,,,,,,Martil,,,,,,",  # empty cells: the defaults
        f"olive-nord,business,Huilerie du Nord,,{ICE_OLIVE[:3]} {ICE_OLIVE[3:]},,,,Larache,,,FR,0,non,oui",
    )
    report = parties_import(filename="clients.csv", content=content, acting_user=accountant)
    assert (report.rows_read, report.rows_written) == (3, 3)
    assert fields(Party.objects.get(code="hotel-atlas")) == {
        "kind": "business",
        "legal_name_fr": "Hôtel Atlas SARL",
        "legal_name_ar": "فندق الأطلس",
        "ice": ICE_HOTEL,
        "if_number": "40123456",
        "rc_number": "RC 555",
        "address": "12 av. Mohammed V",
        "city": "Tétouan",
        "phone": "0539123456",
        "email": "compta@atlas.ma",
        "language": "ar",
        "payment_terms_days": 60,
        "is_customer": True,
        "is_supplier": False,
        "is_active": True,
    }
    assert fields(Party.objects.get(code="m-alami")) == {
        "kind": "consumer",
        "legal_name_fr": "M. Alami",
        "legal_name_ar": "",
        "ice": "",
        "if_number": "",
        "rc_number": "",
        "address": "",
        "city": "Martil",
        "phone": "",
        "email": "",
        "language": "fr",
        "payment_terms_days": 30,
        "is_customer": True,
        "is_supplier": False,
        "is_active": True,
    }
    olive = Party.objects.get(code="olive-nord")
    assert (olive.ice, olive.payment_terms_days, olive.is_customer, olive.is_supplier) == (ICE_OLIVE, 0, False, True)
    events = AuditEvent.objects.filter(event="invoices.party_created", actor=accountant)
    assert events.count() == 3
    assert events.get(target_id=str(olive.pk)).data == {"via": "import", "file": "clients.csv"}


def test_xlsx_import_reads_numeric_cells(accountant: Any) -> None:
    content = sheet_xlsx(
        [
            ["fournisseur-emballages", "entreprise", "Emballages du Rif", "", ICE_OTHER, 40999888, "", "", "Al Hoceima",
             "", "", "fr", 45, "non", "oui"],
            ["client-souk", "particulier", "Mme Bennani", "السيدة بناني", None, None, None, None, None, None, None,
             None, None, None, None],
        ]
    )  # fmt: skip
    report = parties_import(filename="fournisseurs.xlsx", content=content, acting_user=accountant)
    assert report.rows_written == 2
    supplier = Party.objects.get(code="fournisseur-emballages")
    assert (supplier.ice, supplier.if_number, supplier.payment_terms_days) == (ICE_OTHER, "40999888", 45)
    assert (supplier.is_customer, supplier.is_supplier, supplier.city) == (False, True, "Al Hoceima")
    consumer = Party.objects.get(code="client-souk")
    assert (consumer.kind, consumer.legal_name_ar, consumer.payment_terms_days) == ("consumer", "السيدة بناني", 30)


def test_one_bad_ice_refuses_the_whole_sheet_with_its_row_number(accountant: Any) -> None:
    content = sheet_csv(
        f"hotel-atlas,entreprise,Hôtel Atlas,,{ICE_HOTEL},,,,,,,,,,",  # row 2: fine
        f"cafe-port,entreprise,Café du Port,,{BAD_ICE},,,,,,,,,,",  # row 3: wrong key
        "epicerie,entreprise,Épicerie,,,,,,,,,,,,",  # row 4: fine
    )
    with pytest.raises(ImportRefused) as refused:
        parties_import(filename="clients.csv", content=content, acting_user=accountant)
    (error,) = refused.value.report.as_rows()
    assert (error["row"], error["field"], error["code"]) == (3, "ice", ErrorCode.IMPORT_BAD_ICE.value)
    assert error["fr"] == f"ICE invalide : {BAD_ICE} (15 chiffres avec clé de contrôle)."
    assert error["ar"] == f"رقم التعريف الموحد غير صالح: \u2068{BAD_ICE}\u2069 (15 رقما مع مفتاح المراقبة)."
    assert not Party.objects.exists()
    assert not AuditEvent.objects.filter(event__startswith="invoices.").exists()


def test_every_wrong_cell_is_reported_by_row_and_column(accountant: Any) -> None:
    content = sheet_csv(
        "a,societe,A,,,,,,,,,,,,",  # row 2: unknown type
        "b,entreprise,B,,,,,,,,pas-un-mail,en,400,peut-etre,",  # row 3: e-mail, language, terms, customer
        ",entreprise,Sans code,,,,,,,,,,,,",  # row 4: no code
        "c,entreprise,,,,,,,,,,,,,",  # row 5: a new code needs its name
        "a,entreprise,A bis,,,,,,,,,,,,",  # row 6: code twice
        "Code Invalide,entreprise,X,,,,,,,,,,,,",  # row 7: not a slug
    )
    with pytest.raises(ImportRefused) as refused:
        parties_import(filename="clients.csv", content=content, acting_user=accountant)
    assert {(e["row"], e["field"], e["code"]) for e in refused.value.report.as_rows()} == {
        (2, "type", ErrorCode.IMPORT_BAD_VALUE.value),
        (3, "langue", ErrorCode.IMPORT_BAD_VALUE.value),
        (3, "delai_paiement", ErrorCode.IMPORT_BAD_VALUE.value),
        (3, "client", ErrorCode.IMPORT_BAD_VALUE.value),
        (3, "email", ErrorCode.IMPORT_INVALID_FIELD.value),
        (4, "code", ErrorCode.IMPORT_MISSING_FIELD.value),
        (5, "raison_sociale_fr", ErrorCode.IMPORT_MISSING_FIELD.value),
        (6, "code", ErrorCode.IMPORT_DUPLICATE.value),
        (7, "code", ErrorCode.IMPORT_INVALID_FIELD.value),
    }
    assert not Party.objects.exists()


def test_duplicate_ice_in_the_sheet_or_in_the_register_is_refused(accountant: Any) -> None:
    Party.objects.create(code="deja-la", legal_name_fr="Déjà là", ice=ICE_OTHER)
    content = sheet_csv(
        f"un,entreprise,Un,,{ICE_HOTEL},,,,,,,,,,",  # row 2
        f"deux,entreprise,Deux,,{ICE_HOTEL},,,,,,,,,,",  # row 3: same ICE as row 2
        f"trois,entreprise,Trois,,{ICE_OTHER},,,,,,,,,,",  # row 4: the ICE of "deja-la"
        f"deja-la,entreprise,Déjà là,,{ICE_OTHER},,,,,,,,,,",  # row 5: its own ICE, fine
    )
    with pytest.raises(ImportRefused) as refused:
        parties_import(filename="clients.csv", content=content, acting_user=accountant)
    errors = refused.value.report.as_rows()
    assert {(e["row"], e["field"], e["code"]) for e in errors} == {
        (3, "ice", ErrorCode.IMPORT_DUPLICATE.value),
        (4, "ice", ErrorCode.IMPORT_DUPLICATE.value),
    }
    assert errors[0]["fr"] == f"Doublon : ice {ICE_HOTEL} existe déjà."
    assert list(Party.objects.values_list("code", flat=True)) == ["deja-la"]


def test_an_existing_code_is_updated_and_empty_cells_keep_its_values(accountant: Any) -> None:
    hotel = Party.objects.create(
        code="hotel-atlas", legal_name_fr="Hôtel Atlas", ice=ICE_HOTEL, city="Tétouan", phone="0539000000"
    )
    content = sheet_csv(
        "hotel-atlas,,Hôtel Atlas SARL,,,,,,,0539123456,,,90,,oui",
        "nouveau,,Nouveau client,,,,,,,,,,,,",
    )
    report = parties_import(filename="maj.csv", content=content, acting_user=accountant)
    assert (report.rows_read, report.rows_written) == (2, 2)
    hotel.refresh_from_db()
    assert (hotel.legal_name_fr, hotel.ice, hotel.city, hotel.phone) == (
        "Hôtel Atlas SARL",
        ICE_HOTEL,
        "Tétouan",
        "0539123456",
    )
    assert (hotel.payment_terms_days, hotel.is_customer, hotel.is_supplier) == (90, True, True)
    assert Party.objects.count() == 2
    update = AuditEvent.objects.get(event="invoices.party_updated", target_id=str(hotel.pk))
    assert update.data["fields"] == ["legal_name_fr", "phone", "payment_terms_days", "is_supplier"]

    again = parties_import(filename="maj.csv", content=content, acting_user=accountant)
    assert (again.rows_read, again.rows_written) == (2, 0)  # the same sheet twice changes nothing the second time
    assert AuditEvent.objects.filter(event__startswith="invoices.party").count() == 2


def test_a_members_identity_is_not_changed_by_an_import(accountant: Any, coop_a: Organization) -> None:
    party_for_member(organization=coop_a)
    same_identity = sheet_csv(f"coop-a,entreprise,Coopérative Alpha,,{coop_a.ice},,,,,0600000000,,,15,,")
    parties_import(filename="m.csv", content=same_identity, acting_user=accountant)
    assert (Party.objects.get(code="coop-a").phone, Party.objects.get(code="coop-a").payment_terms_days) == (
        "0600000000",
        15,
    )
    with pytest.raises(ImportRefused) as refused:
        parties_import(filename="m.csv", content=sheet_csv("coop-a,,Autre nom,,,,,,,,,,,,"), acting_user=accountant)
    (error,) = refused.value.report.as_rows()
    assert (error["row"], error["field"], error["code"]) == (2, "raison_sociale_fr", "import_invalid_field")
    assert error["fr"] == (
        "Valeur refusée pour raison_sociale_fr : Autre nom — repris de la fiche du membre : modifiez-le sur la fiche "
        "du membre"
    )
    assert Party.objects.get(code="coop-a").legal_name_fr == "Coopérative Alpha"


# Mirror of a member ----------------------------------------------------------------------------------------------


def test_party_for_member_mirrors_the_organization_and_follows_it(coop_a: Organization) -> None:
    Organization.objects.filter(pk=coop_a.pk).update(if_number="41111111", rc_number="ODCO 12", address="Douar Tazrout")
    coop_a.refresh_from_db()
    assert coop_a.commune is not None
    party = party_for_member(organization=coop_a)
    assert party.organization == coop_a
    assert (party.code, party.kind) == ("coop-a", "business")
    assert (party.legal_name_fr, party.legal_name_ar, party.ice) == (
        "Coopérative Alpha",
        "تعاونية ألفا",
        coop_a.ice,
    )
    assert (party.if_number, party.rc_number, party.address, party.city) == (
        "41111111",
        "ODCO 12",
        "Douar Tazrout",
        coop_a.commune.name_fr,
    )
    assert party_for_member(organization=coop_a) == party  # the same party, nothing rewritten
    assert AuditEvent.objects.filter(target_id=str(party.pk), target_type="invoices.party").count() == 1

    coop_a.legal_name_fr = "Coopérative Alpha Nouvelle"
    coop_a.address = "Centre Targuist"
    coop_a.save()
    party = party_for_member(organization=coop_a)
    assert (party.legal_name_fr, party.address) == ("Coopérative Alpha Nouvelle", "Centre Targuist")
    update = AuditEvent.objects.get(event="invoices.party_updated", target_id=str(party.pk))
    assert update.data == {"fields": ["legal_name_fr", "address"]}
    assert Party.objects.count() == 1


def test_party_for_member_adopts_the_party_typed_in_with_its_ice(coop_a: Organization, gie: Organization) -> None:
    typed = Party.objects.create(code="alpha", legal_name_fr="Coop Alpha (saisie)", ice=coop_a.ice, phone="0611")
    party = party_for_member(organization=coop_a)
    assert party.pk == typed.pk
    assert (party.organization, party.legal_name_fr, party.phone) == (coop_a, "Coopérative Alpha", "0611")
    assert party_for_member(organization=gie).code == "gie"  # the GIE is mirrored too
    assert Party.objects.count() == 2


def test_party_for_member_refuses_a_code_held_by_another_business(coop_a: Organization) -> None:
    Party.objects.create(code="coop-a", legal_name_fr="Homonyme SARL", ice=ICE_OTHER)
    with pytest.raises(DomainError) as refused:
        party_for_member(organization=coop_a)
    assert refused.value.message() == "Doublon : code coop-a existe déjà."
    assert not Party.objects.filter(organization=coop_a).exists()


def test_party_save_refuses_to_change_a_members_identity(accountant: Any, coop_a: Organization) -> None:
    party = party_for_member(organization=coop_a)
    with pytest.raises(ValidationError, match="fiche du membre") as refused:
        party_save(party=party, data={"legal_name_fr": "Autre"}, acting_user=accountant)
    assert set(refused.value.error_dict) == {"legal_name_fr"}
    saved = party_save(party=party, data={"phone": "0539111111", "is_supplier": True}, acting_user=accountant)
    assert (saved.phone, saved.is_supplier, saved.legal_name_fr) == ("0539111111", True, "Coopérative Alpha")


# Pages -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def register(coop_a: Organization) -> dict[str, Party]:
    return {
        "hotel": Party.objects.create(
            code="hotel-atlas", legal_name_fr="Hôtel Atlas", ice=ICE_HOTEL, city="Tétouan", is_supplier=False
        ),
        "evil": Party.objects.create(code="evil", legal_name_fr='=HYPERLINK("x")', city="Tanger"),
        "supplier": Party.objects.create(
            code="emballages", legal_name_fr="Emballages du Rif", is_customer=False, is_supplier=True, city="Nador"
        ),
        "consumer": Party.objects.create(
            code="m-alami", kind=Party.Kind.CONSUMER, legal_name_fr="M. Alami", is_active=False
        ),
        "member": party_for_member(organization=coop_a),
    }


def codes(response: Any) -> set[str]:
    return {party.code for party in response.context["page"]}


def test_list_searches_and_filters(client: Any, accountant: Any, register: dict[str, Party]) -> None:
    client.force_login(accountant)
    response = client.get("/invoices/parties/")
    assert response.status_code == 200
    assert codes(response) == {"hotel-atlas", "evil", "emballages", "m-alami", "coop-a"}
    assert "autofocus" in response.content.decode()
    assert codes(client.get("/invoices/parties/", {"q": "hotel"})) == {"hotel-atlas"}  # accents ignored
    assert codes(client.get("/invoices/parties/", {"q": "تعاونية"})) == {"coop-a"}
    assert codes(client.get("/invoices/parties/", {"q": ICE_HOTEL[:11]})) == {"hotel-atlas"}
    assert codes(client.get("/invoices/parties/", {"q": "nador"})) == {"emballages"}
    assert codes(client.get("/invoices/parties/", {"role": "supplier"})) == {"emballages"}
    assert codes(client.get("/invoices/parties/", {"kind": "consumer"})) == {"m-alami"}
    assert codes(client.get("/invoices/parties/", {"active": "0"})) == {"m-alami"}
    assert codes(client.get("/invoices/parties/", {"role": "customer", "active": "1", "kind": "business"})) == {
        "hotel-atlas",
        "evil",
        "coop-a",
    }
    assert codes(client.get("/invoices/parties/", {"kind": "nonsense", "role": "x", "active": "y"})) == codes(response)


def test_export_is_filtered_and_formula_text_stays_inert(client: Any, accountant: Any, register: Any) -> None:
    client.force_login(accountant)
    response = client.get("/invoices/parties/", {"export": "csv", "q": "=HYPER"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="clients-fournisseurs.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Code", "Raison sociale (français)", "Raison sociale (arabe)", "Type"]
    assert len(rows) == 2
    assert rows[1][:2] == ["evil", '\'=HYPERLINK("x")']  # an apostrophe first: text, never a formula
    assert rows[1][-3:] == ["oui", "non", "oui"]

    response = client.get("/invoices/parties/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == {"hotel-atlas", "evil", "emballages", "m-alami", "coop-a"}
    assert (cells["evil"].value, cells["evil"].data_type) == ('=HYPERLINK("x")', "s")


def test_detail_shows_identity_and_history(client: Any, accountant: Any, register: Any) -> None:
    client.force_login(accountant)
    member = register["member"]
    body = client.get(f"/invoices/parties/{member.pk}/").content.decode()
    assert member.ice in body
    assert "/members/coop-a/" in body
    assert "Client ou fournisseur créé" in body  # the audit history
    assert client.get("/invoices/parties/999999/").status_code == 404


def test_pages_answer_in_arabic(client: Any, accountant: Any, register: Any) -> None:
    client.force_login(accountant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    for url in ("/invoices/parties/", f"/invoices/parties/{register['member'].pk}/", "/invoices/parties/new/",
                "/invoices/parties/import/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'dir="rtl"' in response.content.decode(), url
    body = client.get(f"/invoices/parties/{register['member'].pk}/").content.decode()
    assert "<h1><bdi>تعاونية ألفا</bdi></h1>" in body


def test_identifiers_keep_their_order_without_leaving_the_column_side_in_arabic(
    client: Any, accountant: Any, register: Any
) -> None:
    """A code, ICE or phone is isolated left to right inside its cell; the cell keeps the page's alignment, so in
    Arabic the value sits under its heading (a ``dir="ltr"`` cell pushed it to the far left of its column)."""
    client.force_login(accountant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    hotel = Party.objects.filter(pk=register["hotel"].pk)
    hotel.update(phone="0539000000", if_number="40123456", rc_number="12345 Tétouan")
    for url in ("/invoices/parties/", f"/invoices/parties/{register['hotel'].pk}/"):
        body = client.get(url).content.decode()
        assert '<td dir="ltr">' not in body, url
        assert '<dd dir="ltr">' not in body, url
        assert f'<bdi dir="ltr">{ICE_HOTEL}</bdi>' in body, url
        assert '<bdi dir="ltr">hotel-atlas</bdi>' in body, url
    assert '<bdi dir="ltr">0539000000</bdi>' in body


def party_urls(party: Party) -> list[str]:
    return [
        "/invoices/parties/",
        "/invoices/parties/?export=csv",
        "/invoices/parties/new/",
        f"/invoices/parties/{party.pk}/",
        f"/invoices/parties/{party.pk}/edit/",
        "/invoices/parties/import/",
        "/invoices/parties/import/template.csv",
        "/invoices/parties/import/template.xlsx",
    ]


def test_a_representative_gets_403_on_every_party_page(client: Any, rep_a: Any, register: Any) -> None:
    client.force_login(rep_a)
    for url in party_urls(register["member"]):  # even the party of the representative's own cooperative
        assert client.get(url).status_code == 403, url
    assert client.post("/invoices/parties/new/", {"code": "x", "legal_name_fr": "X"}).status_code == 403
    assert not Party.objects.filter(code="x").exists()


def test_the_auditor_reads_but_does_not_write(client: Any, register: Any) -> None:
    client.force_login(UserFactory(role=Role.AUDITOR))
    party = register["hotel"]
    reads = {"/invoices/parties/", "/invoices/parties/?export=csv", f"/invoices/parties/{party.pk}/"}
    for url in party_urls(party):
        assert client.get(url).status_code == (200 if url in reads else 403), url
    assert 'id="party-edit"' not in client.get(f"/invoices/parties/{party.pk}/").content.decode()


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "cafe-port",
        "kind": "business",
        "legal_name_fr": "Café du Port",
        "legal_name_ar": "مقهى الميناء",
        "ice": "",
        "city": "Tanger",
        "language": "fr",
        "payment_terms_days": "30",
        "is_customer": "on",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_form_creates_a_party_and_normalises_its_ice(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    response = client.get("/invoices/parties/new/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    spaced = f"{ICE_HOTEL[:3]} {ICE_HOTEL[3:9]} {ICE_HOTEL[9:]}"
    response = client.post("/invoices/parties/new/", form_data(ice=spaced))
    party = Party.objects.get(code="cafe-port")
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/parties/{party.pk}/"
    assert (party.ice, party.legal_name_ar, party.is_customer, party.is_supplier) == (
        ICE_HOTEL,
        "مقهى الميناء",
        True,
        False,
    )
    assert AuditEvent.objects.get(event="invoices.party_created").actor == accountant


def test_form_with_a_bad_ice_shows_the_error_and_saves_nothing(client: Any, accountant: Any, register: Any) -> None:
    client.force_login(accountant)
    response = client.post("/invoices/parties/new/", form_data(ice=BAD_ICE))
    assert response.status_code == 200
    assert response.context["form"].errors["ice"] == [f"ICE invalide : {BAD_ICE} (15 chiffres avec clé de contrôle)."]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Party.objects.filter(code="cafe-port").exists()

    response = client.post("/invoices/parties/new/", form_data(ice=ICE_HOTEL))  # the hotel's ICE
    assert response.context["form"].errors["ice"] == ["Cet ICE est déjà celui de Hôtel Atlas (code hotel-atlas)."]
    assert not Party.objects.filter(code="cafe-port").exists()

    hotel = register["hotel"]
    url = f"/invoices/parties/{hotel.pk}/edit/"
    assert client.get(url).status_code == 200
    data = form_data(code="ignored", legal_name_fr="Hôtel Atlas modifié", ice=BAD_ICE, payment_terms_days="400")
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"ice", "payment_terms_days"}
    hotel.refresh_from_db()
    assert (hotel.legal_name_fr, hotel.ice, hotel.code) == ("Hôtel Atlas", ICE_HOTEL, "hotel-atlas")
    assert not AuditEvent.objects.filter(event="invoices.party_updated").exists()

    response = client.post(url, form_data(code="ignored", legal_name_fr="Hôtel Atlas modifié", ice=ICE_HOTEL))
    assert response.status_code == 302
    hotel.refresh_from_db()
    assert (hotel.legal_name_fr, hotel.code) == ("Hôtel Atlas modifié", "hotel-atlas")  # the code is fixed
    assert AuditEvent.objects.get(event="invoices.party_updated").data["fields"] == [
        "legal_name_fr",
        "legal_name_ar",
        "city",
    ]


def test_form_of_a_members_party_locks_its_identity(
    client: Any, accountant: Any, coop_a: Organization, register: Any
) -> None:
    client.force_login(accountant)
    member = register["member"]
    url = f"/invoices/parties/{member.pk}/edit/"
    body = client.get(url).content.decode()
    assert "son identité suit la fiche du membre" in body
    response = client.post(url, form_data(legal_name_fr="Autre", ice="", phone="0539222222"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.legal_name_fr, member.ice, member.phone) == (
        "Coopérative Alpha",
        coop_a.ice,
        "0539222222",
    )


def test_import_page_reports_errors_and_imports(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    page = client.get("/invoices/parties/import/")
    assert page.status_code == 200
    assert [column.name for column in page.context["guide"]] == HEADER.split(",")

    bad = io.BytesIO(sheet_csv("a,entreprise,A,,,,,,,,,,,,", f"b,entreprise,B,,{BAD_ICE},,,,,,,,,,"))
    bad.name = "clients.csv"
    response = client.post("/invoices/parties/import/", {"file": bad})
    assert response.status_code == 200
    assert [(e["row"], e["field"]) for e in response.context["errors"]] == [(3, "ice")]
    assert "aucune ligne n&#x27;a été enregistrée" in response.content.decode()
    assert not Party.objects.exists()

    good = io.BytesIO(sheet_csv("a,entreprise,A,,,,,,,,,,,,", "b,particulier,B,,,,,,,,,,,,"))
    good.name = "clients.csv"
    response = client.post("/invoices/parties/import/", {"file": good}, follow=True)
    assert response.redirect_chain == [("/invoices/parties/", 302)]
    assert "2 lignes lues : 2 fiches créées ou modifiées." in response.content.decode()
    assert Party.objects.count() == 2


def test_import_templates_are_the_header_row_only(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    response = client.get("/invoices/parties/import/template.csv")
    assert response["Content-Disposition"] == 'attachment; filename="modele-clients-fournisseurs.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [HEADER]
    response = client.get("/invoices/parties/import/template.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows == [tuple(HEADER.split(","))]
    # what the template says is what the import reads: filled in, it imports
    assert (
        parties_import(filename="t.csv", content=sheet_csv("x,,X,,,,,,,,,,,,"), acting_user=accountant).rows_written
        == 1
    )
