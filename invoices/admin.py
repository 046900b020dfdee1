from django.contrib import admin

from invoices.models import VatRate


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin[VatRate]):
    list_display = ("code", "label_fr", "label_ar", "kind", "rate", "legal_reference", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "label_fr", "legal_reference")
