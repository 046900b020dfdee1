"""Writing the audit log. Call inside the service's transaction so the row and the change commit together.

Reading it: ``audit_search`` (the audit page) and ``audit_history`` (one object's history), both for GIE staff and
auditors only, and ``audit_rows``, which gives each event a label people read (French or Arabic) and its data as
(label, value) pairs. The target's own model says the rest: a list of changed ``fields`` reads as their verbose
names (« canal, nom court »), a value that is one of a field's choices reads as its label (« Ouvert à la vente »),
and a key with no label of its own takes its field's name. A key that names another object by its natural key
(``member``: an organization's slug, ``event``: a sales event's slug, ``sellers``: usernames) reads as that object's
name, and the actor as their full name (``AuditRow.actor_name``).
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gie_erp.core.i18n import format_amount, format_day, organization_name
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role, sees_all_books


def audit_record(
    *,
    actor: Any,
    event: str,
    target: models.Model | None = None,
    target_id: str = "",
    tenant_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row; never updates an existing one."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        tenant_id=tenant_id,
        event=event,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else target_id,
        data=data or {},
    )


def audit_record_many(
    *, actor: Any, event: str, items: Iterable[tuple[models.Model, int | None, dict[str, Any]]]
) -> int:
    """Append one audit row per (target, tenant id, data) in one statement (jobs that write hundreds of rows)."""
    actor = actor if getattr(actor, "pk", None) else None
    rows = [
        AuditEvent(
            actor=actor,
            tenant_id=tenant_id,
            event=event,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            data=data or {},
        )
        for target, tenant_id, data in items
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


#: What each event code means to a person; a code missing here is shown as it is.
EVENT_LABELS: dict[str, Any] = {
    "auth.locked_out": _("Connexion bloquée (trop d'échecs)"),
    "book.created": _("Livre comptable ouvert"),
    "cooperators.imported": _("Coopérateurs importés"),
    "invoices.party_created": _("Client ou fournisseur créé"),
    "invoices.party_updated": _("Client ou fournisseur modifié"),
    "invoices.cheque_cashed": _("Chèque encaissé"),
    "invoices.document_deleted": _("Brouillon de facture supprimé"),
    "invoices.document_validated": _("Document validé"),
    "invoices.draft_saved": _("Brouillon de facture enregistré"),
    "invoices.payment_allocated": _("Avoir client affecté"),
    "invoices.payment_recorded": _("Paiement enregistré"),
    "invoices.vat_liquidated": _("TVA liquidée"),
    "invoices.written_off": _("Écart de règlement passé en perte"),
    "fees.run_posted": _("Quotes-parts facturées"),
    "fees.run_undone": _("Répartition annulée par avoirs"),
    "fees.source_added": _("Compte ajouté à un pool de coûts"),
    "fees.pool_created": _("Pool de coûts créé"),
    "fees.pool_updated": _("Pool de coûts modifié"),
    "fees.source_removed": _("Compte retiré d'un pool de coûts"),
    "fees.custom_weights_imported": _("Poids de répartition importés"),
    "fees.zero_result_posted": _("Résultat du GIE ramené à zéro"),
    "fees.zero_result_undone": _("Transfert du résultat contre-passé"),
    "close.month_started": _("Clôture du mois lancée"),
    "close.year_started": _("Clôture de l'exercice lancée"),
    "close.reopened": _("Période rouverte après clôture"),
    "combine.pair_created": _("Paire d'élimination ajoutée"),
    "combine.pair_updated": _("Paire d'élimination modifiée"),
    "ledger.bulk_posted": _("Écritures passées en lot"),
    "ledger.entry_posted": _("Écriture saisie"),
    "ledger.entry_reversed": _("Écriture contre-passée"),
    "ledger.opening_imported": _("Soldes d'ouverture importés"),
    "ledger.period_locked": _("Période verrouillée"),
    "ledger.period_unlocked": _("Période déverrouillée"),
    "ledger.year_closed": _("Écritures de clôture et d'à-nouveaux passées"),
    "member.imported": _("Membre importé"),
    "members.allocation_imported": _("Données de répartition importées"),
    "cooperator.erased": _("Données d'une personne effacées (à sa demande)"),
    "cooperator.personal_data_set": _("Données personnelles modifiées (année de naissance, consentement)"),
    "organization.created": _("Organisation créée"),
    "organization.updated": _("Organisation modifiée"),
    "sales.channel_created": _("Canal de vente créé"),
    "sales.channel_updated": _("Canal de vente modifié"),
    "sales.deposits_recorded": _("Dépôts en consignation enregistrés"),
    "sales.device_registered": _("Caisse (téléphone) enregistrée"),
    "sales.device_revoked": _("Caisse (téléphone) révoquée"),
    "sales.difference_decided": _("Écart de consignation décidé"),
    "sales.event_created": _("Événement de vente créé"),
    "sales.event_state_changed": _("État de l'événement de vente changé"),
    "sales.event_updated": _("Événement de vente modifié"),
    "sales.paper_imported": _("Feuille de ventes papier importée"),
    "sales.product_created": _("Produit créé"),
    "sales.product_updated": _("Produit modifié"),
    "sales.returns_recorded": _("Reprises de stock enregistrées"),
    "sales.settled": _("Ventes réglées au membre"),
    "sales.terms_changed": _("Conditions de vente du membre modifiées"),
    "training.attendance": _("Présences enregistrées"),
    "training.billed": _("Session de formation facturée"),
    "training.cancelled": _("Inscription annulée"),
    "training.certificates_issued": _("Attestations délivrées"),
    "training.cost_recorded": _("Coût de session de formation enregistré"),
    "training.theme_saved": _("Thème de formation enregistré"),
    "training.course_saved": _("Formation enregistrée"),
    "training.trainer_saved": _("Formateur enregistré"),
    "training.funder_saved": _("Financeur enregistré"),
    "training.grant_saved": _("Convention de financement enregistrée"),
    "training.session_created": _("Session de formation créée"),
    "training.session_changed": _("Session de formation modifiée"),
    "training.session_opened": _("Inscriptions ouvertes"),
    "training.session_cancelled": _("Session de formation annulée"),
    "training.funder_paid": _("Versement d'un financeur enregistré"),
    "training.enrolled": _("Stagiaire inscrit"),
    "training.promoted": _("Stagiaire passé de la liste d'attente à une place"),
    "statements.batch_created": _("Lot de relevés créé"),
    "user.created": _("Utilisateur créé"),
    "user.password_reset": _("Mot de passe réinitialisé"),
    "user.updated": _("Utilisateur modifié"),
    "worker.heartbeat": _("Test du worker"),
}

#: What the keys of an event's data mean; an unknown key is shown as it is.
DATA_LABELS: dict[str, Any] = {
    "amount": _("montant"),
    "books": _("livres"),
    "customer": _("client"),
    "documents": _("documents"),
    "lines": _("lignes"),
    "method": _("moyen"),
    "number": _("numéro"),
    "reference": _("référence"),
    "total": _("total"),
    "count": _("nombre"),
    "entries": _("écritures"),
    "failures": _("échecs"),
    "fields": _("champs"),
    "file": _("fichier"),
    "ip_address": _("adresse IP"),
    "is_staff": _("accès aux paramètres"),
    "is_superuser": _("superutilisateur"),
    "members": _("membres"),
    "period": _("période"),
    "reason": _("motif"),
    "reversal": _("contre-passation"),
    "role": _("rôle"),
    "username": _("identifiant"),
    "sellers": _("vendeurs"),
    "members_changed": _("membres modifiés"),
    "sellers_changed": _("vendeurs modifiés"),
    "offset_other_invoices": _("compenser les autres factures ouvertes"),
    "state": _("état"),
    "previous_state": _("état précédent"),
    "via": _("par"),
    "member": _("membre"),
    "previous_member": _("membre précédent"),
    "scan_code": _("code à scanner"),
    "decision": _("décision"),
    "event": _("événement"),
    "on": _("date"),
    "takings": _("ventes TTC"),
    "differences": _("marchandise manquante payée par le GIE"),
    "commission": _("commission TTC"),
    "offsets": _("autres factures retenues"),
    "net": _("net versé"),
    "tickets": _("tickets"),
}

#: data keys that hold a value of another field of the target: its choices give the value's label
CHOICE_KEYS = {"previous_state": "state"}

#: data keys naming another object by a natural key: (model label, field). The value reads as that object's name;
#: models are found by name at run time (gie_erp.core imports no project app), and a value naming nothing (a model
#: not installed, an object since renamed or deleted) stays as stored.
REFERENCE_KEYS: dict[str, tuple[str, str]] = {
    "member": ("members.Organization", "slug"),
    "previous_member": ("members.Organization", "slug"),
    "event": ("sales.Event", "slug"),
    "sellers": (settings.AUTH_USER_MODEL, "username"),
}

#: (model label, natural key) → the name people read
Names = Mapping[tuple[str, str], str]

#: The most events an object's history shows (newest first).
HISTORY_LIMIT = 50


def audit_event_label(code: str) -> str:
    """The label of an event code in the active language, or the code itself when it has none."""
    label = EVENT_LABELS.get(code)
    return str(label) if label is not None else code


def audit_target_label(target_type: str) -> str:
    """ "ledger.entry" → "Écriture": the target model's own name, or the type as written when no model has it."""
    if not target_type:
        return ""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return capfirst(str(model._meta.verbose_name))


