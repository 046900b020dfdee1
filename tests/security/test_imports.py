"""Imports under hostile or broken files (security findings 1, 2, 8): a clear refusal, nothing written, no 500."""

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.db import connection
from openpyxl import Workbook

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, read_table
from gie_erp.core.models import AuditEvent
from ledger.books import book_ensure
from ledger.models import Entry
from ledger.opening import opening_balances_import
from members import imports as member_imports
from members.imports import cooperators_import, members_import
from members.models import Commune, Cooperator, Organization, Province
from tests.factories.members import valid_ice

pytestmark = pytest.mark.django_db
HEADER = "slug,legal_name_fr,legal_name_ar,ice,commune\n"


def upload(name: str, content: bytes) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("slug", ["coopérative-tétouan", "a/../x", "<b>x</b>", "x" * 200, "deux mots"])
def test_a_slug_the_model_refuses_is_a_row_error_and_the_pages_still_answer(client, accountant, slug):
    content = (HEADER + f"{slug},Coopérative,تعاونية,{valid_ice(601)},Tanger\n").encode()
    with pytest.raises(ImportRefused) as info:
        members_import(filename="m.csv", content=content, acting_user=accountant)
    rows = info.value.report.as_rows()
    assert [(e["row"], e["field"], e["code"]) for e in rows] == [(2, "slug", ErrorCode.IMPORT_INVALID_FIELD.value)]
    assert rows[0]["ar"] != rows[0]["fr"]  # the reason is given in both languages
    assert not Organization.objects.filter(ice=valid_ice(601)).exists()
    client.force_login(accountant)  # the symptom: every staff page answered 500 (NoReverseMatch) after the import
    assert client.get("/").status_code == 200
    assert client.get("/members/").status_code == 200


def test_a_reserved_slug_says_why_in_french():
    content = (HEADER + f"import,X,س,{valid_ice(602)},Tanger\n").encode()
    with pytest.raises(ImportRefused) as info:
        members_import(filename="m.csv", content=content, acting_user=None)
    assert (
        info.value.report.as_rows()[0]["fr"] == "Valeur refusée pour slug : import — Ce nom court est réservé : import."
    )


def test_over_long_text_is_a_row_error_not_a_database_error():
    content = (HEADER + f"coop-long,{'N' * 201},س,{valid_ice(603)},Tanger\n").encode()
    with pytest.raises(ImportRefused) as info:
        members_import(filename="m.csv", content=content, acting_user=None)
    assert [(e["field"], e["code"]) for e in info.value.report.as_rows()] == [
        ("legal_name_fr", ErrorCode.IMPORT_INVALID_FIELD.value)
    ]


@pytest.mark.parametrize("name", ["m.csv", "m.xlsx"])
def test_a_nul_byte_anywhere_refuses_the_file(name):
    header = ["slug", "legal_name_fr", "legal_name_ar", "ice", "commune"]
    if name.endswith("xlsx"):  # openpyxl will not write a NUL: put it in the sheet's XML afterwards
        content = _xlsx_with_nul(xlsx([header, ["coop-n", "CoopN", "س", valid_ice(604), "Tanger"]]))
    else:
        content = f"{','.join(header)}\ncoop-n,Coop\x00N,س,{valid_ice(604)},Tanger\n".encode()
    with pytest.raises(DomainError) as info:
        members_import(filename=name, content=content, acting_user=None)
    if name.endswith("csv"):
        assert info.value.code == ErrorCode.IMPORT_NUL
        assert info.value.params == {"row": 2}
    else:  # a NUL makes the sheet's XML itself invalid
        assert info.value.code == ErrorCode.IMPORT_FORMAT
    assert not Organization.objects.filter(slug="coop-n").exists()


def _xlsx_with_nul(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml" or item.filename.startswith("xl/worksheets/"):
                data = data.replace(b"CoopN", b"Coop\x00N")
            target.writestr(item, data)
    return out.getvalue()


def test_a_column_named_twice_refuses_the_file():
    content = (HEADER.strip() + ",slug\n" + f"coop-d,X,س,{valid_ice(605)},Tanger,other\n").encode()
    with pytest.raises(DomainError) as info:
        read_table("m.csv", content)
    assert info.value.code == ErrorCode.IMPORT_DUPLICATE_COLUMN
    assert info.value.message("fr") == "La colonne slug apparaît deux fois dans l'en-tête."


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04 not really a zip",
        xlsx([["slug", "ice"], ["a", "b"]])[:300],  # truncated
        b"",
        b"\x00\x01\x02",
    ],
)
def test_a_broken_or_truncated_xlsx_is_a_clear_refusal(content):
    with pytest.raises(DomainError) as info:
        read_table("m.xlsx", content)
    assert info.value.code in {ErrorCode.IMPORT_FORMAT, ErrorCode.IMPORT_EMPTY}


