"""Sales routes under /sales/: events and channels, catalogue, consignment, the till and its JSON API, reports,
settlements."""

from django.urls import URLPattern, URLResolver

from sales.views import api, catalogue, consignment, events, reports, settlements, till, till_server

app_name = "sales"

urlpatterns: list[URLPattern | URLResolver] = [
    *events.urlpatterns,
    *catalogue.urlpatterns,
    *consignment.urlpatterns,
    *till.urlpatterns,
    *till_server.urlpatterns,
    *api.urlpatterns,
    *reports.urlpatterns,
    *settlements.urlpatterns,
]
