"""The portal's fees: a representative sees its cooperative's shares by year (pool, period, amount due, paid or not
as its invoice says), opens the fee notice and the invoice; another cooperative's share is a 404 like a missing one.

Figures: the 10,000.00 equal pool of January 2026 (olive 4,000.01, miel 4,000.00 TTC); miel pays its invoice."""

import html
import re
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from gie_erp.fees.models import Key, Run, Share
from gie_erp.fees.pdf_notice import notice_html
from gie_erp.fees.services import run_post, run_undo
from invoices.parties import party_for_member
from invoices.payments import payment_record
from tests.factories.members import RepresentativeFactory
from tests.fees.conftest import JAN_1, JAN_31, TODAY, D, pool
from tests.fees.test_notice import text_of


def amt(text: str) -> str:
    return text.replace(" ", "\u202f")


@pytest.fixture
def billed(fees: dict[str, Any]) -> Run:
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"), pictogram="receipt")
    accounting.name_ar = "مصلحة المحاسبة"
    accounting.save()
    return run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=fees["staff"], today=TODAY)


def login(client: Client, organization: Any, language: str = "fr") -> Client:
    client.force_login(RepresentativeFactory(username=f"rep-{organization.slug}", organization=organization))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def pay(f: dict[str, Any], organization: Any, paid: Share, amount: str, key: str) -> None:
    """The member pays ``amount`` of its share's invoice by transfer on 4 February."""
    assert paid.document is not None
    payment_record(
        payer=party_for_member(organization=organization), collected_by=f["gie"], received_on=date(2026, 2, 4),
        method="transfer", amount=D(amount), idempotency_key=key, documents=[paid.document], today=TODAY,
    )  # fmt: skip


def share(run: Run, organization: Any) -> Share:
    return run.shares.select_related("document").get(organization=organization)


def test_a_representative_sees_its_shares_paid_or_not(client: Client, fees: dict[str, Any], billed: Run) -> None:
    f = fees
    miel = share(billed, f["registered"])
    assert miel.document is not None
    pay(f, f["registered"], miel, "4000.00", "fee-paid")
    body = login(client, f["registered"]).get("/portal/fees/").content.decode()
    assert "2026" in body
    assert "Pool compta" in body
    assert amt("4 000,00") in body
    assert 'class="state paid"' in body
    assert "Payée" in body
    assert f"/portal/fees/{miel.pk}/notice/" in body
    assert f"/invoices/documents/{miel.document.pk}/pdf/" in body
    olive = share(billed, f["exempt"])
    assert f"/portal/fees/{olive.pk}/notice/" not in body
    assert amt("4 000,01") not in body


def test_in_arabic_an_unpaid_then_credited_share(client: Client, fees: dict[str, Any], billed: Run) -> None:
    f = fees
    client = login(client, f["exempt"], "ar")
    body = client.get("/portal/fees/").content.decode()
    assert "مصلحة المحاسبة" in body
    assert amt("4 000,01") in body
    assert 'class="state unpaid"' in body
    run_undo(run=billed, reason="erreur de clé", acting_user=f["staff"], today=TODAY)
    body = client.get("/portal/fees/").content.decode()
    assert 'class="state credited"' in body
    # regression (user pass): the credited share still read 4 000,01 in red, as if owed
    assert amt("4 000,01") not in body
    assert amt("0,00") in body


