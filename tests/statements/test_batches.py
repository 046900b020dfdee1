"""print_statements, the accountant's batch page and the portal download (with tenant isolation)."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from gie_erp.statements.models import StatementBatch
from ledger.books import book_ensure
from tests.factories.members import RepresentativeFactory


@pytest.fixture
def coop_b_book(coop_b):
    return book_ensure(organization=coop_b)


def pages(path) -> int:
    return len(PdfReader(str(path)).pages)


def test_print_statements_writes_one_pdf_per_member_and_a_bundle(books, coop_b_book, media, tmp_path):
    out = tmp_path / "out"
    stdout = io.StringIO()
    call_command("print_statements", month="2026-03", out=str(out), stdout=stdout)
    assert sorted(p.name for p in out.iterdir()) == ["bundle-2026-03.pdf", "coop-a-2026-03.pdf", "coop-b-2026-03.pdf"]
    assert pages(out / "coop-a-2026-03.pdf") == pages(out / "coop-b-2026-03.pdf") == 1
    assert pages(out / "bundle-2026-03.pdf") == 2
    assert "[2/2]" in stdout.getvalue()
    batch = StatementBatch.objects.get()
    assert batch.status == StatementBatch.Status.DONE
    assert batch.items.filter(rendered_at__isnull=False).count() == 2


def test_print_statements_for_one_member(books, coop_b_book, media, tmp_path):
    call_command("print_statements", month="2026-03", out=str(tmp_path), member="coop-b", stdout=io.StringIO())
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == [
        "bundle-2026-03.pdf",
        "coop-b-2026-03.pdf",
    ]


def test_rendering_an_item_twice_does_not_redo_it(books, media):
    from gie_erp.statements.services import statement_batch_create, statement_batch_item_render

    batch = statement_batch_create(year=2026, month=3, acting_user=None)
    item = batch.items.get()
    first = statement_batch_item_render(item_id=item.pk, printed_on=date(2026, 11, 22))
    again = statement_batch_item_render(item_id=item.pk, printed_on=date(2026, 11, 22))
    assert first == again
    batch.refresh_from_db()
    assert batch.status == StatementBatch.Status.DONE
    assert batch.bundle_name.endswith("bundle-2026-03.pdf")


def test_accountant_launches_a_batch_and_follows_it(
    client, accountant, books, media, django_capture_on_commit_callbacks
):
    client.force_login(accountant)
    assert client.get(reverse("statements:batch_new")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("statements:batch_new"), {"period": "2026-03"})
    batch = StatementBatch.objects.get()
    assert response.url == reverse("statements:batch_detail", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"bundle-2026-03.pdf" in page.content
    pdf = client.get(reverse("statements:batch_file", args=[batch.pk, "bundle-2026-03.pdf"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("statements:batch_file", args=[batch.pk, "coop-z-2026-03.pdf"])).status_code == 404


def test_a_representative_cannot_launch_batches(client, rep_a, books):
    client.force_login(rep_a)
    assert client.get(reverse("statements:batch_new")).status_code == 403


def test_portal_download_for_the_cooperative_itself(client, rep_a, books):
    client.force_login(rep_a)
    response = client.get(reverse("statements:download", args=["coop-a", 2026, 3]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_another_cooperative_gets_404(client, books, coop_b_book, coop_b):
    client.force_login(RepresentativeFactory(username="rep-b", organization=coop_b))
    assert client.get(reverse("statements:download", args=["coop-a", 2026, 3])).status_code == 404
    assert client.get(reverse("statements:download", args=["coop-b", 2026, 3])).status_code == 200
    assert client.get(reverse("statements:download", args=["gie", 2026, 3])).status_code == 404
    assert client.get(reverse("statements:download", args=["coop-b", 2026, 13])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, books):
    response = client.get(reverse("statements:download", args=["coop-a", 2026, 3]))
    assert response.status_code == 302
