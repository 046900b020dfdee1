"""The fees pages (the GIE's staff): pools, runs with preview and history, the year-end zero result."""

from django.urls import URLPattern, URLResolver

from gie_erp.fees.views import pools, runs, zero

app_name = "fees"
urlpatterns: list[URLPattern | URLResolver] = [
    *pools.urlpatterns,
    *runs.urlpatterns,
    *zero.urlpatterns,
]
