"""Training's actions, one function each (every one owns its transaction, locks the session first, audits):
enrolment and cancellation with the waitlist, attendance, certificates, billing, a session's costs, funders'
payments. They live in one module per area; this module is the one place callers import them from."""

from training.attendance import attendance_record, certificates_issue
from training.billing import SessionBilling, session_bill
from training.enrolment import Cancellation, cancel, enrol, seats_fill
from training.funding import session_cost_record, subsidy_payment_record

__all__ = [
    "Cancellation",
    "SessionBilling",
    "attendance_record",
    "cancel",
    "certificates_issue",
    "enrol",
    "seats_fill",
    "session_bill",
    "session_cost_record",
    "subsidy_payment_record",
]
