from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from invoices.models import Document, IssuerSettings, Party, VatRate


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin[VatRate]):
    list_display = ("code", "label_fr", "label_ar", "kind", "rate", "legal_reference", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "label_fr", "legal_reference", "source")


@admin.register(IssuerSettings)
class IssuerSettingsAdmin(admin.ModelAdmin[IssuerSettings]):
    list_display = ("organization", "vat_regime", "vat_period", "bank_account")
    list_filter = ("vat_regime", "vat_period")
    search_fields = ("organization__legal_name_fr", "organization__slug")
    autocomplete_fields = ("organization",)


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin[Party]):
    list_display = ("code", "legal_name_fr", "kind", "ice", "city", "is_customer", "is_supplier", "is_active")
    list_filter = ("kind", "is_customer", "is_supplier", "is_active")
    search_fields = ("code", "legal_name_fr", "legal_name_ar", "ice")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    """Read only: documents change through invoices.services (validated ones never)."""

    list_display = ("number", "kind", "status", "issuer", "customer", "issued_on", "total_gross", "amount_paid")
    list_filter = ("kind", "status", "submission_state")
    search_fields = ("number", "customer__legal_name_fr", "issuer__legal_name_fr")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
