"""The analytic tags on the accountant's pages: a tag per line in the entry form, shown on the entry's page, kept by
a reversal, and the book's analytic page (costs, revenue and result per tag, to the centime; CSV/XLSX)."""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from ledger.analytic import tag_report
from ledger.models import AnalyticLine, Entry
from ledger.posting import JournalLine
from ledger.selectors import entry_line_views
from ledger.services import journal_entry_reverse
from tests.ledger.conftest import TODAY, post

TAG = "training:compta-2026-03"


def dr(code: str, amount: str, tag: str = "") -> JournalLine:
    return JournalLine(code, debit=Decimal(amount), tag=tag)


def cr(code: str, amount: str, tag: str = "") -> JournalLine:
    return JournalLine(code, credit=Decimal(amount), tag=tag)


@pytest.fixture
def tagged(book_gie: Any) -> dict[str, Any]:
    """A session's two costs (trainer 1,200.00, meals 300.00) and its subsidy (1,050.00), all tagged; an untagged
    cost; another session's cost in April and a fair's cost in March."""
    g = book_gie
    costs = post(
        g, date(2026, 3, 5), "t1", dr("61365", "1200.00", TAG), dr("61436", "300.00", TAG), cr("5141", "1500.00")
    )
    post(g, date(2026, 3, 20), "t2", dr("5141", "1050.00"), cr("7161", "1050.00", TAG))
    post(g, date(2026, 3, 21), "t3", dr("6136", "999.00"), cr("5161", "999.00"))  # untagged: never in the report
    post(g, date(2026, 4, 10), "t4", dr("61436", "200.00", "training:autre"), cr("5161", "200.00"))
    post(g, date(2026, 3, 22), "t5", dr("61436", "80.00", "fair:foire-1"), cr("5161", "80.00"))
    return {"book": g, "costs": costs}


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _text(html: str) -> str:
    """The page's text with amounts' narrow spaces as plain spaces and tags removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html).replace("\u202f", " ").replace("\xa0", " "))


def test_a_tags_costs_revenue_and_result_to_the_centime(tagged: dict[str, Any]) -> None:
    report = tag_report(book=tagged["book"], tag=TAG)
    assert (report.costs, report.revenue, report.result) == (Decimal("1500.00"), Decimal("1050.00"), Decimal("-450.00"))
    assert [(a.account_code, a.debit, a.credit) for a in report.accounts] == [
        ("61365", Decimal("1200.00"), Decimal("0.00")),
        ("61436", Decimal("300.00"), Decimal("0.00")),
        ("7161", Decimal("0.00"), Decimal("1050.00")),
    ]  # the untagged bank leg and the untagged 999.00 are not there


def test_the_analytic_page_per_tag_with_prefix_and_dates(client: Any, accountant: Any, tagged: dict[str, Any]) -> None:
    client.force_login(accountant)
    page = client.get("/books/gie/analytic/?tag_prefix=training:")
    assert page.status_code == 200
    html = page.content.decode()
    text = _text(html)
    assert "training:autre 200,00 0,00 -200,00" in text
    assert f"{TAG} 1 500,00 1 050,00 -450,00" in text
    assert "Total 1 700,00 1 050,00 -650,00" in text
    assert "fair:foire-1" not in html
    assert "999,00" not in text
    march = _text(
        client.get("/books/gie/analytic/?tag_prefix=training:&start=2026-03-01&end=2026-03-31").content.decode()
    )
    assert "training:autre" not in march
    assert "Total 1 500,00 1 050,00 -450,00" in march
    everything = _text(client.get("/books/gie/analytic/").content.decode())
    assert "fair:foire-1 80,00 0,00 -80,00" in everything
    assert "Total 1 780,00 1 050,00 -730,00" in everything
    # each tag opens to its accounts, in the page's language
    detail = html.split('id="tag-2"')[1].split("</details>")[0]
    assert re.findall(r'data-code="(\d+)"', detail) == ["61365", "61436", "7161"]
    arabic = client.get("/books/gie/analytic/?tag_prefix=training:", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "الأتعاب" in arabic


def test_the_analytic_exports(client: Any, accountant: Any, tagged: dict[str, Any]) -> None:
    client.force_login(accountant)
    rows = _csv(client.get(f"/books/gie/analytic/?tag_prefix={TAG}&export=csv"))
    assert rows[0] == ["Étiquette", "Compte", "Intitulé", "Débit", "Crédit", "Charges", "Produits", "Résultat"]
    assert rows[1][:5] == [TAG, "61365", "Honoraires", "1200.00", "0.00"]
    assert rows[4] == [TAG, "", "Total de l'étiquette", "", "", "1500.00", "1050.00", "-450.00"]
    assert rows[5][-3:] == ["1500.00", "1050.00", "-450.00"]
    book = load_workbook(io.BytesIO(client.get(f"/books/gie/analytic/?tag_prefix={TAG}&export=xlsx").content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[5]][-3:] == [1500, 1050, -450]  # numbers in the sheet, not text
    assert client.get("/books/gie/analytic/?export=pdf").status_code == 200  # an unknown export shows the page


def test_a_bad_prefix_is_said_and_ignored(client: Any, accountant: Any, tagged: dict[str, Any]) -> None:
    client.force_login(accountant)
    response = client.get("/books/gie/analytic/?tag_prefix=Formation%20%25&start=2026-99-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Début d&#x27;étiquette invalide" in html
    assert "Total 1 780,00 1 050,00 -730,00" in _text(html)


def test_a_representative_gets_no_analytic_page(client: Any, rep_a: Any, book_a: Any, tagged: dict[str, Any]) -> None:
    client.force_login(rep_a)
    assert client.get("/books/coop-a/analytic/").status_code == 403
    assert client.get("/books/gie/analytic/").status_code == 403


def test_a_reversal_keeps_the_tags(tagged: dict[str, Any]) -> None:
    entry = Entry.objects.get(pk=tagged["costs"].je_id)
    ref = journal_entry_reverse(entry=entry, reversed_on=date(2026, 3, 25), reason="doublon", today=TODAY)
    reversal = Entry.objects.get(pk=ref.je_id)
    lines = entry_line_views([reversal])[reversal.pk]
    assert sorted((ln.account_code, ln.credit, ln.tag) for ln in lines if ln.tag) == [
        ("61365", Decimal("1200.00"), TAG),
        ("61436", Decimal("300.00"), TAG),
    ]
    report = tag_report(book=tagged["book"], tag=TAG)
    assert (report.costs, report.revenue, report.result) == (Decimal("0.00"), Decimal("1050.00"), Decimal("1050.00"))


def _entry_post(**lines: str) -> dict[str, str]:
    return {
        "idempotency_key": "an-1",
        "posted_on": "2026-03-02",
        "journal": "OD",
        "description": "Formatrice",
        "source_ref": "NH-12",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-account_code": "61365",
        "lines-0-debit": "1200,00",
        "lines-1-account_code": "5141",
        "lines-1-credit": "1200,00",
        **lines,
    }


def test_the_entry_form_posts_a_tag_per_line_and_the_entry_page_shows_it(
    client: Any, accountant: Any, book_gie: Any
) -> None:
    client.force_login(accountant)
    form = client.get("/books/gie/entries/new/").content.decode()
    assert 'name="lines-0-tag"' in form
    assert 'name="lines-__i__-tag"' in form  # the template of an added line
    response = client.post("/books/gie/entries/new/", _entry_post(**{"lines-0-tag": " Training:Compta-2026-03 "}))
    assert response.status_code == 302
    entry = Entry.objects.get(book=book_gie)
    assert list(AnalyticLine.objects.filter(book=book_gie).values_list("tag", flat=True)) == [TAG]  # folded
    page = client.get(response["Location"]).content.decode()
    assert f"<code>{TAG}</code>" in page
    assert entry.number in page
    report = tag_report(book=book_gie, tag=TAG)
    assert (report.costs, report.result) == (Decimal("1200.00"), Decimal("-1200.00"))
    assert client.get("/books/gie/entries/new/").content.decode().count(f'<option value="{TAG}">') == 1


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_bad_tag_is_a_form_error_and_nothing_is_posted(
    client: Any, accountant: Any, book_gie: Any, language: str
) -> None:
    client.force_login(accountant)
    response = client.post(
        "/books/gie/entries/new/", _entry_post(**{"lines-0-tag": "formation été!"}), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    html = response.content.decode()
    message = re.search(r'id="id_lines-0-tag_error"><li>([^<]+)</li>', html)
    assert message is not None
    # the line's own error, no raw field key; in Arabic the value is isolated (FSI … PDI) to keep its place
    assert "« formation été! »" in message.group(1).replace("\u2068", "").replace("\u2069", "")
    if language == "fr":
        assert message.group(1).startswith("Étiquette analytique invalide")
    assert not Entry.objects.filter(book=book_gie).exists()
    assert not AnalyticLine.objects.exists()
