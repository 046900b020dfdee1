"""Error pages and the language switch (first-day defects, item 4): styled, translated, never raw English."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "title"), [("fr", "Accès refusé"), ("ar", "الدخول مرفوض")])
def test_403_is_styled_and_translated(client, rep_a, language, title):
    client.force_login(rep_a)
    response = client.get("/books/trial-balance/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{title}</h1>" in page
    assert "403 Forbidden" not in page
    assert "<h1>Forbidden" not in page
    assert 'class="topbar"' in page  # the app's own layout


@pytest.mark.parametrize(("language", "title"), [("fr", "Page introuvable"), ("ar", "الصفحة غير موجودة")])
def test_404_is_styled_and_translated(client, accountant, language, title):
    client.force_login(accountant)
    response = client.get("/books/no-such-book/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_500_speaks_french_and_arabic(client, accountant, monkeypatch):
    from django.test import Client

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("ledger.views.reports.selectors.book_qs_visible", boom)
    browser = Client(raise_request_exception=False)
    browser.force_login(accountant)
    response = browser.get("/books/trial-balance/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in page
    assert "وقع خطأ" in page
    assert "Rien n’a été enregistré" in page


def test_the_language_switch_works_on_the_login_page(client):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="ar" dir="rtl"' in page
