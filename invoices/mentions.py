"""The mentions a Moroccan invoice must carry (CGI art. 145-III, DOMAIN.md), frozen at validation, and the check
that refuses a document missing one. The snapshot builders read model attributes only; the check is pure."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: label of each mention the check can name (French msgids: rendered in the user's language)
LABELS: dict[str, Any] = {
    "issuer.name_fr": _("raison sociale de l'émetteur"),
    "issuer.address": _("adresse de l'émetteur"),
    "issuer.ice": _("ICE de l'émetteur"),
    "issuer.if_number": _("identifiant fiscal (IF) de l'émetteur"),
    "issuer.tp_number": _("taxe professionnelle de l'émetteur"),
    "issuer.rc_number": _("registre du commerce (RC) de l'émetteur"),
    "issuer.register_number": _("numéro d'immatriculation de la coopérative (ODCO)"),
    "customer.name_fr": _("nom ou raison sociale du client"),
    "customer.address": _("adresse du client"),
    "customer.ice": _("ICE du client (entreprise)"),
    "lines": _("au moins une ligne (nature, quantité, prix)"),
    "payment_terms": _("conditions de paiement"),
    "payment_means": _("moyens de paiement"),
}


def issuer_snapshot(organization: Any, invoicing: Any, gie: Any) -> dict[str, str]:
    """The issuer's identity as printed: a member's own identifiers for a mandate document, with the GIE named as
    the mandatary that invoices in its name."""
    commune = getattr(organization, "commune", None)
    snapshot = {
        "name_fr": organization.legal_name_fr,
        "name_ar": organization.legal_name_ar,
        "address": organization.address,
        "city": commune.name_fr if commune else "",
        "city_ar": commune.name_ar if commune else "",
        "ice": organization.ice,
        "if_number": organization.if_number,
        "tp_number": organization.tp_number,
        "rc_number": organization.rc_number,
        "register_number": organization.odco_number,
        "kind": organization.kind,
        "vat_status": organization.vat_status,
        "vat_legal_reference": organization.vat_legal_reference,
        "phone": organization.phone,
        "bank_account": getattr(invoicing, "bank_account", "") or "",
        "payment_means": getattr(invoicing, "payment_means", "") or str(settings.GIE_INVOICE_PAYMENT_MEANS),
    }
    if gie is not None and gie.pk != organization.pk:
        snapshot["mandatary_name_fr"] = gie.legal_name_fr
        snapshot["mandatary_name_ar"] = gie.legal_name_ar
        snapshot["mandatary_ice"] = gie.ice
    return snapshot


def customer_snapshot(party: Any) -> dict[str, str]:
    return {
        "name_fr": party.legal_name_fr,
        "name_ar": party.legal_name_ar,
        "address": party.address,
        "city": party.city,
        "ice": party.ice,
        "if_number": party.if_number,
        "rc_number": party.rc_number,
        "kind": party.kind,
        "code": party.code,
    }


def missing_mentions(
    *,
    issuer: Mapping[str, str],
    customer: Mapping[str, str],
    line_count: int,
    payment_terms: str,
) -> list[str]:
    """The keys of LABELS a document lacks. A cooperative has a register number instead of an RC; the customer's
    ICE is required for a business (the law's text) unless the setting relaxes it, never for a consumer (the DGI
    does not sanction its absence)."""
    missing = [
        f"issuer.{key}" for key in ("name_fr", "address", "ice", "if_number", "tp_number") if not issuer.get(key)
    ]
    if issuer.get("kind") == "cooperative":
        if not issuer.get("register_number") and not issuer.get("rc_number"):
            missing.append("issuer.register_number")
    elif not issuer.get("rc_number"):
        missing.append("issuer.rc_number")
    missing += [f"customer.{key}" for key in ("name_fr", "address") if not customer.get(key)]
    if customer.get("kind") == "business" and settings.GIE_INVOICE_REQUIRE_BUSINESS_ICE and not customer.get("ice"):
        missing.append("customer.ice")
    if line_count == 0:
        missing.append("lines")
    if not payment_terms.strip():
        missing.append("payment_terms")
    if not issuer.get("payment_means"):
        missing.append("payment_means")
    return missing
