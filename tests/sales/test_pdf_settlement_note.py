"""The settlement note with every row it can carry: missing consigned goods the GIE paid (``Settlement.differences``,
added to what the member is paid), the commission as invoiced (VAT included: HT + VAT), another invoice netted; and
the page still fits one A4 sheet inside its 12 mm margin.

Hand-computed (tests/sales/sold.py, summarized and settled on 30/11/2026, commission 10 % of TTC, 20 % VAT):
coop-miel deposits 10 pots of honey on 19/11, sells 1 + 3 − 1 (refund) = 3, takes 5 back on 29/11: 10 − 3 − 5 = 2
pots missing, paid by the GIE at the ticket price 2 × 120.00 = 240.00 (no commission on them). Takings 415.00;
commission 41.50 HT + 8.30 VAT = 49.80 TTC.
- without other invoices: net paid 415.00 + 240.00 − 49.80 = 605.20;
- with a GIE invoice of 100.00 HT + 20.00 VAT = 120.00 netted (the member agreed): 605.20 − 120.00 = 485.20.
"""

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageOps

from invoices.parties import party_for_member
from invoices.services import LineInput, document_save_draft, document_validate
from sales.consignment import deposits_record, difference_decide, returns_record
from sales.models import Deposit, SalesTerms, Settlement
from sales.pdf_settlement import note_context, settlement_note_html, settlement_note_pdf
from sales.settlements import settle
from sales.summaries import summarize
from tests.sales.conftest import TODAY, D
from tests.sales.sold import sell
from tests.sales.test_settlement_pdf import normalise, pdf_text

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # PDF points per millimetre
PAGE_MARGIN_MM = 12


@pytest.fixture
def missing_honey(fair: dict[str, Any], accountant: Any) -> dict[str, Any]:
    """coop-miel's 2 missing pots paid by the GIE, its sales summarized (settled by each test)."""
    honey = fair["products"]["miel"]
    deposits_record(event=fair["event"], organization=fair["registered"], quantities={honey.pk: D("10")},
                    on=date(2026, 11, 19), acting_user=accountant)  # fmt: skip
    sell(fair)
    returns_record(event=fair["event"], organization=fair["registered"], quantities={honey.pk: D("5")},
                   on=date(2026, 11, 29), acting_user=accountant)  # fmt: skip
    deposit = Deposit.objects.get(product=honey)
    difference_decide(deposit_id=deposit.pk, decision="gie", decided_on=TODAY, acting_user=accountant, today=TODAY)
    summarize(fair["event"], today=TODAY)
    return fair


def _settle(fair: dict[str, Any]) -> Settlement:
    return settle(fair["event"], fair["registered"], on=TODAY, today=TODAY)


def test_missing_goods_paid_by_the_gie_have_their_own_row(missing_honey: dict[str, Any]) -> None:
    settlement = _settle(missing_honey)
    assert (settlement.takings, settlement.differences, settlement.offsets, settlement.net_paid) == (
        D("415.00"), D("240.00"), D("0.00"), D("605.20"),
    )  # fmt: skip
    context = note_context(settlement, printed_on=TODAY)
    rows = [(row["label_fr"], row["kind"], str(row["amount"])) for row in context["rows"]]
    assert [(label, kind) for label, kind, _amount in rows] == [
        ("Vos ventes", "in"),
        ("Marchandise manquante payée par le GIE", "in"),
        ("Commission du GIE (TTC)", "out"),
        ("Versé à votre coopérative", "balance"),
    ]
    assert [re.sub(r"<[^>]+>", "", amount) for *_label, amount in rows] == [
        "+\u202f415,00", "+\u202f240,00", "-\u202f49,80", "605,20",
    ]  # fmt: skip
    assert context["rows"][1]["sub_fr"] == "Miel de thym 250 g × 2"
    assert str(context["rows"][1]["sub_ar"]) == 'عسل الزعتر 250 غ <span dir="ltr">× 2</span>'
    assert "box-missing.png" in settlement_note_html(settlement, printed_on=TODAY)

    pdf = settlement_note_pdf(settlement, printed_on=TODAY)
    reader, text = pdf_text(pdf)
    assert len(reader.pages) == 1
    for phrase in ("Marchandise manquante payée par le GIE", "Miel de thym 250 g × 2", "+ 240,00",
                   "Commission du GIE (TTC)", "10 % de 415,00 DH", "- 49,80", "41,50 HT + TVA 8,30 = 49,80 TTC",
                   "605,20", "Versé = ventes + marchandise manquante payée par le GIE - commission TTC"):  # fmt: skip
        assert normalise(phrase) in text, phrase
    for phrase in ("سلع ناقصة أدّت المجموعة ثمنها", "عمولة المجموعة"):
        assert normalise(phrase) in text, phrase
    assert "span" not in text  # markup is laid out, never printed


