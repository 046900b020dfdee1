"""print_statements, the accountant's batch page and the portal download (with tenant isolation)."""

import io
from datetime import date, timedelta
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from gie_erp.core.exports import content_disposition
from gie_erp.statements.models import StatementBatch, StatementBatchItem
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
    page = client.get(response.url).content.decode()
    progress_url = reverse("statements:batch_progress", args=[batch.pk])
    assert f'hx-post="{progress_url}"' in page  # the page polls its progress
    assert "0 relevé(s) sur 1" in page
    poll = client.post(progress_url)  # eager mode: the poll renders the next slice
    assert poll.status_code == 286  # finished: htmx stops polling
    assert "1 relevé(s) sur 1" in poll.content.decode()
    assert "bundle-2026-03.pdf" in poll.content.decode()
    page = client.get(response.url).content.decode()
    assert "bundle-2026-03.pdf" in page
    assert "hx-post" not in page  # a finished batch is not polled
    pdf = client.get(reverse("statements:batch_file", args=[batch.pk, "bundle-2026-03.pdf"]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("statements:batch_file", args=[batch.pk, "coop-z-2026-03.pdf"])).status_code == 404


def test_launching_a_batch_returns_before_any_statement_is_rendered(
    client, accountant, books, coop_b_book, media, django_capture_on_commit_callbacks
):
    """Eager mode (no broker): the launch only creates the batch; the polls of its page do the work, a slice each."""
    client.force_login(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("statements:batch_new"), {"period": "2026-03"})
    assert response.status_code == 302
    batch = StatementBatch.objects.get()
    assert batch.items.count() == 2
    assert not batch.items.filter(rendered_at__isnull=False).exists()
    assert batch.status == StatementBatch.Status.RUNNING
    progress_url = reverse("statements:batch_progress", args=[batch.pk])
    assert client.get(progress_url).status_code == 200  # a GET only reads
    assert not batch.items.filter(rendered_at__isnull=False).exists()
    with patch("gie_erp.statements.views.SLICE_SECONDS", 0.0):  # one statement per poll
        first = client.post(progress_url)
        assert first.status_code == 200
        assert "1 relevé(s) sur 2" in first.content.decode()
        second = client.post(progress_url)
    assert second.status_code == 286
    assert "2 relevé(s) sur 2" in second.content.decode()
    batch.refresh_from_db()
    assert batch.status == StatementBatch.Status.DONE


@pytest.fixture
def with_workers():
    """Celery as with a broker: tasks are queued, not run in process (restored after the test)."""
    from gie_erp.statements.tasks import statement_render

    statement_render.app.conf.task_always_eager = False
    yield
    statement_render.app.conf.task_always_eager = True


def test_with_workers_the_launch_queues_the_tasks_and_a_poll_only_reads(
    client, accountant, books, media, django_capture_on_commit_callbacks, with_workers
):
    client.force_login(accountant)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("statements:batch_new"), {"period": "2026-03"})
    assert len(callbacks) == 1  # statements.dispatch, queued once the batch is committed
    batch = StatementBatch.objects.get()
    poll = client.post(reverse("statements:batch_progress", args=[batch.pk]))
    assert poll.status_code == 200
    assert "0 relevé(s) sur 1" in poll.content.decode()
    assert not batch.items.filter(rendered_at__isnull=False).exists()  # the workers' job, not the poll's


def test_a_failed_statement_is_counted_and_the_others_still_render(
    client, accountant, books, coop_b_book, media, monkeypatch
):
    from gie_erp.statements import services

    real_pdf = services.statement_pdf

    def failing_for_coop_a(*, organization, **kwargs):
        if organization.slug == "coop-a":
            raise RuntimeError("police introuvable")
        return real_pdf(organization=organization, **kwargs)

    monkeypatch.setattr(services, "statement_pdf", failing_for_coop_a)
    batch = services.statement_batch_create(year=2026, month=3, acting_user=None)
    assert services.statement_batch_advance(batch_id=batch.pk, budget_seconds=60) == 2
    batch.refresh_from_db()
    progress = services.statement_batch_progress(batch)
    assert (progress.total, progress.done, progress.failed, progress.is_finished) == (2, 1, 1, True)
    assert batch.status == StatementBatch.Status.FAILED
    assert batch.items.get(organization__slug="coop-a").error == "police introuvable"
    assert services.statement_batch_advance(batch_id=batch.pk) == 0  # nothing left to try
    client.force_login(accountant)
    poll = client.post(reverse("statements:batch_progress", args=[batch.pk]))
    assert poll.status_code == 286
    fragment = poll.content.decode()
    assert "1 relevé(s) sur 2" in fragment
    assert "1 échec" in fragment
    assert "police introuvable" in fragment
    assert "coop-b-2026-03.pdf" in fragment


def test_two_renderers_never_claim_the_same_item_and_an_abandoned_claim_is_taken_over(books, coop_b_book):
    from gie_erp.statements import services

    batch = services.statement_batch_create(year=2026, month=3, acting_user=None)
    first = services.statement_batch_item_claim(batch_id=batch.pk)
    second = services.statement_batch_item_claim(batch_id=batch.pk)
    assert {first, second} == set(batch.items.values_list("pk", flat=True))
    assert services.statement_batch_item_claim(batch_id=batch.pk) is None
    assert first is not None
    StatementBatchItem.objects.filter(pk=first).update(started_at=timezone.now() - timedelta(minutes=3))
    assert services.statement_batch_item_claim(batch_id=batch.pk) == first  # its renderer died


def test_downloads_name_their_file_through_content_disposition(client, accountant, rep_a, books, media, monkeypatch):
    from gie_erp.statements import services, views

    calls = []

    def spy(filename, *, inline=False):
        calls.append((filename, inline))
        return content_disposition(filename, inline=inline)

    monkeypatch.setattr(views, "content_disposition", spy)
    batch = services.statement_batch_create(year=2026, month=3, acting_user=None)
    services.statement_batch_advance(batch_id=batch.pk)
    client.force_login(accountant)
    response = client.get(reverse("statements:batch_file", args=[batch.pk, "coop-a-2026-03.pdf"]))
    assert response["Content-Disposition"] == 'inline; filename="coop-a-2026-03.pdf"'
    client.force_login(rep_a)
    response = client.get(reverse("statements:download", args=["coop-a", 2026, 3]))
    assert response["Content-Disposition"] == 'inline; filename="coop-a-2026-03.pdf"'
    assert calls == [("coop-a-2026-03.pdf", True), ("coop-a-2026-03.pdf", True)]


def test_progress_is_closed_to_representatives(client, rep_a, books):
    from gie_erp.statements.services import statement_batch_create

    batch = statement_batch_create(year=2026, month=3, acting_user=None)
    client.force_login(rep_a)
    assert client.post(reverse("statements:batch_progress", args=[batch.pk])).status_code == 403
    assert not batch.items.filter(rendered_at__isnull=False).exists()


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
