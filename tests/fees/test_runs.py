"""Fee runs with hand-computed figures (issue 14).

Sales key: the GIE collected 700.00 for olive, 900.00 for miel, 1,400.00 for tapis in January (Cr 4463·member),
and paid 2,500.00 of rent (61312). 2,500 × 700 / 3,000 = 583.333…, × 900 / 3,000 = 750.00, × 1,400 / 3,000 =
1,166.666…: floors 583.33 + 750.00 + 1,166.66 = 2,499.99, the centime left goes to the largest remainder (tapis,
.667 against olive's .333): 583.33 / 750.00 / 1,166.67. VAT 20 % on each rounded share: 116.67 (116.666),
150.00, 233.33 (233.334)."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.fees.models import Key, Run
from gie_erp.fees.selectors import run_preview
from gie_erp.fees.services import pool_source_add, run_post, run_undo
from invoices.models import Document
from invoices.payments import payment_record
from invoices.services import credit_note_create, documents_validate
from ledger.models import Entry
from members.models import Organization
from tests.fees.conftest import JAN_1, JAN_31, TODAY, D, balance, cr, dr, pool, post, tagged
from tests.invoices.conftest import line
from tests.sales.books_view import assert_books_verify, entries


def _january_sales(f: dict[str, Any]) -> None:
    book = f["book"]
    for key, member, amount in (
        ("s1", f["exempt"], "700.00"),
        ("s2", f["registered"], "900.00"),
        ("s3", f["tapis"], "1400.00"),
    ):
        post(book, JAN_31.replace(day=20), key, dr("5161", amount), cr("4463", amount, member))
    post(book, JAN_31.replace(day=5), "rent", dr("61312", "2500.00"), cr("5141", "2500.00"))


def test_a_pool_split_by_sales_gives_the_issues_figures(fees: dict[str, Any]) -> None:
    f = fees
    _january_sales(f)
    premises = pool("locaux", "61312", key=Key.SALES)
    preview = run_preview(premises, JAN_1, JAN_31)
    assert preview.pool_amount.costs == D("2500.00")
    assert preview.pool_amount.amount == D("2500.00")
    by_slug = {org.slug: line for org, line in preview.lines}
    assert {s: (ln.weight, ln.share, ln.vat, ln.total) for s, ln in by_slug.items()} == {
        "coop-olive": (D("700.00"), D("583.33"), D("116.67"), D("700.00")),
        "coop-miel": (D("900.00"), D("750.00"), D("150.00"), D("900.00")),
        "coop-tapis": (D("1400.00"), D("1166.67"), D("233.33"), D("1400.00")),
    }
    assert by_slug["coop-olive"].exact == D("583.333333")
    assert preview.split.total_share == D("2500.00")
    assert preview.split.total == D("3000.00")

    run = run_post(
        pool=premises, starts_on=JAN_1, ends_on=JAN_31, expected_total=D("3000.00"), acting_user=f["staff"], today=TODAY
    )
    shares = {s.organization.slug: s for s in run.shares.select_related("organization", "document")}
    docs = {slug: s.document for slug, s in shares.items() if s.document is not None}
    assert len(docs) == 3
    assert {s: (x.share, x.vat, docs[s].total_gross) for s, x in shares.items()} == {
        "coop-olive": (D("583.33"), D("116.67"), D("700.00")),
        "coop-miel": (D("750.00"), D("150.00"), D("900.00")),
        "coop-tapis": (D("1166.67"), D("233.33"), D("1400.00")),
    }
    for slug, document in docs.items():
        stored = Document.objects.get(pk=document.pk)  # written in bulk: read back what the database holds
        assert stored.customer_snapshot["code"] == slug
        assert stored.number.startswith("FA-2026-")
        assert stored.validated_at is not None
        assert stored.status == Document.Status.VALIDATED
        assert document.origin == Document.Origin.FEE_RUN
        assert document.issued_on == JAN_31
    gie = f["gie"]
    assert balance(gie, "7124") == D("-2500.00")
    assert balance(gie, "44551") == D("-500.00")
    assert balance(gie, "3463", f["tapis"]) == D("1400.00")
    assert_books_verify()


def test_equal_shares_with_vat_an_exempt_member_expenses_it_a_registered_one_recovers_it(fees: dict[str, Any]) -> None:
    """10,000.00 equally among three: 3,333.34 (the centime to the smallest id: olive) + 666.67 (666.668);
    3,333.33 + 666.67 (666.666) twice."""
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"))
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    got = {s.organization.slug: (s.share, s.vat, s.total) for s in run.shares.select_related("organization")}
    assert got == {
        "coop-olive": (D("3333.34"), D("666.67"), D("4000.01")),
        "coop-miel": (D("3333.33"), D("666.67"), D("4000.00")),
        "coop-tapis": (D("3333.33"), D("666.67"), D("4000.00")),
    }
    olive, miel, gie = f["exempt"], f["registered"], f["gie"]
    assert entries(olive, prefix="invoice:")[f"invoice:{run.shares.get(organization=olive).document_id}:buyer"] == (
        "2026-01-31",
        sorted([f"Dr 6136·{gie.slug} 3333.34", "Dr 6136 666.67", f"Cr 4488·{gie.slug} 4000.01"]),
    )
    miel_doc = run.shares.get(organization=miel).document_id
    assert entries(miel, prefix="invoice:")[f"invoice:{miel_doc}:buyer"] == (
        "2026-01-31",
        sorted([f"Dr 6136·{gie.slug} 3333.33", "Dr 34554 666.67", f"Cr 4488·{gie.slug} 4000.00"]),
    )
    assert balance(gie, "7124") == D("-10000.00")
    assert balance(gie, "44551") == D("-2000.01")
    assert_books_verify()


def test_the_fairs_pool_is_net_of_commissions_and_the_training_pool_takes_only_its_tags(fees: dict[str, Any]) -> None:
    """Fairs: stand costs 5,000.00 (61443) less commissions 1,400.00 (71272) = 3,600.00, 1,200.00 each.
    Training: 61365 tagged training:s1 2,000.00 less its fees 1,050.00 (7124) and subsidy 350.00 (7161) = 600.00;
    the accounting pool's untagged 61365 is the other 900.00 only."""
    f = fees
    book, olive = f["book"], f["exempt"]
    post(book, JAN_31.replace(day=3), "stand", dr("61443", "5000.00"), cr("5141", "5000.00"))
    post(book, JAN_31.replace(day=28), "comm", dr("3463", "1400.00", olive), cr("71272", "1400.00", olive))
    post(book, JAN_31.replace(day=10), "trainer", tagged(dr("61365", "2000.00"), "training:s1"), cr("5141", "2000.00"))
    post(book, JAN_31.replace(day=11), "lawyer", dr("61365", "900.00"), cr("5141", "900.00"))
    post(
        book,
        JAN_31.replace(day=12),
        "tfees",
        dr("3463", "1400.00", olive),
        tagged(cr("7124", "1050.00", olive), "training:s1"),
        tagged(cr("7161", "350.00"), "training:s1"),
    )
    fairs = pool("foires", "61443", "71272", key=Key.EQUAL)
    training = pool("formation", "61365@training:", "7124@training:", "7161@training:", key=Key.EQUAL)
    accounting = pool("compta", "61365", key=Key.EQUAL)
    fair_amount = run_preview(fairs, JAN_1, JAN_31).pool_amount
    assert (fair_amount.costs, fair_amount.recovered, fair_amount.amount) == (D("5000.00"), D("1400.00"), D("3600.00"))
    assert [ln.share for _, ln in run_preview(fairs, JAN_1, JAN_31).lines] == [D("1200.00")] * 3
    t = run_preview(training, JAN_1, JAN_31).pool_amount
    assert (t.costs, t.recovered, t.amount) == (D("2000.00"), D("1400.00"), D("600.00"))
    assert run_preview(accounting, JAN_1, JAN_31).pool_amount.amount == D("900.00")


