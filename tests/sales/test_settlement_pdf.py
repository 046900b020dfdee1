"""Settling from the pages (preview, then a confirmation naming the amounts) and the settlement note a member reads
without French: one A4 page, French and Arabic, the settlement's own figures, the shipped fonts only.

Hand-computed (tests/sales/sold.py, then summarized and settled on 30/11/2026, commission 10 % of TTC, 20 % VAT):
- coop-miel: takings 415.00; commission 41.50 HT + 8.30 VAT = 49.80; net paid 415.00 − 49.80 = 365.20.
- coop-olive, which agreed to offsets, with a GIE invoice of 100.00 HT + 20.00 VAT = 120.00 open: takings 160.00;
  commission 16.00 + 3.20 = 19.20; other invoice netted 120.00; net paid 160.00 − 19.20 − 120.00 = 20.80.
- coop-tapis: 450.00; commission 45.00 + 9.00 = 54.00; net 396.00.
"""

import io
import re
import subprocess
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from gie_erp.core.roles import Role
from invoices.parties import party_for_member
from invoices.services import LineInput, document_save_draft, document_validate
from members.models import Organization
from sales.models import SalesTerms, Settlement
from sales.pdf_settlement import settlement_note_html, settlement_note_pdf
from sales.selectors import settled_lines
from sales.settlements import settle
from sales.summaries import summarize
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.sales.conftest import TODAY, D
from tests.sales.sold import sell

pytestmark = pytest.mark.django_db
SHOTS = Path("/tmp/shots")
SHIPPED_FONT = re.compile(r"^/([A-Z]{6}\+)?GIE-(Sans|Naskh|Tifinagh)(-Bold)?$")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, normalise("\n".join(page.extract_text() for page in reader.pages))


def amt(text: str) -> str:
    return text.replace(" ", "\u202f")


@pytest.fixture
def summarized(fair: dict[str, Any]) -> dict[str, Any]:
    # the commission invoice to coop-tapis needs the mentions of an invoice (the fixture leaves them out)
    Organization.objects.filter(pk=fair["tapis"].pk).update(
        address="Douar Zarbia, Ouezzane", if_number="43333333", tp_number="53333333", odco_number="ODCO 2020/9"
    )
    fair["tapis"].refresh_from_db()
    sell(fair)
    summarize(fair["event"], today=TODAY)
    return fair


@pytest.fixture
def staff(client: Client, summarized: dict[str, Any]) -> Client:
    client.force_login(UserFactory(username="compta-reglements", role=Role.GIE_ACCOUNTANT))
    return client


def _settled(fair: dict[str, Any], member: str = "registered") -> Settlement:
    return settle(fair["event"], fair[member], on=TODAY, today=TODAY)


def test_preview_then_a_confirmation_naming_the_amounts(staff: Client, summarized: dict[str, Any]) -> None:
    url = "/sales/events/foire-tanger-2026/settle/coop-miel/"
    preview = staff.get(url + "?on=2026-11-30").content.decode()
    for figure in ("415,00", "41,50", "8,30", "49,80", "365,20"):
        assert amt(figure) in preview, figure
    assert "Confirmer : verser" in preview
    assert "Coopérative Nahla" in preview
    assert 'name="expected_net" value="365.20"' in preview
    # a confirmation whose figures are no longer those of the page settles nothing
    stale = staff.post(url, {"on": "2026-11-30", "expected_net": "300.00", "expected_takings": "415.00"}, follow=True)
    assert "Les montants ont changé depuis l" in stale.content.decode()
    assert not Settlement.objects.exists()
    done = staff.post(url, {"on": "2026-11-30", "expected_net": "365.20", "expected_takings": "415.00"})
    settlement = Settlement.objects.get()
    assert done["Location"] == f"/sales/settlements/{settlement.pk}/"
    assert (settlement.takings, settlement.net_paid, settlement.offsets) == (D("415.00"), D("365.20"), D("0.00"))
    assert settlement.commission is not None
    assert settlement.commission.total_gross == D("49.80")
    page = staff.get(done["Location"]).content.decode()
    assert amt("49,80") in page
    assert amt("365,20") in page
    assert settlement.commission.number in page
    again = staff.get(url + "?on=2026-11-30").content.decode()
    assert 'id="settle-existing"' in again
    assert "Confirmer" not in again
    assert staff.get(url + "?on=2026-02-31").status_code == 200  # an impossible date is said, not a 500


