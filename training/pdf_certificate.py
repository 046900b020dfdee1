"""The certificate of attendance ("attestation de formation"): one A4 landscape page per certificate, in French and
Arabic side by side whatever the reader's interface language, on the shared PDF base (``gie_erp.core.pdf``).

It names the GIE that delivers it (French and Arabic, from the GIE's organization), the person (French and Arabic
names), the cooperative, the course (title in both languages, its pictogram), the dates, the hours and the place, the
day it was delivered, a signature box, and the public verification code: the certificate's token, printed in groups of
four for reading, and a QR code to ``{SITE_URL}/verify/certificate/<token>/``. A person whose data was erased on
request keeps the certificate; the page then prints the erasure marker instead of a name.

A session's batch is one document of one page per certificate, rendered in one pass (the fonts and the stylesheets are
loaded once per process by the PDF base); each certificate's box has a fixed height, so a long title is clipped
rather than pushed onto a second page, and ``max_pages`` checks it.
"""

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from gie_erp.core import pictograms
from gie_erp.core.i18n import format_day
from gie_erp.core.pdf import BILINGUAL_CSS, Words, qr_svg, render_pdf
from members.models import Cooperator, Organization
from training.models import Certificate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "training"
CERTIFICATE_CSS = TEMPLATE_DIR / "certificates" / "certificate.css"
#: the drawing printed when the course has none (or names one the PDF base does not ship)
DEFAULT_PICTOGRAM = "cap"
TOKEN_GROUP = 4
#: beyond these lengths (characters) a name or a course title is printed smaller, so that it stays in its box
LONG_NAME = 30
LONGER_NAME = 50
LONG_TITLE = 60
LONGER_TITLE = 110

TITLE = Words("Attestation de formation", "شهادة تكوين")
CERTIFIES = Words("atteste que", "تشهد")
THAT = Words("", "بأن")
MEMBER_OF = Words("membre de", "عضو في")
MEMBER_OF_F = Words("membre de", "عضوة في")
FOLLOWED = Words("a suivi la formation", "قد تابع التكوين")
FOLLOWED_F = Words("a suivi la formation", "قد تابعت التكوين")
FROM = Words("du", "من")
TO = Words("au", "إلى")
HOURS = Words("heures", "ساعة")
AT = Words("à", "في")
DELIVERED = Words("Délivrée le", "سُلّمت بتاريخ")
SIGN = Words("Pour le GIE (signature et cachet)", "عن المجموعة (التوقيع والخاتم)")
CODE = Words("Code de vérification", "رمز التحقق")
CHECK = Words(
    "Vérifiez cette attestation en scannant le code ou à l'adresse :",
    "تحقق من صحة هذه الشهادة بمسح الرمز أو على العنوان:",
)
ERASED = Words("Personne effacée à sa demande", "شخص حُذفت بياناته بطلب منه")
ON = Words("le", "يوم")
#: every wording above, by name, for the template
WORDS = {name: value for name, value in list(globals().items()) if isinstance(value, Words)}


def verify_url(token: str) -> str:
    """Where the QR code points: ``{SITE_URL}/verify/certificate/<token>/`` (the bare path when SITE_URL is unset,
    as on the invoices)."""
    path = reverse("training_public:verify_certificate", kwargs={"token": token})
    return f"{(getattr(settings, 'SITE_URL', '') or '').rstrip('/')}{path}"


def grouped(token: str, size: int = TOKEN_GROUP) -> str:
    """``AbCd EfGh …``: the code in groups for reading aloud or typing (the check page ignores the spaces)."""
    return " ".join(token[i : i + size] for i in range(0, len(token), size))


def is_erased(cooperator: Cooperator) -> bool:
    return getattr(cooperator, "erased_on", None) is not None


def hours_text(hours: Decimal) -> str:
    """``15``, ``7,5``: the course's duration without a useless ``,0``."""
    text = f"{hours.normalize():f}"
    return text.replace(".", ",")


def pictogram(name: str) -> SafeString:
    """The course's drawing as the PDF base ships it (a PNG decoded once per process); the cap by default."""
    if name not in pictograms.SOURCES or not (pictograms.PNG_DIR / f"{name}.png").exists():
        name = DEFAULT_PICTOGRAM
    return format_html('<img class="pict" src="{}" alt="">', (pictograms.PNG_DIR / f"{name}.png").as_uri())