def test_a_replayed_run_posts_nothing_and_an_overlapping_period_is_refused(fees: dict[str, Any]) -> None:
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    first = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    counts = (Document.objects.count(), Entry.objects.count())
    again = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert again.pk == first.pk
    assert (Document.objects.count(), Entry.objects.count()) == counts
    with pytest.raises(DomainError) as caught:
        run_post(
            pool=accounting,
            starts_on=JAN_1.replace(day=15),
            ends_on=JAN_31.replace(month=3, day=31),
            acting_user=f["staff"],
            today=TODAY,
        )
    assert caught.value.code == ErrorCode.FEES_PERIOD_OVERLAP
    assert "annulez d'abord" in caught.value.message()
    assert (Document.objects.count(), Entry.objects.count()) == counts


def test_a_preview_that_changed_is_refused(fees: dict[str, Any]) -> None:
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))  # 100.00 + 20.00 each: 360.00
    with pytest.raises(DomainError) as caught:
        run_post(
            pool=accounting,
            starts_on=JAN_1,
            ends_on=JAN_31,
            expected_total=D("350.00"),
            acting_user=f["staff"],
            today=TODAY,
        )
    assert caught.value.code == ErrorCode.FEES_PREVIEW_CHANGED
    assert Run.objects.count() == 0
    assert Document.objects.count() == 0


