"""A fair followed through every book, figures worked out by hand: tickets at the till → summarized entries in the
GIE's book and each member's → settlement less the commission, netted with an open invoice the member agreed to.

The fair (``tests/sales/conftest.py``): coop-olive exempt (art. 91) sells oil at 80.00; coop-miel VAT-registered
sells honey at 120.00 (20 %) and amlou at 55.00 (10 %); coop-tapis exempt sells carpets at 450.00. Channel
``foires``: 10 % commission on the TTC; cash → 5161, card and mobile money → 5115. Every line of every entry is
checked, in the GIE's book and the three members'.
"""

from datetime import date
from typing import Any

import pytest

from invoices.models import Document, Payment
from invoices.parties import party_for_member
from invoices.services import document_save_draft, document_validate
from members.models import Organization
from sales.models import SalesTerms, Settlement, Summary
from sales.settlements import due_for, settle_event, settlement_preview
from sales.summaries import summarize
from tests.invoices.conftest import line
from tests.sales.books_view import assert_books_verify, entries, ingest
from tests.sales.conftest import TODAY, D, at, fair, ticket, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
D21, D22, ON = "2026-11-21", "2026-11-22", "2026-11-30"


def ring_the_fair(fair: dict[str, Any]) -> None:  # noqa: F811
    p, event = fair["products"], fair["event"]
    t3 = ticket(event, [(p["amlou"], "2", "55.00"), (p["huile"], "1", "80.00")], [("mobile", "190.00")],
                sold_at=at(21, 15), sequence=3)  # fmt: skip
    ingest(fair, [
        # 21 Nov. T1: 2 oil 160.00 + 1 honey 120.00 = 280.00 cash (300.00 tendered)
        ticket(event, [(p["huile"], "2", "80.00"), (p["miel"], "1", "120.00")], [("cash", "280.00", "300.00")],
               sold_at=at(21, 10), sequence=1),
        # T2: 1 carpet 450.00 by card
        ticket(event, [(p["tapis"], "1", "450.00")], [("card", "450.00")], sold_at=at(21, 11), sequence=2),
        # T3: 2 amlou 110.00 + 1 oil 80.00 = 190.00 by mobile money
        t3,
        # 22 Nov. T4: 1 honey + 1 amlou = 175.00, 100.00 cash + 75.00 card
        ticket(event, [(p["miel"], "1", "120.00"), (p["amlou"], "1", "55.00")], [("cash", "100.00"), ("card", "75.00")],
               sold_at=at(22, 10), sequence=4),
        # T5: 1 carpet + 1 oil = 530.00 by mobile money
        ticket(event, [(p["tapis"], "1", "450.00"), (p["huile"], "1", "80.00")], [("mobile", "530.00")],
               sold_at=at(22, 11), sequence=5),
        # T6: one amlou of T3 brought back, 55.00 refunded in cash
        ticket(event, [(p["amlou"], "-1", "55.00")], [("cash", "-55.00")], sold_at=at(22, 12), sequence=6,
               refund_of=t3["id"]),
        # T7: 1 honey at a stand price of 115.00, cash
        ticket(event, [(p["miel"], "1", "115.00")], [("cash", "115.00")], sold_at=at(22, 13), sequence=7),
        # T8: 1 oil + 1 carpet = 530.00, 330.00 by card + 200.00 cash
        ticket(event, [(p["huile"], "1", "80.00"), (p["tapis"], "1", "450.00")],
               [("card", "330.00"), ("cash", "200.00")],
               sold_at=at(22, 14), sequence=8),
    ])  # fmt: skip