def test_a_note_without_differences_has_no_such_row(fair: dict[str, Any]) -> None:
    sell(fair)
    summarize(fair["event"], today=TODAY)
    settlement = _settle(fair)
    assert (settlement.differences, settlement.net_paid) == (D("0.00"), D("365.20"))  # 415.00 − 49.80
    _reader, text = pdf_text(settlement_note_pdf(settlement, printed_on=TODAY))
    assert "Marchandise manquante" not in text
    assert normalise("Versé = ventes - commission TTC - factures retenues") in text


def test_the_fullest_note_fits_inside_the_margins(missing_honey: dict[str, Any], tmp_path: Path) -> None:
    """Five rows (sales, missing goods, commission, another invoice, net) and the detail: one page, every word and
    every drawn pixel within 12 mm of the sheet's edges."""
    miel, gie = missing_honey["registered"], missing_honey["gie"]
    SalesTerms.objects.create(organization=miel, offset_other_invoices=True)
    fee = document_save_draft(
        issuer=gie, customer=party_for_member(organization=miel), issued_on=date(2026, 11, 10),
        lines=[LineInput(description="Tenue comptable", quantity=D("1"), unit_price=D("100.00"))],
    )  # fmt: skip
    document_validate(document_id=fee.pk, today=TODAY)
    settlement = _settle(missing_honey)
    assert (settlement.differences, settlement.offsets, settlement.net_paid) == (
        D("240.00"), D("120.00"), D("485.20"),
    )  # fmt: skip
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(settlement_note_pdf(settlement, printed_on=TODAY))
    _reader, text = pdf_text(pdf.read_bytes())
    fee.refresh_from_db()
    for phrase in ("Autres factures du GIE retenues", fee.number, "- 120,00", "+ 240,00", "485,20"):
        assert normalise(phrase) in text, phrase

    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    boxes = [tuple(float(v) for v in found) for found in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">', xhtml)]  # fmt: skip
    assert len(boxes) > 100
    low, high_x, high_y = PAGE_MARGIN_MM * MM - 0.01, (210 - PAGE_MARGIN_MM) * MM + 0.01, (297 - PAGE_MARGIN_MM) * MM
    assert all(x0 >= low and y0 >= low and x1 <= high_x and y1 <= high_y for x0, y0, x1, y1 in boxes)

    dpi = 100
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", str(dpi), str(pdf), str(tmp_path / "page")], check=True)
    ink = ImageOps.invert(Image.open(tmp_path / "page-1.png").convert("L")).point(lambda v: 255 if v > 8 else 0)
    left, top, right, bottom = ink.getbbox() or (0, 0, 0, 0)
    px = dpi / 25.4
    assert left >= int(PAGE_MARGIN_MM * px)
    assert top >= int(PAGE_MARGIN_MM * px)
    assert right <= round((210 - PAGE_MARGIN_MM) * px + 1)
    assert bottom <= round((297 - PAGE_MARGIN_MM) * px + 1)
