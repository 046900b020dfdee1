"""Domain errors: a code from an enum, parameters, and a message translated when it is shown."""

import re
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language_bidi, override
from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    """Every error a user can meet, one code each. Apps add theirs here so that codes stay unique."""

    # kernel
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    FLOAT_AMOUNT = "float_amount"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    # imports
    IMPORT_FORMAT = "import_format"
    IMPORT_NOT_UTF8 = "import_not_utf8"
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
    IMPORT_TOO_LARGE = "import_too_large"
    IMPORT_TOO_MANY_ROWS = "import_too_many_rows"
    IMPORT_DUPLICATE_COLUMN = "import_duplicate_column"
    IMPORT_NUL = "import_nul"
    OPENING_EXISTS = "opening_exists"
    IMPORT_INVALID_FIELD = "import_invalid_field"
    # amounts (one grammar for every form and import: gie_erp/core/amounts.py)
    AMOUNT_NOT_A_NUMBER = "amount_not_a_number"
    AMOUNT_EXPONENT = "amount_exponent"
    AMOUNT_DECIMALS = "amount_decimals"
    AMOUNT_AMBIGUOUS = "amount_ambiguous"
    AMOUNT_GROUPING = "amount_grouping"
    AMOUNT_TOO_LARGE = "amount_too_large"
    AMOUNT_NEGATIVE = "amount_negative"
    # dates, keys and uploads
    DATE_TOO_EARLY = "date_too_early"
    RESERVED_KEY = "reserved_key"
    UPLOAD_TOO_LARGE = "upload_too_large"
    UPLOAD_BAD_TYPE = "upload_bad_type"
    # ledger
    UNBALANCED_ENTRY = "unbalanced_entry"
    BAD_LINE = "bad_line"
    ACCOUNT_NOT_IN_CHART = "account_not_in_chart"
    PERIOD_LOCKED = "period_locked"
    FUTURE_DATE = "future_date"
    CLOSING_ENTRY_DATE = "closing_entry_date"
    MISSING_SOURCE = "missing_source"
    NO_BOOK = "no_book"
    UNKNOWN_PARTNER = "unknown_partner"
    BAD_TAG = "bad_tag"
    ALREADY_REVERSED = "already_reversed"
    REVERSAL_OF_REVERSAL = "reversal_of_reversal"
    UNLOCK_REASON_REQUIRED = "unlock_reason_required"
    NOT_LOCKED = "not_locked"
    # period locks
    BAD_PERIOD = "bad_period"
    EARLIER_MONTH_OPEN = "earlier_month_open"
    LATER_MONTH_LOCKED = "later_month_locked"
    # invoices
    DOCUMENT_NOT_DRAFT = "document_not_draft"
    DOCUMENT_NOT_VALIDATED = "document_not_validated"
    MISSING_MENTION = "missing_mention"
    MISSING_MENTION_FOR = "missing_mention_for"
    VAT_RATE_NOT_VALID = "vat_rate_not_valid"
    EXEMPT_ISSUER_VAT = "exempt_issuer_vat"
    CREDIT_NOTE_TARGET = "credit_note_target"
    CREDIT_TOO_LARGE = "credit_too_large"
    MANDATE_TO_MEMBER = "mandate_to_member"
    ALLOCATION_TOO_LARGE = "allocation_too_large"
    ALLOCATION_EXCEEDS_PAYMENT = "allocation_exceeds_payment"
    ALLOCATION_WRONG_PARTY = "allocation_wrong_party"
    PAYMENT_COLLECTOR = "payment_collector"
    TEXT_TOO_LONG = "text_too_long"
    WRITE_OFF_TOO_LARGE = "write_off_too_large"
    WRITE_OFF_MEMBER = "write_off_member"
    CHEQUE_NOT_PENDING = "cheque_not_pending"
    CHEQUE_CASHED_BEFORE = "cheque_cashed_before"
    NOTHING_TO_CREDIT = "nothing_to_credit"
    # sales: till (append this area's codes below this line)
    TILL_UNAUTHORIZED = "till_unauthorized"
    TILL_RATE_LIMITED = "till_rate_limited"
    TILL_METHOD = "till_method"
    TILL_BAD_JSON = "till_bad_json"
    TILL_NOT_A_LIST = "till_not_a_list"
    TILL_BODY_TOO_LARGE = "till_body_too_large"
    TILL_TOO_MANY_TICKETS = "till_too_many_tickets"
    TILL_TOO_MANY_SHIFTS = "till_too_many_shifts"
    TILL_EVENT_NOT_FOUND = "till_event_not_found"
    TILL_SHIFT_NOT_FOUND = "till_shift_not_found"
    TILL_REGISTER_FORBIDDEN = "till_register_forbidden"
    TILL_DEVICE_NAME = "till_device_name"
    # sales: books (append this area's codes below this line)
    OFFSET_NOT_MEMBER = "offset_not_member"
    OFFSET_NOT_ALLOCATED = "offset_not_allocated"
    SALES_NOT_PARTICIPANT = "sales_not_participant"
    SALES_NOTHING_TO_SETTLE = "sales_nothing_to_settle"
    SALES_NO_OPEN_DAY = "sales_no_open_day"
    # sales: catalogue (append this area's codes below this line)
    PRODUCT_GIE = "product_gie"
    PRODUCT_EXEMPT_MEMBER_VAT = "product_exempt_member_vat"
    PRODUCT_CODE_TAKEN = "product_code_taken"
    PRODUCT_NOT_OF_MEMBER = "product_not_of_member"
    QUANTITY_INVALID = "quantity_invalid"
    IMPORT_UNKNOWN_PRODUCT = "import_unknown_product"
    IMPORT_NOT_AT_EVENT = "import_not_at_event"
    PAPER_TICKET_DISAGREES = "paper_ticket_disagrees"
    PAPER_TICKET_REFUSED = "paper_ticket_refused"
    DEPOSIT_NOT_PARTICIPANT = "deposit_not_participant"
    DEPOSIT_PAID_BY_GIE = "deposit_paid_by_gie"
    DEPOSIT_RETURNS_UNKNOWN = "deposit_returns_unknown"
    DEPOSIT_NO_SHORTAGE = "deposit_no_shortage"
    DEPOSIT_NOTHING_DEPOSITED = "deposit_nothing_deposited"
    DEPOSIT_RETURNED_TOO_MUCH = "deposit_returned_too_much"
    DEPOSIT_BAD_DECISION = "deposit_bad_decision"
    DEPOSIT_OUTSIDE_DATES = "deposit_outside_dates"
    DEPOSIT_BEFORE_OPENING = "deposit_before_opening"
    QUANTITY_NOT_WHOLE = "quantity_not_whole"
    DEPOSIT_RETURN_ABOVE_LEFT = "deposit_return_above_left"
    PRODUCT_MEMBER_LOCKED = "product_member_locked"
    PRODUCT_PRICE_TOO_LOW = "product_price_too_low"
    # sales: pages (append this area's codes below this line)
    SALES_MEMBER_HAS_SALES = "sales_member_has_sales"
    SALES_TICKETS_OUTSIDE_DATES = "sales_tickets_outside_dates"
    SALES_CHANNEL_LOCKED = "sales_channel_locked"
    SALES_PREVIEW_CHANGED = "sales_preview_changed"
    # training (append this area's codes below this line)
    TRAINING_SESSION_NOT_OPEN = "training_session_not_open"
    TRAINING_ENROLMENT_CLOSED = "training_enrolment_closed"
    TRAINING_ALREADY_ENROLLED = "training_already_enrolled"
    TRAINING_COOPERATOR_INACTIVE = "training_cooperator_inactive"
    TRAINING_ALREADY_CANCELLED = "training_already_cancelled"
    TRAINING_NOT_ENROLLED = "training_not_enrolled"
    TRAINING_HALF_DAY_ELSEWHERE = "training_half_day_elsewhere"
    TRAINING_NO_HALF_DAYS = "training_no_half_days"
    TRAINING_SESSION_BILLED = "training_session_billed"
    TRAINING_NOT_ENDED = "training_not_ended"
    TRAINING_SESSION_CANCELLED = "training_session_cancelled"
    TRAINING_PAYMENT_TOO_LARGE = "training_payment_too_large"
    TRAINING_AMOUNT_NOT_POSITIVE = "training_amount_not_positive"
    TRAINING_BAD_CHOICE = "training_bad_choice"
    TRAINING_PERSON_ERASED = "training_person_erased"
    TRAINING_ERASE_REASON_REQUIRED = "training_erase_reason_required"
    TRAINING_BAD_BIRTH_YEAR = "training_bad_birth_year"
    TRAINING_SLUG_TAKEN = "training_slug_taken"
    TRAINING_HALF_DAY_HAS_ATTENDANCE = "training_half_day_has_attendance"
    TRAINING_HALF_DAY_OUTSIDE = "training_half_day_outside"
    TRAINING_FUNDER_TWICE = "training_funder_twice"
    TRAINING_GRANT_OTHER_FUNDER = "training_grant_other_funder"
    TRAINING_GRANT_REFERENCE_TAKEN = "training_grant_reference_taken"
    TRAINING_CAPACITY_BELOW_SEATED = "training_capacity_below_seated"
    TRAINING_SESSION_STATE = "training_session_state"
    TRAINING_TRAINER_USER_INVALID = "training_trainer_user_invalid"
    TRAINING_DATES_ORDER = "training_dates_order"
    TRAINING_TRAINER_NAME_REQUIRED = "training_trainer_name_required"
    TRAINING_BILL_CHANGED = "training_bill_changed"
    # fees (append this area's codes below this line)
    FEES_RUN_CHANGED = "fees_run_changed"
    FEES_PERIOD_NOT_ENDED = "fees_period_not_ended"
    FEES_NOTHING_TO_SHARE = "fees_nothing_to_share"
    FEES_NO_WEIGHT = "fees_no_weight"
    FEES_PERIOD_OVERLAP = "fees_period_overlap"
    FEES_PREVIEW_CHANGED = "fees_preview_changed"
    FEES_RUN_UNDONE = "fees_run_undone"
    FEES_BAD_PERIOD = "fees_bad_period"
    FEES_PERIOD_ORDER = "fees_period_order"
    FEES_ZERO_NOTHING = "fees_zero_nothing"
    FEES_SOURCE_TAKEN = "fees_source_taken"
    FEES_REASON_REQUIRED = "fees_reason_required"
    # close: month and year close of every book (append this area's codes below this line)
    CLOSE_BOOK_DISAGREES = "close_book_disagrees"
    CLOSE_EARLIER_OPEN = "close_earlier_open"
    CLOSE_DRAFT_DOCUMENTS = "close_draft_documents"
    CLOSE_TICKETS_PENDING = "close_tickets_pending"
    CLOSE_SHIFT_OPEN = "close_shift_open"
    CLOSE_POOL_NOT_RUN = "close_pool_not_run"
    CLOSE_BAD_MONTH = "close_bad_month"
    CLOSE_MONTH_NOT_ENDED = "close_month_not_ended"
    CLOSE_FAILED = "close_failed"
    CLOSE_BAD_YEAR = "close_bad_year"
    CLOSE_DECEMBER_WITH_YEAR = "close_december_with_year"
    CLOSE_DECEMBER_LOCKED = "close_december_locked"
    CLOSE_ZERO_RESULT = "close_zero_result"
    CLOSE_GIE_RESULT_PENDING = "close_gie_result_pending"
    # combined accounts (gie_erp/combine)
    COMBINE_BAD_BOOKS = "combine_bad_books"
    COMBINE_NO_BOOKS = "combine_no_books"
    COMBINE_BAD_RANGE = "combine_bad_range"
    COMBINE_BAD_RULE = "combine_bad_rule"
    # fees after the second user pass (gie_erp/fees)
    FEES_YEAR_NOT_ENDED = "fees_year_not_ended"
    FEES_PERIOD_YEARS = "fees_period_years"
    FEES_SHARE_TOO_LARGE = "fees_share_too_large"
    FEES_WEIGHT_NEGATIVE = "fees_weight_negative"
    FEES_WEIGHTS_COLUMN = "fees_weights_column"