#: data keys holding an amount (stored as "1234.50"): shown as people write it (1 234,50)
MONEY_KEYS = frozenset({"amount", "total", "takings", "differences", "commission", "offsets", "net"})
#: data keys holding a day (stored as "2026-11-30"): shown as 30/11/2026
DATE_KEYS = frozenset({"on"})


def _target_model(target_type: str) -> type[models.Model] | None:
    if not target_type:
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: Any) -> Any:
    """The model's field of that name, or None (no model, not a field name, or a name the model lacks)."""
    if model is None or not isinstance(name, str):
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model: type[models.Model] | None, name: Any) -> str:
    """A field's verbose name (« nom court » for ``slug``), or the name as stored when the model has no such field."""
    field = _field(model, name)
    verbose = getattr(field, "verbose_name", None)
    return str(verbose) if verbose else str(name)


def _choice_label(model: type[models.Model] | None, key: str, value: Any) -> str | None:
    """The label of a value among the choices of the target's field ``key`` (« Ouvert à la vente » for ``open``)."""
    field = _field(model, CHOICE_KEYS.get(key, key))
    if field is None or not getattr(field, "choices", None) or not isinstance(value, str | int):
        return None
    label = dict(field.flatchoices).get(value)
    return None if label is None else str(label)


def person_name(user: Any) -> str:
    """A user as people know them: their full name, else their username; "" for nobody."""
    if user is None:
        return ""
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or str(getattr(user, "username", user))


