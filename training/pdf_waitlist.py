"""The printable waitlist of a session: whom the GIE phones when a seat frees up, first in line first.

People on it often do not read, so the sheet is for the GIE's staff holding a phone: big position numbers, the
name in French and Arabic, the cooperative, the person's phone and the cooperative's (its own number, else its
president's), and an empty box to tick once called. The fixed wording is printed in French and Arabic whatever the
reader's interface language (``Words``); built on the shared PDF base (``gie_erp.core.pdf``)."""

from datetime import date
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from gie_erp.core.i18n import format_day
from gie_erp.core.pdf import Words, render_pdf
from members.models import Cooperator, Organization
from training.models import Enrolment, Session
from training.selectors import waitlist

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "training" / "pdf"

TITLE = Words("Liste d'attente", "لائحة الانتظار")
SESSION = Words("Formation", "التكوين")
DATES = Words("Dates", "التواريخ")
PLACE = Words("Lieu", "المكان")
SEATS = Words("Places", "المقاعد")
TAKEN = Words("occupées", "محجوزة")
DEADLINE = Words("Date limite d'inscription", "آخر أجل للتسجيل")
POSITION = Words("Rang", "الرتبة")
NAME = Words("Nom", "الاسم")
COOPERATIVE = Words("Coopérative", "التعاونية")
PHONE = Words("Téléphone", "الهاتف")
COOP_PHONE = Words("Tél. coopérative", "هاتف التعاونية")
CALLED = Words("Appelé", "تم الاتصال")
NOBODY = Words("Personne n'attend une place.", "لا أحد في لائحة الانتظار.")
HOW = Words(
    "Quand une place se libère, le premier de la liste la prend : appelez-le pour le prévenir, puis cochez la case.",
    "عندما يتحرر مقعد، يأخذه الأول في اللائحة: اتصلوا به لإخباره، ثم ضعوا علامة في الخانة.",
)
PRINTED = Words("Imprimée le", "طُبعت في")
WORDS = {name: value for name, value in list(globals().items()) if isinstance(value, Words)}


def waitlist_file_name(session: Session) -> str:
    return f"liste-attente-{session.slug}.pdf"


def _cooperative_phones(organization_ids: set[int]) -> dict[int, str]:
    """Each cooperative's phone: its own number, else its president's (whom the GIE calls about its people)."""
    phones = dict(Organization.objects.filter(pk__in=organization_ids).values_list("pk", "phone"))
    missing = [pk for pk, phone in phones.items() if not phone]
    presidents = (
        Cooperator.objects.filter(organization_id__in=missing, function=Cooperator.Function.PRESIDENT, is_active=True)
        .exclude(phone="")
        .order_by("organization_id", "pk")
        .values_list("organization_id", "phone")
    )
    for pk, phone in presidents:
        phones[pk] = phones[pk] or phone
    return phones


def waitlist_context(session: Session, *, printed_on: date) -> dict[str, Any]:
    """Everything the sheet prints, already formatted: the template holds no rule."""
    session = Session.objects.select_related("course", "commune", "trainer").get(pk=session.pk)
    waiting = list(waitlist(session))
    phones = _cooperative_phones({e.organization_id for e in waiting})
    course = session.course
    days = format_day(session.starts_on)
    if session.ends_on != session.starts_on:
        days = f"{days} - {format_day(session.ends_on)}"
    commune = session.commune
    return {
        "w": WORDS,
        "session": session,
        "course_fr": course.title_fr,
        "course_ar": course.title_ar or course.title_fr,
        "days": days,
        "place_fr": ", ".join(p for p in (session.place, commune.name_fr if commune else "") if p),
        "place_ar": ", ".join(p for p in (session.place, commune.name_ar if commune else "") if p),
        "capacity": session.capacity,
        "seated": session.enrolments.filter(state=Enrolment.State.ENROLLED).count(),
        "deadline": format_day(session.enrolment_deadline),
        "rows": [
            {
                "position": e.waitlist_position,
                "name_fr": str(e.cooperator),
                "name_ar": e.cooperator.full_name_ar,
                "coop_fr": e.organization.legal_name_fr,
                "coop_ar": e.organization.legal_name_ar,
                "phone": e.cooperator.phone,
                "coop_phone": phones.get(e.organization_id, ""),
            }
            for e in waiting
        ],
        "printed_on": format_day(printed_on),
    }


def waitlist_html(session: Session, *, printed_on: date) -> str:
    return render_to_string("training/pdf/waitlist.html", waitlist_context(session, printed_on=printed_on))


def waitlist_pdf(session: Session, *, printed_on: date) -> bytes:
    """The sheet as PDF bytes (A4, as many pages as the list needs; raises PdfRenderError if WeasyPrint warns)."""
    return render_pdf(waitlist_html(session, printed_on=printed_on), base_url=TEMPLATE_DIR)
