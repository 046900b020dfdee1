"""The seam where a real e-invoicing adapter goes.

Morocco's DGI has announced e-invoicing with clearance (each invoice sent to the administration and validated
before it counts), but no technical specification is published: no format, no endpoint, no authentication, no
answer codes. Nothing here guesses them. What exists is what any clearance scheme will need: validated documents
are immutable and numbered without gaps, exportable as UBL 2.1 (``invoices/ubl.py``), and carry a submission state
(``Document.submission_state``, ``submission_ref``). A ``Submitter`` takes one document and its XML and says what
became of it; the default, ``NullSubmitter``, sends nothing anywhere.

When the specification is out, write an adapter class with a ``submit`` method (and no constructor arguments: it
reads its own settings) and name it in ``settings.GIE_EINVOICE_SUBMITTER`` as a dotted path. The caller — a service
that owns the transaction and records the state — is not this module's business: no network, no ORM writes here.
"""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from invoices.models import Document


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    state: str  # a Document.Submission value: "not_submitted", "submitted", "cleared" or "rejected"
    reference: str = ""  # the administration's reference for the document, once it gives one
    message: str = ""  # its answer, or why nothing was sent


@runtime_checkable
class Submitter(Protocol):
    def submit(self, document: Document, xml: bytes) -> SubmissionResult: ...


class NullSubmitter:
    """Submits nothing: the document stays "not_submitted" (no DGI specification to submit to yet)."""

    def submit(self, document: Document, xml: bytes) -> SubmissionResult:
        return SubmissionResult(
            state=Document.Submission.NOT_SUBMITTED,
            message="no e-invoicing submitter is configured (GIE_EINVOICE_SUBMITTER)",
        )


def submitter() -> Submitter:
    """The configured submitter (``settings.GIE_EINVOICE_SUBMITTER``, a dotted path), or a ``NullSubmitter``."""
    path = getattr(settings, "GIE_EINVOICE_SUBMITTER", None)
    if not path:
        return NullSubmitter()
    try:
        factory = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"GIE_EINVOICE_SUBMITTER: cannot import {path!r}: {error}") from error
    instance = factory()
    if not isinstance(instance, Submitter):
        raise ImproperlyConfigured(f"GIE_EINVOICE_SUBMITTER: {path!r} has no submit(document, xml) method")
    return instance
