import re
import tempfile
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from django.http import HttpRequest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from stdnum.ma import ice

from gie_erp.core.money import from_centimes
from gie_erp.core.roles import Role
from gie_erp.demo import data, sales_data
from gie_erp.demo.ledger_year import DEMO_TODAY
from gie_erp.demo.sales_plan import past_fair_plan
from gie_erp.demo.seed import DEFAULT_SEED, seed_demo
from gie_erp.fees.models import Run, Share, ZeroResult
from gie_erp.fees.selectors import run_preview
from gie_erp.fees.zero_result import zero_result_preview
from invoices.models import Allocation, Bundle, Document, DocumentTax, Payment
from ledger import accounts
from ledger.models import Book, Entry
from ledger.periods import last_day
from ledger.selectors import (
    account_balance,
    general_ledger,
    movement_centimes,
    signed_balances,
)
from ledger.statements import build_bilan
from members.models import Cooperator, Organization, User
from sales.consignment import reconciliation
from sales.devices import device_register
from sales.models import (
    Channel,
    Deposit,
    Device,
    Event,
    Product,
    Settlement,
    Shift,
    Summary,
    SummaryRun,
    SyncConflict,
    Ticket,
    TicketPayment,
)
from sales.selectors import event_catalogue, events_for
from sales.settlements import due_for
from sales.shifts import z_report
from sales.tickets import tickets_ingest

D = Decimal


@pytest.mark.django_db
def test_seed_is_complete_deterministic_and_idempotent(client: Any) -> None:
    first = seed_demo()
    assert first.organizations_created == 7
    assert first.cooperators_created == 32 + 18 + 27 + 38 + 15 + 24
    coops = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
    assert coops.count() == 6
    assert Organization.objects.filter(kind=Organization.Kind.GIE).count() == 1
    for org in Organization.objects.all():
        assert ice.is_valid(org.ice), org
        assert org.legal_name_ar
    for org in coops:
        assert 15 <= org.cooperators.count() <= 40
    assert set(User.objects.values_list("role", flat=True)) == {r.value for r in Role}
    snapshot = list(Cooperator.objects.order_by("pk").values_list("cin", "first_name_fr", "full_name_ar"))

    sales = sales_snapshot()

    second = seed_demo()
    assert (second.organizations_created, second.cooperators_created, second.users_created) == (0, 0, 0)
    assert first.entries_posted > 900
    # the invoicing year: 65 invoices and credit notes, 60 payments; the past fair adds one commission invoice per
    # member (6) and the compensation that nets it (6); the three past training sessions bill 13 invoices (one per
    # member and session), paid by 6 transfers; the 22 fee runs bill 117 fee invoices (accounting 10 months × 6;
    # commercial 45: 4, 4, 4, 5, 4, 4, 4, 4, 6, 6 members with sales in the month; fairs 6; training 6), paid by
    # 6 members × 3 quarters (October's are due in November)
    assert (first.parties_created, first.documents_created, first.payments_created) == (
        4,
        65 + 6 + 13 + 117,
        60 + 6 + 6 + 18,
    )
    assert first.fee_runs == second.fee_runs == 10 + 10 + 1 + 1  # seeding again finds the same runs, unchanged
    assert second.entries_posted == 0  # the same drafts under the same keys: nothing new to post
    assert (second.parties_created, second.documents_created, second.payments_created) == (0, 0, 0)
    assert sales_snapshot() == sales  # the same tickets (duplicates), no new run, settlement, deposit or product
    assert list(Cooperator.objects.order_by("pk").values_list("cin", "first_name_fr", "full_name_ar")) == snapshot

    for role, username, password in first.logins:
        assert client.login(request=HttpRequest(), username=username, password=password), role  # axes: a request
        assert client.get("/", follow=True).status_code == 200  # a fair seller's home is the till
        client.logout()


