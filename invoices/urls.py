"""Invoicing routes under /invoices/; the public verification page lives at /verify/invoice/<token>/."""

from django.urls import URLPattern, URLResolver

from invoices.views import bundles, credit_notes, documents, followup, parties, payments

app_name = "invoices"

urlpatterns: list[URLPattern | URLResolver] = [
    *parties.urlpatterns,
    *documents.urlpatterns,
    *credit_notes.urlpatterns,
    *bundles.urlpatterns,
    *payments.urlpatterns,
    *followup.urlpatterns,
]