def test_settling_every_member_of_the_event(staff: Client, summarized: dict[str, Any]) -> None:
    preview = staff.get("/sales/events/foire-tanger-2026/settle/?on=2026-11-30").content.decode()
    # nets: olive 160.00 − 19.20 = 140.80, miel 365.20, tapis 396.00; total 902.00 of 1 025.00 takings
    for figure in ("140,80", "365,20", "396,00", "902,00", "1 025,00"):
        assert amt(figure) in preview, figure
    staff.post("/sales/events/foire-tanger-2026/settle/",
               {"on": "2026-11-30", "expected_net": "902.00", "expected_takings": "1025.00"})  # fmt: skip
    assert sorted(Settlement.objects.values_list("organization__slug", "net_paid")) == [
        ("coop-miel", D("365.20")), ("coop-olive", D("140.80")), ("coop-tapis", D("396.00")),
    ]  # fmt: skip
    listed = staff.get("/sales/settlements/?event=foire-tanger-2026").content.decode()
    assert 'id="settlement-total"' in listed
    assert amt("902,00") in listed
    assert amt("123,00") in listed  # commission kept: 19.20 + 49.80 + 54.00
    rows = staff.get("/sales/settlements/?export=csv").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 4


def test_the_note_says_what_the_settlement_says(summarized: dict[str, Any]) -> None:
    settlement = _settled(summarized)
    # the lines the note details are exactly those the settlement paid
    assert sum(line.amount for line in settled_lines(settlement)) == settlement.takings == D("415.00")
    pdf = settlement_note_pdf(settlement, printed_on=date(2026, 12, 1))
    reader, text = pdf_text(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    for phrase in ("Règlement de vos ventes", "Vos ventes", "Commission du GIE",
                   "Versé à votre coopérative", "Ce que vous avez vendu", "Miel de thym 250 g", "Amlou 250 g",
                   "Foire régionale de Tanger 2026", "3 tickets", "10 % de 415,00 DH"):  # fmt: skip
        assert normalise(phrase) in text, phrase
    for phrase in ("تسوية مبيعاتكم", "عمولة المجموعة", "المبلغ المدفوع لتعاونيتكم", "عسل الزعتر"):
        assert normalise(phrase) in text, phrase
    for figure in ("+ 415,00", "- 49,80", "365,20", "41,50", "8,30", "49,80"):
        assert normalise(figure) in text, figure
    assert settlement.commission is not None
    assert settlement.commission.number in text
    assert "Huile" not in text
    assert "Petit tapis" not in text
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    assert all(SHIPPED_FONT.match(str(font["/BaseFont"])) for font in fonts.values())
    _png(pdf, "settlement-note")


def _png(pdf: bytes, name: str) -> None:
    """The page as a picture to look at (``pdftoppm -r 60``, poppler-utils), beside its PDF in /tmp/shots."""
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(SHOTS / f"{name}.pdf"), str(SHOTS / name)],
                   check=True)  # fmt: skip


def test_a_note_with_other_invoices_netted(summarized: dict[str, Any]) -> None:
    olive, gie = summarized["exempt"], summarized["gie"]
    SalesTerms.objects.create(organization=olive, offset_other_invoices=True)
    fee = document_save_draft(
        issuer=gie, customer=party_for_member(organization=olive), issued_on=date(2026, 11, 10),
        lines=[LineInput(description="Tenue comptable", quantity=D("1"), unit_price=D("100.00"))],
    )  # fmt: skip
    document_validate(document_id=fee.pk, today=TODAY)
    settlement = _settled(summarized, "exempt")
    # 160.00 − 19.20 commission − 120.00 netted = 20.80
    assert (settlement.offsets, settlement.net_paid) == (D("120.00"), D("20.80"))
    pdf = settlement_note_pdf(settlement, printed_on=TODAY)
    _reader, text = pdf_text(pdf)
    _png(pdf, "settlement-note-offsets")
    fee.refresh_from_db()
    assert fee.number in text  # the invoice netted is named
    for phrase in ("Autres factures du GIE retenues", "- 120,00", "- 19,20", "20,80", "Huile d'olive 1 l"):
        assert normalise(phrase) in text, phrase
    html = settlement_note_html(settlement, printed_on=TODAY)
    assert "arrow-out.png" in html
    assert "coins.png" in html
    assert "basket.png" in html


def test_a_representative_downloads_its_own_note_only(client: Client, summarized: dict[str, Any]) -> None:
    mine, theirs = _settled(summarized), _settled(summarized, "tapis")
    client.force_login(RepresentativeFactory(organization=summarized["registered"]))
    response = client.get(f"/sales/settlements/{mine.pk}/note.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "reglement-foire-tanger-2026-coop-miel-2026-11-30.pdf" in response["Content-Disposition"]
    assert client.get(f"/sales/settlements/{theirs.pk}/note.pdf").status_code == 404
    assert client.get(f"/sales/settlements/{theirs.pk + 100}/note.pdf").status_code == 404
    assert client.get(f"/sales/settlements/{mine.pk}/").status_code == 403  # the staff page
