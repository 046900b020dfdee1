"""Domain errors: a code from an enum, parameters, and a message translated when it is shown."""

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override


class ErrorCode(StrEnum):
    """Every error a user can meet, one code each. Apps add theirs here so that codes stay unique."""

    # kernel
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    FLOAT_AMOUNT = "float_amount"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    # imports
    IMPORT_FORMAT = "import_format"
    IMPORT_MISSING_FIELD = "import_missing_field"
    IMPORT_BAD_ICE = "import_bad_ice"
    IMPORT_DUPLICATE = "import_duplicate"
    IMPORT_UNKNOWN_COMMUNE = "import_unknown_commune"
    IMPORT_UNKNOWN_MEMBER = "import_unknown_member"
    IMPORT_BAD_VALUE = "import_bad_value"
    IMPORT_BAD_DATE = "import_bad_date"
    IMPORT_EMPTY = "import_empty"
    IMPORT_BAD_AMOUNT = "import_bad_amount"
    IMPORT_UNKNOWN_ACCOUNT = "import_unknown_account"
    IMPORT_UNBALANCED = "import_unbalanced"
    # ledger
    UNBALANCED_ENTRY = "unbalanced_entry"
    BAD_LINE = "bad_line"
    ACCOUNT_NOT_IN_CHART = "account_not_in_chart"
    PERIOD_LOCKED = "period_locked"
    FUTURE_DATE = "future_date"
    MISSING_SOURCE = "missing_source"
    NO_BOOK = "no_book"
    UNKNOWN_PARTNER = "unknown_partner"
    ALREADY_REVERSED = "already_reversed"
    REVERSAL_OF_REVERSAL = "reversal_of_reversal"
    UNLOCK_REASON_REQUIRED = "unlock_reason_required"
    NOT_LOCKED = "not_locked"


MESSAGES: dict[ErrorCode, Promise] = {
    ErrorCode.IDEMPOTENCY_CONFLICT: _("La clé %(key)s a déjà servi pour un contenu différent."),
    ErrorCode.FLOAT_AMOUNT: _("Un montant doit être un nombre décimal exact."),
    ErrorCode.NOT_FOUND: _("Introuvable."),
    ErrorCode.PERMISSION_DENIED: _("Vous n'avez pas le droit de faire cette action."),
    ErrorCode.IMPORT_FORMAT: _("Fichier illisible : %(detail)s"),
    ErrorCode.IMPORT_MISSING_FIELD: _("Champ obligatoire manquant : %(field)s."),
    ErrorCode.IMPORT_BAD_ICE: _("ICE invalide : %(value)s (15 chiffres avec clé de contrôle)."),
    ErrorCode.IMPORT_DUPLICATE: _("Doublon : %(field)s %(value)s existe déjà."),
    ErrorCode.IMPORT_UNKNOWN_COMMUNE: _("Commune inconnue : %(value)s."),
    ErrorCode.IMPORT_UNKNOWN_MEMBER: _("Coopérative inconnue : %(value)s."),
    ErrorCode.IMPORT_BAD_VALUE: _("Valeur invalide pour %(field)s : %(value)s."),
    ErrorCode.IMPORT_BAD_DATE: _("Date invalide pour %(field)s : %(value)s (attendu AAAA-MM-JJ)."),
    ErrorCode.IMPORT_EMPTY: _("Le fichier ne contient aucune ligne."),
    ErrorCode.IMPORT_BAD_AMOUNT: _("Montant invalide pour %(field)s : %(value)s (2 décimales au plus)."),
    ErrorCode.IMPORT_UNKNOWN_ACCOUNT: _("Compte inconnu du plan comptable : %(value)s."),
    ErrorCode.IMPORT_UNBALANCED: _(
        "Les soldes d'ouverture de %(value)s ne sont pas équilibrés : débit %(debit)s, crédit %(credit)s."
    ),
    ErrorCode.UNBALANCED_ENTRY: _("Écriture déséquilibrée : débit %(debit)s, crédit %(credit)s."),
    ErrorCode.BAD_LINE: _("Ligne invalide : %(detail)s"),
    ErrorCode.ACCOUNT_NOT_IN_CHART: _("Le compte %(code)s n'existe pas dans le plan de ce livre."),
    ErrorCode.PERIOD_LOCKED: _("La période %(period)s est verrouillée pour ce livre."),
    ErrorCode.FUTURE_DATE: _("La date %(date)s est dans le futur."),
    ErrorCode.MISSING_SOURCE: _("Une écriture doit citer sa pièce justificative."),
    ErrorCode.NO_BOOK: _("Cette organisation n'a pas encore de livre comptable."),
    ErrorCode.UNKNOWN_PARTNER: _("Partenaire inconnu : %(value)s."),
    ErrorCode.ALREADY_REVERSED: _("L'écriture %(number)s a déjà été contre-passée."),
    ErrorCode.REVERSAL_OF_REVERSAL: _("Une contre-passation ne se contre-passe pas : passez une nouvelle écriture."),
    ErrorCode.UNLOCK_REASON_REQUIRED: _("Déverrouiller une période demande un motif."),
    ErrorCode.NOT_LOCKED: _("La période %(period)s n'est pas verrouillée."),
}


def error_message(code: ErrorCode, params: dict[str, Any], language: str | None = None) -> str:
    """The message for a code in the active language, or in ``language`` when given."""
    template = MESSAGES.get(code, _("Erreur : %(code)s"))
    values = {"code": code.value, **params}
    if language is None:
        return str(template) % values
    with override(language):
        return str(template) % values


class DomainError(Exception):
    """A business rule refused an action. Carries a code and parameters; the text is rendered per language."""

    def __init__(self, code: ErrorCode, /, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code.value}: {params}")

    def message(self, language: str | None = None) -> str:
        return error_message(self.code, self.params, language)

    def __str__(self) -> str:
        return self.message()


class IdempotencyConflict(DomainError):
    """The same idempotency key came back with a different content."""

    def __init__(self, key: str) -> None:
        super().__init__(ErrorCode.IDEMPOTENCY_CONFLICT, key=key)
