"""The combined accounts' pages: staff read them (the auditor too), a cooperative's representative gets 403; the
exports open (XLSX with openpyxl, CSV, PDF); wrong filters are said on the page; the pair list is validated against
the chart and a pair is deactivated, never deleted. Figures of the month are those of ``test_month.py``."""

import csv
import html
import io
import re
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from gie_erp.combine.models import PairRule
from gie_erp.combine.selectors import active_rules
from gie_erp.core.audit import AuditEvent
from gie_erp.core.roles import Role
from tests.combine.conftest import month  # noqa: F401 (the fixture)
from tests.factories.members import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db
NOVEMBER = "?start=2026-11-01&end=2026-11-30"


def text(response: Any) -> str:
    """The page as a reader sees it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def test_staff_read_the_page_and_a_representative_gets_403(client: Any, month: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(month["staff"])
    page = client.get("/combined/" + NOVEMBER)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Comptes combinés" in body
    for slug in ("gie", "coop-miel", "coop-tapis", "coop-olive"):  # four books: a column each on screen
        assert f'title="{slug}"' in body
    assert body.count('data-rule="gie-receivable"') == 3
    assert body.count('data-rule="gie-revenue"') == 3
    assert 'data-cause="one_side"' in body
    assert "Pièce comptabilisée d'un seul côté" in text(page)
    assert "1 paire ne se compense pas" in body
    assert "Total actif" in body
    client.force_login(UserFactory(username="auditeur", role=Role.AUDITOR))
    assert client.get("/combined/" + NOVEMBER).status_code == 200
    # with no filter the date fields show the period used, the year up to today (regression: they were blank)
    today = timezone.localdate()
    blank = client.get("/combined/").content.decode()
    assert f'name="start" value="{today.year}-01-01"' in blank
    assert f'name="end" value="{today.isoformat()}"' in blank
    assert client.get("/combined/pairs/").status_code == 200
    assert client.get("/combined/pairs/new/").status_code == 403  # the auditor reads, never changes the pairs
    client.force_login(RepresentativeFactory(username="rep-olive", organization=month["exempt"]))
    for url in ("/combined/", "/combined/?export=xlsx", "/combined/pairs/", "/combined/pairs/gie-receivable/"):
        assert client.get(url).status_code == 403, url


def test_the_page_in_arabic_reads_right_to_left(client: Any, month: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(month["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = client.get("/combined/" + NOVEMBER).content.decode()
    assert 'dir="rtl"' in body
    assert "وثيقة مسجلة في طرف واحد فقط" in body  # the cause of the difference
    assert "الحسابات الجارية المدينة للمجموعة" in body  # the pair's Arabic label


def test_the_exports_open(client: Any, month: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(month["staff"])
    xlsx = client.get("/combined/" + NOVEMBER + "&export=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="comptes-combines-2026-11-01-2026-11-30.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Balance combinée", "Bilan", "CPC", "Éliminations", "Différences", "Hors ensemble"]
    tb = workbook["Balance combinée"]
    assert [c.value for c in tb[1]] == ["Compte", "Intitulé", "gie", "coop-miel", "coop-tapis", "coop-olive",
                                        "Somme des livres", "Éliminations", "Combiné"]  # fmt: skip
    rows = {row[0]: row for row in tb.iter_rows(min_row=2, values_only=True)}
    assert rows["6136"][2:] == (0, 322, 174, 643.2, 1139.2, -1003, 136.2)
    assert rows[None][1:] == ("Totaux", 0, 0, 0, 0, 0, 0, 0)
    assert tb["C3"].number_format == "#,##0.00"
    assert tb.freeze_panes == "C2"
    assert len(list(workbook["Éliminations"].iter_rows(min_row=2))) == 7
    (difference,) = workbook["Différences"].iter_rows(min_row=2, values_only=True)
    assert difference == ("Période", "gie-accessory-sales", difference[2], "gie", None, 0, "coop-tapis", "6146",
                          30, 30, "Pièce comptabilisée d'un seul côté", "وثيقة مسجلة في طرف واحد فقط")  # fmt: skip
    bilan = {row[1]: row[4] for row in workbook["Bilan"].iter_rows(min_row=2, values_only=True)}
    assert bilan["Créances de l'actif circulant"] == 484.4

    text = client.get("/combined/" + NOVEMBER + "&export=csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Compte", "Intitulé", "Somme des livres", "Éliminations", "Combiné"]
    by_code = {line[0]: line[2:] for line in lines[1:]}
    assert by_code["6136"] == ["1139.20", "-1003.00", "136.20"]
    assert by_code["3463"] == ["996.00", "-996.00", "0.00"]
    assert len(lines) == 1 + 18

    pdf = client.get("/combined/" + NOVEMBER + "&export=pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)  # four book columns: landscape
    assert "Comptes combinés" in first.extract_text()


def test_wrong_filters_are_said_on_the_page(client: Any, month: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(month["staff"])
    body = text(client.get("/combined/?start=2026-11-30&end=2026-11-01&export=xlsx"))
    assert "La période finit (01/11/2026) avant de commencer (30/11/2026)." in body
    body = text(client.get("/combined/?books=list&codes=coop-olive,nope"))
    assert "Ensemble de livres inconnu : « nope »" in body
    body = text(client.get("/combined/?books=women&exclude_gie=on"))
    assert "Aucun livre dans cet ensemble : women." in body
    assert client.get("/combined/?books=sector:nope").status_code == 200  # not a choice: the form says so


def test_the_pair_list_is_validated_and_a_pair_is_deactivated(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    listing = client.get("/combined/pairs/").content.decode()
    assert listing.count("data-key=") == 13  # the defaults, seeded by the migration
    # a new pair's order is blank (after the others), not 0 (first: it would take tied prefixes from the defaults)
    blank = client.get("/combined/pairs/new/").content.decode()
    order_input = re.search(r'<input[^>]*name="order"[^>]*>', blank)
    assert order_input is not None
    assert "value=" not in order_input.group(0)
    new = {"key": "member-loans", "label_fr": "Prêts entre membres", "label_ar": "", "left": "2486",
           "left_book": "member", "right": "1486", "right_book": "member", "order": "", "active": "on",
           "note": ""}  # fmt: skip
    for left, reason in (
        ("2486 99x", "« 99x » n'est pas un préfixe de compte (1 à 6 chiffres, classe 1 à 8)."),
        ("9", "« 9 » n'est pas un préfixe de compte"),
        ("1999", "aucun compte du plan ne commence par « 1999 »."),
        ("", "Ce champ est obligatoire."),
    ):
        answer = client.post("/combined/pairs/new/", {**new, "left": left})
        assert answer.status_code == 200
        assert reason in text(answer), left
    answer = client.post("/combined/pairs/new/", {**new, "right": "2486", "right_book": "any"})
    assert "« 2486 » est des deux côtés pour les mêmes livres." in text(answer)
    answer = client.post("/combined/pairs/new/", {**new, "left_book": "gie", "right_book": "gie"})
    assert "les deux côtés ne peuvent pas être le GIE" in text(answer)
    assert not PairRule.objects.filter(key="member-loans").exists()
    answer = client.post("/combined/pairs/new/", {**new, "key": "new"})
    assert "Ce code est réservé : choisissez-en un autre." in text(answer)

    assert client.post("/combined/pairs/new/", {**new, "left": "2486, 2487 2486"}).status_code == 302
    rule = PairRule.objects.get(key="member-loans")
    assert (rule.left, rule.order) == ("2486 2487", 140)  # placed after the thirteen defaults (10 to 130)
    assert active_rules()[-1].left == ("2486", "2487")
    edit = client.get("/combined/pairs/member-loans/?export=csv")
    assert edit.status_code == 200
    changed = {**new, "left": "2486 2487", "active": ""}
    assert client.post("/combined/pairs/member-loans/", {**changed, "key": "renamed"}).status_code == 302
    rule.refresh_from_db()
    assert (rule.key, rule.active) == ("member-loans", False)  # the code stays; deactivated, not deleted
    assert "member-loans" not in [r.key for r in active_rules()]
    assert AuditEvent.objects.filter(event="combine.pair_updated", target_id=str(rule.pk)).count() == 1
    assert client.get("/combined/pairs/no-such-pair/").status_code == 404
    exported = client.get("/combined/pairs/?export=xlsx")
    assert openpyxl.load_workbook(io.BytesIO(exported.content)).active.max_row == 1 + 14
