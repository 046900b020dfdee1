import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.core.models import AuditEvent
from members.imports import cooperators_import, members_import
from members.models import Cooperator, Organization
from tests.factories.members import valid_ice

HEADER = "slug,legal_name_fr,legal_name_ar,ice,commune,sector,is_women_cooperative,joined_on,capital_share\n"


def members_csv(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_valid_csv_creates_every_row(accountant):
    content = members_csv(
        f"coop-miel,Coopérative Miel,تعاونية العسل,{valid_ice(11)},Targuist,beekeeping,non,2024-01-15,1500.50",
        f"coop-tapis,Coopérative Tapis,تعاونية الزرابي,{valid_ice(12)},Chefchaouen,handicraft,oui,15/03/2023,",
    )
    result = members_import(filename="membres.csv", content=content, acting_user=accountant)
    assert result.created == 2
    miel = Organization.objects.get(slug="coop-miel")
    assert miel.capital_share == Decimal("1500.50")
    assert miel.commune is not None
    assert miel.commune.name_fr == "Targuist"
    tapis = Organization.objects.get(slug="coop-tapis")
    assert tapis.is_women_cooperative is True
    assert tapis.joined_on is not None
    assert tapis.joined_on.isoformat() == "2023-03-15"
    assert AuditEvent.objects.filter(event="member.imported").count() == 2


def test_one_bad_row_writes_nothing_and_reports_every_error_in_french_and_arabic(accountant, coop_a):
    before_orgs = Organization.objects.count()
    before_audit = AuditEvent.objects.count()
    content = members_csv(
        f"coop-ok,Coopérative OK,تعاونية,{valid_ice(21)},Tanger,food,,,",  # row 2: fine
        "coop-bad-ice,Coop ICE,تعاونية,001561191000067,Tanger,food,,,",  # row 3: checksum wrong
        f"coop-ok,Doublon,تعاونية,{valid_ice(22)},Atlantis,food,,,",  # row 4: duplicate slug + unknown commune
        f"coop-x,,تعاونية,{coop_a.ice},Tanger,food,,,",  # row 5: missing name
        f"coop-y,Coop Y,تعاونية,{coop_a.ice},Tanger,food,,2024-13-01,",  # row 6: duplicate ICE + bad date
    )
    with pytest.raises(ImportRefused) as info:
        members_import(filename="m.csv", content=content, acting_user=accountant)
    errors = {(e["row"], e["field"], e["code"]) for e in info.value.report.as_rows()}
    assert errors == {
        (3, "ice", ErrorCode.IMPORT_BAD_ICE.value),
        (4, "slug", ErrorCode.IMPORT_DUPLICATE.value),
        (4, "commune", ErrorCode.IMPORT_UNKNOWN_COMMUNE.value),
        (5, "legal_name_fr", ErrorCode.IMPORT_MISSING_FIELD.value),
        (6, "ice", ErrorCode.IMPORT_DUPLICATE.value),
        (6, "joined_on", ErrorCode.IMPORT_BAD_DATE.value),
    }
    commune_error = next(e for e in info.value.report.as_rows() if e["field"] == "commune")
    assert commune_error["fr"] == "Commune inconnue : Atlantis."
    assert commune_error["ar"] == "جماعة غير معروفة: \u2068Atlantis\u2069."
    assert Organization.objects.count() == before_orgs
    assert AuditEvent.objects.count() == before_audit


def test_xlsx_cooperators_import_and_rollback(accountant, coop_a, coop_b):
    def sheet(rows: list[list[object]]) -> bytes:
        workbook = Workbook()
        ws = workbook.active
        assert ws is not None
        ws.append(["member", "first_name_fr", "last_name_fr", "full_name_ar", "gender", "function", "cin"])
        for row in rows:
            ws.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    good = sheet(
        [
            ["coop-a", "Fatima", "Riffi", "فاطمة الريفي", "F", "president", "K123456"],
            [coop_b.ice, "Said", "Tazi", "", "m", "", ""],
        ]
    )
    result = cooperators_import(filename="c.xlsx", content=good, acting_user=accountant)
    assert result.created == 2
    assert Cooperator.objects.get(cin="K123456").organization == coop_a
    assert Cooperator.objects.filter(organization=coop_b).count() == 1

    bad = sheet(
        [
            ["coop-a", "Aicha", "Chaoui", "", "f", "", "L1"],
            ["coop-a", "Zineb", "Tazi", "", "x", "", "K123456"],
            ["coop-zz", "A", "B", "", "f", "", ""],
        ]
    )
    with pytest.raises(ImportRefused) as info:
        cooperators_import(filename="c.xlsx", content=bad, acting_user=accountant)
    assert {(e["row"], e["field"]) for e in info.value.report.as_rows()} == {(3, "gender"), (3, "cin"), (4, "member")}
    assert Cooperator.objects.count() == 2  # nothing from the bad sheet


def test_unreadable_or_empty_file(accountant):
    with pytest.raises(DomainError) as info:
        members_import(filename="m.pdf", content=b"%PDF", acting_user=accountant)
    assert info.value.code == ErrorCode.IMPORT_FORMAT
    with pytest.raises(DomainError) as info:
        members_import(filename="m.csv", content=HEADER.encode(), acting_user=accountant)
    assert info.value.code == ErrorCode.IMPORT_EMPTY
    with pytest.raises(DomainError) as info:
        members_import(filename="m.csv", content=b"\xff\xfe\x00bad", acting_user=accountant)
    assert info.value.code == ErrorCode.IMPORT_NOT_UTF8


def test_semicolon_csv_from_french_excel(accountant):
    content = (
        f"slug;legal_name_fr;legal_name_ar;ice;commune\ncoop-semi;Coop Semi;تعاونية;{valid_ice(31)};Larache\n"
    ).encode("utf-8-sig")
    assert members_import(filename="m.csv", content=content, acting_user=accountant).created == 1


def test_import_page_shows_errors_and_writes_nothing(client, accountant):
    client.force_login(accountant)
    upload = io.BytesIO(members_csv("coop-q,Coop Q,تعاونية,123,Tanger,food,,,"))
    upload.name = "m.csv"
    response = client.post("/members/import/", {"kind": "members", "file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "ICE invalide : 123" in body
    assert "رقم التعريف الموحد غير صالح" in body
    assert not Organization.objects.filter(slug="coop-q").exists()


def test_representative_cannot_open_the_import_page(client, rep_a):
    client.force_login(rep_a)
    assert client.get("/members/import/").status_code == 403
