"""Billing a session, the issue's hand-computed case: 350.00 HT per trainee, INDH paying 40 % for attendees.
A (coop-olive, exempt under art. 91) enrols 4 and B (coop-miel, VAT-registered) 1, all five attend every half-day;
C (coop-tapis) enrols 1 who cancels before the deadline.

Per attendee INDH pays 350 × 40 % = 140.00 and the member 210.00. A: 4 × 210 = 840.00 HT + 20 % = 168.00 VAT =
1,008.00; B: 210.00 + 42.00 = 252.00; C: nothing. INDH owes 5 × 140 = 700.00 (34512 / 7161 in the GIE's book)."""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from invoices.models import Document
from ledger.models import Entry
from tests.sales.books_view import assert_books_verify, entries
from tests.training.conftest import BILLED_ON, DEADLINE, ENROLLED_ON, TODAY, D, balance, people, training  # noqa: F401
from training.models import Enrolment, Subsidy, TrainingInvoice
from training.services import attendance_record, cancel, enrol, session_bill


def _all_present(t: dict[str, Any]) -> None:
    seated = list(
        Enrolment.objects.filter(session=t["session"], state=Enrolment.State.ENROLLED).values_list("pk", flat=True)
    )
    for half_day in t["half_days"]:
        attendance_record(session=t["session"], half_day=half_day, present_ids=seated, acting_user=t["trainer_user"])


def _issue_case(t: dict[str, Any]) -> None:
    session, staff = t["session"], t["staff"]
    for cooperator in people(t["exempt"], 4, "A") + people(t["registered"], 1, "B"):
        enrol(session=session, cooperator=cooperator, on=ENROLLED_ON, acting_user=staff)
    (c1,) = people(t["tapis"], 1, "C")
    c_enrolment = enrol(session=session, cooperator=c1, on=ENROLLED_ON, acting_user=staff)
    cancel(enrolment=c_enrolment, on=DEADLINE, acting_user=staff)  # on the deadline itself: still free
    _all_present(t)


