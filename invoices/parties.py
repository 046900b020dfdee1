"""The customer and supplier register of the group, kept by the GIE: one register for every issuer.

Services save a party (``party_save``), mirror a member cooperative or the GIE as a party (``party_for_member``) and
import a sheet of parties (``parties_import``, all or nothing); selectors read the register for the GIE's staff. A
party that mirrors a member takes its identity from the member's file: those fields change with the member, never
through the form or an import.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gie_erp.core.audit import audit_record, audit_record_many
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.idempotency import retry_once_on_conflict
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, ImportReport, TableRow, read_table, validation_reason
from gie_erp.core.roles import sees_all_books
from invoices.models import Party
from members.imports import FALSE_WORDS, TRUE_WORDS, ColumnGuide
from members.legal_ids import normalize_ice
from members.models import Organization
from members.selectors import search_pattern

PARTY_CREATED = "invoices.party_created"
PARTY_UPDATED = "invoices.party_updated"

#: A register of customers and suppliers: a few thousand rows, at most tens of thousands.
PARTY_LIMITS = ImportLimits(max_bytes=5 * MB, max_rows=50_000)
MAX_PAYMENT_TERMS_DAYS = 365  # the model's check constraint, said here to parse a sheet and bound the form

#: What a person edits, in the form or an import; ``organization`` is set only by ``party_for_member``.
PARTY_FIELDS = (
    "code",
    "kind",
    "legal_name_fr",
    "legal_name_ar",
    "ice",
    "if_number",
    "rc_number",
    "address",
    "city",
    "phone",
    "email",
    "language",
    "payment_terms_days",
    "is_customer",
    "is_supplier",
    "is_active",
)
#: What a member's party takes from the member's file (the code is the member's slug when the party is created).
MEMBER_FIELDS = ("kind", "legal_name_fr", "legal_name_ar", "ice", "if_number", "rc_number", "address", "city")
MEMBER_OWNED = _("repris de la fiche du membre : modifiez-le sur la fiche du membre")

#: Import column → Party field. The column names are French: the sheet is filled in by the GIE's staff.
PARTY_COLUMNS = {
    "code": "code",
    "type": "kind",
    "raison_sociale_fr": "legal_name_fr",
    "raison_sociale_ar": "legal_name_ar",
    "ice": "ice",
    "if": "if_number",
    "rc": "rc_number",
    "adresse": "address",
    "ville": "city",
    "telephone": "phone",
    "email": "email",
    "langue": "language",
    "delai_paiement": "payment_terms_days",
    "client": "is_customer",
    "fournisseur": "is_supplier",
}
_COLUMN_OF = {field_name: column for column, field_name in PARTY_COLUMNS.items()}
KIND_WORDS = {
    "entreprise": Party.Kind.BUSINESS,
    "business": Party.Kind.BUSINESS,
    "particulier": Party.Kind.CONSUMER,
    "consumer": Party.Kind.CONSUMER,
}
LANGUAGE_WORDS = {"fr": Party.Language.FRENCH, "ar": Party.Language.ARABIC}


# Reads -----------------------------------------------------------------------------------------------------------


def party_qs_visible(*, user: Any) -> QuerySet[Party]:
    """The register is the GIE's: its staff and auditor read all of it, nobody else reads any of it."""
    if not getattr(user, "is_authenticated", False):
        return Party.objects.none()
    if user.is_superuser or sees_all_books(user.role):
        return Party.objects.select_related("organization")
    return Party.objects.none()


def party_get(*, user: Any, party_id: int) -> Party:
    try:
        return party_qs_visible(user=user).get(pk=party_id)
    except Party.DoesNotExist:
        raise Http404 from None


def party_search(
    *, user: Any, query: str = "", kind: str = "", role: str = "", active: bool | None = None
) -> QuerySet[Party]:
    """Parties ``user`` may read, by French name. ``query`` looks in both names and the city (whatever the accents
    and case), inside the code and at the start of the ICE; ``role`` is "customer" or "supplier"; an unknown
    ``kind`` or ``role`` filters nothing."""
    qs = party_qs_visible(user=user)
    if query:
        pattern = search_pattern(query)
        qs = qs.filter(
            Q(legal_name_fr__iregex=pattern)
            | Q(legal_name_ar__iregex=pattern)
            | Q(city__iregex=pattern)
            | Q(code__icontains=query)
            | Q(ice__startswith=query.replace(" ", ""))
        )
    if kind in Party.Kind.values:
        qs = qs.filter(kind=kind)
    if role == "customer":
        qs = qs.filter(is_customer=True)
    elif role == "supplier":
        qs = qs.filter(is_supplier=True)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("legal_name_fr", "code")


