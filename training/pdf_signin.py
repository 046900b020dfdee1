"""The sign-in sheet of a session (issue 13, point 4): A4 landscape, French and Arabic, printed before the session
and signed in the room, then entered in the attendance grid.

Each page repeats the header (course, dates, place, trainer, page x / y), then up to ``ROWS_PER_PAGE`` seated
trainees (number, name in French and Arabic, cooperative) with one box per half-day, big enough for a signature or a
thumbprint (many trainees do not write), and the trainer's signature at the foot. The pages are cut here, not by
the layout engine, so a sheet's length is known beforehand: ``ceil(trainees / ROWS_PER_PAGE)`` pages per group of
at most ``HALF_DAYS_PER_PAGE`` half-days (a longer session gets a second set of pages for its later half-days). The
render is checked against that count (``max_pages``): when rows grew taller than planned (a name on three lines),
the sheet is laid out again with fewer rows a page rather than spilling a page's end onto a half-empty one.

The fixed wording is printed in both languages whatever the reader's interface language (``Words``), like the other
documents of the PDF base.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from gie_erp.core.i18n import format_day
from gie_erp.core.pdf import PageOverflow, Words, render_pdf
from training.models import Enrolment, HalfDay, Session

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "training" / "pdf"
#: trainees per page: a box of 16 mm takes a thumbprint; eight of them, the header and the trainer's signature fill
#: an A4 landscape page
ROWS_PER_PAGE = 8
#: the fewest trainees a page holds when long names or a long title wrap (then more pages)
MIN_ROWS_PER_PAGE = 3
#: half-days side by side: six boxes of 27 mm beside the names; a longer session continues on further pages
HALF_DAYS_PER_PAGE = 6
#: the page's usable width (297 mm less the margins) and the fixed columns, in mm
PAGE_WIDTH_MM = Decimal(275)
NUMBER_MM, NAME_MM, COOPERATIVE_MM = Decimal(9), Decimal(62), Decimal(44)
BOX_MAX_MM = Decimal(40)

TITLE = Words("Feuille de présence", "ورقة الحضور")
COURSE = Words("Formation", "التكوين")
DATES = Words("Dates", "التواريخ")
FROM_TO = Words("du {start} au {end}", "من {start} إلى {end}")
PLACE = Words("Lieu", "المكان")
TRAINER = Words("Formateur", "المكوِّن")
PAGE = Words("Page", "الصفحة")
NUMBER = Words("N°", "رقم")
NAME = Words("Nom", "الاسم")
COOPERATIVE = Words("Coopérative", "التعاونية")
SIGN_HERE = Words("Signature ou empreinte", "التوقيع أو البصمة")
MORNING = Words("Matin", "صباحًا")
AFTERNOON = Words("Après-midi", "مساءً")
TRAINER_SIGNATURE = Words("Signature du formateur", "توقيع المكوِّن")
TRAINER_NOTE = Words(
    "Je certifie que les personnes ci-dessus ont signé en ma présence.",
    "أشهد أن الأشخاص المذكورين أعلاه وقّعوا بحضوري.",
)
PRINTED = Words("Imprimé le", "طُبع في")
NOBODY = Words("Aucun stagiaire inscrit.", "لا يوجد متدرب مسجل.")
#: every wording above, by name, for the template
WORDS = {name: value for name, value in list(globals().items()) if isinstance(value, Words)}


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    name_fr: str
    name_ar: str
    cooperative_fr: str
    cooperative_ar: str


@dataclass(frozen=True, slots=True)
class SheetColumn:
    day: str
    part: Words


@dataclass(frozen=True, slots=True)
class SheetPage:
    number: int
    rows: list[SheetRow]
    columns: list[SheetColumn]


def signin_file_name(session: Session) -> str:
    return f"feuille-presence-{session.slug}.pdf"


def chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    """``items`` cut into lists of ``size`` (the last one shorter); nothing gives one empty list (one page)."""
    return [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]


def page_count(trainees: int, half_days: int, rows_per_page: int = ROWS_PER_PAGE) -> int:
    """How many pages the sheet has: a set of pages per group of half-days, each as long as the list of trainees."""
    return max(1, math.ceil(trainees / rows_per_page)) * max(1, math.ceil(half_days / HALF_DAYS_PER_PAGE))


def box_width(half_days: int) -> Decimal:
    """One box's width in mm: the width beside the fixed columns shared by the half-days, never wider than 40 mm."""
    free = PAGE_WIDTH_MM - NUMBER_MM - NAME_MM - COOPERATIVE_MM
    return min(BOX_MAX_MM, (free / max(1, half_days)).quantize(Decimal("0.1")))