def test_the_issues_session_is_billed_to_the_centime(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _issue_case(t)
    billing = session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    by_member = {i.organization.slug: i for i in billing.invoices}
    assert set(by_member) == {"coop-olive", "coop-miel"}  # C: nothing
    a, b = by_member["coop-olive"].document, by_member["coop-miel"].document
    assert (a.total_net, a.total_vat, a.total_gross) == (D("840.00"), D("168.00"), D("1008.00"))
    assert (b.total_net, b.total_vat, b.total_gross) == (D("210.00"), D("42.00"), D("252.00"))
    assert (by_member["coop-olive"].trainees, by_member["coop-miel"].trainees) == (4, 1)
    for document in (a, b):
        assert document.status == Document.Status.VALIDATED
        assert document.origin == Document.Origin.TRAINING
        assert document.origin_ref == "gestion-2026-11"
    line = a.lines.get()
    assert (line.quantity, line.unit_price, line.net, line.vat) == (D("4"), D("210.00"), D("840.00"), D("168.00"))
    assert line.description == "Formation « Gestion d'une coopérative » du 09/11/2026 au 11/11/2026"
    (subsidy,) = billing.subsidies
    assert (subsidy.funder.slug, subsidy.trainees, subsidy.amount) == ("indh", 5, D("700.00"))
    gie, olive, miel = t["gie"], t["exempt"], t["registered"]
    day = "2026-11-12"
    assert entries(gie) == {
        f"invoice:{a.pk}:issuer": (day, ["Cr 44551 168.00", "Cr 7124·coop-olive 840.00", "Dr 3463·coop-olive 1008.00"]),
        f"invoice:{b.pk}:issuer": (day, ["Cr 44551 42.00", "Cr 7124·coop-miel 210.00", "Dr 3463·coop-miel 252.00"]),
        f"training:{t['session'].pk}:subsidy:{t['indh'].pk}": (day, ["Cr 7161 700.00", "Dr 34512 700.00"]),
    }
    # A is exempt (art. 91): the VAT it is billed is a cost of its own, posted without a partner
    assert entries(olive) == {
        f"invoice:{a.pk}:buyer": ("2026-11-12", ["Cr 4488·gie 1008.00", "Dr 6136 168.00", "Dr 6136·gie 840.00"]),
    }
    # B deducts: its VAT waits in 34554 until it pays
    assert entries(miel) == {
        f"invoice:{b.pk}:buyer": ("2026-11-12", ["Cr 4488·gie 252.00", "Dr 34554 42.00", "Dr 6136·gie 210.00"]),
    }
    assert entries(t["tapis"]) == {}
    assert balance(gie, "34512") == D("700.00")
    assert balance(gie, "7161") == D("-700.00")
    assert balance(gie, "7124") == D("-1050.00")  # 840 + 210
    assert balance(gie, "44551") == D("-210.00")  # 168 + 42
    assert_books_verify()


def test_billing_twice_posts_nothing(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _issue_case(t)
    first = session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    counts = (Entry.objects.count(), Document.objects.count(), TrainingInvoice.objects.count(), Subsidy.objects.count())
    again = session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    assert (
        Entry.objects.count(),
        Document.objects.count(),
        TrainingInvoice.objects.count(),
        Subsidy.objects.count(),
    ) == counts
    assert [i.document_id for i in again.invoices] == [i.document_id for i in first.invoices]
    assert [s.amount for s in again.subsidies] == [D("700.00")]
    t["session"].refresh_from_db()
    assert (t["session"].billed_on, t["session"].state) == (BILLED_ON, "closed")
    assert_books_verify()


def test_waitlist_promotions_and_a_late_cancellation_are_billed(training: dict[str, Any]) -> None:  # noqa: F811
    """Two seats. X (miel) and Y (olive) are seated, Z then W (miel) wait. X cancels before the deadline: free, Z
    takes the seat. Y cancels after it: billed 350.00 (INDH pays attendees only, Y attended nothing), and W takes
    the seat after the deadline: billed like anyone. Z and W attend.

    coop-olive: 1 × 350.00 = 350.00 HT + 70.00 VAT = 420.00; coop-miel: 2 × 210.00 = 420.00 HT + 84.00 = 504.00;
    INDH: 2 × 140.00 = 280.00."""
    t = training
    session, staff = t["session"], t["staff"]
    session.capacity = 2
    session.save(update_fields=["capacity"])
    x, z, w = people(t["registered"], 3, "M")
    (y,) = people(t["exempt"], 1, "O")
    ex, ey, ez, ew = (enrol(session=session, cooperator=c, on=ENROLLED_ON, acting_user=staff) for c in (x, y, z, w))
    free = cancel(enrolment=ex, on=date(2026, 10, 25), acting_user=staff)
    assert free.enrolment.cancelled_late is False
    assert [p.pk for p in free.promoted] == [ez.pk]
    late = cancel(enrolment=ey, on=date(2026, 11, 5), acting_user=staff)
    assert late.enrolment.cancelled_late is True
    assert [p.pk for p in late.promoted] == [ew.pk]
    _all_present(t)
    billing = session_bill(session=session, on=BILLED_ON, acting_user=staff, today=TODAY)
    by_member = {i.organization.slug: i.document for i in billing.invoices}
    olive, miel = by_member["coop-olive"], by_member["coop-miel"]
    assert (olive.total_net, olive.total_vat, olive.total_gross) == (D("350.00"), D("70.00"), D("420.00"))
    assert (miel.total_net, miel.total_vat, miel.total_gross) == (D("420.00"), D("84.00"), D("504.00"))
    (line,) = olive.lines.all()
    assert (line.quantity, line.unit_price) == (D("1"), D("350.00"))
    assert line.description.endswith("· stagiaires absents ou annulés après la date limite")
    (line,) = miel.lines.all()
    assert (line.quantity, line.unit_price) == (D("2"), D("210.00"))
    assert [s.amount for s in billing.subsidies] == [D("280.00")]
    assert balance(t["gie"], "34512") == D("280.00")
    assert_books_verify()


def test_an_absent_trainee_pays_the_attendance_funders_part(training: dict[str, Any]) -> None:  # noqa: F811
    """Two olive trainees seated, one attends every half-day, the other none: two lines, 210.00 and 350.00
    (560.00 HT + 112.00 VAT); INDH pays for one: 140.00."""
    t = training
    present, absent = (
        enrol(session=t["session"], cooperator=c, on=ENROLLED_ON, acting_user=t["staff"])
        for c in people(t["exempt"], 2, "O")
    )
    for half_day in t["half_days"]:
        attendance_record(session=t["session"], half_day=half_day, present_ids=[present.pk], acting_user=t["staff"])
    billing = session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    (invoice,) = billing.invoices
    document = invoice.document
    assert [(ln.quantity, ln.unit_price) for ln in document.lines.order_by("position")] == [
        (D("1"), D("210.00")),
        (D("1"), D("350.00")),
    ]
    assert (document.total_net, document.total_vat) == (D("560.00"), D("112.00"))
    assert [(s.trainees, s.amount) for s in billing.subsidies] == [(1, D("140.00"))]
    assert absent.pk != present.pk


def test_a_session_is_billed_once_it_is_over_and_never_if_cancelled(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    with pytest.raises(DomainError) as refused:
        session_bill(session=t["session"], on=date(2026, 11, 10), acting_user=t["staff"], today=TODAY)
    assert refused.value.code == ErrorCode.TRAINING_NOT_ENDED
    t["session"].state = "cancelled"
    t["session"].save(update_fields=["state"])
    with pytest.raises(DomainError) as refused:
        session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    assert refused.value.code == ErrorCode.TRAINING_SESSION_CANCELLED
    assert Entry.objects.count() == 0


def test_a_billed_session_takes_no_more_attendance_nor_enrolment(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _issue_case(t)
    session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    with pytest.raises(DomainError) as refused:
        attendance_record(session=t["session"], half_day=t["half_days"][0], present_ids=[], acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_SESSION_BILLED
    seated = Enrolment.objects.filter(session=t["session"], state="enrolled").first()
    assert seated is not None
    with pytest.raises(DomainError) as refused:
        cancel(enrolment=seated, on=BILLED_ON, acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_SESSION_BILLED


def test_places_still_waiting_close_free_when_the_session_is_billed(training: dict[str, Any]) -> None:  # noqa: F811
    """QA: after billing, a trainee still showed "waiting, position 2" on a session that was over. One seat: M1
    seated, M2 and M3 wait; billing closes both waiting places (cancelled, not late: not billed)."""
    t = training
    session, staff = t["session"], t["staff"]
    session.capacity = 1
    session.save(update_fields=["capacity"])
    seated, second, third = (
        enrol(session=session, cooperator=c, on=ENROLLED_ON, acting_user=staff) for c in people(t["registered"], 3, "M")
    )
    _all_present(t)
    billing = session_bill(session=session, on=BILLED_ON, acting_user=staff, today=TODAY)
    assert [i.trainees for i in billing.invoices] == [1]  # the seated trainee only
    states = {e.pk: (e.state, e.waitlist_position, e.cancelled_late) for e in Enrolment.objects.filter(session=session)}
    assert states == {
        seated.pk: ("enrolled", None, False),
        second.pk: ("cancelled", None, False),
        third.pk: ("cancelled", None, False),
    }