MESSAGES: dict[ErrorCode, Promise] = {
    ErrorCode.DOCUMENT_NOT_DRAFT: _(
        "Le document %(number)s est validé : il ne se modifie plus et ne se supprime pas ; corrigez-le par un avoir."
    ),
    ErrorCode.DOCUMENT_NOT_VALIDATED: _("Le document %(number)s n'est pas encore validé."),
    ErrorCode.MISSING_MENTION: _("Mention obligatoire manquante : %(mention)s."),
    ErrorCode.MISSING_MENTION_FOR: _("%(customer)s : mention obligatoire manquante : %(mention)s."),
    ErrorCode.VAT_RATE_NOT_VALID: _("Le taux « %(rate)s » n'est pas en vigueur le %(date)s."),
    ErrorCode.EXEMPT_ISSUER_VAT: _("%(issuer)s est exonérée de TVA (art. 91) : ses lignes ne portent pas de TVA."),
    ErrorCode.CREDIT_NOTE_TARGET: _("Un avoir corrige une facture validée du même émetteur et du même client."),
    ErrorCode.CREDIT_TOO_LARGE: _(
        "L'avoir (%(amount)s) dépasse ce qui reste à créditer sur la facture %(number)s (%(left)s)."
    ),
    ErrorCode.MANDATE_TO_MEMBER: _("Une facture au nom d'un membre ne peut pas être adressée à un membre du GIE."),
    ErrorCode.ALLOCATION_TOO_LARGE: _("%(amount)s dépasse le reste dû sur %(number)s (%(left)s)."),
    ErrorCode.ALLOCATION_EXCEEDS_PAYMENT: _(
        "Les affectations (%(allocated)s) dépassent le montant disponible (%(amount)s)."
    ),
    ErrorCode.ALLOCATION_WRONG_PARTY: _("La facture %(number)s n'est pas adressée à ce payeur."),
    ErrorCode.TEXT_TOO_LONG: _("Texte trop long (%(field)s) : %(length)s caractères, %(limit)s au plus."),
    ErrorCode.PAYMENT_COLLECTOR: _("La facture %(number)s ne peut être encaissée que par le GIE ou par son émetteur."),
    ErrorCode.WRITE_OFF_TOO_LARGE: _("L'écart (%(amount)s) dépasse la tolérance (%(tolerance)s)."),
    ErrorCode.WRITE_OFF_MEMBER: _("Une facture adressée à un membre se règle, elle ne se passe pas en perte."),
    ErrorCode.CHEQUE_NOT_PENDING: _("Ce paiement n'est pas un chèque en attente d'encaissement."),
    ErrorCode.CHEQUE_CASHED_BEFORE: _("Un chèque ne s'encaisse pas avant sa réception (%(date)s)."),
    ErrorCode.NOTHING_TO_CREDIT: _("Il ne reste rien à créditer sur la facture %(number)s."),
    ErrorCode.IDEMPOTENCY_CONFLICT: _("La clé %(key)s a déjà servi pour un contenu différent."),
    ErrorCode.FLOAT_AMOUNT: _("Un montant doit être un nombre décimal exact."),
    ErrorCode.NOT_FOUND: _("Introuvable."),
    ErrorCode.PERMISSION_DENIED: _("Vous n'avez pas le droit de faire cette action."),
    ErrorCode.IMPORT_FORMAT: _("Fichier illisible : %(detail)s"),
    ErrorCode.IMPORT_NOT_UTF8: _(
        "Ce fichier n'est pas un CSV en UTF-8 : enregistrez-le au format « CSV UTF-8 » ou en classeur XLSX."
    ),
    ErrorCode.IMPORT_MISSING_FIELD: _("Champ obligatoire manquant : %(field)s."),
    ErrorCode.IMPORT_BAD_ICE: _("ICE invalide : %(value)s (15 chiffres avec clé de contrôle)."),
    ErrorCode.IMPORT_DUPLICATE: _("Doublon : %(field)s %(value)s existe déjà."),
    ErrorCode.IMPORT_UNKNOWN_COMMUNE: _("Commune inconnue : %(value)s."),
    ErrorCode.IMPORT_UNKNOWN_MEMBER: _("Coopérative inconnue : %(value)s."),
    ErrorCode.IMPORT_BAD_VALUE: _("Valeur invalide pour %(field)s : %(value)s."),
    ErrorCode.IMPORT_BAD_DATE: _("Date invalide pour %(field)s : %(value)s (attendu AAAA-MM-JJ ou JJ/MM/AAAA)."),
    ErrorCode.IMPORT_EMPTY: _("Le fichier ne contient aucune ligne."),
    ErrorCode.IMPORT_BAD_AMOUNT: _("Montant invalide pour %(field)s : %(value)s (2 décimales au plus)."),
    ErrorCode.IMPORT_UNKNOWN_ACCOUNT: _("Compte inconnu du plan comptable : %(value)s."),
    ErrorCode.IMPORT_UNBALANCED: _(
        "Les soldes d'ouverture de %(value)s ne sont pas équilibrés : débit %(debit)s, crédit %(credit)s."
    ),
    ErrorCode.IMPORT_TOO_LARGE: _("Fichier trop gros : %(size)s Mo, au plus %(limit)s Mo pour cet import."),
    ErrorCode.IMPORT_TOO_MANY_ROWS: _(
        "Trop de lignes : au plus %(limit)s lignes pour cet import (découpez le fichier)."
    ),
    ErrorCode.IMPORT_DUPLICATE_COLUMN: _("La colonne %(value)s apparaît deux fois dans l'en-tête."),
    ErrorCode.IMPORT_NUL: _("Ligne %(row)s : caractère nul interdit (enregistrez le fichier en CSV UTF-8 ou en XLSX)."),
    ErrorCode.OPENING_EXISTS: _(
        "%(value)s a déjà ses soldes d'ouverture (%(number)s du %(date)s) : contre-passez cette écriture avant d'en "
        "importer d'autres."
    ),
    ErrorCode.IMPORT_INVALID_FIELD: _("Valeur refusée pour %(field)s : %(value)s — %(reason)s"),
    ErrorCode.AMOUNT_NOT_A_NUMBER: _("« %(value)s » n'est pas un montant : écrivez par exemple 1234,50."),
    ErrorCode.AMOUNT_EXPONENT: _(
        "« %(value)s » : la notation scientifique n'est pas acceptée, écrivez le montant en chiffres."
    ),
    ErrorCode.AMOUNT_DECIMALS: _("« %(value)s » : deux décimales au plus (les centimes)."),
    ErrorCode.AMOUNT_AMBIGUOUS: _(
        "« %(value)s » est ambigu : écrivez %(plain)s pour des milliers, ou deux décimales au plus pour des centimes."
    ),
    ErrorCode.AMOUNT_GROUPING: _("« %(value)s » : les milliers se groupent par trois chiffres (1 234 567,50)."),
    ErrorCode.AMOUNT_TOO_LARGE: _("« %(value)s » dépasse le plus grand montant accepté (%(limit)s)."),
    ErrorCode.AMOUNT_NEGATIVE: _("« %(value)s » : le montant doit être positif."),
    ErrorCode.DATE_TOO_EARLY: _("La date %(date)s est antérieure au %(earliest)s : vérifiez l'année."),
    ErrorCode.RESERVED_KEY: _("Clé d'opération réservée : %(key)s."),
    ErrorCode.UPLOAD_TOO_LARGE: _("Pièce trop grosse : %(size)s Mo, au plus %(limit)s Mo."),
    ErrorCode.UPLOAD_BAD_TYPE: _("Pièce refusée : seuls les fichiers PDF, JPEG et PNG sont acceptés."),
    ErrorCode.UNBALANCED_ENTRY: _("Écriture déséquilibrée : débit %(debit)s, crédit %(credit)s."),
    ErrorCode.BAD_LINE: _("Ligne invalide : %(detail)s"),
    ErrorCode.ACCOUNT_NOT_IN_CHART: _("Le compte %(code)s n'existe pas dans le plan de ce livre."),
    ErrorCode.PERIOD_LOCKED: _("La période %(period)s est verrouillée pour ce livre."),
    ErrorCode.FUTURE_DATE: _("La date %(date)s est dans le futur."),
    ErrorCode.CLOSING_ENTRY_DATE: _(
        "Une écriture de clôture est datée du 31 décembre et une écriture d'à-nouveaux du 1er janvier (%(date)s)."
    ),
    ErrorCode.MISSING_SOURCE: _("Une écriture doit citer sa pièce justificative."),
    ErrorCode.NO_BOOK: _("Cette organisation n'a pas encore de livre comptable."),
    ErrorCode.UNKNOWN_PARTNER: _("Partenaire inconnu : %(value)s."),
    ErrorCode.BAD_TAG: _(
        "Étiquette analytique invalide : « %(value)s » (minuscules, chiffres et « : - _ . », 80 caractères au plus)."
    ),
    ErrorCode.ALREADY_REVERSED: _("L'écriture %(number)s a déjà été contre-passée."),
    ErrorCode.REVERSAL_OF_REVERSAL: _("Une contre-passation ne se contre-passe pas : passez une nouvelle écriture."),
    ErrorCode.UNLOCK_REASON_REQUIRED: _("Déverrouiller une période demande un motif."),
    ErrorCode.NOT_LOCKED: _("La période %(period)s n'est pas verrouillée."),
    ErrorCode.BAD_PERIOD: _("Période invalide : %(period)s (mois de 1 à 12, année de %(first)s à %(last)s)."),
    ErrorCode.EARLIER_MONTH_OPEN: _("Verrouillez d'abord %(period)s : les mois se verrouillent dans l'ordre."),
    ErrorCode.LATER_MONTH_LOCKED: _(
        "Déverrouillez d'abord %(period)s : les mois se rouvrent du plus récent au plus ancien."
    ),
    # sales: till (append this area's messages below this line)
    ErrorCode.TILL_UNAUTHORIZED: _("Ce téléphone n'est pas reconnu comme caisse : enregistrez-le à nouveau."),
    ErrorCode.TILL_RATE_LIMITED: _("Trop d'envois depuis ce téléphone : il réessaiera dans une minute."),
    ErrorCode.TILL_METHOD: _("Méthode %(method)s non acceptée ici."),
    ErrorCode.TILL_BAD_JSON: _("Envoi illisible : un objet JSON est attendu."),
    ErrorCode.TILL_NOT_A_LIST: _("Envoi illisible : « %(field)s » doit être une liste."),
    ErrorCode.TILL_BODY_TOO_LARGE: _("Envoi trop gros : au plus %(limit)s Mo par envoi."),
    ErrorCode.TILL_TOO_MANY_TICKETS: _("Trop de tickets dans un envoi : %(count)s, au plus %(limit)s."),
    ErrorCode.TILL_TOO_MANY_SHIFTS: _("Trop de sessions de caisse dans un envoi : %(count)s, au plus %(limit)s."),
    ErrorCode.TILL_EVENT_NOT_FOUND: _("Événement introuvable, clos, ou auquel ce vendeur n'est pas affecté."),
    ErrorCode.TILL_SHIFT_NOT_FOUND: _("Session de caisse introuvable."),
    ErrorCode.TILL_REGISTER_FORBIDDEN: _("Seuls les vendeurs et le personnel du GIE enregistrent un téléphone."),
    ErrorCode.TILL_DEVICE_NAME: _("Nom du téléphone invalide : du texte, %(limit)s caractères au plus."),
    # sales: books (append this area's messages below this line)
    ErrorCode.OFFSET_NOT_MEMBER: _("Une compensation se fait entre le GIE et l'un de ses membres."),
    ErrorCode.OFFSET_NOT_ALLOCATED: _(
        "Une compensation s'impute entièrement sur des factures : %(amount)s ne sont affectés à aucune facture."
    ),
    ErrorCode.SALES_NOT_PARTICIPANT: _("%(member)s ne participe pas à l'événement %(event)s."),
    ErrorCode.SALES_NOTHING_TO_SETTLE: _(
        "Rien à régler pour %(member)s à l'événement %(event)s au %(date)s : aucune vente récapitulée et non réglée."
    ),
    ErrorCode.SALES_NO_OPEN_DAY: _(
        "Les ventes du %(day)s ne peuvent pas être passées : le mois est verrouillé pour %(book)s et aucun jour "
        "ouvert ne suit jusqu'à aujourd'hui."
    ),
    # sales: catalogue (append this area's messages below this line)
    ErrorCode.PRODUCT_GIE: _("Le catalogue est celui des coopératives membres : le GIE n'y a pas de produits."),
    ErrorCode.PRODUCT_EXEMPT_MEMBER_VAT: _(
        "%(member)s est exonérée de TVA (art. 91) : ses produits sont tous exonérés (art. 91), pas « %(vat)s »."
    ),
    ErrorCode.PRODUCT_CODE_TAKEN: _("Le code %(code)s est déjà celui d'un autre produit de %(member)s."),
    ErrorCode.PRODUCT_NOT_OF_MEMBER: _("Le produit %(product)s n'est pas un produit de %(member)s."),
    ErrorCode.QUANTITY_INVALID: _("Quantité invalide : %(value)s (un nombre positif, 3 décimales au plus)."),
    ErrorCode.IMPORT_UNKNOWN_PRODUCT: _("Produit inconnu pour %(member)s : %(value)s."),
    ErrorCode.IMPORT_NOT_AT_EVENT: _("%(value)s ne participe pas à cet événement."),
    ErrorCode.PAPER_TICKET_DISAGREES: _(
        "Le ticket %(ticket)s a un autre %(field)s à la ligne %(first)s (%(expected)s) : ses lignes doivent s'accorder."
    ),
    ErrorCode.PAPER_TICKET_REFUSED: _("Ticket %(ticket)s (lignes %(rows)s) refusé : %(reason)s"),
    ErrorCode.DEPOSIT_NOT_PARTICIPANT: _("%(member)s ne participe pas à %(event)s."),
    ErrorCode.DEPOSIT_PAID_BY_GIE: _(
        "Le manquant de %(product)s est déjà payé par le GIE (écriture passée) : le dépôt et la décision ne se "
        "modifient plus ; contre-passez l'écriture pour corriger."
    ),
    ErrorCode.DEPOSIT_RETURNS_UNKNOWN: _(
        "Saisissez d'abord la reprise de %(product)s (0 si rien n'est repris) : l'écart n'est pas encore connu."
    ),
    ErrorCode.DEPOSIT_NO_SHORTAGE: _("Aucun manquant à décider pour %(product)s (écart %(difference)s)."),
    ErrorCode.DEPOSIT_NOTHING_DEPOSITED: _("Rien n'a été déposé pour %(product)s : aucune reprise à saisir."),
    ErrorCode.DEPOSIT_RETURNED_TOO_MUCH: _(
        "La reprise de %(product)s (%(returned)s) dépasse le dépôt (%(deposited)s)."
    ),
    ErrorCode.DEPOSIT_BAD_DECISION: _("Décision inconnue : %(value)s."),
    ErrorCode.DEPOSIT_OUTSIDE_DATES: _(
        "Date refusée : le %(day)s est hors des dates de %(event)s (du %(first)s au %(last)s, un jour avant ou après "
        "au plus pour l'installation et le démontage)."
    ),
    ErrorCode.DEPOSIT_BEFORE_OPENING: _(
        "Date refusée : le %(day)s précède l'ouverture de %(event)s (le %(first)s, un jour avant au plus pour "
        "l'installation)."
    ),
    ErrorCode.QUANTITY_NOT_WHOLE: _(
        "%(product)s se compte à l'unité (%(unit)s) : %(value)s n'est pas un nombre entier. Seuls les produits au kg "
        "ou au litre prennent des décimales."
    ),
    ErrorCode.DEPOSIT_RETURN_ABOVE_LEFT: _(
        "Reprise de %(product)s refusée : %(returned)s saisis, mais %(deposited)s déposés et %(sold)s vendus : "
        "%(most)s au plus peuvent revenir."
    ),
    ErrorCode.PRODUCT_MEMBER_LOCKED: _(
        "%(product)s a déjà des ventes ou un dépôt chez %(member)s : son membre ne change plus. Créez le produit chez "
        "le bon membre et retirez celui-ci de la vente."
    ),
    ErrorCode.PRODUCT_PRICE_TOO_LOW: _("Le prix doit être d'au moins %(minimum)s DH."),
    # sales: pages (append this area's messages below this line)
    ErrorCode.SALES_MEMBER_HAS_SALES: _(
        "%(member)s a déjà des ventes, un dépôt ou un règlement à cet événement : ce membre reste dans la liste."
    ),
    ErrorCode.SALES_TICKETS_OUTSIDE_DATES: _(
        "Des tickets seraient hors des dates (du %(first)s au %(last)s) : %(count)s. Gardez des dates qui les couvrent."
    ),
    ErrorCode.SALES_CHANNEL_LOCKED: _("Cet événement a déjà des tickets : son canal ne change plus."),
    ErrorCode.SALES_PREVIEW_CHANGED: _(
        "Les montants ont changé depuis l'aperçu (des tickets sont arrivés) : rien n'a été réglé. Vérifiez le nouvel "
        "aperçu puis confirmez."
    ),
    # training (append this area's messages below this line)
    ErrorCode.TRAINING_SESSION_NOT_OPEN: _("Cette session ne prend pas d'inscriptions (%(state)s)."),
    ErrorCode.TRAINING_ENROLMENT_CLOSED: _("Les inscriptions à cette session sont closes depuis le %(deadline)s."),
    ErrorCode.TRAINING_ALREADY_ENROLLED: _("%(name)s est déjà inscrit(e) à cette session ou sur sa liste d'attente."),
    ErrorCode.TRAINING_COOPERATOR_INACTIVE: _("%(name)s n'est plus actif(ve) dans sa coopérative."),
    ErrorCode.TRAINING_ALREADY_CANCELLED: _("Cette inscription est déjà annulée."),
    ErrorCode.TRAINING_NOT_ENROLLED: _("Ces personnes ne sont pas inscrites à cette session : %(names)s."),
    ErrorCode.TRAINING_HALF_DAY_ELSEWHERE: _("Cette demi-journée n'appartient pas à cette session."),
    ErrorCode.TRAINING_NO_HALF_DAYS: _("Cette session n'a pas encore de demi-journées : ajoutez-les d'abord."),
    ErrorCode.TRAINING_SESSION_BILLED: _(
        "Cette session est déjà facturée (le %(date)s) : ses inscriptions et ses présences ne changent plus."
    ),
    ErrorCode.TRAINING_NOT_ENDED: _("Cette session se termine le %(date)s : elle se facture à partir de ce jour-là."),
    ErrorCode.TRAINING_SESSION_CANCELLED: _("Cette session est annulée : rien n'est facturé."),
    ErrorCode.TRAINING_PAYMENT_TOO_LARGE: _(
        "Versement de %(amount)s DH refusé : %(funder)s ne doit plus que %(owed)s DH pour les sessions facturées."
    ),
    ErrorCode.TRAINING_AMOUNT_NOT_POSITIVE: _("Le montant doit être positif, avec 2 décimales au plus : %(value)s."),
    ErrorCode.TRAINING_BAD_CHOICE: _("Choix inconnu : %(value)s."),
    ErrorCode.TRAINING_PERSON_ERASED: _("Les données de cette personne ont été effacées : elles ne se modifient plus."),
    ErrorCode.TRAINING_ERASE_REASON_REQUIRED: _("L'effacement demande un motif (la demande de la personne)."),
    ErrorCode.TRAINING_BAD_BIRTH_YEAR: _("Année de naissance invalide : %(value)s (de 1900 à %(last)s)."),
    ErrorCode.TRAINING_SLUG_TAKEN: _("Ce nom court est déjà pris : %(slug)s."),
    ErrorCode.TRAINING_HALF_DAY_HAS_ATTENDANCE: _(
        "La demi-journée du %(date)s a déjà des présences saisies : elle ne peut pas être retirée."
    ),
    ErrorCode.TRAINING_HALF_DAY_OUTSIDE: _("La demi-journée du %(date)s est en dehors des dates de la session."),
    ErrorCode.TRAINING_FUNDER_TWICE: _("%(name)s figure deux fois parmi les financeurs de la session."),
    ErrorCode.TRAINING_GRANT_OTHER_FUNDER: _("La convention %(grant)s n'appartient pas à %(funder)s."),
    ErrorCode.TRAINING_GRANT_REFERENCE_TAKEN: _("%(funder)s a déjà une convention de référence %(reference)s."),
    ErrorCode.TRAINING_CAPACITY_BELOW_SEATED: _(
        "%(seated)s places sont déjà occupées : la capacité ne peut pas descendre à %(capacity)s."
    ),
    ErrorCode.TRAINING_SESSION_STATE: _("Cette session est « %(state)s » : cette action n'est pas possible."),
    ErrorCode.TRAINING_TRAINER_USER_INVALID: _(
        "%(name)s n'a pas le rôle de formateur, ou a déjà sa fiche de formateur."
    ),
    ErrorCode.TRAINING_DATES_ORDER: _("Le %(end)s vient avant le %(start)s : vérifiez les dates."),
    ErrorCode.TRAINING_TRAINER_NAME_REQUIRED: _(
        "Choisissez un utilisateur formateur ou écrivez le nom de la personne."
    ),
    ErrorCode.TRAINING_BILL_CHANGED: _(
        "Les montants ont changé depuis l'aperçu (inscriptions ou présences) : rien n'a été facturé. Vérifiez le "
        "nouvel aperçu puis confirmez."
    ),
    ErrorCode.FEES_PERIOD_NOT_ENDED: _(
        "La période n'est pas terminée : elle se facture à partir du %(date)s (l'aperçu reste possible)."
    ),
    ErrorCode.FEES_RUN_CHANGED: _(
        "Le pool %(pool)s est déjà facturé du %(start)s au %(end)s avec d'autres parts (clé, poids ou coûts changés "
        "depuis) : annulez d'abord cette répartition, puis relancez-la."
    ),
    ErrorCode.FEES_NOTHING_TO_SHARE: _(
        "Ce pool n'a rien à répartir sur la période : coûts %(costs)s, déjà recouvré %(recovered)s, montant fixe "
        "%(fixed)s, soit %(amount)s."
    ),
    ErrorCode.FEES_NO_WEIGHT: _("Aucun membre n'a de poids pour cette clé sur la période : rien à répartir."),
    ErrorCode.FEES_PERIOD_OVERLAP: _(
        "Le pool %(pool)s est déjà réparti du %(start)s au %(end)s : annulez d'abord cette répartition."
    ),
    ErrorCode.FEES_PREVIEW_CHANGED: _(
        "Les chiffres ont changé depuis l'aperçu (%(expected)s, maintenant %(actual)s) : revoyez l'aperçu."
    ),
    ErrorCode.FEES_RUN_UNDONE: _("Cette répartition est déjà annulée."),
    ErrorCode.FEES_BAD_PERIOD: _("Période invalide : %(value)s (AAAA-MM ou AAAA-MM..AAAA-MM)."),
    ErrorCode.FEES_PERIOD_ORDER: _("La période finit (%(end)s) avant de commencer (%(start)s) : inversez les mois."),
    ErrorCode.FEES_ZERO_NOTHING: _("Le résultat du GIE pour %(year)s est nul : rien à transférer."),
    ErrorCode.FEES_SOURCE_TAKEN: _("Le compte %(account)s %(tag)s alimente déjà le pool %(pool)s."),
    ErrorCode.FEES_REASON_REQUIRED: _("Donnez le motif de l'annulation."),
    ErrorCode.CLOSE_BOOK_DISAGREES: _(
        "La table des soldes ne concorde pas avec les écritures du mois (écarts : %(count)s) : lancez ledger_verify."
    ),
    ErrorCode.CLOSE_EARLIER_OPEN: _("Le mois %(period)s n'est pas clôturé : les mois se clôturent dans l'ordre."),
    ErrorCode.CLOSE_DRAFT_DOCUMENTS: _(
        "Documents en brouillon datés du mois : %(count)s (%(numbers)s) : validez-les ou supprimez-les."
    ),
    ErrorCode.CLOSE_TICKETS_PENDING: _(
        "Tickets de %(event)s non récapitulés : %(count)s : lancez le récapitulatif des ventes."
    ),
    ErrorCode.CLOSE_SHIFT_OPEN: _("Session de caisse ouverte sur %(event)s depuis le %(date)s : fermez-la."),
    ErrorCode.CLOSE_POOL_NOT_RUN: _("Le pool %(pool)s n'est pas réparti pour %(period)s."),
    ErrorCode.CLOSE_BAD_MONTH: _("Mois invalide : %(value)s (AAAA-MM)."),
    ErrorCode.CLOSE_MONTH_NOT_ENDED: _("Le mois %(period)s n'est pas terminé : il se clôture à partir du %(date)s."),
    ErrorCode.CLOSE_FAILED: _("Erreur inattendue pendant la clôture : %(error)s"),
    ErrorCode.CLOSE_BAD_YEAR: _("Exercice invalide : %(value)s (une année, par exemple 2026)."),
    ErrorCode.CLOSE_DECEMBER_WITH_YEAR: _(
        "Décembre %(year)s se clôture avec l'exercice : lancez la clôture de l'exercice %(year)s."
    ),
    ErrorCode.CLOSE_DECEMBER_LOCKED: _(
        "Décembre %(year)s est déjà verrouillé : un administrateur le rouvre, puis la clôture de l'exercice passe "
        "ses écritures."
    ),
    ErrorCode.CLOSE_ZERO_RESULT: _(
        "Le résultat %(year)s du GIE est de %(amount)s MAD : passez d'abord le transfert du résultat aux membres "
        "(Quotes-parts › Résultat zéro)."
    ),
    ErrorCode.CLOSE_GIE_RESULT_PENDING: _(
        "Le GIE n'a pas encore transféré son résultat %(year)s (%(amount)s MAD) : ce livre se clôture après ce "
        "transfert."
    ),
    ErrorCode.COMBINE_BAD_BOOKS: _(
        "Ensemble de livres inconnu : « %(value)s ». Écrivez all, women, sector:CODE (%(sectors)s) ou des codes de "
        "livres séparés par des virgules."
    ),
    ErrorCode.COMBINE_NO_BOOKS: _("Aucun livre dans cet ensemble : %(value)s."),
    ErrorCode.COMBINE_BAD_RANGE: _("La période finit (%(end)s) avant de commencer (%(start)s)."),
    ErrorCode.COMBINE_BAD_RULE: _("Paire de comptes invalide : %(reason)s"),
    ErrorCode.FEES_YEAR_NOT_ENDED: _(
        "L'année %(year)s n'est pas terminée : son résultat se transfère à partir du %(date)s (l'aperçu reste "
        "possible)."
    ),
    ErrorCode.FEES_PERIOD_YEARS: _("Période invalide : %(value)s (années de %(first)s à %(last)s)."),
    ErrorCode.FEES_SHARE_TOO_LARGE: _(
        "La quote-part de %(member)s (%(amount)s TTC) dépasse le plus grand montant qu'une facture accepte "
        "(%(limit)s) : répartissez moins de mois à la fois ou réduisez le montant fixe."
    ),
    ErrorCode.FEES_WEIGHT_NEGATIVE: _("« %(value)s » : un poids est positif ou nul (0 : le membre ne paie rien)."),
    ErrorCode.FEES_WEIGHTS_COLUMN: _(
        "Colonne « %(column)s » absente de l'en-tête (lu : %(header)s) : la feuille a deux colonnes, membre et "
        "poids (téléchargez le modèle)."
    ),
}


#: Unicode's first-strong isolate and its end: a value (a slug, a date, an amount) keeps its own direction and its
#: place in a right-to-left sentence instead of dragging the words around it
FSI, PDI = "\u2068", "\u2069"
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")


def _isolated(params: dict[str, Any]) -> dict[str, Any]:
    """Values holding a Latin letter or a digit, isolated; Arabic words flow with the sentence as they are."""
    return {key: f"{FSI}{value}{PDI}" if _LATIN_OR_DIGIT.search(str(value)) else value for key, value in params.items()}


def _render(template: Any, values: dict[str, Any]) -> str:
    if get_language_bidi():
        values = _isolated(values)
    return str(template) % values


def error_message(code: ErrorCode, params: dict[str, Any], language: str | None = None) -> str:
    """The message for a code in the active language, or in ``language`` when given; in a right-to-left language
    each value is isolated (FSI … PDI) so that a Latin value stays where the sentence puts it."""
    template = MESSAGES.get(code, _("Erreur : %(code)s"))
    values = {"code": code.value, **params}
    if language is None:
        return _render(template, values)
    with override(language):
        return _render(template, values)


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
