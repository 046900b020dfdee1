"""The fee notices' files: one PDF per share, stored under a name its share decides (``Share.rendered_at`` says it
is there). Rendering reads the run and writes only the file and that date, so it is safe to retry."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from gie_erp.fees.models import Share
from gie_erp.fees.pdf_notice import notice_pdf

STORAGE_DIR = "fees"


def notice_file_name(share: Share) -> str:
    """``fees/<pool>/<period>[-g<generation>]/<member>-<share id>.pdf``: the same share, the same name."""
    run = share.run
    period = f"{run.starts_on:%Y-%m}..{run.ends_on:%Y-%m}" + (f"-g{run.generation}" if run.generation else "")
    return f"{STORAGE_DIR}/{run.pool.slug}/{period}/{share.organization.slug}-{share.pk}.pdf"


def notice_stored(share: Share) -> bool:
    return share.rendered_at is not None and default_storage.exists(notice_file_name(share))


def share_notice_render(*, share_id: int) -> str:
    """Render and store one share's notice, dated the day its run's invoices were issued (its credit note's, once
    undone: the undo clears ``rendered_at`` so that it is rendered again), and mark it rendered; a notice already
    stored is not redone. Returns the storage name."""
    share = Share.objects.select_related("run__pool", "organization", "credit_note").get(pk=share_id)
    name = notice_file_name(share)
    if notice_stored(share):
        return name
    printed_on = share.credit_note.issued_on if share.credit_note is not None else share.run.issued_on
    pdf = notice_pdf(share, printed_on=printed_on)
    if default_storage.exists(name):  # a previous attempt's file, written before its date was
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(pdf))
    Share.objects.filter(pk=share.pk).update(rendered_at=timezone.now())
    return stored


def notice_read(share: Share) -> bytes | None:
    """The stored notice's bytes, or None when it has not been rendered (yet)."""
    if not notice_stored(share):
        return None
    with default_storage.open(notice_file_name(share), "rb") as handle:
        content: bytes = handle.read()
    return content


def notice_content(share: Share, *, language: str) -> bytes:
    """The notice as the member received it (the stored file), else rendered now in ``language``."""
    content = notice_read(share)
    if content is None:
        content = notice_pdf(share, printed_on=timezone.localdate(), language=language)
    return content


def notice_download_name(share: Share) -> str:
    run = share.run
    return f"quote-part-{run.pool.slug}-{run.starts_on:%Y-%m}-{share.organization.slug}.pdf"
