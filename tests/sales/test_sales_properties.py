"""Properties: any sequence of tickets and refunds, summarized at any points (complements included), gives summaries
equal to the tickets — per member, per method and the VAT — and books that say the same; settlements pay the
tickets less the commission, and nothing is left due but what no settlement could take yet."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices.totals import line_amounts
from members.models import Organization
from sales.maths import commission
from sales.models import Summary, TicketShare
from sales.settlements import due_for, settle_event
from sales.summaries import summarize
from tests.invoices.conftest import balance
from tests.sales.books_view import assert_books_verify, ingest
from tests.sales.conftest import TODAY, at, ticket

CENT = Decimal("0.01")
RATES = {"huile": Decimal(0), "miel": Decimal("0.20"), "amlou": Decimal("0.10"), "tapis": Decimal(0)}
MEMBERS = {"huile": "exempt", "miel": "registered", "amlou": "registered", "tapis": "tapis"}
ACCOUNTS = {"cash": "5161", "card": "5115", "mobile": "5115", "cheque": "5111"}

line_st = st.tuples(
    st.sampled_from(sorted(RATES)), st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=60_000)
)
sale_st = st.tuples(
    st.integers(min_value=20, max_value=29),  # day
    st.lists(line_st, min_size=1, max_size=3),
    st.lists(st.sampled_from(sorted(ACCOUNTS)), min_size=1, max_size=2, unique=True),  # methods
    st.floats(min_value=0.05, max_value=0.95).map(lambda f: Decimal(str(round(f, 2)))),  # first method's share
)
refund_st = st.tuples(
    st.integers(min_value=0, max_value=50),  # which sale (modulo)
    st.integers(min_value=0, max_value=2),  # which line (modulo)
    st.integers(min_value=1, max_value=3),  # how many back (capped to what is left)
    st.sampled_from(sorted(ACCOUNTS)),
    st.integers(min_value=0, max_value=3),  # days after the sale
)
ops_st = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), sale_st), st.tuples(st.just("refund"), refund_st), st.tuples(st.just("summarize"))
    ),
    min_size=1,
    max_size=14,
)


def vat_inside(amount: Decimal, rate: Decimal) -> Decimal:
    """The oracle, written again: TTC − TTC / (1 + rate) rounded half-up (away from zero for a refund)."""
    return amount - (amount / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP) if rate else Decimal("0.00")


@dataclass
class Expected:
    by_member: dict[str, Decimal]
    by_method: dict[str, Decimal]
    vat: dict[str, Decimal]


def play(fair: dict[str, Any], ops: list[Any]) -> Expected:
    """Ring the operations at the till (summarizing where asked); return what the tickets say, added up by hand."""
    event, products = fair["event"], fair["products"]
    expected = Expected(defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal))
    sales: list[tuple[dict[str, Any], int, list[list[Any]]]] = []  # payload, day, [product, qty left, price]
    seq = 0

    def record(lines: list[tuple[str, int, Decimal]], payments: list[tuple[str, Decimal]]) -> None:
        for product, qty, price in lines:
            amount = qty * price
            expected.by_member[MEMBERS[product]] += amount
            expected.vat[MEMBERS[product]] += vat_inside(amount, RATES[product])
        for method, amount in payments:
            expected.by_method[method] += amount

    for op in ops:
        seq += 1
        if op[0] == "summarize":
            summarize(event, today=TODAY)
        elif op[0] == "sale":
            day, raw_lines, methods, share = op[1]
            lines = [(p, q, Decimal(c) / 100) for p, q, c in raw_lines]
            total = sum((q * price for _p, q, price in lines), Decimal(0))
            payments = [(methods[0], total)]
            first = (total * share).quantize(CENT)
            if len(methods) == 2 and Decimal("0.01") <= first < total:
                payments = [(methods[0], first), (methods[1], total - first)]
            payload = ticket(event, [(products[p], str(q), str(price)) for p, q, price in lines],
                             [(m, str(a)) for m, a in payments],
                             sold_at=at(day, 8 + seq % 12), sequence=seq)  # fmt: skip
            ingest(fair, [payload])
            record(lines, payments)
            sales.append((payload, day, [[p, q, price] for p, q, price in lines]))
        elif sales:
            which, line_no, qty, method, later = op[1]
            payload, day, lines = sales[which % len(sales)]
            product, left, price = lines[line_no % len(lines)]
            back = min(qty, left)
            if not back:
                continue
            lines[line_no % len(lines)][1] -= back
            amount = back * price
            refund = ticket(event, [(products[product], str(-back), str(price))], [(method, str(-amount))],
                            sold_at=at(min(day + later, 29), 21), sequence=seq, refund_of=payload["id"])  # fmt: skip
            ingest(fair, [refund])
            record([(product, -back, price)], [(method, -amount)])
    summarize(event, today=TODAY)
    return expected


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops_st, first_settlement=st.integers(min_value=20, max_value=29))
def test_summaries_and_settlements_equal_the_tickets(
    fair: dict[str, Any], ops: list[Any], first_settlement: int
) -> None:
    Organization.objects.filter(pk=fair["tapis"].pk).update(address="Douar Zarbia, Ouezzane")
    savepoint = transaction.savepoint()  # each example starts from the bare fair
    try:
        check(fair, play(fair, ops), date(2026, 11, first_settlement))
    finally:
        transaction.savepoint_rollback(savepoint)


def check(fair: dict[str, Any], expected: Expected, first_settlement: date) -> None:
    gie, event = fair["gie"], fair["event"]
    members = {"exempt": fair["exempt"], "registered": fair["registered"], "tapis": fair["tapis"]}
    slug = {m.pk: name for name, m in members.items()}
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    vat: dict[str, Decimal] = defaultdict(Decimal)
    for s in Summary.objects.all():
        summed[(slug[s.organization_id], s.method)] += s.amount
        vat[slug[s.organization_id]] += s.vat
    cells: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for share in TicketShare.objects.all():
        cells[(slug[share.organization_id], share.method)] += share.amount
    # summaries equal the tickets' cells, and the cells add up to the tickets' lines and payments
    assert {k: v for k, v in summed.items() if v} == {k: v for k, v in cells.items() if v}
    for name in members:
        assert sum((v for (m, _), v in summed.items() if m == name), Decimal(0)) == expected.by_member[name]
        assert vat[name] == expected.vat[name]
    for method in ACCOUNTS:
        assert sum((v for (_, m), v in summed.items() if m == method), Decimal(0)) == expected.by_method[method]
    # the books say the same
    for account in set(ACCOUNTS.values()):
        paid = sum((v for m, v in expected.by_method.items() if ACCOUNTS[m] == account), Decimal(0))
        assert balance(gie, account) == paid
    for name, member in members.items():
        assert balance(gie, "4463", member) == -expected.by_member[name]
        assert balance(member, "3488", gie) == expected.by_member[name]
        assert balance(member, "4455") == -expected.vat[name]
        assert balance(member, "7121") == -(expected.by_member[name] - expected.vat[name])
    # settlements: an early date, then the end of the fair; each pays its takings less its commission
    settled = settle_event(event, on=first_settlement, today=TODAY) + settle_event(event, on=TODAY, today=TODAY)
    paid_out = Decimal(0)
    for one in {one.pk: one for one in settled}.values():
        ht = commission(one.takings, event.rate)  # the channel's base is the TTC
        gross = (
            ht + line_amounts(quantity=Decimal(1), unit_price=ht, discount_rate=Decimal(0), vat_rate=Decimal("0.2")).vat
        )
        assert one.commission is None or one.commission.total_gross == gross
        assert one.net_paid == max(one.takings - gross, Decimal(0))
        assert one.offsets == 0
        paid_out += one.net_paid
    assert balance(gie, "5141") == -paid_out
    for name, member in members.items():
        takings = sum((one.takings for one in settled if one.organization_id == member.pk), Decimal(0))
        left = expected.by_member[name] - takings
        assert due_for(event, member) == left  # nothing due but what no settlement could take (refunds since)
        assert balance(gie, "4463", member) == -left
        assert balance(member, "3488", gie) == left
    assert_books_verify()