@pytest.mark.parametrize(("page", "data"), [("/members/import/", {"kind": "members"}),
                                            ("/members/import/", {"kind": "cooperators"}),
                                            ("/books/opening-import/", {"opened_on": "2026-01-01"})])  # fmt: skip
def test_a_broken_xlsx_on_every_import_page_answers_with_a_message(client, accountant, page, data):
    client.force_login(accountant)
    response = client.post(page, {**data, "file": upload("x.xlsx", b"PK\x03\x04broken")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fichier illisible : le fichier XLSX est abîmé ou incomplet ; réenregistrez-le depuis le tableur" in page
    assert "BadZipFile" not in page  # no exception name shown to a person


def test_limits_refuse_a_big_file_before_parsing(monkeypatch):
    calls = []
    monkeypatch.setattr("gie_erp.core.imports.csv.reader", lambda *a, **k: calls.append(1))
    limits = ImportLimits(max_bytes=1 * MB, max_rows=10)
    with pytest.raises(DomainError) as info:
        read_table("m.csv", b"a,b\n" + b"x" * (1 * MB), limits)
    assert info.value.code == ErrorCode.IMPORT_TOO_LARGE
    with pytest.raises(DomainError) as info:
        read_table("m.csv", b"a,b\n" + b"1,2\n" * 12, limits)
    assert info.value.code == ErrorCode.IMPORT_TOO_MANY_ROWS
    assert info.value.params == {"limit": 10}
    assert calls == []  # neither file was parsed


def test_too_many_rows_in_an_xlsx_stops_reading():
    limits = ImportLimits(max_bytes=1 * MB, max_rows=5)
    with pytest.raises(DomainError) as info:
        read_table("m.xlsx", xlsx([["a"]] + [[n] for n in range(50)]), limits)
    assert info.value.code == ErrorCode.IMPORT_TOO_MANY_ROWS


def test_the_page_refuses_an_upload_over_the_members_limit_without_reading_it(client, accountant):
    client.force_login(accountant)
    big = HEADER.encode() + b"x" * (5 * MB + 10)
    response = client.post("/members/import/", {"kind": "members", "file": upload("m.csv", big)})
    assert response.status_code == 200
    assert "Fichier trop gros : 5.0 Mo, au plus 5 Mo pour cet import." in response.content.decode()


def test_the_report_lists_the_first_200_errors_and_counts_the_rest(client, accountant):
    rows = "".join(f"bad-{n},,,,\n" for n in range(1000))  # each row: 4 missing fields
    with pytest.raises(ImportRefused) as info:
        members_import(filename="m.csv", content=(HEADER + rows).encode(), acting_user=None)
    assert len(info.value.report.errors) == 200
    assert info.value.report.error_count == 4000
    assert info.value.report.errors_not_listed == 3800
    client.force_login(accountant)
    response = client.post("/members/import/", {"kind": "members", "file": upload("m.csv", (HEADER + rows).encode())})
    page = response.content.decode()
    assert page.count("Champ obligatoire manquant") == 200
    assert "… et 3800 autres erreurs non listées" in page


@pytest.mark.django_db(transaction=True)
def test_rows_are_parsed_and_checked_before_the_write_transaction_opens(monkeypatch):
    seen = []
    original = member_imports._validate_members

    def spy(rows: Any) -> Any:
        seen.append(connection.in_atomic_block)
        return original(rows)

    monkeypatch.setattr(member_imports, "_validate_members", spy)
    province = Province.objects.get_or_create(code="tanger-assilah", defaults={"name_fr": "T", "name_ar": "ط"})[0]
    Commune.objects.get_or_create(province=province, name_fr="Tanger", defaults={"name_ar": "طنجة"})
    content = (HEADER + f"coop-t,Coop T,تعاونية,{valid_ice(606)},Tanger\n").encode()
    members_import(filename="m.csv", content=content, acting_user=None)
    assert seen == [False]  # checked once, outside any transaction (SQLite's write lock not held meanwhile)
    assert Organization.objects.filter(slug="coop-t").count() == 1


def test_cooperators_with_a_nul_or_too_long_name_are_refused(coop_a):
    content = f"member,first_name_fr,last_name_fr,gender\n{coop_a.slug},{'F' * 101},Alaoui,f\n".encode()
    with pytest.raises(ImportRefused) as info:
        cooperators_import(filename="c.csv", content=content, acting_user=None)
    assert [e["field"] for e in info.value.report.as_rows()] == ["first_name_fr"]
    assert Cooperator.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "code"),
    [("NaN", ErrorCode.AMOUNT_NOT_A_NUMBER), ("sNaN", ErrorCode.AMOUNT_NOT_A_NUMBER),
     ("1e30", ErrorCode.AMOUNT_EXPONENT), ("1e17", ErrorCode.AMOUNT_EXPONENT),
     ("100000000000000000", ErrorCode.AMOUNT_TOO_LARGE), ("-5", ErrorCode.AMOUNT_NEGATIVE)],
)  # fmt: skip
def test_opening_amounts_that_answered_500_are_row_errors(coop_a, amount, code):
    book_ensure(organization=coop_a)
    content = f"book,account_code,debit,credit\ncoop-a,5141,{amount},\ncoop-a,1111,,100.00\n".encode()
    with pytest.raises(ImportRefused) as info:
        opening_balances_import(filename="o.csv", content=content, opened_on=date(2026, 1, 1), acting_user=None)
    assert (2, "debit", code.value) in {(e["row"], e["field"], e["code"]) for e in info.value.report.as_rows()}
    assert Entry.objects.count() == 0


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(1999, 12, 31)])
def test_opening_balances_before_the_earliest_date_are_refused(coop_a, day):
    book_ensure(organization=coop_a)
    content = b"book,account_code,debit,credit\ncoop-a,5141,100.00,\ncoop-a,1111,,100.00\n"
    with pytest.raises(DomainError) as info:
        opening_balances_import(filename="o.csv", content=content, opened_on=day, acting_user=None)
    assert info.value.code == ErrorCode.DATE_TOO_EARLY
    assert Entry.objects.count() == 0
    assert not AuditEvent.objects.filter(event="ledger.opening_imported").exists()