def test_nothing_to_share_is_refused(fees: dict[str, Any]) -> None:
    f = fees
    post(f["book"], JAN_31, "comm", dr("5161", "100.00"), cr("71272", "100.00"))
    fairs = pool("foires", "71272", key=Key.EQUAL)
    with pytest.raises(DomainError) as caught:
        run_preview(fairs, JAN_1, JAN_31)
    assert caught.value.code == ErrorCode.FEES_NOTHING_TO_SHARE


def test_undoing_a_run_credits_every_invoice_and_restores_every_balance(fees: dict[str, Any]) -> None:
    f = fees
    _january_sales(f)
    premises = pool("locaux", "61312", key=Key.SALES)
    watched = [(f["gie"], "7124"), (f["gie"], "44551"), (f["gie"], "3463"), (f["exempt"], "6136"),
               (f["exempt"], "4488"), (f["registered"], "34554"), (f["tapis"], "4488")]  # fmt: skip
    before = [balance(org, code) for org, code in watched]
    run = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert balance(f["gie"], "7124") == D("-2500.00")
    with pytest.raises(DomainError) as caught:
        run_undo(run=run, reason="  ", acting_user=f["staff"], today=TODAY)
    assert caught.value.code == ErrorCode.FEES_REASON_REQUIRED
    run_undo(run=run, reason="clé de répartition corrigée", acting_user=f["staff"], today=TODAY)
    run.refresh_from_db()
    assert run.state == Run.State.UNDONE
    assert [balance(org, code) for org, code in watched] == before
    notes = list(Document.objects.filter(kind=Document.Kind.CREDIT_NOTE).order_by("pk"))
    assert sorted(n.total_gross for n in notes) == [D("700.00"), D("900.00"), D("1400.00")]
    assert {n.issued_on for n in notes} == {TODAY}  # the day of the undo (see test_run_dates.py)
    run_undo(run=run, reason="again", acting_user=f["staff"], today=TODAY)  # a replay does nothing
    assert Document.objects.filter(kind=Document.Kind.CREDIT_NOTE).count() == 3
    # the period can be run again: new invoices, new keys
    redo = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert redo.pk != run.pk
    assert redo.generation == 1
    assert balance(f["gie"], "7124") == D("-2500.00")
    assert_books_verify()


def test_a_member_without_an_address_is_named_and_nothing_is_posted(fees: dict[str, Any]) -> None:
    """Regression: a run stopped on "Mention obligatoire manquante : adresse du client." without saying whose."""
    f = fees
    Organization.objects.filter(pk=f["tapis"].pk).update(address="")
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    with pytest.raises(DomainError) as caught:
        run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert caught.value.message() == "Coopérative Zarbia : mention obligatoire manquante : adresse du client."
    assert Run.objects.count() == 0
    assert Document.objects.count() == 0


