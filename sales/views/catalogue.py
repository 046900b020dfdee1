"""(built by its own step of issue 12)"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