def issuer() -> Organization | None:
    """The GIE that delivers every certificate."""
    return Organization.objects.filter(kind=Organization.Kind.GIE).first()


def certificates_for_print(ids: Sequence[int]) -> list[Certificate]:
    """The certificates with everything a page prints, in the given order."""
    found = Certificate.objects.select_related(
        "enrolment__cooperator",
        "enrolment__organization",
        "enrolment__session__course",
        "enrolment__session__commune",
    ).in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def _size(text_lengths: Sequence[int], long: int, longer: int | None = None) -> str:
    """The CSS size class of a name or a title by its longest language."""
    length = max(text_lengths, default=0)
    if longer is not None and length > longer:
        return "longer"
    return "long" if length > long else ""


def _place(session: Any, *, arabic: bool) -> str:
    commune = session.commune
    names = (commune.name_ar or commune.name_fr, commune.name_fr) if commune is not None else ("", "")
    commune_name = names[0] if arabic else names[1]
    return " · ".join(part for part in (session.place, commune_name) if part)


def page_context(certificate: Certificate) -> dict[str, Any]:
    """One page's facts, already formatted: the template holds no rule."""
    enrolment = certificate.enrolment
    person, session, organization = enrolment.cooperator, enrolment.session, enrolment.organization
    course = session.course
    erased = is_erased(person)
    female = person.gender == Cooperator.Gender.FEMALE
    name_fr = ERASED.fr if erased else f"{person.first_name_fr} {person.last_name_fr}".strip()
    name_ar = ERASED.ar if erased else (person.full_name_ar or name_fr)
    return {
        "name_fr": name_fr,
        "name_ar": name_ar,
        "name_ar_is_latin": not erased and not person.full_name_ar,
        "name_size": _size([len(name_fr), len(name_ar)], LONG_NAME, LONGER_NAME),
        "coop_fr": organization.legal_name_fr,
        "coop_ar": organization.legal_name_ar or organization.legal_name_fr,
        "course_fr": course.title_fr,
        "course_ar": course.title_ar or course.title_fr,
        "course_ar_is_latin": not course.title_ar,
        "course_size": _size([len(course.title_fr), len(course.title_ar)], LONG_TITLE, LONGER_TITLE),
        "one_day": session.starts_on == session.ends_on,
        "starts_on": format_day(session.starts_on),
        "ends_on": format_day(session.ends_on),
        "hours": hours_text(course.duration_hours),
        "place_fr": _place(session, arabic=False),
        "place_ar": _place(session, arabic=True),
        "member_of": MEMBER_OF_F if female else MEMBER_OF,
        "followed": FOLLOWED_F if female else FOLLOWED,
        "pictogram": pictogram(course.pictogram),
        "issued_on": format_day(certificate.issued_on),
        "code": grouped(certificate.token),
        "url": verify_url(certificate.token),
        "qr": qr_svg(verify_url(certificate.token)),
        "reference": f"{session.slug} · {certificate.pk}",
    }


def certificates_html(certificates: Sequence[Certificate]) -> str:
    gie = issuer()
    return render_to_string(
        "training/pdf/certificate.html",
        {
            "w": WORDS,
            "gie_fr": gie.legal_name_fr if gie else "",
            "gie_ar": (gie.legal_name_ar or gie.legal_name_fr) if gie else "",
            "pages": [page_context(c) for c in certificates],
        },
    )


def certificates_pdf(certificates: Sequence[Certificate]) -> bytes:
    """One A4 landscape page per certificate, in the order given (raises PageOverflow if one would spill)."""
    html = certificates_html(certificates)
    return render_pdf(
        html, base_url=TEMPLATE_DIR, stylesheets=[BILINGUAL_CSS, CERTIFICATE_CSS], max_pages=max(1, len(certificates))
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """One certificate, one page."""
    return certificates_pdf(certificates_for_print([certificate.pk]))


def file_name(certificate: Certificate) -> str:
    return f"attestation-{certificate.enrolment.session.slug}-{certificate.pk}.pdf"


def batch_file_name(session_slug: str) -> str:
    return f"attestations-{session_slug}.pdf"