def test_the_import_page_lists_columns_with_their_values_and_offers_a_template(client, accountant):
    client.force_login(accountant)
    page = client.get("/members/import/").content.decode()
    assert "<code>beekeeping</code> Apiculture" in page
    assert "<code>treasurer</code> Trésorier(ère)" in page
    assert "date AAAA-MM-JJ ou JJ/MM/AAAA" in page
    sheet = client.get("/members/import/?template=members&format=csv").content.decode("utf-8-sig").splitlines()
    header = (
        "slug,legal_name_fr,legal_name_ar,ice,commune,if_number,rc_number,tp_number,odco_number,address,"
        "vat_status,vat_legal_reference,sector,is_women_cooperative,joined_on,capital_share,phone"
    )
    assert sheet == [header]
    template = client.get("/members/import/?template=members&format=xlsx")
    assert template["Content-Disposition"] == 'attachment; filename="modele-cooperatives.xlsx"'
    # the template has no example row: uploaded unchanged it creates no member (an example row became a real one)
    with pytest.raises(DomainError) as info:
        members_import(filename="m.xlsx", content=template.content, acting_user=accountant)
    assert info.value.code == ErrorCode.IMPORT_EMPTY
    assert '<td dir="auto">coop-miel</td>' in page  # the example is on the page instead


def test_a_bad_date_names_both_formats():
    content = (HEADER.strip() + ",joined_on\n" + f"coop-d2,X,س,{valid_ice(607)},Tanger,2024-13-01\n").encode()
    with pytest.raises(ImportRefused) as info:
        members_import(filename="m.csv", content=content, acting_user=None)
    assert info.value.report.as_rows()[0]["fr"] == (
        "Date invalide pour joined_on : 2024-13-01 (attendu AAAA-MM-JJ ou JJ/MM/AAAA)."
    )
