from django.urls import path

from gie_erp.web import (
    audit,
    portal,
    portal_fees,
    portal_figures,
    portal_invoices,
    portal_sales,
    portal_training,
    views,
)

app_name = "web"
urlpatterns = [
    path("members/import/", views.member_import, name="member_import"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_edit, name="user_new"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("audit/", audit.audit_log, name="audit"),
    path("portal/<int:year>/<int:month>/", portal.portal_month, name="portal_month"),
    path("portal/invoices/", portal_invoices.portal_invoices, name="portal_invoices"),
    path("portal/sales/", portal_sales.portal_sales, name="portal_sales"),
    path("portal/sales/<slug:event_slug>/", portal_sales.portal_sales_event, name="portal_sales_event"),
    path(
        "portal/sales/settlements/<int:settlement_id>/",
        portal_sales.portal_sales_settlement,
        name="portal_sales_settlement",
    ),
    *portal_training.urlpatterns,
    *portal_fees.urlpatterns,
    *portal_figures.urlpatterns,
]