def test_a_pool_of_debours_bills_at_cost_without_vat_and_stays_out_of_the_gies_result(fees: dict[str, Any]) -> None:
    """The GIE paid 900.00 of transport in its members' name (Dr 3488 / Cr 5141): re-billed at cost, no VAT, equally
    300.00 each; the GIE's book: Dr 3463·member 300.00 / Cr 3488 300.00 (nothing in classes 6 and 7); the member's:
    Dr 6142 transport / Cr 4488·GIE. A replay finds the same 900.00 (the run's own lines never feed a pool)."""
    f = fees
    post(f["book"], JAN_31.replace(day=8), "transport", dr("3488", "900.00"), cr("5141", "900.00"))
    debours = pool(
        "debours",
        "3488",
        key=Key.EQUAL,
        kind="debours",
        vat_code="debours",
        revenue_account="3488",
        member_account="6142",
    )
    run = run_post(pool=debours, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    got = {s.organization.slug: (s.share, s.vat) for s in run.shares.select_related("organization")}
    assert got == {slug: (D("300.00"), D("0.00")) for slug in ("coop-olive", "coop-miel", "coop-tapis")}
    gie, miel = f["gie"], f["registered"]
    assert balance(gie, "3488") == D("0.00")
    assert balance(gie, "7124") == D("0.00")
    assert balance(gie, "44551") == D("0.00")
    assert balance(gie, "3463", miel) == D("300.00")
    assert balance(miel, "6142") == D("300.00")
    assert balance(miel, "34554") == D("0.00")
    assert run_preview(debours, JAN_1, JAN_31).pool_amount.amount == D("900.00")
    assert run_post(pool=debours, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY).pk == run.pk
    assert_books_verify()


def test_a_key_changed_after_posting_needs_the_undo_first(fees: dict[str, Any]) -> None:
    f = fees
    _january_sales(f)
    premises = pool("locaux", "61312", key=Key.EQUAL)
    run = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    premises.key = Key.SALES
    premises.save()
    with pytest.raises(DomainError) as caught:
        run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert caught.value.code == ErrorCode.FEES_RUN_CHANGED
    run_undo(run=run, reason="clé votée : ventes", acting_user=f["staff"], today=TODAY)
    redo = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert sorted(redo.shares.values_list("share", flat=True)) == [D("583.33"), D("750.00"), D("1166.67")]


def test_an_exempt_gie_bills_its_fees_without_vat(fees: dict[str, Any]) -> None:
    """Regression: a GIE exempt under art. 91 could not run a pool at 20 % (its invoices refuse VAT lines)."""
    f = fees
    Organization.objects.filter(pk=f["gie"].pk).update(vat_status=Organization.VatStatus.EXEMPT)
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    preview = run_preview(accounting, JAN_1, JAN_31)
    assert preview.vat_rate.code == "exonere-91"
    assert preview.split.total == D("300.00")
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    assert run.vat_code == "exonere-91"
    assert sorted((s.share, s.vat) for s in run.shares.all()) == [(D("100.00"), D("0.00"))] * 3
    assert balance(f["gie"], "44551") == D("0.00")
    assert balance(f["gie"], "7124") == D("-300.00")
    assert run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY).pk == run.pk


def test_a_registered_members_vat_is_recovered_when_it_pays(fees: dict[str, Any]) -> None:
    """The 10,000.00 equal pool: miel (VAT-registered) holds 666.67 in 34554 (transit) until it pays its 4,000.00;
    paid by transfer on 15 February, the VAT moves to 34552 (deductible) and the GIE's 666.67 from 44551 to 4455."""
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"))
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    miel, gie = f["registered"], f["gie"]
    share = run.shares.select_related("document__customer").get(organization=miel)
    assert share.document is not None
    assert (balance(miel, "34554"), balance(miel, "34552")) == (D("666.67"), D("0.00"))
    payment_record(
        payer=share.document.customer,
        collected_by=gie,
        documents=[share.document],
        received_on=JAN_31.replace(month=2, day=15),
        method="transfer",
        amount=D("4000.00"),
        idempotency_key="fee-paid-miel",
        today=JAN_31.replace(month=2, day=16),
    )
    assert (balance(miel, "34554"), balance(miel, "34552")) == (D("0.00"), D("666.67"))
    assert balance(miel, "4488", gie) == D("0.00")
    assert balance(gie, "3463", miel) == D("0.00")
    assert balance(gie, "4455") == D("-666.67")
    assert_books_verify()