def party_ice_owner(*, ice: str, exclude_id: int | None = None) -> Party | None:
    """The party that already has this ICE, other than ``exclude_id``; None for an empty ICE."""
    if not ice:
        return None
    holders = Party.objects.filter(ice=ice)
    if exclude_id is not None:
        holders = holders.exclude(pk=exclude_id)
    return holders.first()


def ice_taken_error(owner: Party) -> ValidationError:
    return ValidationError(
        _("Cet ICE est déjà celui de %(name)s (code %(code)s)."),
        code="ice_taken",
        params={"name": owner.legal_name_fr, "code": owner.code},
    )


# Writes ----------------------------------------------------------------------------------------------------------


def party_save(*, party: Party | None, data: dict[str, Any], acting_user: Any) -> Party:
    """Create a party (``party`` None) or change the fields of ``data``: validated in full, audited when something
    changed. A member's party keeps its member's identity. Refusals are a ValidationError keyed by field."""
    unknown = set(data) - set(PARTY_FIELDS)
    if unknown:
        raise ValueError(f"not fields a person edits: {sorted(unknown)}")
    party_id = party.pk if party is not None else None
    # a code or an ICE taken by a concurrent save: the second attempt's full_clean says which
    return retry_once_on_conflict(lambda _attempt: _party_write(party_id=party_id, data=data, acting_user=acting_user))


def _party_write(*, party_id: int | None, data: dict[str, Any], acting_user: Any) -> Party:
    created = party_id is None
    party = Party() if party_id is None else Party.objects.select_for_update().get(pk=party_id)  # lock, re-read
    changed = [name for name, value in data.items() if created or getattr(party, name) != value]
    if party.organization_id is not None:
        owned = [name for name in changed if name in MEMBER_FIELDS]
        if owned:
            raise ValidationError({name: ValidationError(MEMBER_OWNED, code="member_owned") for name in owned})
    if not changed and not created:
        return party
    for name in changed:
        setattr(party, name, data[name])
    owner = party_ice_owner(ice=party.ice, exclude_id=party.pk) if "ice" in changed else None
    if owner is not None:
        raise ValidationError({"ice": ice_taken_error(owner)})
    party.full_clean()
    party.save()
    audit_record(
        actor=acting_user,
        event=PARTY_CREATED if created else PARTY_UPDATED,
        target=party,
        data={} if created else {"fields": changed},
    )
    return party


def _member_fields(organization: Organization) -> dict[str, Any]:
    return {
        "kind": Party.Kind.BUSINESS,
        "legal_name_fr": organization.legal_name_fr,
        "legal_name_ar": organization.legal_name_ar,
        "ice": organization.ice,
        "if_number": organization.if_number,
        "rc_number": organization.rc_number,
        "address": organization.address,
        "city": organization.commune.name_fr if organization.commune is not None else "",
    }


def _party_to_adopt(organization: Organization) -> Party | None:
    """A party typed in before the member was billed: the one with its ICE, else the one with its slug as code and
    no other ICE. A code taken by another business is a refusal (which of the two would it be?)."""
    unlinked = Party.objects.select_for_update().filter(organization__isnull=True)
    by_ice = unlinked.filter(ice=organization.ice).first() if organization.ice else None
    if by_ice is not None:
        return by_ice
    by_code = unlinked.filter(code=organization.slug).first()
    if by_code is not None and by_code.ice not in ("", organization.ice):
        raise DomainError(ErrorCode.IMPORT_DUPLICATE, field="code", value=organization.slug)
    return by_code


@transaction.atomic
def parties_for_members(*, organizations: list[Organization]) -> dict[int, Party]:
    """``party_for_member`` for many members (a fee run): the parties already in step read in one query, the
    missing ones with nothing to adopt created in one statement; the rest one by one, as ``party_for_member``."""
    organizations = list(Organization.objects.select_related("commune").filter(pk__in=[o.pk for o in organizations]))
    existing = {p.organization_id: p for p in Party.objects.select_for_update().filter(organization__in=organizations)}
    out: dict[int, Party] = {}
    missing: list[Organization] = []
    for organization in organizations:
        party = existing.get(organization.pk)
        if party is None:
            missing.append(organization)
        elif all(getattr(party, name) == value for name, value in _member_fields(organization).items()):
            out[organization.pk] = party
        else:
            out[organization.pk] = party_for_member(organization=organization)
    if missing:
        ices = [o.ice for o in missing if o.ice]
        codes = [o.slug for o in missing]
        adoptable = Party.objects.filter(organization__isnull=True).filter(Q(ice__in=ices) | Q(code__in=codes))
        taken = set(adoptable.values_list("ice", flat=True)) | set(adoptable.values_list("code", flat=True))
        fresh = [o for o in missing if o.ice not in taken and o.slug not in taken]
        created = Party.objects.bulk_create(
            [Party(organization=o, code=o.slug, **_member_fields(o)) for o in fresh], batch_size=500
        )
        audit_record_many(actor=None, event=PARTY_CREATED, items=((p, None, {}) for p in created))
        out.update({p.organization_id: p for p in created if p.organization_id is not None})
        for organization in missing:
            if organization.pk not in out:
                out[organization.pk] = party_for_member(organization=organization)
    return out


