"""A funder's report for one grant, as a PDF in French and Arabic side by side (issue 13, point 8), on the shared PDF
base (``gie_erp.core.pdf``): what the funder asks for — the sessions it funded, the participants by gender and age
band, attendance, certificates — and the money: the fees billed (the members' share and the funder's), the subsidies
earned, the funder's payments under the grant and what it still owes.

The figures are ``training.reports.grant_report``'s, already computed; this module only words and formats them. The
fixed wording is data printed in both languages whatever the reader's interface (``Words``), like the settlement
note's."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from gie_erp.core import pictograms
from gie_erp.core.exports import safe_filename
from gie_erp.core.i18n import format_day
from gie_erp.core.pdf import BILINGUAL_CSS, Words, amount_html, render_pdf
from members.models import Organization
from training.models import Grant
from training.reports import AGE_BAND_BY_KEY, GENDER_WORDS, GrantReport

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "training" / "pdf"

TITLE = Words("Rapport de formation au financeur", "تقرير التكوين للممول")
FUNDER = Words("Financeur", "الممول")
GRANT = Words("Convention", "الاتفاقية")
PERIOD = Words("Période", "المدة")
SUMMARY = Words("En bref", "باختصار")
SESSIONS = Words("Sessions financées", "الدورات الممولة")
PARTICIPANTS = Words("Participants (personnes)", "المشاركون (أشخاص)")
ENROLMENTS = Words("Inscriptions", "التسجيلات")
WOMEN = Words("Femmes", "نساء")
MEN = Words("Hommes", "رجال")
ATTENDANCE = Words("Assiduité (demi-journées présentes / possibles)", "المواظبة (أنصاف الأيام المحضورة / الممكنة)")
CERTIFICATES = Words("Attestations délivrées", "الشهادات المسلمة")
MONEY = Words("Argent", "المال")
FEES = Words(
    "Frais facturés aux membres et à ce financeur (HT)", "المصاريف المفوترة للأعضاء ولهذا الممول (دون الضريبة)"
)
MEMBERS_BILLED = Words("dont facturé aux coopératives", "منها مفوتر للتعاونيات")
SUBSIDIES = Words("Subvention acquise (part du financeur)", "الدعم المستحق (حصة الممول)")
PAID = Words("Versements reçus", "الدفعات المستلمة")
OWED = Words("Reste dû par le financeur", "المتبقي على الممول")
BY_GENDER = Words("Participants par sexe", "المشاركون حسب الجنس")
BY_AGE = Words("Participants par tranche d'âge", "المشاركون حسب الفئة العمرية")
PEOPLE = Words("Personnes", "أشخاص")
DETAIL = Words("Sessions", "الدورات")
COURSE = Words("Formation", "التكوين")
DATES = Words("Dates", "التواريخ")
COMMUNE = Words("Commune", "الجماعة")
RATE = Words("Assiduité", "المواظبة")
CERTIFICATES_SHORT = Words("Attestations", "الشهادات")
SUBSIDY_SHORT = Words("Subvention (DH)", "الدعم (درهم)")
NO_SESSION = Words("Aucune session financée sous cette convention.", "لا توجد دورة ممولة في إطار هذه الاتفاقية.")
PAYMENTS = Words("Versements du financeur", "دفعات الممول")
NO_PAYMENT = Words("Aucun versement reçu.", "لم تستلم أي دفعة.")
RECEIVED_ON = Words("Reçu le", "تاريخ الاستلام")
REFERENCE = Words("Référence", "المرجع")
AMOUNT = Words("Montant", "المبلغ")
CURRENCY = Words("DH", "درهم")
TOTAL = Words("Total", "المجموع")
AGE_NOTE = Words(
    "Âge = année du début de la session - année de naissance.",
    "السن = سنة بداية الدورة - سنة الازدياد.",
)
SIGN_GIE = Words("Pour le GIE (signature et cachet)", "عن المجموعة (التوقيع والخاتم)")
SIGN_FUNDER = Words("Pour le financeur : reçu", "عن الممول: تم الاستلام")
PAGE = Words("Rapport au financeur", "تقرير للممول")
#: every wording above, by name, for the template
WORDS = {name: value for name, value in list(globals().items()) if isinstance(value, Words)}


def grant_report_file_name(grant: Grant) -> str:
    return safe_filename(f"rapport-{grant.funder.slug}-{grant.reference}.pdf", default="rapport-financeur.pdf")


def _rate(value: Decimal | None) -> str:
    """``87,5 %`` (a no-break space), or a dash when nothing was possible."""
    return "—" if value is None else f"{value}".replace(".", ",") + "\u00a0%"


def _dates(start: date, end: date) -> str:
    return format_day(start) if start == end else f"{format_day(start)} - {format_day(end)}"


def grant_report_context(report: GrantReport, *, printed_on: date) -> dict[str, Any]:
    """Everything the report prints, already formatted."""
    grant = report.grant
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).first()
    sessions = []
    for row in report.sessions:
        session = row.session
        commune = session.commune
        sessions.append(
            {
                "title_fr": session.course.title_fr,
                "title_ar": session.course.title_ar or session.course.title_fr,
                "dates": _dates(session.starts_on, session.ends_on),
                "commune_fr": commune.name_fr if commune else "",
                "commune_ar": commune.name_ar if commune else "",
                "participants": row.participants,
                "women": row.women,
                "men": row.men,
                "rate": _rate(row.rate),
                "certificates": row.certificates,
                "subsidy": amount_html(row.subsidy),
            }
        )
    genders = [
        {
            "words": GENDER_WORDS.get(row.key, Words(row.key, row.key)),
            "people": row.people,
            "enrolments": row.enrolments,
        }
        for row in report.by_gender
    ]
    ages = [
        {"words": AGE_BAND_BY_KEY[row.key].words, "people": row.people, "enrolments": row.enrolments}
        for row in report.by_age
    ]
    total = report.total
    return {
        "w": WORDS,
        "gie_fr": gie.legal_name_fr if gie else "",
        "gie_ar": gie.legal_name_ar if gie else "",
        "grant": grant,
        "funder": grant.funder,
        "period": _dates(grant.starts_on, grant.ends_on),
        "pict": pictograms.CAP,
        "summary": [
            (SESSIONS, str(len(report.sessions))),
            (PARTICIPANTS, str(total.people)),
            (WOMEN, str(total.women)),
            (MEN, str(total.men)),
            (ENROLMENTS, str(total.enrolments)),
            (ATTENDANCE, f"{_rate(report.rate)} ({total.present} / {total.possible})"),
            (CERTIFICATES, str(report.certificates)),
        ],
        "money": [
            (FEES, amount_html(report.fees)),
            (MEMBERS_BILLED, amount_html(report.members_billed)),
            (SUBSIDIES, amount_html(report.subsidies)),
            (PAID, amount_html(report.paid)),
            (OWED, amount_html(report.owed)),
        ],
        "genders": genders,
        "ages": ages,
        "sessions": sessions,
        "payments": [
            {"on": format_day(p.received_on), "reference": p.reference, "amount": amount_html(p.amount)}
            for p in report.payments
        ],
        "printed_on": format_day(printed_on),
        "reference": f"{grant.funder.slug} · {grant.reference}",
    }


def grant_report_html(report: GrantReport, *, printed_on: date) -> str:
    return render_to_string("training/pdf/grant_report.html", grant_report_context(report, printed_on=printed_on))


def grant_report_pdf(report: GrantReport, *, printed_on: date) -> bytes:
    """The report as PDF bytes (A4, as many pages as its sessions need; raises PdfRenderError if WeasyPrint warns)."""
    return render_pdf(
        grant_report_html(report, printed_on=printed_on), base_url=TEMPLATE_DIR, stylesheets=[BILINGUAL_CSS]
    )