def test_a_fair_in_four_books_line_by_line(fair: dict[str, Any]) -> None:  # noqa: F811
    gie, olive, miel, tapis, event = fair["gie"], fair["exempt"], fair["registered"], fair["tapis"], fair["event"]
    Organization.objects.filter(pk=tapis.pk).update(address="Douar Zarbia, Ouezzane")  # a mention of its invoice
    e = event.pk
    ring_the_fair(fair)

    # --- shares per (day, member, method) ---------------------------------------------------------------------
    # 21: olive cash 160.00 (T1) mobile 80.00 (T3); miel cash 120.00 (T1) mobile 110.00 (T3); tapis card 450.00
    # 22: T8 splits card first (methods in sorted order) over olive 80 / tapis 450 of 530: 330 × 80 / 530 = 49.811…
    #     and 330 × 450 / 530 = 280.188…; floors 49.81 + 280.18 = 329.99, the centime left to the larger remainder
    #     (0.88 > 0.11): tapis 280.19; cash takes the rest: olive 80 − 49.81 = 30.19, tapis 450 − 280.19 = 169.81
    #     olive: card 49.81, cash 30.19, mobile 80.00 (T5) = 160.00
    #     miel: card 75.00 (T4); cash 100.00 (T4) − 55.00 (T6) + 115.00 (T7) = 160.00
    #     tapis: card 280.19, cash 169.81 (T8), mobile 450.00 (T5) = 900.00
    # VAT inside, per line: honey 120.00 − round(120 / 1.2) = 20.00; 2 amlou 110.00 − 100.00 = 10.00; amlou 55.00 −
    # 50.00 = 5.00 (−5.00 refunded); honey at 115.00: 115 / 1.2 = 95.833… → 95.83, VAT 19.17
    #     miel 21: 20.00 + 10.00 = 30.00; miel 22: 20.00 + 5.00 − 5.00 + 19.17 = 39.17
    run = summarize(event, today=TODAY)
    assert (run.state, run.days_total, run.days_done, run.ticket_count) == ("done", 2, 2, 8)
    assert run.entry_count == 13 + 6  # GIE: 5 + 8 per (day, member, method); members: 3 + 3 per (day, member)

    def gie_sale(day: str, member: Any, method: str, account: str, amount: str) -> tuple[str, tuple[str, list[str]]]:
        return f"sale:{e}:{day}:{member.pk}:{method}:0", (
            day,
            [f"Cr 4463·{member.slug} {amount}", f"Dr {account} {amount}"],
        )

    sales = dict([
        gie_sale(D21, olive, "cash", "5161", "160.00"), gie_sale(D21, olive, "mobile", "5115", "80.00"),
        gie_sale(D21, miel, "cash", "5161", "120.00"), gie_sale(D21, miel, "mobile", "5115", "110.00"),
        gie_sale(D21, tapis, "card", "5115", "450.00"),
        gie_sale(D22, olive, "card", "5115", "49.81"), gie_sale(D22, olive, "cash", "5161", "30.19"),
        gie_sale(D22, olive, "mobile", "5115", "80.00"),
        gie_sale(D22, miel, "card", "5115", "75.00"), gie_sale(D22, miel, "cash", "5161", "160.00"),
        gie_sale(D22, tapis, "card", "5115", "280.19"), gie_sale(D22, tapis, "cash", "5161", "169.81"),
        gie_sale(D22, tapis, "mobile", "5115", "450.00"),
    ])  # fmt: skip
    assert entries(gie, prefix="sale:") == sales
    # members: Dr 3488·GIE the day's takings / Cr 7121 the HT / Cr 4455 the VAT (exempt members: none)
    assert entries(olive, prefix="sale:") == {
        f"sale:{e}:{D21}:{olive.pk}:cash0+mobile0": (D21, ["Cr 7121 240.00", "Dr 3488·gie 240.00"]),
        f"sale:{e}:{D22}:{olive.pk}:card0+cash0+mobile0": (D22, ["Cr 7121 160.00", "Dr 3488·gie 160.00"]),
    }
    assert entries(miel, prefix="sale:") == {  # 230.00 − 30.00 = 200.00; 235.00 − 39.17 = 195.83
        f"sale:{e}:{D21}:{miel.pk}:cash0+mobile0": (D21, ["Cr 4455 30.00", "Cr 7121 200.00", "Dr 3488·gie 230.00"]),
        f"sale:{e}:{D22}:{miel.pk}:card0+cash0": (D22, ["Cr 4455 39.17", "Cr 7121 195.83", "Dr 3488·gie 235.00"]),
    }
    assert entries(tapis, prefix="sale:") == {
        f"sale:{e}:{D21}:{tapis.pk}:card0": (D21, ["Cr 7121 450.00", "Dr 3488·gie 450.00"]),
        f"sale:{e}:{D22}:{tapis.pk}:card0+cash0+mobile0": (D22, ["Cr 7121 900.00", "Dr 3488·gie 900.00"]),
    }
    # miel's 30.00 of VAT on the 21st spread over cash 120 / mobile 110: 3000 × 120 / 230 = 1565.2 and
    # 3000 × 110 / 230 = 1434.8 centimes → 1565 + 1434, the centime left to the larger remainder (mobile)
    assert {s.method: s.vat for s in Summary.objects.filter(organization=miel, day=date(2026, 11, 21))} == {
        "cash": D("15.65"),
        "mobile": D("14.35"),
    }
    assert due_for(event, olive) == D("400.00")
    assert due_for(event, miel) == D("465.00")
    assert due_for(event, tapis) == D("1350.00")

    # --- open invoices before the settlement: bookkeeping for coop-miel (agreed to netting), coop-olive (not) ----
    SalesTerms.objects.create(organization=miel, offset_other_invoices=True)
    bookkeeping = {}
    for member, price in ((miel, "100.00"), (olive, "50.00")):
        draft = document_save_draft(
            issuer=gie, customer=party_for_member(organization=member), issued_on=date(2026, 11, 10),
            lines=[line("Tenue comptable", "1", price)],
        )  # fmt: skip
        bookkeeping[member.slug] = document_validate(document_id=draft.pk, today=TODAY)
    # miel: 100.00 + 20 % = 120.00; olive: 50.00 + 10.00 = 60.00

    # --- settlement on 30 Nov: commission 10 % of the TTC, + 20 % VAT ---------------------------------------------
    # olive 400.00 → 40.00 + 8.00 = 48.00, net 400.00 − 48.00 = 352.00 (its open 60.00 is not netted: no agreement)
    # miel 465.00 → 46.50 + 9.30 = 55.80, netted with its 120.00 invoice: net 465.00 − 55.80 − 120.00 = 289.20
    # tapis 1 350.00 → 135.00 + 27.00 = 162.00, net 1 188.00
    plan = settlement_preview(event, miel, on=date(2026, 11, 30))
    assert (plan.takings, plan.takings_vat, plan.base, plan.commission_ht) == (
        D("465.00"), D("69.17"), D("465.00"), D("46.50"),
    )  # fmt: skip
    assert (plan.commission_vat, plan.commission_ttc, plan.commission_netted) == (D("9.30"), D("55.80"), D("55.80"))
    assert [(d.pk, amount) for d, amount in plan.offsets] == [(bookkeeping["coop-miel"].pk, D("120.00"))]
    assert plan.net == D("289.20")
    assert len(plan.summaries) == 4
    settled = settle_event(event, on=date(2026, 11, 30), today=TODAY)
    by_slug = {s.organization.slug: s for s in settled}
    assert {slug: (s.takings, s.offsets, s.net_paid) for slug, s in by_slug.items()} == {
        "coop-olive": (D("400.00"), D("0.00"), D("352.00")),
        "coop-miel": (D("465.00"), D("120.00"), D("289.20")),
        "coop-tapis": (D("1350.00"), D("0.00"), D("1188.00")),
    }
    commission = {slug: s.commission for slug, s in by_slug.items()}
    assert all(doc is not None and doc.origin == Document.Origin.FAIR_COMMISSION for doc in commission.values())
    assert {slug: (d.total_net, d.total_vat, d.total_gross, d.origin_ref) for slug, d in commission.items() if d} == {
        "coop-olive": (D("40.00"), D("8.00"), D("48.00"), event.slug),
        "coop-miel": (D("46.50"), D("9.30"), D("55.80"), event.slug),
        "coop-tapis": (D("135.00"), D("27.00"), D("162.00"), event.slug),
    }
    for document in [*commission.values(), bookkeeping["coop-miel"]]:
        assert document is not None
        document.refresh_from_db()
        assert document.balance_due == D("0.00")
    bookkeeping["coop-olive"].refresh_from_db()
    assert bookkeeping["coop-olive"].balance_due == D("60.00")
    payments = {slug: s.offset_payment for slug, s in by_slug.items()}
    assert {slug: (p.method, p.amount) for slug, p in payments.items() if p} == {
        "coop-olive": (Payment.Method.OFFSET, D("48.00")),
        "coop-miel": (Payment.Method.OFFSET, D("175.80")),  # 55.80 + 120.00
        "coop-tapis": (Payment.Method.OFFSET, D("162.00")),
    }
    assert all(due_for(event, member) == D("0.00") for member in (olive, miel, tapis))

    def keyed(doc: Any) -> str:
        return f"invoice:{doc.pk}"

    def pay(slug: str) -> str:
        payment = payments[slug]
        assert payment is not None
        return f"payment:{payment.pk}"

    def vat(slug: str, document: Any, side: str) -> str:
        payment = payments[slug]
        assert payment is not None
        return f"{pay(slug)}:{payment.allocations.get(document=document).pk}:vat:{side}"

    net = f"settlement:{e}:{{}}:{ON}:net"
    olive_c, miel_c, tapis_c, miel_b, olive_b = (
        commission["coop-olive"], commission["coop-miel"], commission["coop-tapis"],
        bookkeeping["coop-miel"], bookkeeping["coop-olive"],
    )  # fmt: skip
    # --- the GIE's book, every entry -----------------------------------------------------------------------------
    assert entries(gie) == {
        **sales,
        # the bookkeeping invoices (10 Nov): Dr 3463·member / Cr 7124·member / Cr 44551 (cash basis)
        f"{keyed(miel_b)}:issuer": ("2026-11-10",
                                    ["Cr 44551 20.00", "Cr 7124·coop-miel 100.00", "Dr 3463·coop-miel 120.00"]),
        f"{keyed(olive_b)}:issuer": ("2026-11-10",
                                     ["Cr 44551 10.00", "Cr 7124·coop-olive 50.00", "Dr 3463·coop-olive 60.00"]),
        # the commission invoices: Dr 3463·member / Cr 71272·member / Cr 44551
        f"{keyed(olive_c)}:issuer": (ON, ["Cr 44551 8.00", "Cr 71272·coop-olive 40.00", "Dr 3463·coop-olive 48.00"]),
        f"{keyed(miel_c)}:issuer": (ON, ["Cr 44551 9.30", "Cr 71272·coop-miel 46.50", "Dr 3463·coop-miel 55.80"]),
        f"{keyed(tapis_c)}:issuer": (ON, ["Cr 44551 27.00", "Cr 71272·coop-tapis 135.00", "Dr 3463·coop-tapis 162.00"]),
        # the compensations: Dr 4463·member / Cr 3463·member, and the VAT they settle moves 44551 → 4455
        f"{pay('coop-olive')}:receipt:collector": (ON, ["Cr 3463·coop-olive 48.00", "Dr 4463·coop-olive 48.00"]),
        f"{pay('coop-miel')}:receipt:collector": (ON, ["Cr 3463·coop-miel 175.80", "Dr 4463·coop-miel 175.80"]),
        f"{pay('coop-tapis')}:receipt:collector": (ON, ["Cr 3463·coop-tapis 162.00", "Dr 4463·coop-tapis 162.00"]),
        vat("coop-olive", olive_c, "issuer"): (ON, ["Cr 4455 8.00", "Dr 44551 8.00"]),
        vat("coop-miel", miel_c, "issuer"): (ON, ["Cr 4455 9.30", "Dr 44551 9.30"]),
        vat("coop-miel", miel_b, "issuer"): (ON, ["Cr 4455 20.00", "Dr 44551 20.00"]),
        vat("coop-tapis", tapis_c, "issuer"): (ON, ["Cr 4455 27.00", "Dr 44551 27.00"]),
        # the nets paid: Dr 4463·member / Cr 5141
        net.format(olive.pk) + ":gie": (ON, ["Cr 5141 352.00", "Dr 4463·coop-olive 352.00"]),
        net.format(miel.pk) + ":gie": (ON, ["Cr 5141 289.20", "Dr 4463·coop-miel 289.20"]),
        net.format(tapis.pk) + ":gie": (ON, ["Cr 5141 1188.00", "Dr 4463·coop-tapis 1188.00"]),
    }  # fmt: skip
    # --- coop-olive (art. 91): the commission's VAT is a cost, on its own line without a partner -------------------
    assert entries(olive) == {
        f"sale:{e}:{D21}:{olive.pk}:cash0+mobile0": (D21, ["Cr 7121 240.00", "Dr 3488·gie 240.00"]),
        f"sale:{e}:{D22}:{olive.pk}:card0+cash0+mobile0": (D22, ["Cr 7121 160.00", "Dr 3488·gie 160.00"]),
        f"{keyed(olive_b)}:buyer": ("2026-11-10", ["Cr 4488·gie 60.00", "Dr 6136 10.00", "Dr 6136·gie 50.00"]),
        f"{keyed(olive_c)}:buyer": (ON, ["Cr 4488·gie 48.00", "Dr 6136 8.00", "Dr 6136·gie 40.00"]),
        f"{pay('coop-olive')}:receipt:payer": (ON, ["Cr 3488·gie 48.00", "Dr 4488·gie 48.00"]),
        net.format(olive.pk) + ":member": (ON, ["Cr 3488·gie 352.00", "Dr 5141 352.00"]),
    }
    # --- coop-miel (VAT-registered): its VAT on the commission and the netted invoice becomes deductible -----------
    assert entries(miel) == {
        f"sale:{e}:{D21}:{miel.pk}:cash0+mobile0": (D21, ["Cr 4455 30.00", "Cr 7121 200.00", "Dr 3488·gie 230.00"]),
        f"sale:{e}:{D22}:{miel.pk}:card0+cash0": (D22, ["Cr 4455 39.17", "Cr 7121 195.83", "Dr 3488·gie 235.00"]),
        f"{keyed(miel_b)}:buyer": ("2026-11-10", ["Cr 4488·gie 120.00", "Dr 34554 20.00", "Dr 6136·gie 100.00"]),
        f"{keyed(miel_c)}:buyer": (ON, ["Cr 4488·gie 55.80", "Dr 34554 9.30", "Dr 6136·gie 46.50"]),
        f"{pay('coop-miel')}:receipt:payer": (ON, ["Cr 3488·gie 175.80", "Dr 4488·gie 175.80"]),
        vat("coop-miel", miel_c, "buyer"): (ON, ["Cr 34554 9.30", "Dr 34552 9.30"]),
        vat("coop-miel", miel_b, "buyer"): (ON, ["Cr 34554 20.00", "Dr 34552 20.00"]),
        net.format(miel.pk) + ":member": (ON, ["Cr 3488·gie 289.20", "Dr 5141 289.20"]),
    }
    # --- coop-tapis (art. 91) -------------------------------------------------------------------------------------
    assert entries(tapis) == {
        f"sale:{e}:{D21}:{tapis.pk}:card0": (D21, ["Cr 7121 450.00", "Dr 3488·gie 450.00"]),
        f"sale:{e}:{D22}:{tapis.pk}:card0+cash0+mobile0": (D22, ["Cr 7121 900.00", "Dr 3488·gie 900.00"]),
        f"{keyed(tapis_c)}:buyer": (ON, ["Cr 4488·gie 162.00", "Dr 6136 27.00", "Dr 6136·gie 135.00"]),
        f"{pay('coop-tapis')}:receipt:payer": (ON, ["Cr 3488·gie 162.00", "Dr 4488·gie 162.00"]),
        net.format(tapis.pk) + ":member": (ON, ["Cr 3488·gie 1188.00", "Dr 5141 1188.00"]),
    }
    # nothing left due: 4463·member and 3488·GIE are back to zero for every member; settling again changes nothing
    assert settle_event(event, on=date(2026, 11, 30), today=TODAY) == settled
    assert Settlement.objects.count() == 3
    assert_books_verify()