@transaction.atomic  # joins the caller's transaction: documents ask for their customer while they are written
def party_for_member(*, organization: Organization) -> Party:
    """The party that mirrors a member cooperative or the GIE, created on first use (code = the member's slug); its
    names, ICE, IF, RC, address and city follow the member's file. Audited (by the system) when created or changed."""
    mirrored = _member_fields(organization)
    party = Party.objects.select_for_update().filter(organization=organization).first()
    adopted = False
    if party is None:
        party = _party_to_adopt(organization)
        adopted = party is not None
    if party is None:
        party, created = Party.objects.get_or_create(
            organization=organization, defaults={"code": organization.slug, **mirrored}
        )
        if created:
            audit_record(actor=None, event=PARTY_CREATED, target=party)
            return party
    changed = [name for name, value in mirrored.items() if getattr(party, name) != value]
    for name in changed:
        setattr(party, name, mirrored[name])
    if adopted:
        party.organization = organization
        changed.append("organization")
    if changed:
        party.save(update_fields=changed)
        audit_record(actor=None, event=PARTY_UPDATED, target=party, data={"fields": changed})
    return party


# Import ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartyChange:
    """What one row of a sheet does: create ``party``, or change the listed fields of an existing one."""

    party: Party
    fields: tuple[str, ...]
    created: bool


