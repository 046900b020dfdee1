"""The combined accounts' pages: ``/combined/`` (the combination and its exports) and the pair list."""

from django.urls import path

from gie_erp.combine.views.accounts import combined_index
from gie_erp.combine.views.rules import rule_edit, rule_list

app_name = "combine"
urlpatterns = [
    path("", combined_index, name="index"),
    path("pairs/", rule_list, name="rule_list"),
    path("pairs/new/", rule_edit, name="rule_new"),
    path("pairs/<slug:rule_key>/", rule_edit, name="rule_edit"),
]
