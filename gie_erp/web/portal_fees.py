"""The portal's fees: a cooperative's fee invoices and notices (its own only)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
