"""Training: a catalogue of themes and courses, trainers, sessions with their half-days and funders, enrolments of
cooperators (capacity, waitlist), attendance per half-day, certificates, and the links to the invoices and the
subsidies a session's billing produced (issue 13; ``docs/training.md``)."""

from training.models.catalogue import Course, Funder, Grant, Theme, Trainer
from training.models.enrolment import Attendance, Certificate, Enrolment
from training.models.money import Subsidy, SubsidyPayment, TrainingInvoice
from training.models.sessions import HalfDay, Session, SessionFunder

__all__ = [
    "Attendance",
    "Certificate",
    "Course",
    "Enrolment",
    "Funder",
    "Grant",
    "HalfDay",
    "Session",
    "SessionFunder",
    "Subsidy",
    "SubsidyPayment",
    "Theme",
    "Trainer",
    "TrainingInvoice",
]