def sales_snapshot() -> dict[str, Any]:
    """What the sales part of the demo holds, row counts and the open fair's dates."""
    models = (Channel, Event, Product, Ticket, SummaryRun, Summary, Settlement, Deposit, Device, Shift, SyncConflict)
    counts = {model.__name__: model.objects.count() for model in models}
    return {
        **counts,
        "open fair": Event.objects.filter(slug=sales_data.OPEN_FAIR["slug"]).values_list("starts_on").get(),
    }


@pytest.mark.django_db
def test_seed_command_prints_one_login_per_role(capsys: Any) -> None:
    call_command("seed_demo", "--seed", "7")
    out = capsys.readouterr().out
    for role in Role:
        assert role.value in out


def exact_balance(book: Book, code: str, end: date) -> Decimal:
    """Debit − credit of exactly this account (not its sub-accounts: 4455 without 44551) up to ``end``."""
    debit, credit = movement_centimes(book_ids=[book.pk], start=None, end=end).get((book.pk, code), (0, 0))
    return from_centimes(debit - credit)


GIE_CASH_CEILING = Decimal("10000.00")  # a GIE banks its takings: only petty cash stays in the box
GIE_GRANT = Decimal("60000.00")  # the INDH grant of April: the GIE's only income no pool takes


class DemoYearTests(TestCase):
    """Checks that only read the demo: one seed for all of them (each test runs in a savepoint rolled back after it,
    seeding costs a few seconds)."""

    fair: Event  # the past regional fair

    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()
        cls.fair = Event.objects.select_related("channel").get(slug=sales_data.PAST_FAIR["slug"])

    def test_representative_login_switches_to_arabic(self) -> None:
        response = self.client.post("/accounts/login/", {"username": "coop1", "password": "demo-gie-2026"}, follow=True)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'dir="rtl"' in body
        assert "تعاونية الزيتون شفشاون لزيت الزيتون" in body

    def test_demo_books_pass_hledger_and_agree_with_trial_balance(self) -> None:
        """The exported journal of the demo books passes `hledger check`; its balances equal `trial_balance all`'s."""
        import csv
        import subprocess
        from decimal import Decimal

        tmp_path = Path(self.enterContext(tempfile.TemporaryDirectory()))
        journal, tb = tmp_path / "demo.journal", tmp_path / "tb.csv"
        call_command("export_journal", "--book", "all", "--format", "hledger", "--out", str(journal))
        call_command("trial_balance", "--book", "all", "--from", "2026-01-01", "--to", "2026-12-31", "--csv", str(tb))
        subprocess.run(["hledger", "-f", str(journal), "check"], check=True, capture_output=True)
        out = subprocess.run(
            ["hledger", "-f", str(journal), "bal", "--flat", "--no-total", "-O", "csv"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        theirs = {}
        for line in out.splitlines()[1:]:
            account, amount = (part.strip('"') for part in line.split('","'))
            theirs[account] = Decimal(amount.replace(" MAD", "").replace(",", ""))
        with tb.open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["book"] != "*"]
        ours = {f"{r['book']}:{r['account_code']}": Decimal(r["balance"]) for r in rows}
        ours = {account: value for account, value in ours.items() if value}
        assert theirs == ours
        assert len(ours) > 60
        call_command("ledger_verify")

    def test_the_gie_books_are_plausible(self) -> None:
        """Positive bank at every month end, small cash, non-negative equity, every cost recharged (the result is the
        INDH grant), nothing left owed but October's fees."""
        book = Book.objects.get(organization__kind=Organization.Kind.GIE)
        end = date(2026, 10, 31)
        assert account_balance(book=book, code=accounts.BANK, end=end) > 0
        assert Decimal("0.00") <= account_balance(book=book, code=accounts.CASH, end=end) < GIE_CASH_CEILING
        for month in range(1, 11):
            month_end = last_day(2026, month)
            assert account_balance(book=book, code=accounts.BANK, end=month_end) > 0, month_end  # never overdrawn
            assert account_balance(book=book, code=accounts.CASH, end=month_end) < GIE_CASH_CEILING, month_end
        balances = signed_balances(book_ids=[book.pk], start=None, end=end)
        equity = build_bilan(balances).passif[0].lines[0].net  # capitaux propres, the year's result included
        assert equity >= 0
        result = -from_centimes(sum(amount for code, amount in balances.items() if code[0] in "67"))
        assert result == GIE_GRANT  # every cost is in a pool billed net of its recoveries: the grant is left
        # the members were paid their fair takings and what the GIE collected for them, and paid their fees but
        # October's (24 invoices of 31 October: accounting, commercial, fairs and training; due on 15 November)
        assert account_balance(book=book, code=accounts.PARTNER_CURRENT_CREDIT, end=end) == Decimal("0.00")
        october = Document.objects.filter(origin=Document.Origin.FEE_RUN, issued_on=end)
        assert october.count() == 24
        owed = account_balance(book=book, code=accounts.PARTNER_CURRENT_DEBIT, end=end)
        assert owed == sum((d.balance_due for d in october), Decimal("0.00")) == Decimal("11691.84")
        # cash-basis VAT: the third quarter's return (20 October) cleared 4455; what is left there is the VAT of the
        # money in since 1 October (due with the fourth quarter's return). 44551 holds the VAT of what is not in yet:
        # the unpaid parts (DocumentTax.vat_in_transit) and the cheque received but not cashed (its allocation counts
        # as settled on the document as soon as it is received; its VAT moves to 4455 in the books when it is cashed)
        gie = book.organization
        in_october = waiting = Decimal("0.00")
        for allocation in Allocation.objects.filter(document__issuer=gie).select_related("payment"):
            payment = allocation.payment
            vat = sum((Decimal(amount) for amount in allocation.vat_by_rate.values()), Decimal("0.00"))
            money_in_on = payment.cashed_on if payment.method == Payment.Method.CHEQUE else payment.received_on
            if money_in_on is None:
                waiting += vat
            elif money_in_on >= date(2026, 10, 1):
                in_october += vat
        unpaid = sum((tax.vat_in_transit for tax in DocumentTax.objects.filter(document__issuer=gie)), Decimal("0.00"))
        assert in_october > 0
        assert waiting > 0  # the third quarter's fees of the cheese cooperative, paid by a cheque on 27 October
        assert exact_balance(book, accounts.VAT_COLLECTED, end) == -in_october
        assert exact_balance(book, accounts.VAT_COLLECTED_TRANSIT, end) == -(unpaid + waiting)

    def test_the_gie_recharges_its_costs_by_fee_runs(self) -> None:
        """Fairs, September–October: stands 5,130.10 + banners 1,765.69 + transport 2,366.03 + per diem 3,000.00 +
        the cushion the GIE paid 180.00 = 12,441.82, less the commissions 10,230.00 = 2,211.82, by sales. Training:
        costs 3,930.00 + 3,300.00 + 2,790.00 = 10,020.00, less fees 6,180.00 and subsidies 3,720.00 = 120.00, by
        cooperators 32/18/27/38/15/24 of 154: exact 24.935, 14.026, 21.039, 29.610, 11.688, 18.701; rounded down
        119.97, the 3 centimes to the largest remainders (couscous .0090, pottery .0083, honey .0060)."""
        runs = Run.objects.select_related("pool").order_by("pool__slug", "starts_on")
        assert {(r.pool.slug, r.pool.key) for r in runs} == {
            ("comptabilite", "usage"), ("service-commercial", "sales"), ("foires", "sales"),
            ("formation", "cooperators"),
        }  # fmt: skip
        fairs, training = runs.get(pool__slug="foires"), runs.get(pool__slug="formation")
        assert (fairs.starts_on, fairs.ends_on) == (date(2026, 9, 1), date(2026, 10, 31)) == (
            training.starts_on, training.ends_on,
        )  # fmt: skip
        assert (fairs.costs, fairs.recovered, fairs.amount) == (D("12441.82"), D("10230.00"), D("2211.82"))
        assert (training.costs, training.recovered, training.amount) == (D("10020.00"), D("9900.00"), D("120.00"))
        shares = dict(training.shares.values_list("organization__slug", "share"))
        assert shares == {
            "coop-zitoun-chefchaouen": D("24.93"), "coop-nahl-rif": D("14.03"),
            "coop-nissae-ghafsai-couscous": D("21.04"), "coop-tissage-akhmas": D("29.61"),
            "coop-fekhar-oued-laou": D("11.69"), "coop-jben-beni-arous": D("18.70"),
        }  # fmt: skip
        for run in runs:  # what was posted is what a preview shows today (the seed's order keeps the keys' data)
            assert sum(s.share for s in run.shares.all()) == run.amount, run
            preview = run_preview(run.pool, run.starts_on, run.ends_on)
            assert {line.key: line.share for line in preview.split.lines} == dict(
                run.shares.values_list("organization_id", "share")
            ), run
        # the year's surplus, the grant, would go back by the fees charged; the demo's year is open: not posted
        zero = zero_result_preview(2026)
        assert zero.result == GIE_GRANT == sum((line.share for line in zero.split.lines), D("0.00"))
        charged = Share.objects.values("organization_id").annotate(net=Sum("share"))
        assert {line.key: line.weight for line in zero.split.lines} == {
            row["organization_id"]: row["net"] for row in charged
        }
        assert not ZeroResult.objects.exists()

    def test_every_member_has_its_legal_ids_and_one_is_vat_registered(self) -> None:
        for org in Organization.objects.all():
            assert re.fullmatch(r"\d{7,8}", org.if_number), org
            assert re.fullmatch(r"\d{8}", org.tp_number), org
            assert re.fullmatch(r"\d{3,6} [A-Z][A-Za-zé ]+", org.rc_number), org  # number and city of the register
        coops = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
        registered = coops.get(vat_status=Organization.VatStatus.REGISTERED)
        assert registered.slug == "coop-nahl-rif"
        assert registered.vat_legal_reference
        end = date(2026, 10, 31)
        assert account_balance(book=registered.book, code=accounts.VAT_COLLECTED, end=end) < 0  # October's, owed
        return_day = date(2026, 10, 20)
        paid = account_balance(book=registered.book, code=accounts.VAT_DUE, end=return_day, start=return_day)
        assert paid > 0  # the third quarter liquidated on 30 September (4455 − 34552 → 4456), paid on 20 October
        q3 = f"vat:{registered.book.pk}:2026-07-01:2026-09-30"
        assert Entry.objects.filter(book=registered.book, idempotency_key=q3).exists()
        assert account_balance(book=registered.book, code=accounts.VAT_RECOVERABLE_ON_CHARGES, end=end) > 0
        for org in coops.exclude(pk=registered.pk):
            assert org.vat_status == Organization.VatStatus.EXEMPT
            assert account_balance(book=org.book, code=accounts.VAT_COLLECTED, end=end) == Decimal("0.00")

    def test_the_year_is_invoiced_through_documents(self) -> None:
        """Documents cover the credit sales and the GIE's fees (no hand-written entry does), numbered without a gap in
        date order per issuer, each posted once, with every mention; the notable cases of the demo are all there."""
        today = DEMO_TODAY
        gie = Organization.objects.get(kind=Organization.Kind.GIE)
        documents = Document.objects.select_related("issuer", "customer").order_by("issuer", "kind", "sequence")
        assert {d.status for d in documents} == {Document.Status.VALIDATED}
        series: dict[tuple[int, str], list[Document]] = {}
        for document in documents:
            series.setdefault((document.issuer_id, document.kind), []).append(document)
            assert date(2026, 1, 1) <= document.issued_on <= today, document
            prefix = "invoice" if document.kind == Document.Kind.INVOICE else "credit_note"
            assert Entry.objects.filter(idempotency_key=f"{prefix}:{document.pk}:issuer").count() == 1, document
            snapshot = document.issuer_snapshot
            assert all(snapshot[key] for key in ("ice", "if_number", "tp_number", "address", "payment_means")), document
            assert snapshot["bank_account"] == data.GIE_INVOICING["bank_account"], document  # the GIE's RIB, always
            if document.issuer_id != gie.pk:
                assert snapshot["register_number"].startswith("ODCO"), document
                assert snapshot["mandatary_name_fr"] == gie.legal_name_fr, document
        for (_issuer, kind), numbered in series.items():
            prefix = "FA" if kind == Document.Kind.INVOICE else "AV"
            assert [d.number for d in numbered] == [f"{prefix}-2026-{n:05d}" for n in range(1, len(numbered) + 1)]
            assert [d.issued_on for d in numbered] == sorted(d.issued_on for d in numbered)  # numbers follow dates
        to_members = documents.filter(issuer=gie, customer__organization__isnull=False, origin=Document.Origin.FEE_RUN)
        assert to_members.count() == 117  # the fee runs (see test_seed_is_complete_deterministic_and_idempotent)
        assert {line.description.split(" (")[0] for d in to_members for line in d.lines.all()} == {
            "Quote-part Tenue de la comptabilité",
            "Quote-part Service commercial",
            "Quote-part Foires et salons",
            "Quote-part Formation",
        }
        # no hand-written entry does what a document does: customers' receivables, the GIE's services
        for book in Book.objects.all():
            for code in (accounts.CUSTOMERS, accounts.SERVICES_SOLD):
                _opening, lines = general_ledger(book=book, code=code, start=date(2026, 1, 1), end=today)
                keys = Entry.objects.filter(pk__in={ln.entry_id for ln in lines}).values_list(
                    "idempotency_key", flat=True
                )
                assert not [key for key in keys if key.startswith("demo:")], (book, code)
        # the bundle: three members' documents to the hotel, paid by one transfer split over the three
        bundle = Bundle.objects.get()
        parts = list(bundle.documents.order_by("pk"))
        assert {d.issuer.slug for d in parts} == {
            "coop-zitoun-chefchaouen",
            "coop-nahl-rif",
            "coop-nissae-ghafsai-couscous",
        }
        (payment,) = {allocation.payment for d in parts for allocation in d.allocations.all()}
        assert (payment.method, payment.amount) == (Payment.Method.TRANSFER, sum(d.total_gross for d in parts))
        assert {a.document_id: a.amount for a in payment.allocations.all()} == {d.pk: d.total_gross for d in parts}
        # a credit note on a partly credited invoice, the rest paid
        credit = documents.get(kind=Document.Kind.CREDIT_NOTE)
        assert credit.corrects is not None
        assert (credit.corrects.amount_credited, credit.corrects.balance_due) == (credit.total_gross, Decimal("0.00"))
        # partial payments, a cheque not yet cashed, an invoice overdue by more than 60 days, a consumer's invoice
        invoices = [d for d in documents if d.kind == Document.Kind.INVOICE]
        assert [d.payment_state for d in invoices].count("partly_paid") == 1
        assert Document.objects.filter(allocations__isnull=False).annotate(n=Count("allocations")).filter(n=2).exists()
        (cheque,) = Payment.objects.filter(method=Payment.Method.CHEQUE, cashed_on__isnull=True)
        assert cheque.received_on <= today
        overdue = [
            d for d in invoices if d.balance_due > 0 and d.due_on is not None and d.due_on < today - timedelta(60)
        ]
        assert [(d.issuer.slug, d.customer.code) for d in overdue] == [("coop-tissage-akhmas", "riad-ras-el-maa")]
        assert any(d.customer.kind == "consumer" and d.payment_state == "paid" for d in invoices)
        # VAT: 10 % and 20 % from the registered cooperative, the art. 91 exemption from the others
        honey = Organization.objects.get(slug="coop-nahl-rif")
        rates = set(DocumentTax.objects.filter(document__issuer=honey).values_list("vat_rate__code", flat=True))
        assert rates == {"reduit-10", "normal-20"}
        exempt = DocumentTax.objects.filter(document__issuer__kind="cooperative").exclude(document__issuer=honey)
        assert set(exempt.values_list("vat_rate__code", flat=True)) == {"exonere-91"}
        assert {payment.received_on <= today for payment in Payment.objects.all()} == {True}

    def test_the_past_fair_was_rung_at_the_till_by_the_seller(self) -> None:
        fair = self.fair
        assert (fair.state, fair.channel.slug, fair.channel.kind, fair.rate) == ("closed", "foires", "fair", D("0.10"))
        coops = set(Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).values_list("pk", flat=True))
        assert set(fair.participations.values_list("organization_id", flat=True)) == coops  # every member, a stand
        assert all(fair.participations.values_list("stand", flat=True))
        tickets = Ticket.objects.filter(event=fair)
        plan = past_fair_plan(DEFAULT_SEED)
        assert 300 <= tickets.count() == len(plan) <= 400  # a few hundred
        sellers = set(tickets.values_list("device__user__username", flat=True))
        assert sellers == {"vendeur"}
        assert tickets.filter(refund_of__isnull=False, total__lt=0).count() == 2
        methods = TicketPayment.objects.filter(ticket__event=fair)
        assert set(methods.values_list("method", flat=True)) == {"cash", "card", "mobile", "cheque"}
        assert tickets.annotate(n=Count("payments")).filter(n=2).exists()  # split payments
        assert sales_data.PAST_FAIR["starts_on"] <= min(t.sold_on for t in tickets)
        assert max(t.sold_on for t in tickets) <= sales_data.PAST_FAIR["ends_on"] < DEMO_TODAY
        # one shift a day, its Z numbered in order, every Z complete; one day's cash 20.00 short
        shifts = Shift.objects.filter(event=fair).order_by("z_number")
        assert [s.z_number for s in shifts] == list(range(1, 11))
        reports = [z_report(shift) for shift in shifts]
        assert not any(z["provisional"] for z in reports)
        assert [z["cash_difference"] for z in reports].count("0.00") == 9
        assert reports[5]["cash_difference"] == "-20.00"
        # consigned stock: deposited, taken back; the missing tajine borne by its cooperative, the missing cushion
        # paid by the GIE at its ticket price (180.00, an art. 91 member: no VAT)
        rows = reconciliation(fair)
        assert len(rows) >= 7
        assert not [row for row in rows if row.needs_decision]
        missing = sorted(
            (row.product.code, row.difference, row.decision, row.deposit and row.deposit.decided_amount)
            for row in rows
            if row.difference
        )
        assert missing == [("coussin-brode", 1, "gie", D("180.00")), ("tajine-30", 1, "member", None)]

    def test_the_past_fair_is_in_the_books_and_settled(self) -> None:
        fair = self.fair
        assert not Ticket.objects.filter(event=fair, summary_run__isnull=True).exists()
        total = Ticket.objects.filter(event=fair).aggregate(t=Sum("total"))["t"]
        assert Summary.objects.filter(event=fair).aggregate(t=Sum("amount"))["t"] == total
        settlements = {
            s.organization.slug: s
            for s in Settlement.objects.filter(event=fair).select_related("organization", "commission")
        }
        assert len(settlements) == 6
        assert sum(s.takings for s in settlements.values()) == total
        for settlement in settlements.values():
            commission = settlement.commission
            assert commission is not None
            assert commission.status == "validated"
            assert commission.balance_due == 0
            assert settlement.net_paid == settlement.takings + settlement.differences - commission.total_gross
            assert settlement.settled_on == date(2026, 10, 6)
        # the cushion the GIE paid is in the weavers' settlement, not in the commission's base
        assert {slug: s.differences for slug, s in settlements.items() if s.differences} == {
            "coop-tissage-akhmas": D("180.00")
        }
        assert all(due_for(fair, s.organization) == 0 for s in settlements.values())
        cheese = settlements["coop-jben-beni-arous"]
        # the cheese cooperative sold 8,510.00 (no refund); commission 10 % = 851.00 HT + 20 % VAT 170.20 = 1,021.20;
        # net paid 8,510.00 − 1,021.20 = 7,488.80
        invoice = cheese.commission
        assert invoice is not None
        assert (cheese.takings, invoice.total_net, invoice.total_gross) == (D("8510.00"), D("851.00"), D("1021.20"))
        assert cheese.net_paid == D("7488.80")
        # the honey cooperative's fair sales carry its VAT (10 % and 20 % products), posted in September
        honey = Organization.objects.get(slug="coop-nahl-rif")
        assert Summary.objects.filter(event=fair, organization=honey).aggregate(v=Sum("vat"))["v"] > 0
        # the GIE banked every method's takings (cash the next morning, cards and mobile two days later, cheques)
        gie = Book.objects.get(organization__kind=Organization.Kind.GIE)
        banked = Entry.objects.filter(book=gie, idempotency_key__startswith=f"demo:sales:{fair.slug}:bank:")
        assert banked.count() >= 30
        for code in {fair.channel.account_for(method) for method in ("cash", "card", "mobile", "cheque")}:
            _opening, lines = general_ledger(book=gie, code=code, start=date(2026, 9, 1), end=DEMO_TODAY)
            fair_lines = [line for line in lines if line.source_ref.startswith(fair.slug)]
            assert fair_lines
            assert sum(line.debit - line.credit for line in fair_lines) == 0, code  # all collected was banked
        # no hand-written fair entry is left
        assert not Entry.objects.filter(description__startswith="Ventes foire pour").exists()
        assert not Entry.objects.filter(description__startswith="Commission foire").exists()

    def test_the_seller_sells_at_the_open_fair_and_at_the_shop(self) -> None:
        today = timezone.localdate()
        seller = User.objects.get(username="vendeur")
        open_fair = Event.objects.get(slug=sales_data.OPEN_FAIR["slug"])
        shop = Event.objects.select_related("channel").get(slug=sales_data.SHOP["slug"])
        assert open_fair.state == shop.state == Event.State.OPEN
        assert open_fair.ends_on is not None
        assert open_fair.starts_on < today < open_fair.ends_on
        assert (shop.channel.kind, shop.ends_on) == ("shop", None)
        assert set(events_for(seller).filter(state="open")) == {open_fair, shop}
        products = list(event_catalogue(open_fair))
        assert len(products) == 17
        assert all(p.name_ar and p.scan_code for p in products)
        assert Deposit.objects.filter(event=open_fair).count() == len(products)
        # VAT per product only for the VAT-registered member: honey and amlou at 10 %, candles at 20 %
        codes = dict(Product.objects.filter(organization__slug="coop-nahl-rif").values_list("code", "vat_code"))
        assert set(codes.values()) == {"reduit-10", "normal-20"}
        exempt = Product.objects.exclude(organization__slug="coop-nahl-rif")
        assert set(exempt.values_list("vat_code", flat=True)) == {"exonere-91"}
        # a phone of the seller rings a sale now at each: stored
        device, _token = device_register(user=seller, name="Téléphone de test")
        huile = Product.objects.get(code="huile-1l")
        now = timezone.now()
        for sequence, event in enumerate((open_fair, shop), start=1):
            payload = {
                "id": str(uuid.uuid4()), "event": event.slug, "sequence": sequence, "shift": None,
                "sold_at": now.isoformat(), "refund_of": None,
                "lines": [{"product": huile.pk, "quantity": "2", "unit_price": "85.00"}],
                "payments": [{"method": "cash", "amount": "170.00", "tendered": "200.00"}],
            }  # fmt: skip
            assert [a.status for a in tickets_ingest([payload], device=device, now=now)] == ["stored"]
        self.client.force_login(seller)
        page = self.client.get(reverse("sales:till_home")).content.decode()
        assert open_fair.name_fr in page or open_fair.slug in page


def test_a_transfer_paying_many_invoices_keeps_its_reference_within_80_characters() -> None:
    """Regression (CI on PostgreSQL): a quarter's fee transfer named its six invoices, 106 characters, and
    PostgreSQL refused the payment (SQLite had stored it)."""
    from gie_erp.demo.invoicing_year import transfer_reference

    numbers = [f"FA-2026-{n:05d}" for n in range(101, 107)]
    assert transfer_reference(numbers[:2]) == "VIR FA-2026-00101 FA-2026-00102"
    assert transfer_reference(numbers) == "VIR FA-2026-00101 … FA-2026-00106 (6 factures)"
