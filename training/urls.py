"""Training routes under /training/: catalogue, sessions, a session's page and its money, funders, attendance,
certificates, reports. The public certificate check is under /verify/ (``training.views.public``), the portal's pages
under ``gie_erp.web``."""

from django.urls import URLPattern, URLResolver

from training.views import (
    attendance,
    catalogue,
    certificates,
    funders,
    reports,
    session_detail,
    session_money,
    sessions,
)

app_name = "training"

urlpatterns: list[URLPattern | URLResolver] = [
    *sessions.urlpatterns,
    *catalogue.urlpatterns,
    *session_detail.urlpatterns,
    *session_money.urlpatterns,
    *funders.urlpatterns,
    *attendance.urlpatterns,
    *certificates.urlpatterns,
    *reports.urlpatterns,
]
