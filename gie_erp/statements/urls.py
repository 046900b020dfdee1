"""Statements: the accountant's batch printing with progress, and the cooperative portal's download."""

from django.urls import URLPattern, path

from gie_erp.statements import views

app_name = "statements"
urlpatterns: list[URLPattern] = [
    path("batches/", views.batch_new, name="batch_new"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<int:batch_id>/files/<str:file_name>", views.batch_file, name="batch_file"),
    path("<slug:org_slug>/<int:year>/<int:month>.pdf", views.statement_download, name="download"),
]