def test_the_notice_pdf_and_another_cooperatives_share_is_a_404(
    client: Client, fees: dict[str, Any], billed: Run
) -> None:
    f = fees
    client = login(client, f["exempt"])
    olive, miel = share(billed, f["exempt"]), share(billed, f["registered"])
    response = client.get(f"/portal/fees/{olive.pk}/notice/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="quote-part-compta-2026-01-coop-olive.pdf"' in response["Content-Disposition"]
    _reader, text = text_of(response.content)
    assert "4 000,01" in text
    assert "Coopérative Zitouna" in text
    assert client.get(f"/portal/fees/{miel.pk}/notice/").status_code == 404
    assert client.get("/portal/fees/999999/notice/").status_code == 404
    assert client.get(f"/invoices/documents/{miel.document_id}/pdf/").status_code == 404
    assert client.get("/portal/fees/").status_code == 200


def test_staff_are_not_served_the_portal(client: Client, fees: dict[str, Any], billed: Run) -> None:
    client.force_login(fees["staff"])
    assert client.get("/portal/fees/").status_code == 403


def test_staff_open_each_members_notice_from_the_run_page(client: Client, fees: dict[str, Any], billed: Run) -> None:
    # regression: the run page linked the invoices but not the notices; only the member could read its notice
    f = fees
    client.force_login(f["staff"])
    olive = share(billed, f["exempt"])
    url = f"/fees/runs/{billed.pk}/notices/{olive.pk}/"
    page = client.get(f"/fees/runs/{billed.pk}/").content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="quote-part-compta-2026-01-coop-olive.pdf"' in response["Content-Disposition"]
    _reader, text = text_of(response.content)
    assert "4 000,01" in text  # olive's 3,333.34 + 666.67 VAT
    # a share of this run only: any other number is a 404; a representative is refused the staff route
    assert client.get(f"/fees/runs/{billed.pk}/notices/999999/").status_code == 404
    assert login(Client(), f["exempt"]).get(url).status_code == 403


def test_paid_then_credited_shows_what_was_paid_and_that_it_is_now_in_its_favour(
    client: Client, fees: dict[str, Any], billed: Run
) -> None:
    """Regression (user pass 2): miel paid its 4,000.00, then the run was undone: the portal read "Annulée par avoir
    0,00" and the notice "À payer au GIE 0,00". The credit note gives back 4,000.00: 4,000.00 − 4,000.00 credited −
    4,000.00 paid = −4,000.00, i.e. 4,000.00 in miel's favour."""
    f = fees
    miel = share(billed, f["registered"])
    assert miel.document is not None
    pay(f, f["registered"], miel, "4000.00", "fee-paid")
    run_undo(run=billed, reason="erreur de clé", acting_user=f["staff"], today=TODAY)
    body = login(client, f["registered"]).get("/portal/fees/").content.decode()
    assert 'class="state in_favour"' in body
    assert "Annulée après paiement : en votre faveur" in body
    favour = body[body.index(f'id="favour-{miel.pk}"') :]
    assert (
        f"Vous avez payé {amt('4 000,00')}\u00a0DH ; l'avoir vous rend {amt('4 000,00')}\u00a0DH : le GIE vous "
        "les rembourse ou les déduit de vos prochaines factures."
    ) in html.unescape(re.sub(r"<[^>]+>", "", favour))
    assert f'<li class="op in" data-id="{miel.pk}">' in body
    _reader, text = text_of(client.get(f"/portal/fees/{miel.pk}/notice/").content)
    assert "Déjà payé au GIE" in text
    assert "- 4 000,00" in text  # the credit note, then the payment
    assert "En votre faveur" in text
    assert "À payer au GIE" not in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"  # the page's words come from the catalogue
    arabic = client.get("/portal/fees/").content.decode()
    assert 'class="state in_favour"' in arabic
    assert f'<li class="op in" data-id="{miel.pk}">' in arabic
    notice = notice_html(miel, printed_on=TODAY, language="ar")  # the notice's own words, both languages
    assert "لصالحكم" in notice
    assert "أديتموه للمجموعة" in notice


def test_the_total_still_to_pay_heads_the_list(client: Client, fees: dict[str, Any], billed: Run) -> None:
    """The representative reads what is left to pay before the list: olive owes its 4,000.01 of January, then pays
    1,000.00 of it (3,000.01 left); miel, which paid its 4,000.00, reads that everything is paid."""
    f = fees
    page = login(client, f["exempt"]).get("/portal/fees/").content.decode()
    due = re.search(r'id="fees-to-pay">(.*?)</p>', page, re.S)
    assert due is not None
    assert "Reste à payer (1 quote-part)" in due[1]
    assert amt("4 000,01") in due[1]
    olive = share(billed, f["exempt"])
    assert olive.document is not None
    pay(f, f["exempt"], olive, "1000.00", "fee-part-paid")
    page = client.get("/portal/fees/").content.decode()
    due = re.search(r'id="fees-to-pay">(.*?)</p>', page, re.S)
    assert due is not None
    assert amt("3 000,01") in due[1]
    miel = share(billed, f["registered"])
    assert miel.document is not None
    pay(f, f["registered"], miel, "4000.00", "fee-paid-all")
    client.logout()
    page = login(Client(), f["registered"], "ar").get("/portal/fees/").content.decode()
    due = re.search(r'id="fees-to-pay">(.*?)</p>', page, re.S)
    assert due is not None
    assert "كل شيء مؤدى" in due[1]
    assert "settled" in page
