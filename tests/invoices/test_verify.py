"""The public page a printed document's QR code opens: what it shows, what it hides, the same answer for every miss,
and the rate limit per client address."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from invoices.models import Document
from invoices.services import document_save_draft, document_validate
from tests.invoices.conftest import TODAY, line
from tests.verify_kit import empty_cache, one_miss_page, other_character, spend_the_minute  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(world: dict[str, Any]) -> Document:
    draft = document_save_draft(
        issuer=world["exempt"],
        customer=world["hotel"],
        issued_on=date(2026, 10, 5),
        lines=[line("Huile d'olive vierge extra", "12", "90.00", unit="litre")],
    )
    return document_validate(document_id=draft.pk, today=TODAY)


def url(token: str | None) -> str:
    assert token is not None, "a validated document has a token"
    return reverse("invoices_public:verify_invoice", kwargs={"token": token})


def test_the_exact_token_shows_the_issuer_number_date_and_total_only(invoice: Document, world: dict[str, Any]) -> None:
    response = Client().get(url(invoice.verify_token))  # anonymous: no login redirect
    assert response.status_code == 200
    body = response.content.decode()
    for expected in ["Coopérative Zitouna", "تعاونية الزيتونة", "FA-2026-00001", "05/10/2026", "1\u202f080,00"]:
        assert expected in body, expected
    assert "Document valide" in body
    assert "Facture" in body
    hotel = world["hotel"]
    for hidden in [hotel.legal_name_fr, hotel.ice, hotel.address, "Huile", "litre", invoice.issuer.ice]:
        assert hidden not in body, hidden
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_every_miss_is_the_same_404_page(invoice: Document, world: dict[str, Any]) -> None:
    token = invoice.verify_token
    assert token is not None
    assert len(token) == 32  # token_urlsafe(24): 192 bits
    draft = document_save_draft(
        issuer=world["exempt"], customer=world["hotel"], issued_on=date(2026, 10, 6), lines=[line("Huile", "1", "9")]
    )
    assert draft.verify_token is None
    misses = [
        "/verify/invoice/" + other_character(token[0]) + token[1:] + "/",  # one character changed, first or last
        "/verify/invoice/" + token[:-1] + other_character(token[-1]) + "/",
        "/verify/invoice/" + token[:-1] + "/",  # truncated
        "/verify/invoice/" + token[:16] + "/",
        "/verify/invoice/" + token.upper() + "/",  # same letters, another case
        "/verify/invoice/" + token + "x/",  # one character too many
        "/verify/invoice//",  # empty
        "/verify/invoice/not-a-token/",  # garbage
        "/verify/invoice/%27%20OR%201=1--/",
        "/verify/invoice/None/",  # what a draft's absent token would print as
        "/verify/invoice/null/",
    ]
    client = Client()
    miss = one_miss_page(client, misses)
    no_slash = client.get("/verify/invoice/" + token[:-1], follow=True)  # any value is redirected, then missed
    assert (no_slash.status_code, no_slash.content) == (404, miss)
    body = miss.decode()
    assert "Document introuvable" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert token not in body
    assert "Coopérative Zitouna" not in body


def test_a_validated_token_is_found_and_an_equal_draft_never(invoice: Document) -> None:
    """Only a validated document answers: a row carrying a token while still a draft (never made by the services)
    is a miss like any other."""
    assert Client().get(url(invoice.verify_token)).status_code == 200
    draft = document_save_draft(
        issuer=invoice.issuer, customer=invoice.customer, issued_on=invoice.issued_on, lines=[line("Huile", "1", "9")]
    )
    token = "d" * 32
    Document.objects.filter(pk=draft.pk).update(verify_token=token)  # a draft may change; a validated one not
    assert Client().get(url(token)).status_code == 404


def test_the_31st_lookup_in_a_minute_is_refused(invoice: Document) -> None:
    client = Client()
    assert invoice.verify_token is not None
    spend_the_minute(client, url, invoice.verify_token)
    refused = client.get(url(invoice.verify_token))  # the right token too: the limit counts lookups, not misses
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Trop de vérifications" in refused.content.decode()
    assert invoice.number not in refused.content.decode()
    # another address has its own count
    assert Client(REMOTE_ADDR="10.1.2.3").get(url(invoice.verify_token)).status_code == 200


def test_the_limit_is_a_setting(invoice: Document, settings: Any) -> None:
    settings.GIE_VERIFY_RATE_PER_MINUTE = 2
    client = Client()
    assert [client.get(url(invoice.verify_token)).status_code for _ in range(3)] == [200, 200, 429]


def test_the_page_answers_in_arabic(invoice: Document) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="ar").get(url(invoice.verify_token))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in body
    assert '<span class="amt" dir="ltr">1\u202f080,00</span>' in body  # Western digits, left to right


def test_only_reading_is_allowed(invoice: Document) -> None:
    assert Client().post(url(invoice.verify_token)).status_code == 405


def test_the_page_reads_on_a_phone_in_arabic(invoice: Document) -> None:
    """On a phone each label goes above its value (beside it, the long names were squeezed into a narrow column),
    and the French name of the issuer keeps its own direction in an Arabic page (its brackets in place)."""
    body = Client(HTTP_ACCEPT_LANGUAGE="ar").get(url(invoice.verify_token)).content.decode()
    assert "@media (max-width: 30rem)" in body
    assert "dl { grid-template-columns: 1fr; gap: 0; }" in body
    assert '<span lang="fr" dir="ltr">Coopérative Zitouna' in body