def test_a_run_undone_after_a_credit_note_made_by_hand_credits_only_what_is_left(fees: dict[str, Any]) -> None:
    """Regression (user pass): a fee invoice credited by hand (100.00 HT of olive's 3,333.34) left its run impossible
    to undo ("Il ne reste rien à créditer"). The undo now credits the rest: 3,233.34 HT + 646.67 VAT; tapis's
    invoice, credited whole by hand, is skipped."""
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"))
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    olive = run.shares.get(organization=f["exempt"]).document
    tapis = run.shares.get(organization=f["tapis"]).document
    assert olive is not None
    assert tapis is not None
    by_hand = credit_note_create(
        invoice=olive, issued_on=JAN_31, lines=[line("Geste", "1", "100.00", "normal-20", account_code="7124")]
    )
    whole = credit_note_create(invoice=tapis, issued_on=JAN_31)
    documents_validate(document_ids=[by_hand.pk, whole.pk], today=TODAY)
    run_undo(run=run, reason="erreur de clé", acting_user=f["staff"], today=TODAY)
    olive.refresh_from_db()
    tapis.refresh_from_db()
    assert (olive.creditable, tapis.creditable) == (D("0.00"), D("0.00"))
    note = run.shares.get(organization=f["exempt"]).credit_note
    assert note is not None
    assert (note.total_net, note.total_vat) == (D("3233.34"), D("646.67"))
    assert run.shares.get(organization=f["tapis"]).credit_note is None
    assert balance(f["gie"], "7124") == D("0.00")
    assert_books_verify()


def test_a_period_not_ended_is_previewed_but_not_billed(fees: dict[str, Any]) -> None:
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    assert run_preview(accounting, JAN_1, JAN_31).split.total == D("360.00")
    # regression (user pass 2): the period was billed on its last day; it is billed from the day after
    for today in (JAN_31.replace(day=30), JAN_31):
        with pytest.raises(DomainError) as caught:
            run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=today)
        assert caught.value.message() == (
            "La période n'est pas terminée : elle se facture à partir du 01/02/2026 (l'aperçu reste possible)."
        )
    assert Run.objects.count() == 0
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, today=JAN_31.replace(month=2, day=1))
    assert run.issued_on == JAN_31


def test_nothing_to_share_says_what_the_pool_holds(fees: dict[str, Any]) -> None:
    accounting = pool("vide", "61312", key=Key.EQUAL)
    with pytest.raises(DomainError) as caught:
        run_preview(accounting, JAN_1, JAN_31)
    assert caught.value.message() == (
        "Ce pool n'a rien à répartir sur la période : coûts 0,00, déjà recouvré 0,00, montant fixe 0,00, soit 0,00."
    )


def test_accounts_outside_the_chart_or_of_the_wrong_class_are_refused(fees: dict[str, Any]) -> None:
    """Regression (user pass): 6132 (not in the chart) was taken as a source, 7124 as the member's expense."""
    accounting = pool("compta", key=Key.EQUAL)
    with pytest.raises(ValidationError) as source:
        pool_source_add(pool=accounting, account_code="6132")
    assert source.value.message_dict == {"account_code": ["Le compte 6132 n'est pas dans le plan comptable."]}
    accounting.member_account = "7124"
    with pytest.raises(ValidationError) as member:
        accounting.full_clean()
    assert member.value.message_dict == {
        "member_account": ["Le compte de charge du membre est un compte de la classe 6."]
    }