def _object_name(obj: Any) -> str:
    """An object's name in the active language: a person's full name, an organization's legal name, a named
    object's ``name_ar`` in Arabic (when there is one) or ``name_fr``."""
    if hasattr(obj, "get_full_name"):
        return person_name(obj)
    language = get_language() or "fr"
    if hasattr(obj, "legal_name_fr"):
        return organization_name(obj, language)
    arabic = getattr(obj, "name_ar", "")
    if language[:2] == "ar" and arabic:
        return str(arabic)
    return str(getattr(obj, "name_fr", obj))


def _reference_values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def reference_names(datas: Iterable[Any]) -> dict[tuple[str, str], str]:
    """The names of every object the data name by a natural key (``REFERENCE_KEYS``): one query per model named,
    none when no data names any."""
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for data in datas:
        if not isinstance(data, dict):
            continue
        for key, (label, field) in REFERENCE_KEYS.items():
            if key in data:
                wanted[(label, field)].update(_reference_values(data[key]))
    names: dict[tuple[str, str], str] = {}
    for (label, field), values in wanted.items():
        if not values:
            continue
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        for obj in model._default_manager.filter(**{f"{field}__in": values}):
            names[(label, str(getattr(obj, field)))] = _object_name(obj)
    return names


def _reference_value(key: str, value: Any, names: Names) -> str | None:
    """The name(s) of the object(s) a reference key names, or None when ``key`` is no reference."""
    if key not in REFERENCE_KEYS or not names:
        return None
    label = REFERENCE_KEYS[key][0]
    values = _reference_values(value)
    if not values or len(values) != (1 if isinstance(value, str) else len(value)):
        return None
    return ", ".join(names.get((label, item), item) for item in values)


