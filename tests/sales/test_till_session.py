"""The till's pages on a phone sellers share, and the strings that count: each till page names its user (the
service worker keeps offline copies per user and never shows one seller's page to another: sw.js); an offline
visit with no copy for the user gets a page saying to connect; every counted string goes to the phone in every
plural form of its language."""

import json
import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import ngettext

from gie_erp.core.roles import Role
from sales.views.till import PLURAL_SAMPLES, PLURALS, USER_HEADER, offline_page
from tests.factories.members import UserFactory
from tests.sales.test_till_pages import context_of

pytestmark = [pytest.mark.django_db]


def test_till_pages_name_their_user_for_the_service_worker(client: Any, fair: dict[str, Any]) -> None:
    seller = fair["seller"]
    client.force_login(seller)
    assert client.get("/sales/till/")[USER_HEADER] == str(seller.pk)
    till = client.get("/sales/till/foire-tanger-2026/")
    assert till[USER_HEADER] == str(seller.pk)
    assert context_of(till)["urls"]["logout"] == "/accounts/logout/"
    other = UserFactory(username="karim", role=Role.FAIR_SELLER)
    fair["event"].sellers.add(other)
    client.force_login(other)
    assert client.get("/sales/till/foire-tanger-2026/")[USER_HEADER] == str(other.pk)


def test_an_offline_visit_without_a_copy_gets_the_page_saying_to_connect(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    body = client.get("/sales/till/sw.js").content.decode()
    written = json.loads(re.search(r"const OFFLINE_PAGE = (\".*?\");\n", body).group(1))  # type: ignore[union-attr]
    assert written == offline_page()
    assert 'lang="ar" dir="rtl"' in written
    assert "Connectez le téléphone à Internet et identifiez-vous." in written
    assert "imane" not in written  # nobody's page: no name, no event
    assert "<script" not in written


def test_the_list_of_events_guards_its_log_out_button(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    page = client.get("/sales/till/").content.decode()
    found = re.search(r'id="till-logout-guard">(.*?)</script>', page, re.DOTALL)
    assert found
    config = json.loads(found.group(1))
    assert config["urls"] == {
        "logout": "/accounts/logout/",
        "scope": "/sales/till/",
        "sync": "/sales/api/sync/",
        "z": "/sales/api/shifts/00000000-0000-0000-0000-000000000000/z/",
    }
    assert config["confirm"].startswith("Des tickets de ce téléphone ne sont pas encore envoyés.")
    assert "sales/till/logout_guard.js" in page


def test_every_counted_string_goes_in_every_plural_form(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    plurals = context_of(client.get("/sales/till/foire-tanger-2026/"))["plurals"]
    assert set(plurals["fr"]) == set(plurals["ar"]) == set(PLURALS)
    for key in PLURALS:
        assert set(plurals["fr"][key]) == {"one", "other"}
        assert set(plurals["ar"][key]) == {"zero", "one", "two", "few", "many", "other"}
        assert all("{n}" in text for forms in (plurals["fr"][key], plurals["ar"][key]) for text in forms.values())
    assert plurals["fr"]["unsynced"] == {
        "one": "{n} ticket pas encore envoyé",
        "other": "{n} tickets pas encore envoyés",
    }


def test_the_sample_counts_pick_each_arabic_form_of_the_catalogue() -> None:
    """Each category's sample count selects its own msgstr (0 to 5) of an Arabic plural already translated: the
    phone's categories (dom.js pluralCategory) are the catalogue's forms."""
    with translation.override("ar"):
        forms = [
            ngettext("%(count)d ligne importée.", "%(count)d lignes importées.", n)
            for n in PLURAL_SAMPLES["ar"].values()
        ]
    assert forms == [
        "تم استيراد %(count)d سطر.",
        "تم استيراد سطر واحد (%(count)d).",
        "تم استيراد سطرين (%(count)d).",
        "تم استيراد %(count)d أسطر.",
        "تم استيراد %(count)d سطرا.",
        "تم استيراد %(count)d سطر.",
    ]
    assert list(PLURAL_SAMPLES["ar"]) == ["zero", "one", "two", "few", "many", "other"]
