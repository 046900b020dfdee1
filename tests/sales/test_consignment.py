"""Consigned stock: deposits, returns, the reconciliation deposited − sold − returned (refunds netted), the
accountant's decision on each shortage with its postings in both books (figures worked out by hand), the pages
and the deposit note PDF (rendered, read back and looked at)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from ledger import accounts
from ledger.models import Entry
from sales.consignment import deposits_record, difference_decide, reconciliation, returns_record, stock_of
from sales.models import Deposit
from sales.pdf_stock import deposit_note_pdf
from sales.tickets import Status, tickets_ingest
from tests.factories.members import OrganizationFactory, RepresentativeFactory, UserFactory
from tests.sales.conftest import TODAY, D, at, balance, ticket
from tests.sales.test_catalogue import SHIPPED_FONT, fonts, pdf_text, to_png

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Africa/Casablanca"))
DEPOSITED_ON = date(2026, 11, 19)
RETURNED_ON = date(2026, 11, 29)


def sell(fair: dict[str, Any], *tickets: dict[str, Any]) -> list[dict[str, Any]]:
    sequence = fair.setdefault("sequence", [0])
    payloads = []
    for payload in tickets:
        sequence[0] += 1
        payloads.append({**payload, "sequence": sequence[0]})
    assert {ack.status for ack in tickets_ingest(payloads, device=fair["device"], now=NOW)} == {Status.STORED}
    return payloads


def deposit(fair: dict[str, Any], member: str, user: Any, **quantities: str) -> None:
    products = fair["products"]
    deposits_record(
        event=fair["event"],
        organization=fair[member],
        quantities={products[name].pk: D(q) for name, q in quantities.items()},
        on=DEPOSITED_ON,
        acting_user=user,
    )


def take_back(fair: dict[str, Any], member: str, user: Any, **quantities: str) -> None:
    products = fair["products"]
    returns_record(
        event=fair["event"],
        organization=fair[member],
        quantities={products[name].pk: D(q) for name, q in quantities.items()},
        on=RETURNED_ON,
        acting_user=user,
    )


@pytest.fixture
def honey(fair: dict[str, Any], accountant: Any) -> dict[str, Any]:
    """coop-miel deposits 20 pots of honey; 12 are sold in three tickets (5 + 4 + 3), one is refunded, 7 come back:
    20 − (12 − 1) − 7 = 2 pots missing."""
    p, event = fair["products"], fair["event"]
    deposit(fair, "registered", accountant, miel="20", amlou="10")
    first, *_ = sell(
        fair,
        ticket(event, [(p["miel"], "5", "120.00")], [("cash", "600.00")], sold_at=at(21)),
        ticket(event, [(p["miel"], "4", "120.00"), (p["amlou"], "10", "55.00")], [("card", "1030.00")], sold_at=at(22)),
        ticket(event, [(p["miel"], "3", "120.00")], [("mobile", "360.00")], sold_at=at(23)),
    )
    sell(
        fair, ticket(event, [(p["miel"], "-1", "120.00")], [("cash", "-120.00")], refund_of=first["id"], sold_at=at(24))
    )
    take_back(fair, "registered", accountant, miel="7", amlou="0")
    return fair


def row_of(rows: list[Any], code: str) -> Any:
    return next(row for row in rows if row.product.code == code)


# Reconciliation --------------------------------------------------------------------------------------------------


def test_the_reconciliation_nets_refunds(honey: dict[str, Any]) -> None:
    rows = stock_of(honey["event"], honey["registered"])
    miel = row_of(rows, "miel-250")
    # deposited 20; sold 5 + 4 + 3 − 1 (refund) = 11; returned 7 → 20 − 11 − 7 = 2 missing
    assert (miel.deposited, miel.sold, miel.returned, miel.difference) == (D("20"), D("11"), D("7"), D("2"))
    assert miel.needs_decision
    amlou = row_of(rows, "amlou-250")  # 10 deposited, 10 sold, 0 back: nothing missing
    assert (amlou.difference, amlou.needs_decision) == (D("0"), False)
    assert [row.product.code for row in rows] == ["amlou-250", "miel-250"]  # its own products only


def test_goods_sold_without_a_deposit_are_listed(honey: dict[str, Any]) -> None:
    p, event = honey["products"], honey["event"]
    sell(honey, ticket(event, [(p["huile"], "2", "80.00")], [("cash", "160.00")]))
    huile = row_of(reconciliation(event), "huile-1l")
    assert (huile.deposit, huile.deposited, huile.sold, huile.returned, huile.difference) == (
        None,
        0,
        D("2"),
        None,
        None,
    )
    assert [row.product.code for row in stock_of(event, honey["exempt"])] == ["huile-1l"]


def test_deposits_and_returns_are_checked(honey: dict[str, Any], accountant: Any) -> None:
    p, event = honey["products"], honey["event"]
    outsider = OrganizationFactory(slug="coop-loin")
    cases = [
        (
            lambda: deposits_record(
                event=event, organization=outsider, quantities={}, on=TODAY, acting_user=accountant
            ),
            ErrorCode.DEPOSIT_NOT_PARTICIPANT,
        ),
        (lambda: deposit(honey, "registered", accountant, huile="3"), ErrorCode.PRODUCT_NOT_OF_MEMBER),
        (lambda: take_back(honey, "exempt", accountant, huile="1"), ErrorCode.DEPOSIT_NOTHING_DEPOSITED),
        (lambda: take_back(honey, "registered", accountant, miel="21"), ErrorCode.DEPOSIT_RETURN_ABOVE_LEFT),
        (lambda: deposit(honey, "registered", accountant, miel="6"), ErrorCode.DEPOSIT_RETURNED_TOO_MUCH),
    ]
    for action, code in cases:
        with pytest.raises(DomainError) as refused:
            action()
        assert refused.value.code == code
    assert Deposit.objects.get(product=p["miel"]).deposited == D("20")
    audit = AuditEvent.objects.filter(event="sales.deposits_recorded").get()
    assert audit.data == {"count": 2, "member": "coop-miel"}


# Decisions and their postings ------------------------------------------------------------------------------------


def test_a_shortage_paid_by_the_gie_posts_in_both_books(honey: dict[str, Any], accountant: Any) -> None:
    gie, miel_coop = honey["gie"], honey["registered"]
    row = row_of(stock_of(honey["event"], miel_coop), "miel-250")
    decided = difference_decide(
        deposit_id=row.deposit.pk, decision="gie", decided_on=TODAY, acting_user=accountant, today=TODAY
    )
    # 2 pots × 120.00 TTC = 240.00; VAT inside at 20 %: 240.00 − 240.00 / 1.2 = 240.00 − 200.00 = 40.00
    assert (decided.decision, decided.decided_quantity, decided.decided_amount) == ("gie", D("2"), D("240.00"))
    # member: Dr 3488·GIE 240.00 / Cr 7121·GIE 200.00 / Cr 4455 40.00
    assert balance(miel_coop, accounts.SUNDRY_DEBTORS, gie) == D("240.00")
    assert balance(miel_coop, accounts.SALES_PRODUCED, gie) == D("-200.00")
    assert balance(miel_coop, accounts.VAT_COLLECTED) == D("-40.00")
    # GIE: Dr 6111 200.00 (partner the member) + 40.00 (the VAT, no partner) / Cr 4463·member 240.00
    assert balance(gie, accounts.PURCHASES_GOODS, miel_coop) == D("200.00")
    assert balance(gie, accounts.PURCHASES_GOODS) == D("240.00")
    assert balance(gie, accounts.PARTNER_CURRENT_CREDIT, miel_coop) == D("-240.00")
    entries = Entry.objects.filter(idempotency_key=f"consignment:{row.deposit.pk}")
    assert sorted(e.journal for e in entries) == ["OD", "VT"]
    assert {e.posted_on for e in entries} == {TODAY}
    # the same decision again (a double submit) posts nothing more; another decision or deposit is refused
    difference_decide(deposit_id=row.deposit.pk, decision="gie", decided_on=TODAY, acting_user=accountant, today=TODAY)
    assert entries.count() == 2
    with pytest.raises(DomainError) as refused:
        difference_decide(deposit_id=row.deposit.pk, decision="member", decided_on=TODAY, acting_user=accountant)
    assert refused.value.code == ErrorCode.DEPOSIT_PAID_BY_GIE
    with pytest.raises(DomainError):
        take_back(honey, "registered", accountant, miel="8")
    audit = AuditEvent.objects.get(event="sales.difference_decided")
    assert audit.data == {"decision": "gie", "count": "2", "amount": "240.00"}


def test_an_art_91_members_shortage_carries_no_vat(fair: dict[str, Any], accountant: Any) -> None:
    gie, olive = fair["gie"], fair["exempt"]
    deposit(fair, "exempt", accountant, huile="10")
    p = fair["products"]
    sell(fair, ticket(fair["event"], [(p["huile"], "6", "80.00")], [("cash", "480.00")]))
    take_back(fair, "exempt", accountant, huile="1")
    row = row_of(stock_of(fair["event"], olive), "huile-1l")
    assert row.difference == D("3")  # 10 − 6 − 1
    difference_decide(deposit_id=row.deposit.pk, decision="gie", decided_on=TODAY, acting_user=accountant, today=TODAY)
    # 3 × 80.00 = 240.00, exempt: all of it to 7121, nothing to 4455
    assert balance(olive, accounts.SALES_PRODUCED, gie) == D("-240.00")
    assert balance(olive, accounts.VAT_COLLECTED) == D("0.00")
    assert balance(gie, accounts.PURCHASES_GOODS, olive) == D("240.00")
    assert balance(gie, accounts.PARTNER_CURRENT_CREDIT, olive) == D("-240.00")


def test_a_shortage_borne_by_the_member_posts_nothing_and_can_still_be_paid(
    honey: dict[str, Any], accountant: Any
) -> None:
    row = row_of(stock_of(honey["event"], honey["registered"]), "miel-250")
    decided = difference_decide(deposit_id=row.deposit.pk, decision="member", decided_on=TODAY, acting_user=accountant)
    assert (decided.decision, decided.decided_quantity, decided.decided_amount) == ("member", D("2"), None)
    assert not Entry.objects.filter(idempotency_key__startswith="consignment:").exists()
    difference_decide(deposit_id=row.deposit.pk, decision="gie", decided_on=TODAY, acting_user=accountant, today=TODAY)
    assert Entry.objects.filter(idempotency_key=f"consignment:{row.deposit.pk}").count() == 2


def test_a_decision_needs_a_known_positive_shortage(honey: dict[str, Any], accountant: Any) -> None:
    amlou = Deposit.objects.get(product=honey["products"]["amlou"])
    cases = [(amlou.pk, "gie", ErrorCode.DEPOSIT_NO_SHORTAGE), (amlou.pk, "peut-etre", ErrorCode.DEPOSIT_BAD_DECISION)]
    deposit(honey, "exempt", accountant, huile="5")  # no return entered yet
    cases.append(
        (Deposit.objects.get(product=honey["products"]["huile"]).pk, "member", ErrorCode.DEPOSIT_RETURNS_UNKNOWN)
    )
    for pk, decision, code in cases:
        with pytest.raises(DomainError) as refused:
            difference_decide(deposit_id=pk, decision=decision, decided_on=TODAY, acting_user=accountant)
        assert refused.value.code == code


def test_a_ticket_synced_after_the_decision_flags_it(honey: dict[str, Any], accountant: Any) -> None:
    p = honey["products"]
    row = row_of(stock_of(honey["event"], honey["registered"]), "miel-250")
    difference_decide(deposit_id=row.deposit.pk, decision="member", decided_on=TODAY, acting_user=accountant)
    sell(honey, ticket(honey["event"], [(p["miel"], "1", "120.00")], [("cash", "120.00")], sold_at=at(25)))
    row = row_of(stock_of(honey["event"], honey["registered"]), "miel-250")
    assert (row.difference, row.decision_outdated) == (D("1"), True)  # 20 − 12 − 7; decided for 2


# Pages and the deposit note --------------------------------------------------------------------------------------


def test_the_accountant_enters_a_grid_and_decides_on_the_page(client: Any, accountant: Any, honey: Any) -> None:
    client.force_login(accountant)
    p, base = honey["products"], "/sales/events/foire-tanger-2026/consignment/"
    page = client.get(base).content.decode()
    assert 'id="member-coop-miel"' in page
    assert 'Payé par le GIE : <span class="amount" dir="ltr">240,00</span>' in page
    grid = client.get(f"{base}coop-olive/deposits/").content.decode()
    assert f'name="q-{p["huile"].pk}"' in grid
    response = client.post(f"{base}coop-olive/deposits/", {"on": "2026-11-19", f"q-{p['huile'].pk}": "12,5"})
    assert response.status_code == 302
    assert Deposit.objects.get(product=p["huile"]).deposited == Decimal("12.5")
    page = client.post(f"{base}coop-olive/deposits/", {"on": "2026-11-19", f"q-{p['huile'].pk}": "-3"}).content.decode()
    assert "Quantité invalide : -3" in page
    miel = Deposit.objects.get(product=p["miel"])
    response = client.post(f"{base}decide/{miel.pk}/", {"decision": "gie", "decided_on": "2026-11-30"})
    assert response.status_code == 302
    miel.refresh_from_db()
    assert (miel.decision, miel.decided_amount) == ("gie", D("240.00"))


def test_who_sees_the_consignment_pages(client: Any, honey: dict[str, Any]) -> None:
    base = "/sales/events/foire-tanger-2026/consignment/"
    urls = [
        base,
        f"{base}coop-miel/note.pdf",
        f"{base}coop-miel/deposits/",
        f"{base}coop-miel/returns/",
        "/sales/events/foire-tanger-2026/paper/",
    ]
    client.force_login(UserFactory(role=Role.AUDITOR))
    assert [client.get(url).status_code for url in urls] == [200, 200, 403, 403, 403]
    client.force_login(RepresentativeFactory(organization=honey["registered"]))
    assert [client.get(url).status_code for url in urls] == [403, 200, 403, 403, 403]  # its own note only
    assert client.get(f"{base}coop-olive/note.pdf").status_code == 404
    client.force_login(RepresentativeFactory(organization=OrganizationFactory()))  # not at the fair
    assert client.get(f"{base}coop-miel/note.pdf").status_code == 404
    client.force_login(honey["seller"])
    assert {client.get(url).status_code for url in urls} == {403}


def test_the_deposit_note_is_bilingual_with_signature_boxes(honey: dict[str, Any]) -> None:
    pdf = deposit_note_pdf(honey["event"], honey["registered"])
    reader, text = pdf_text(pdf)
    assert len(reader.pages) == 1
    # value deposited: 20 × 120.00 + 10 × 55.00 = 2 400.00 + 550.00 = 2 950.00
    for piece in (
        "Bondedépôtenconsignation",
        "وصلإيداعبضاعةللبيعبالوكالة",
        "CoopérativeNahla",
        "تعاونيةالنحلة",
        "Mieldethym250g",
        "عسلالزعتر",
        "2400,00",
        "550,00",
        "2950,00",
        "Pourlacoopérative",
        "عنالتعاونية",
        "Àlareprise",
        "عندالاسترجاع",
        "19/11/2026",
        "29/11/2026",
    ):
        assert piece in text, piece
    assert all(SHIPPED_FONT.match(name) for name in fonts(reader))
    to_png(pdf, "sales-deposit-note")


def test_a_note_before_the_returns_leaves_boxes_to_fill(fair: dict[str, Any], accountant: Any) -> None:
    deposit(fair, "exempt", accountant, huile="24")
    pdf = deposit_note_pdf(fair["event"], fair["exempt"])
    _reader, text = pdf_text(pdf)
    assert "1920,00" in text  # 24 × 80.00
    to_png(pdf, "sales-deposit-note-open")
