"""Paper tallies imported as tickets: rows grouped by ticket_id, all or nothing with row errors in both languages,
idempotent by ticket_id, through the one write path (a held ticket rolls the whole sheet back), the command and the
page; and no query per row."""

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.core.models import AuditEvent
from sales.models import SyncConflict, Ticket, TicketLine, TicketPayment
from sales.paper import paper_import, price_notice
from sales.paper_reader import OTHER_PRICES_LISTED, OtherPrice
from sales.tickets import paper_ticket_id
from tests.factories.members import OrganizationFactory
from tests.sales.conftest import D

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Africa/Casablanca")
NOW = datetime(2026, 11, 30, 12, tzinfo=TZ)
HEADER = "ticket_id,sold_at,member,product,quantity,unit_price,payment_method"


def tally(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def run(fair: dict[str, Any], content: bytes, name: str = "feuille.csv", user: Any = None) -> Any:
    return paper_import(event=fair["event"], filename=name, content=content, acting_user=user, now=NOW)


def good_sheet(fair: dict[str, Any]) -> bytes:
    olive_ice = fair["exempt"].ice
    return tally(
        "F1-001,2026-11-21 10:15,coop-miel,miel-250,2,120.00,cash",  # ticket F1-001: 2 × 120.00 + 1 × 55.00
        f"F1-002,21/11/2026 10:40,{olive_ice},huile-1l,3,,carte",  # by ICE; empty price: the catalogue's 80.00
        'F1-001,2026-11-21 10:15,coop-miel,amlou-250,1,"55,00",espèces',
        "F1-003,2026-11-22,coop-tapis,tapis-s,1,420,mobile",  # a date alone: noon; a bargained price
    )


def test_a_tally_becomes_tickets_grouped_by_ticket_id(fair: dict[str, Any], accountant: Any) -> None:
    result = run(fair, good_sheet(fair), user=accountant)
    assert (result.rows_read, result.tickets, result.stored, result.duplicates) == (4, 3, 3, 0)
    assert [(line.row, line.code, line.catalogue, line.sheet) for line in result.other_prices] == [
        (5, "tapis-s", D("450.00"), D("420.00"))  # the bargained carpet; 120.00 and "55,00" are the catalogue's
    ]
    first = Ticket.objects.get(paper_id="F1-001")
    assert first.pk == paper_ticket_id(fair["event"], "F1-001")
    assert (first.source, first.device_id, first.sequence) == ("paper", None, None)
    assert first.sold_at == datetime(2026, 11, 21, 10, 15, tzinfo=TZ)
    assert first.total == D("295.00")  # 2 × 120.00 + 1 × 55.00
    assert sorted(first.lines.values_list("quantity", "unit_price")) == [(D("1"), D("55.00")), (D("2"), D("120.00"))]
    assert list(first.payments.values_list("method", "amount")) == [("cash", D("295.00"))]
    second = Ticket.objects.get(paper_id="F1-002")
    assert (second.total, second.payments.get().method) == (D("240.00"), "card")  # 3 × 80.00
    third = Ticket.objects.get(paper_id="F1-003")
    assert (third.total, third.sold_at) == (D("420.00"), datetime(2026, 11, 22, 12, tzinfo=TZ))
    audit = AuditEvent.objects.get(event="sales.paper_imported")
    assert (audit.actor, audit.data) == (accountant, {"file": "feuille.csv", "count": 4, "tickets": 3})


def test_the_same_sheet_twice_creates_nothing_the_second_time(fair: dict[str, Any]) -> None:
    run(fair, good_sheet(fair))
    counts = (Ticket.objects.count(), TicketLine.objects.count(), TicketPayment.objects.count())
    again = run(fair, good_sheet(fair))
    assert (again.stored, again.duplicates) == (0, 3)
    assert (Ticket.objects.count(), TicketLine.objects.count(), TicketPayment.objects.count()) == counts == (3, 4, 3)
    assert AuditEvent.objects.filter(event="sales.paper_imported").count() == 1


def test_wrong_rows_leave_nothing_and_are_reported_by_row(fair: dict[str, Any]) -> None:
    outsider = OrganizationFactory(slug="coop-loin", legal_name_fr="Coopérative Lointaine")
    content = tally(
        "T1,2026-11-21 10:00,coop-miel,miel-250,1,120.00,cash",  # row 2: fine
        "T2,2026-11-21 10:05,coop-inconnue,miel-250,1,120.00,cash",  # row 3: unknown member
        "T3,2026-11-21 10:06,coop-miel,nougat,1,30.00,cash",  # row 4: unknown product of this member
        "T4,2026-11-21 10:07,coop-miel,miel-250,2x,120.00,cash",  # row 5: bad quantity
        "T5,2026-11-21 10:08,coop-miel,miel-250,-1,120.00,cash",  # row 6: negative quantity
        "T6,2026-11-21 10:09,coop-miel,miel-250,1,120.00,cash",  # row 7
        "T6,2026-11-21 10:09,coop-miel,amlou-250,1,55.00,card",  # row 8: ticket T6 paid otherwise
        "T7,hier,coop-loin,x,1,10.00,troc",  # row 9: date, member not at the fair, method
    )
    with pytest.raises(ImportRefused) as refused:
        run(fair, content)
    report = refused.value.report
    assert {(e.row, e.field, e.code) for e in report.errors} == {
        (3, "member", ErrorCode.IMPORT_UNKNOWN_MEMBER),
        (4, "product", ErrorCode.IMPORT_UNKNOWN_PRODUCT),
        (5, "quantity", ErrorCode.QUANTITY_INVALID),
        (6, "quantity", ErrorCode.QUANTITY_INVALID),
        (8, "payment_method", ErrorCode.PAPER_TICKET_DISAGREES),
        (9, "sold_at", ErrorCode.IMPORT_BAD_DATE),
        (9, "member", ErrorCode.IMPORT_NOT_AT_EVENT),
        (9, "payment_method", ErrorCode.IMPORT_BAD_VALUE),
    }
    messages = {e.row: e.messages() for e in report.errors if e.field in ("payment_method", "product", "member")}
    assert messages[8]["fr"] == (  # the column and the method as people read them, not payment_method and cash
        "Le ticket T6 a un autre moyen de paiement à la ligne 7 (Espèces) : ses lignes doivent s'accorder."
    )
    assert "payment_method" not in messages[8]["ar"]
    assert "cash" not in messages[8]["ar"]
    assert messages[4]["fr"] == "Produit inconnu pour Coopérative Nahla : nougat."
    assert "coop-inconnue" in messages[3]["ar"]
    assert messages[3]["ar"] != messages[3]["fr"]
    assert outsider.legal_name_fr in next(e.messages()["fr"] for e in report.errors if e.code == "import_not_at_event")
    assert Ticket.objects.count() == 0


def test_a_ticket_the_write_path_would_hold_rolls_the_sheet_back(fair: dict[str, Any]) -> None:
    content = tally(
        "A1,2026-11-21 10:00,coop-miel,miel-250,1,120.00,cash",  # row 2: fine
        "Z9,2026-11-21 10:00,coop-miel,miel-250,1,0,cash",  # rows 3 and 5: a ticket of 0.00 (the till holds it)
        "B1,2026-11-20 10:00,coop-olive,huile-1l,1,80.00,cash",  # row 4: fine
        "Z9,2026-11-21 10:00,coop-miel,amlou-250,1,0,cash",
        "Z8,2026-11-21 09:00,coop-miel,miel-250,1,0,cash",  # row 6: sold before Z9, so sent to the write path first
    )
    with pytest.raises(ImportRefused) as refused:
        run(fair, content)
    errors = refused.value.report.errors
    assert [(e.row, e.field, e.code) for e in errors] == [  # in the sheet's order, not the order sold
        (3, "ticket_id", ErrorCode.PAPER_TICKET_REFUSED),
        (6, "ticket_id", ErrorCode.PAPER_TICKET_REFUSED),
    ]
    reason_fr = "Un ticket est une vente (quantités positives) ou un remboursement (négatives), pas les deux."
    reason_ar = "التذكرة إما بيع (كميات موجبة) أو استرجاع (كميات سالبة)، وليس الاثنين معا."
    first, second = (e.messages() for e in errors)
    assert first["fr"] == f"Ticket Z9 (lignes 3, 5) refusé : {reason_fr}"
    assert second["fr"] == f"Ticket Z8 (ligne 6) refusé : {reason_fr}"  # one line: singular
    assert reason_ar in first["ar"]  # the write path's reason rendered in Arabic too, whatever the active language
    assert reason_fr not in first["ar"]
    assert (Ticket.objects.count(), SyncConflict.objects.count()) == (0, 0)  # A1 too, and no conflict kept


def test_the_reason_is_bilingual_whatever_the_language_of_the_page(fair: dict[str, Any]) -> None:
    run(fair, tally("B1,2026-11-21 10:00,coop-miel,miel-250,1,120.00,cash"))
    with translation.override("ar"), pytest.raises(ImportRefused) as refused:
        run(fair, tally("B1,2026-11-21 10:00,coop-miel,miel-250,2,120.00,cash"))
    messages = refused.value.report.errors[0].messages()
    assert messages["fr"] == "Ticket B1 (ligne 2) refusé : Ce ticket existe déjà avec un autre contenu."
    assert "هذه التذكرة موجودة بمحتوى آخر." in messages["ar"]


def test_sales_outside_the_event_or_to_come_are_refused_on_their_rows(fair: dict[str, Any]) -> None:
    content = tally(
        "A1,2026-11-21 10:00,coop-miel,miel-250,1,120.00,cash",  # row 2: fine
        "A2,2026-10-02 10:00,coop-miel,miel-250,1,120.00,cash",  # rows 3, 4: a month before the fair
        "A2,2026-10-02 10:00,coop-olive,huile-1l,1,80.00,cash",
        "A3,2026-11-19 18:00,coop-miel,miel-250,1,120.00,cash",  # row 5: the day before (setting up): fine
        "A4,30/11/2026 15:00,coop-miel,miel-250,1,120.00,cash",  # row 6: the day after, but 3 hours from now
    )
    with pytest.raises(ImportRefused) as refused:
        run(fair, content)
    errors = refused.value.report.errors
    assert [(e.row, e.field, e.code) for e in errors] == [
        (3, "sold_at", ErrorCode.IMPORT_INVALID_FIELD),
        (4, "sold_at", ErrorCode.IMPORT_INVALID_FIELD),
        (6, "sold_at", ErrorCode.IMPORT_INVALID_FIELD),
    ]
    outside, _same, future = (e.messages() for e in errors)
    assert outside["fr"] == (
        "Valeur refusée pour date et heure de la vente : 02/10/2026 10:00 — hors des dates de l'événement "
        "(du 20/11/2026 au 29/11/2026, un jour avant ou après au plus)"
    )
    assert (
        future["fr"] == "Valeur refusée pour date et heure de la vente : 30/11/2026 15:00 — vente datée dans le futur"
    )
    for message in (outside["ar"], future["ar"]):
        assert message.startswith("قيمة مرفوضة")
        assert "2026-" not in message  # dates as people write them, never ISO nor a time zone offset
    assert "02/10/2026 10:00" in outside["ar"]
    assert Ticket.objects.count() == 0


def test_pieces_boxes_and_pots_are_sold_whole(fair: dict[str, Any]) -> None:
    content = tally(
        "W1,2026-11-21 10:00,coop-olive,huile-1l,1.5,,cash",  # row 2: litres take decimals
        "W2,2026-11-21 10:00,coop-miel,miel-250,1.5,,cash",  # row 3: a pot
        'W3,2026-11-21 10:00,coop-tapis,tapis-s,"0,5",,cash',  # row 4: a piece
        "W4,2026-11-21 10:00,coop-miel,amlou-250,2.000,,cash",  # row 5: a whole number written with decimals
    )
    with pytest.raises(ImportRefused) as refused:
        run(fair, content)
    errors = refused.value.report.errors
    assert [(e.row, e.field, e.code) for e in errors] == [
        (3, "quantity", ErrorCode.QUANTITY_NOT_WHOLE),
        (4, "quantity", ErrorCode.QUANTITY_NOT_WHOLE),
    ]
    pot, piece = (e.messages() for e in errors)
    assert pot["fr"].startswith("Miel de thym 250 g se compte à l'unité (pot) : 1,5 n'est pas un nombre entier.")
    assert piece["ar"].startswith("زربية صغيرة")  # the product's Arabic name in the Arabic message
    assert Ticket.objects.count() == 0  # W1 and W4 neither: all or nothing
    assert run(fair, tally("W4,2026-11-21 10:00,coop-miel,amlou-250,2.000,,cash")).stored == 1


def test_lines_at_another_price_than_the_catalogue_are_kept_and_listed(fair: dict[str, Any]) -> None:
    content = tally(
        'D1,2026-11-21 10:00,coop-tapis,tapis-s,1,"0,01",cash',  # row 2: a 450.00 carpet at 0.01
        "D2,2026-11-21 10:05,coop-miel,miel-250,2,120,cash",  # row 3: the catalogue's price
        "D3,2026-11-21 10:10,coop-miel,amlou-250,1,,cash",  # row 4: no price written: the catalogue's
        "D4,2026-11-21 10:15,coop-miel,amlou-250,1,50.00,card",  # row 5: a discount
    )
    result = run(fair, content)
    assert result.stored == 4  # accepted: discounts exist
    assert result.other_price_count == 2
    assert result.other_prices == (
        OtherPrice(2, "tapis-s", "Petit tapis", "زربية صغيرة", D("450.00"), D("0.01")),
        OtherPrice(5, "amlou-250", "Amlou 250 g", "أملو 250 غ", D("55.00"), D("50.00")),
    )
    assert Ticket.objects.get(paper_id="D1").total == D("0.01")
    with translation.override("fr"):
        assert price_notice(result) == (
            "2 lignes vendues à un autre prix que celui du catalogue : ligne 2 : Petit tapis (tapis-s), 450,00 DH au "
            "catalogue, 0,01 DH sur la feuille; ligne 5 : Amlou 250 g (amlou-250), 55,00 DH au catalogue, 50,00 DH "
            "sur la feuille."
        )
    again = run(fair, content)  # imported again: nothing new, but the prices are still listed
    assert (again.stored, again.duplicates, again.other_price_count) == (0, 4, 2)


def test_only_the_first_other_prices_are_kept(fair: dict[str, Any]) -> None:
    rows = [f"M{n},2026-11-21 10:00,coop-miel,miel-250,1,100,cash" for n in range(OTHER_PRICES_LISTED + 5)]
    result = run(fair, tally(*rows))
    assert (result.other_price_count, len(result.other_prices)) == (OTHER_PRICES_LISTED + 5, OTHER_PRICES_LISTED)
    assert [line.row for line in result.other_prices] == list(range(2, OTHER_PRICES_LISTED + 2))
    with translation.override("fr"):
        assert price_notice(result).endswith(f"(les {OTHER_PRICES_LISTED} premières seulement)")
    assert price_notice(run(fair, tally("N1,2026-11-21 10:00,coop-miel,miel-250,1,,cash"))) == ""


def test_a_ticket_id_reused_with_other_content_is_refused(fair: dict[str, Any]) -> None:
    run(fair, tally("B1,2026-11-21 10:00,coop-miel,miel-250,1,120.00,cash"))
    with pytest.raises(ImportRefused) as refused:
        run(fair, tally("B1,2026-11-21 10:00,coop-miel,miel-250,2,120.00,cash"))
    assert "Ce ticket existe déjà avec un autre contenu." in refused.value.report.errors[0].messages()["fr"]
    assert Ticket.objects.get().total == D("120.00")  # the first stays as it was


def test_an_xlsx_tally_keeps_the_hour_of_its_date_cells(fair: dict[str, Any]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["X1", datetime(2026, 11, 23, 16, 45), "coop-miel", "miel-250", 1, 120, "mobile"])
    sheet.append([None] * 7)  # a blank row, still counted in the numbering
    sheet.append([1002, datetime(2026, 11, 23, 17, 0), "coop-olive", "huile-1l", 2.5, None, "cheque"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(fair, buffer.getvalue(), name="feuille.xlsx")
    assert result.stored == 2
    assert Ticket.objects.get(paper_id="X1").sold_at == datetime(2026, 11, 23, 16, 45, tzinfo=TZ)
    assert Ticket.objects.get(paper_id="1002").total == D("200.00")  # 2.5 l × 80.00


def test_the_write_path_runs_per_batch_not_per_row(fair: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    rows = [
        f"P{n // 3},2026-11-2{n // 3 % 5} 1{n // 3 % 9}:00,coop-miel,{'miel-250' if n % 2 else 'amlou-250'},1,,cash"
        for n in range(3000)
    ]
    # 3,000 lines, 1,000 tickets: two batches of at most 500 through tickets_ingest, each a fixed set of reads (event,
    # products, VAT rates per code and day) and bulk inserts (SQLite splits them by its bound-parameter limit)
    with django_assert_max_num_queries(100):
        result = run(fair, tally(*rows))
    assert (result.rows_read, result.tickets, result.stored) == (3000, 1000, 1000)
    assert TicketLine.objects.count() == 3000


def test_the_command_imports_and_reports_refusals(fair: dict[str, Any], tmp_path: Path) -> None:
    good = tmp_path / "feuille.csv"
    good.write_bytes(good_sheet(fair))
    out = io.StringIO()
    call_command("sales_import_tickets", "--event", "foire-tanger-2026", "--file", str(good), stdout=out)
    assert out.getvalue().startswith("foire-tanger-2026: 4 line(s), 3 ticket(s): 3 stored, 0 already there")
    bad = tmp_path / "mauvaise.csv"
    bad.write_bytes(tally("Z1,2026-11-21 10:00,coop-miel,miel-250,0,120.00,cash"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused: 1 error"):
        call_command("sales_import_tickets", "--event", "foire-tanger-2026", "--file", str(bad), stderr=err)
    assert "mauvaise.csv:2 [quantity] Quantité invalide : 0" in err.getvalue()
    with pytest.raises(CommandError, match="unknown event"):
        call_command("sales_import_tickets", "--event", "nulle-part", "--file", str(good))


def test_the_page_imports_a_tally_and_lists_refusals(client: Any, accountant: Any, fair: dict[str, Any]) -> None:
    client.force_login(accountant)
    url = "/sales/events/foire-tanger-2026/paper/"
    bad = SimpleUploadedFile("f.csv", tally("Q1,2026-11-21 10:00,coop-x,miel-250,1,,cash"), content_type="text/csv")
    page = client.post(url, {"file": bad}).content.decode()
    assert "Coopérative inconnue : coop-x." in page
    assert "Import refusé" in page
    good = SimpleUploadedFile("f.csv", good_sheet(fair), content_type="text/csv")
    response = client.post(url, {"file": good}, follow=True)
    assert "4 lignes lues : 3 tickets enregistrés, 0 déjà présents." in response.content.decode()
    one = SimpleUploadedFile("f.csv", tally("S1,2026-11-21 10:00,coop-miel,miel-250,1,,cash"), content_type="text/csv")
    assert (
        "1 ligne lue : 1 ticket enregistré, 0 déjà présents."
        in client.post(url, {"file": one}, follow=True).content.decode()
    )
    # the bargained carpet (420.00 against 450.00 in the catalogue) is pointed out for the accountant to check
    assert "450,00 DH au catalogue, 420,00 DH sur la feuille" in response.content.decode()
    assert client.get("/sales/paper/template.csv").content.decode("utf-8-sig").strip() == HEADER
