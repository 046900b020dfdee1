"""A session's money: the bill's preview and its confirmation, and the costs recorded against the session.

The GIE's staff and auditor read the bill's preview; the GIE's administrator and accountant bill and record costs.
Views parse, call one service of ``training.services`` and render; a refusal is shown as the service's message and
changes nothing. Today is read through ``session_detail.local_today`` (not imported by name) so that standing the
session's pages on a given day stands these on it too."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_day
from gie_erp.core.money import ZERO
from invoices.services import vat_rate_on
from invoices.totals import line_amounts
from members.models import Organization
from training import selectors
from training.billing import billed_enrolments, session_bill_plan
from training.forms_desk import BillForm, CostForm
from training.models import Funder, Session, Subsidy, TrainingInvoice
from training.services import session_bill, session_cost_record
from training.views import session_detail as detail

# Billing -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberBill:
    organization: Organization
    trainees: int
    lines: tuple[tuple[Decimal, int, Decimal, Decimal], ...]  # share, trainees, net, VAT
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True, slots=True)
class BillPreview:
    members: tuple[MemberBill, ...]
    funders: tuple[tuple[Funder, int, Decimal], ...]  # funder, trainees, total

    @property
    def net(self) -> Decimal:
        return sum((m.net for m in self.members), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((m.vat for m in self.members), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def funded(self) -> Decimal:
        return sum((total for _funder, _count, total in self.funders), ZERO)

    @property
    def checksum(self) -> Decimal:
        """What the confirmation must still find: every member's total and every funder's."""
        return self.gross + self.funded


def bill_preview(session: Session, on: date) -> BillPreview:
    """What billing on ``on`` would do, line by line as the invoices compute it (net, then VAT, rounded per line);
    nothing written. Raises DomainError when the course's VAT rate is not valid on that day."""
    plan = session_bill_plan(session)
    trainees = Counter(e.organization_id for e in billed_enrolments(session))
    rate = vat_rate_on(session.course.vat_code, on).rate
    organizations = Organization.objects.in_bulk(list(plan.lines))
    members = []
    for pk in sorted(plan.lines, key=lambda k: organizations[k].legal_name_fr):
        lines = []
        for share, count in sorted(plan.lines[pk].items()):
            amounts = line_amounts(quantity=Decimal(count), unit_price=share, discount_rate=Decimal(0), vat_rate=rate)
            lines.append((share, count, amounts.net, amounts.vat))
        members.append(
            MemberBill(
                organization=organizations[pk], trainees=trainees[pk], lines=tuple(lines),
                net=sum((line[2] for line in lines), ZERO), vat=sum((line[3] for line in lines), ZERO),
            )
        )  # fmt: skip
    funders = Funder.objects.in_bulk(list(plan.funder_totals))
    return BillPreview(
        members=tuple(members),
        funders=tuple(
            (funders[pk], plan.funder_trainees[pk], total)
            for pk, total in sorted(plan.funder_totals.items(), key=lambda item: funders[item[0]].name_fr)
        ),
    )


def _bill_refusal(session: Session, on: date) -> str:
    """Why the session cannot be billed on ``on`` (the service's own message), or an empty string."""
    if session.state == Session.State.CANCELLED:
        return DomainError(ErrorCode.TRAINING_SESSION_CANCELLED).message()
    if on < session.ends_on:
        return DomainError(ErrorCode.TRAINING_NOT_ENDED, date=format_day(session.ends_on)).message()
    return ""


@role_required(*detail.READ)
@require_http_methods(["GET", "POST"])
def session_bill_page(request: HttpRequest, session_slug: str) -> HttpResponse:
    """The bill's preview (per member its trainees, HT, VAT and total; per funder its total); a POST with the
    previewed total bills the session. Once billed, the invoices and subsidies it made."""
    session = selectors.session_for(request.user, session_slug)
    if request.method == "POST" and not detail.writes(request.user):
        raise PermissionDenied
    today = detail.local_today()
    data = request.POST if request.method == "POST" else (request.GET if "on" in request.GET else None)
    form = BillForm(data, initial={"on": today})
    on = form.cleaned_data["on"] if data is not None and form.is_valid() else today
    preview, refusal = None, ""
    if session.billed_on is None:
        refusal = _bill_refusal(session, on)
        try:
            preview = bill_preview(session, on)
        except DomainError as error:
            refusal = refusal or error.message()
    if request.method == "POST" and session.billed_on is None and preview is not None and form.is_valid():
        if refusal:
            messages.error(request, refusal)
        elif form.cleaned_data.get("expected") != preview.checksum:
            messages.error(request, DomainError(ErrorCode.TRAINING_BILL_CHANGED).message())
        else:
            try:
                session_bill(session=session, on=on, acting_user=request.user, today=today)
            except DomainError as error:
                messages.error(request, error.message())
            else:
                messages.success(request, _("Session facturée le %(date)s.") % {"date": format_day(on)})
                return redirect("training:session_bill", session_slug=session.slug)
    session.refresh_from_db()
    return render(
        request,
        "training/session/bill.html",
        {
            "session": session,
            "form": form,
            "on": on,
            "preview": preview,
            "refusal": refusal,
            "can_write": detail.writes(request.user),
            "invoices": TrainingInvoice.objects.filter(session=session).select_related("document", "organization"),
            "subsidies": Subsidy.objects.filter(session=session).select_related("funder"),
            "nav_template": detail.optional_template("training/_nav.html"),
        },
    )


# Costs -------------------------------------------------------------------------------------------------------------


@role_required(*detail.WRITE)
@require_POST
def session_costs(request: HttpRequest, session_slug: str) -> HttpResponse:
    """Record one cost of the session in the GIE's book (tagged with the session); the form's one-time key makes a
    double submit post once."""
    session = selectors.session_for(request.user, session_slug)
    form = CostForm(request.POST)
    if not form.is_valid():
        return detail.page_response(request, session, cost_form=form, status=400)
    data = form.cleaned_data
    try:
        ref = session_cost_record(
            session=session, kind=data["kind"], amount=data["amount"], spent_on=data["spent_on"],
            paid_from=data["paid_from"], reference=data["reference"], idempotency_key=data["key"],
            acting_user=request.user, today=detail.local_today(),
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message())
        return detail.page_response(request, session, cost_form=form, status=400)
    if getattr(ref, "created", True):
        messages.success(request, _("Coût enregistré (écriture %(number)s).") % {"number": ref.number})
    else:
        messages.info(
            request, _("Ce coût était déjà enregistré (écriture %(number)s) : rien de plus.") % {"number": ref.number}
        )
    return redirect(f"{reverse('training:session', args=[session.slug])}#result")


urlpatterns: list[URLPattern] = [
    path("sessions/<slug:session_slug>/bill/", session_bill_page, name="session_bill"),
    path("sessions/<slug:session_slug>/costs/", session_costs, name="session_costs"),
]