def _data_value(key: str, value: Any, model: type[models.Model] | None = None, names: Names | None = None) -> str:
    reference = _reference_value(key, value, names or {})
    if reference is not None:
        return reference
    if isinstance(value, bool):
        return str(yesno(value))
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    if key == "fields" and isinstance(value, list | tuple) and model is not None:
        return ", ".join(_field_label(model, item) for item in value)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if key in MONEY_KEYS and isinstance(value, str):
        try:
            return format_amount(Decimal(value))
        except (InvalidOperation, ValueError):
            return value
    if key in DATE_KEYS and isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value))
        except ValueError:
            return value
    choice = _choice_label(model, key, value)
    if choice is not None:
        return choice
    return "" if value is None else str(value)


def _data_label(key: Any, model: type[models.Model] | None) -> str:
    label = DATA_LABELS.get(key)
    if label is not None:
        return str(label)
    return _field_label(model, key)


def audit_details(
    data: Any, model: type[models.Model] | None = None, names: Names | None = None
) -> tuple[tuple[str, str], ...]:
    """An event's data as (label, value) pairs in key order; data that is not an object is one unlabelled value.
    ``model``, the target's, names the fields a change lists and labels a value that is one of a field's choices;
    ``names`` (``reference_names``) gives the names of the objects a reference key names."""
    if not isinstance(data, dict):
        return () if data in (None, "") else (("", _data_value("", data)),)
    return tuple((_data_label(key, model), _data_value(key, data[key], model, names)) for key in sorted(data, key=str))


@dataclass(frozen=True, slots=True)
class AuditRow:
    """An audit event as people read it."""

    record: AuditEvent
    label: str
    target_label: str
    details: tuple[tuple[str, str], ...]

    @property
    def actor_name(self) -> str:
        """Who did it, by their full name ("" for the system)."""
        return person_name(self.record.actor)

    @property
    def details_text(self) -> str:
        """The details on one line (exports): "motif : erreur ; période : 2026-03"."""
        return " ; ".join(f"{label} : {value}" if label else value for label, value in self.details)


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    """Label each event for display; beyond what ``events`` costs (select its actor with it), one query per kind of
    object the data name by a natural key (``REFERENCE_KEYS``), none when they name none."""
    events = list(events)
    names = reference_names(event.data for event in events)
    models_by_type: dict[str, type[models.Model] | None] = {}
    rows = []
    for event in events:
        if event.target_type not in models_by_type:
            models_by_type[event.target_type] = _target_model(event.target_type)
        rows.append(
            AuditRow(
                record=event,
                label=audit_event_label(event.event),
                target_label=audit_target_label(event.target_type),
                details=audit_details(event.data, models_by_type[event.target_type], names),
            )
        )
    return rows


def reads_audit(user: Any) -> bool:
    """The audit log is for the GIE's staff and its auditor (and superusers), never for a cooperative's people."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or sees_all_books(getattr(user, "role", ""))


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in the current time zone (Africa/Casablanca)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_search(
    *,
    user: Any,
    actor_id: int | None = None,
    event: str = "",
    tenant_id: int | None = None,
    occurred_from: date | None = None,
    occurred_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The events ``user`` may read, newest first, with their actor; dates are whole days in local time, both ends
    included. Anyone but GIE staff, auditors and superusers gets nothing."""
    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if not reads_audit(user):
        return events.none()
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if event:
        events = events.filter(event=event)
    if tenant_id is not None:
        events = events.filter(tenant_id=tenant_id)
    if occurred_from is not None:
        events = events.filter(occurred_at__gte=_day_start(occurred_from))
    if occurred_to is not None and occurred_to < date.max:
        events = events.filter(occurred_at__lt=_day_start(occurred_to + timedelta(days=1)))
    return events


def audit_history(*, user: Any, target_type: str, target_id: Any, limit: int = HISTORY_LIMIT) -> list[AuditRow]:
    """What happened to one object ("ledger.entry", its pk), newest first, at most ``limit`` events; empty for
    anyone who may not read the audit log. Two queries at most, whatever the number of events."""
    if not reads_audit(user):
        return []
    events = (
        AuditEvent.objects.select_related("actor")
        .filter(target_type=target_type, target_id=str(target_id))
        .order_by("-occurred_at", "-id")[:limit]
    )
    return audit_rows(events)