def _days(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_PAYMENT_TERMS_DAYS:
        raise ValueError(text)
    return int(text)


def _yes_no(text: str) -> bool:
    word = text.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(text)


def _word(words: Mapping[str, str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = words.get(text.casefold())
        if value is None:
            raise ValueError(text)
        return value

    return parse


_CELL_PARSERS: dict[str, Callable[[str], Any]] = {
    "kind": _word(KIND_WORDS),
    "language": _word(LANGUAGE_WORDS),
    "payment_terms_days": _days,
    "is_customer": _yes_no,
    "is_supplier": _yes_no,
}


def _row_values(report: ImportReport, row_no: int, row: dict[str, str]) -> dict[str, Any]:
    """The fields a row sets, one per cell that is not empty; a cell that cannot be read is a row error."""
    values: dict[str, Any] = {}
    for column, name in PARTY_COLUMNS.items():
        text = row.get(column, "")
        if not text:
            continue
        if name == "ice":
            try:
                values[name] = normalize_ice(text)
            except ValidationError:
                report.add(row_no, column, ErrorCode.IMPORT_BAD_ICE, value=text[:80])
            continue
        parse = _CELL_PARSERS.get(name)
        try:
            values[name] = parse(text) if parse is not None else text
        except ValueError:
            report.add(row_no, column, ErrorCode.IMPORT_BAD_VALUE, value=text[:80])
    return values


def _model_errors(report: ImportReport, row_no: int, row: dict[str, str], error: ValidationError) -> None:
    """Every field the model refuses (length, characters, e-mail…) becomes a row error naming its column."""
    for name, problems in error.error_dict.items():
        column = _COLUMN_OF.get(name, name)
        for problem in problems:
            value = row.get(column, "")[:80]
            report.add(row_no, column, ErrorCode.IMPORT_INVALID_FIELD, value=value, reason=validation_reason(problem))


def _parties_validate(rows: list[TableRow]) -> tuple[ImportReport, list[PartyChange]]:
    """Check every row against the register as it is now (reads only); ImportRefused when any row is wrong."""
    report = ImportReport(rows_read=len(rows), max_errors=PARTY_LIMITS.max_errors)
    existing = {party.code: party for party in Party.objects.all()}
    ice_owner = {party.ice: party.code for party in existing.values() if party.ice}
    seen_codes: set[str] = set()
    seen_ice: set[str] = set()
    changes: list[PartyChange] = []
    for row in rows:
        row_no = row.number  # as the person sees it in the file (blank rows counted)
        code = row.get("code", "")
        if not code:
            report.add(row_no, "code", ErrorCode.IMPORT_MISSING_FIELD)
            continue
        if code in seen_codes:
            report.add(row_no, "code", ErrorCode.IMPORT_DUPLICATE, value=code[:80])
            continue
        seen_codes.add(code)
        values = _row_values(report, row_no, row)
        party = existing.get(code)
        created = party is None
        unchecked = ["ice"]  # checked above with its own message, and below against the register
        if party is None:
            party = Party(code=code)
            if not row.get("raison_sociale_fr"):
                report.add(row_no, "raison_sociale_fr", ErrorCode.IMPORT_MISSING_FIELD)
                unchecked.append("legal_name_fr")
        ice = values.get("ice", "")
        if ice and (ice in seen_ice or ice_owner.get(ice, code) != code):
            report.add(row_no, "ice", ErrorCode.IMPORT_DUPLICATE, value=ice)
        elif ice:
            seen_ice.add(ice)  # the first row to claim an ICE it may have; the rows after it are the duplicates
        changed = [name for name, value in values.items() if getattr(party, name) != value]
        if party.organization_id is not None:
            for name in (name for name in changed if name in MEMBER_FIELDS):
                column = _COLUMN_OF[name]
                report.add(row_no, column, ErrorCode.IMPORT_INVALID_FIELD, value=row[column][:80], reason=MEMBER_OWNED)
        for name in changed:
            setattr(party, name, values[name])
        try:  # lengths, the code's characters, the e-mail; uniqueness was checked above
            party.full_clean(exclude=unchecked, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            _model_errors(report, row_no, row, error)
        if created or changed:
            changes.append(PartyChange(party=party, fields=tuple(changed), created=created))
    if not report.ok:
        raise ImportRefused(report)
    return report, changes


def _parties_write(
    *, report: ImportReport, changes: list[PartyChange], acting_user: Any, filename: str
) -> ImportReport:
    for change in changes:
        if change.created:
            change.party.save()
            audit_record(
                actor=acting_user, event=PARTY_CREATED, target=change.party, data={"via": "import", "file": filename}
            )
        else:
            change.party.save(update_fields=change.fields)
            audit_record(
                actor=acting_user,
                event=PARTY_UPDATED,
                target=change.party,
                data={"via": "import", "file": filename, "fields": list(change.fields)},
            )
    report.rows_written = len(changes)
    return report


def parties_import(*, filename: str, content: bytes, acting_user: Any) -> ImportReport:
    """Create or update parties from a sheet, keyed by code: every row valid, or none written (ImportRefused).

    A cell left empty keeps the current value of an existing party (a new one gets the default). ``rows_written``
    counts the parties created or changed; a row identical to the register writes nothing. The sheet is checked
    before the write transaction opens, and again only if a concurrent writer took a code or an ICE first.
    """
    rows = read_table(filename, content, PARTY_LIMITS)
    first = _parties_validate(rows)

    def run(attempt: int) -> ImportReport:
        report, changes = first if attempt == 1 else _parties_validate(rows)
        return _parties_write(report=report, changes=changes, acting_user=acting_user, filename=filename)

    return retry_once_on_conflict(run)


def party_column_guide() -> list[ColumnGuide]:
    """The columns of the parties' sheet, with the values each accepts and an example (the import page's guide)."""
    return [
        ColumnGuide(
            "code",
            required=True,
            meaning=_("code : lettres sans accent, chiffres et tirets ; un code déjà enregistré met sa fiche à jour"),
            example="hotel-atlas",
        ),
        ColumnGuide(
            "type",
            required=False,
            meaning=_("type (entreprise si vide)"),
            values=(("entreprise", Party.Kind.BUSINESS.label), ("particulier", Party.Kind.CONSUMER.label)),
            example="entreprise",
        ),
        ColumnGuide(
            "raison_sociale_fr",
            required=True,
            meaning=_("raison sociale (français)"),
            example="Hôtel Atlas SARL",
        ),
        ColumnGuide("raison_sociale_ar", required=False, meaning=_("raison sociale (arabe)"), example="فندق الأطلس"),
        ColumnGuide("ice", required=False, meaning=_("ICE : 15 chiffres avec sa clé"), example="001561191000066"),
        ColumnGuide("if", required=False, meaning=_("identifiant fiscal (IF)"), example="40123456"),
        ColumnGuide("rc", required=False, meaning=_("registre du commerce (RC)"), example="12345"),
        ColumnGuide("adresse", required=False, meaning=_("adresse"), example="12, avenue Mohammed V"),
        ColumnGuide("ville", required=False, meaning=_("ville"), example="Tétouan"),
        ColumnGuide("telephone", required=False, meaning=_("téléphone"), example="0539123456"),
        ColumnGuide("email", required=False, meaning=_("e-mail"), example="compta@hotel-atlas.ma"),
        ColumnGuide(
            "langue",
            required=False,
            meaning=_("langue des documents (français si vide)"),
            values=tuple((word, Party.Language(language).label) for word, language in LANGUAGE_WORDS.items()),
            example="fr",
        ),
        ColumnGuide(
            "delai_paiement",
            required=False,
            meaning=_("délai de paiement en jours, de 0 à 365 (30 si vide)"),
            example="60",
        ),
        ColumnGuide("client", required=False, meaning=_("client : oui ou non (oui si vide)"), example="oui"),
        ColumnGuide("fournisseur", required=False, meaning=_("fournisseur : oui ou non (non si vide)"), example="non"),
    ]
