"""The till's pages on the server side: who may open them, the app shell's embedded context (strings in both
languages, the URLs of the API), the service worker and the manifest. The till itself runs in the browser:
tests/browser/test_till.py."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.urls import resolve

from gie_erp.core.roles import Role
from sales.views.till import ASSETS, STRINGS
from tests.factories.members import RepresentativeFactory, UserFactory

pytestmark = [pytest.mark.django_db]


def context_of(response: Any) -> dict[str, Any]:
    match = re.search(r'<script id="till-context" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the shell embeds its context"
    return json.loads(match.group(1))


def test_the_seller_opens_the_till_of_her_fair(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    home = client.get("/sales/till/")
    assert home.status_code == 200
    assert "/sales/till/foire-tanger-2026/" in home.content.decode()
    response = client.get("/sales/till/foire-tanger-2026/")
    assert response.status_code == 200
    context = context_of(response)
    assert context["event"]["slug"] == "foire-tanger-2026"
    assert context["event"]["name_ar"] == "المعرض الجهوي بطنجة 2026"
    assert context["is_seller"] is True
    assert context["user"]["username"] == "imane"
    assert context["urls"]["register"] == "/sales/till/device/"
    assert context["urls"]["catalogue"] == "/sales/api/events/foire-tanger-2026/catalogue/"
    assert context["urls"]["sync"] == "/sales/api/sync/"
    assert context["urls"]["z"] == "/sales/api/shifts/00000000-0000-0000-0000-000000000000/z/"
    # every string in French and in Arabic, so the phone switches language offline
    assert set(context["strings"]["fr"]) == set(context["strings"]["ar"]) == set(STRINGS)
    assert context["strings"]["fr"]["pay"] == "Payer"
    assert context["plurals"]["fr"]["close_refused"]["other"].startswith("{n} tickets")
    assert context["plurals"]["fr"]["close_refused"]["one"].startswith("{n} ticket n'est")
    assert response.cookies.get("csrftoken")  # the registration's POST needs it


def test_the_till_of_another_fair_is_missing(client: Any, fair: dict[str, Any]) -> None:
    stranger = UserFactory(username="karim", role=Role.FAIR_SELLER)
    client.force_login(stranger)
    assert client.get("/sales/till/foire-tanger-2026/").status_code == 404
    assert client.get("/sales/till/no-such-fair/").status_code == 404
    assert "foire-tanger-2026" not in client.get("/sales/till/").content.decode()


def test_staff_may_open_it_but_are_told_they_do_not_sell_there(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="compta", role=Role.GIE_ACCOUNTANT))
    response = client.get("/sales/till/foire-tanger-2026/")
    assert response.status_code == 200
    assert context_of(response)["is_seller"] is False


def test_representatives_and_anonymous_users_stay_out(client: Any, fair: dict[str, Any]) -> None:
    assert client.get("/sales/till/foire-tanger-2026/").status_code == 302  # to the login page
    client.force_login(RepresentativeFactory(organization=fair["exempt"]))
    assert client.get("/sales/till/").status_code == 403
    assert client.get("/sales/till/foire-tanger-2026/").status_code == 403


def test_device_registration_is_not_read_as_an_event(client: Any, fair: dict[str, Any]) -> None:
    assert resolve("/sales/till/device/").url_name == "till_device_register"
    assert resolve("/sales/till/foire-tanger-2026/").url_name == "till"


def test_the_service_worker_caches_every_file_of_the_till(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    response = client.get("/sales/till/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/sales/till/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "__VERSION__" not in body
    assert "__ASSETS__" not in body
    assert "__SCOPE__" not in body
    assert "__OFFLINE_PAGE__" not in body
    cached = json.loads(re.search(r"const ASSETS = (\[.*?\]);", body).group(1))  # type: ignore[union-attr]
    assert "/static/sales/till/app.js" in cached
    assert "/static/js/amounts.js" in cached  # imported by the till's modules
    for name in ASSETS:
        assert finders.find(name), name
    # every module the till imports is cached, or it would not start offline
    for name in ASSETS:
        if name.endswith(".js"):
            source = Path(str(finders.find(name))).read_text()
            for imported in re.findall(r'from "(\.[^"]+)"', source):
                target = imported.replace("../../js/", "js/").replace("./", "sales/till/")
                assert target in ASSETS, f"{name} imports {imported}, which the service worker does not cache"


def test_the_manifest_starts_on_the_event_it_was_installed_from(client: Any, fair: dict[str, Any]) -> None:
    client.force_login(fair["seller"])
    manifest = client.get("/sales/till/manifest.webmanifest?event=foire-tanger-2026").json()
    assert manifest["start_url"] == "/sales/till/foire-tanger-2026/"
    assert manifest["scope"] == "/sales/till/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    unknown = client.get("/sales/till/manifest.webmanifest?event=another-fair").json()
    assert unknown["start_url"] == "/sales/till/"
