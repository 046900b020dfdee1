"""python manage.py invoices_print --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--issuer SLUG] [--language fr|ar]

One PDF per validated invoice or credit note dated in the period (every issuer, or the one given), named
``<issuer slug>-<number>.pdf``, in each customer's language unless ``--language`` says otherwise. Rendered in this
process, one at a time (the shared renderer keeps memory flat); a progress line per file and a count at the end. A
document that fails to render is reported and the others still print; the command then ends in an error.
"""

import re
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.errors import DomainError
from gie_erp.core.pdf import PdfRenderError
from invoices.models import Document
from invoices.pdf import LANGUAGES, document_pdf
from members.models import Organization

UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pdf_file_name(*, issuer_slug: str, number: str) -> str:
    """``coop-olive-FA-2026-00001.pdf``: only letters, digits, dot, dash and underscore; never a path."""
    name = UNSAFE.sub("_", f"{issuer_slug}-{number}").strip("._") or "document"
    return f"{name}.pdf"


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, not {text!r}") from None


class Command(BaseCommand):
    help = "Print the validated invoices and credit notes of a period: one PDF per document in a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="output folder (created if missing)")
        parser.add_argument("--issuer", default="", help="only this issuer (organization slug)")
        parser.add_argument("--language", default="", help="fr or ar (default: each customer's language)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        if start > end:
            raise CommandError(f"--from ({start}) is after --to ({end})")
        language = options["language"] or None
        if language is not None and language not in LANGUAGES:
            raise CommandError(f"--language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        documents = Document.objects.filter(status=Document.Status.VALIDATED, issued_on__gte=start, issued_on__lte=end)
        if options["issuer"]:
            issuer = Organization.objects.filter(slug=options["issuer"]).first()
            if issuer is None:
                raise CommandError(f"no organization with the slug {options['issuer']!r}")
            documents = documents.filter(issuer=issuer)
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"cannot create the folder {out}: {error.strerror}") from error
        order = ("issuer__slug", "year", "-kind", "sequence")  # invoices, then credit notes, in number order
        selected = list(documents.select_related("issuer", "customer", "corrects").order_by(*order))
        total, started = len(selected), time.monotonic()
        failed: list[str] = []
        self.stdout.write(f"{total} document(s) from {start} to {end}")
        for position, document in enumerate(selected, start=1):
            target = out / pdf_file_name(issuer_slug=document.issuer.slug, number=document.number)
            try:
                target.write_bytes(document_pdf(document, language))
            except (DomainError, PdfRenderError, OSError) as error:
                failed.append(document.number)
                self.stderr.write(f"[{position}/{total}] {document.issuer.slug} {document.number}: {error}")
                continue
            self.stdout.write(f"[{position}/{total}] {document.issuer.slug} {document.number} -> {target}")
        elapsed = time.monotonic() - started
        if failed:
            raise CommandError(f"{total - len(failed)} of {total} document(s) printed; failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS(f"{total} document(s) printed in {elapsed:.1f} s to {out}"))
