"""The fees pages (the GIE's staff): pools, runs with preview and history, the year-end zero result."""

from django.urls import path  # noqa: F401

app_name = "fees"
urlpatterns: list = []