def sheet_rows(enrolments: Iterable[Enrolment]) -> list[SheetRow]:
    """The seated trainees in the order of the grid (French name, then enrolment)."""
    ordered = sorted(enrolments, key=lambda e: (e.cooperator.last_name_fr, e.cooperator.first_name_fr, e.pk))
    return [
        SheetRow(
            number=n,
            name_fr=str(e.cooperator).strip(),
            name_ar=e.cooperator.full_name_ar.strip(),
            cooperative_fr=e.organization.legal_name_fr,
            cooperative_ar=e.organization.legal_name_ar,
        )
        for n, e in enumerate(ordered, start=1)
    ]


def sheet_context(
    session: Session, *, enrolments: Iterable[Enrolment], printed_on: date, rows_per_page: int = ROWS_PER_PAGE
) -> dict[str, Any]:
    """Everything the sheet prints, already formatted and cut into pages: the template holds no rule."""
    session = Session.objects.select_related("course", "commune", "trainer__user").get(pk=session.pk)
    rows = sheet_rows(e for e in enrolments if e.state == Enrolment.State.ENROLLED)
    columns = [
        SheetColumn(f"{h.day:%d/%m}", MORNING if h.part == HalfDay.Part.MORNING else AFTERNOON)
        for h in HalfDay.objects.filter(session=session).order_by("day", "part")
    ]
    pages = [
        SheetPage(0, row_chunk, column_chunk)
        for column_chunk in chunks(columns, HALF_DAYS_PER_PAGE)
        for row_chunk in chunks(rows, rows_per_page)
    ]
    pages = [SheetPage(n, p.rows, p.columns) for n, p in enumerate(pages, start=1)]
    course, commune = session.course, session.commune
    start, end = format_day(session.starts_on), format_day(session.ends_on)
    one_day = session.starts_on == session.ends_on
    place_fr = ", ".join(p for p in (session.place, commune.name_fr if commune else "") if p)
    place_ar = "، ".join(p for p in (session.place, commune.name_ar if commune else "") if p)
    return {
        "w": WORDS,
        "session": session,
        "course_fr": course.title_fr,
        "course_ar": course.title_ar or course.title_fr,
        "dates_fr": start if one_day else FROM_TO.fr.format(start=start, end=end),
        "dates_ar": start if one_day else FROM_TO.ar.format(start=start, end=end),
        "place_fr": place_fr,
        "place_ar": place_ar,
        "trainer": str(session.trainer) if session.trainer else "",
        "pages": pages,
        "total_pages": len(pages),
        # CSS lengths written here: a template would localise the decimal point into a comma
        "box_width": f"{box_width(min(len(columns), HALF_DAYS_PER_PAGE))}mm",
        "number_width": f"{NUMBER_MM}mm",
        "name_width": f"{NAME_MM}mm",
        "cooperative_width": f"{COOPERATIVE_MM}mm",
        "printed_on": format_day(printed_on),
    }


def signin_sheet_html(session: Session, *, enrolments: Iterable[Enrolment], printed_on: date) -> str:
    return render_to_string(
        "training/pdf/signin.html", sheet_context(session, enrolments=enrolments, printed_on=printed_on)
    )


def signin_sheet_pdf(session: Session, *, enrolments: Iterable[Enrolment], printed_on: date) -> bytes:
    """The sheet as PDF bytes. A page that did not hold what was planned for it (names or a course title long
    enough to wrap on more lines) is laid out again with fewer trainees a page, down to ``MIN_ROWS_PER_PAGE``."""
    enrolments = list(enrolments)
    rows_per_page = ROWS_PER_PAGE
    while True:
        context = sheet_context(session, enrolments=enrolments, printed_on=printed_on, rows_per_page=rows_per_page)
        html = render_to_string("training/pdf/signin.html", context)
        try:
            return render_pdf(html, base_url=TEMPLATE_DIR, max_pages=context["total_pages"])
        except PageOverflow:
            if rows_per_page <= MIN_ROWS_PER_PAGE:
                raise
            rows_per_page -= 1
