"""``import_page``: the one shape of the import pages (here the register of customers and suppliers, which uses it):
the shared upload form, the column guide with its template links, the report of a refusal in French and Arabic,
and the refusals that are not a row's (no file, a file too large) said once, nothing written."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoices.models import Party
from invoices.parties import PARTY_LIMITS

pytestmark = pytest.mark.django_db
URL = "/invoices/parties/import/"
HEADER = (
    "code,type,raison_sociale_fr,raison_sociale_ar,ice,if,rc,adresse,ville,telephone,email,langue,delai_paiement,"
    "client,fournisseur"
)


def test_the_page_shows_the_shared_form_and_guide(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    page = client.get(URL).content.decode()
    assert 'id="party-import-form"' in page
    assert '<input type="file" name="file" id="party-import-file" accept=".csv,.xlsx" required autofocus>' in page
    assert 'href="/invoices/parties/import/template.xlsx" id="party-template-xlsx"' in page
    assert 'href="/invoices/parties/import/template.csv" id="party-template-csv"' in page
    assert page.count("<code>") >= len(HEADER.split(","))  # one guide row per column
    assert "<code>raison_sociale_fr</code>" in page
    assert 'id="import-errors"' not in page  # no report before an import


def test_a_refusal_lists_the_rows_in_both_languages(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    sheet = SimpleUploadedFile("c.csv", f"{HEADER}\na,entreprise,,,,,,,,,,,,,\n".encode())
    page = client.post(URL, {"file": sheet}).content.decode()
    assert 'id="import-errors"' in page
    assert '<td class="num">2</td><td>raison_sociale_fr</td>' in page
    assert 'dir="rtl" lang="ar"' in page
    assert "Import refusé : aucune ligne n&#x27;a été enregistrée." in page
    assert not Party.objects.exists()


def test_no_file_or_a_file_too_large_is_said_and_nothing_is_written(client: Any, accountant: Any) -> None:
    client.force_login(accountant)
    page = client.post(URL, {}).content.decode()
    assert "Choisissez un fichier CSV ou XLSX." in page
    big = SimpleUploadedFile("c.csv", HEADER.encode() + b"\n" + b"x" * PARTY_LIMITS.max_bytes)
    page = client.post(URL, {"file": big}).content.decode()
    assert "Fichier trop gros : 5.0 Mo, au plus 5 Mo pour cet import." in page
    assert 'id="import-errors"' not in page
    assert not Party.objects.exists()
