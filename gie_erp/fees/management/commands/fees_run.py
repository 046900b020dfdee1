"""python manage.py fees_run --pool SLUG --period YYYY-MM[..YYYY-MM] [--post] [--csv PATH]

Print the preview of a pool's run over whole months (each member's weight, share, VAT and total, the totals, who is
left out and why); ``--post`` then bills it (``services.run_post``, with the printed total as the expected one);
``--csv`` also writes the preview's lines to a file. Without ``--post`` nothing is written to the books.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gie_erp.core.errors import DomainError
from gie_erp.core.exports import csv_cell
from gie_erp.core.i18n import format_day
from gie_erp.fees.models import Pool, Run
from gie_erp.fees.periods import parse_period, period_code
from gie_erp.fees.selectors import Preview, overlapping_runs, run_preview
from gie_erp.fees.services import check_period_ended, run_issue_date, run_post

NAME = 32
FIGURE = 14
CSV_HEADERS = ("membre", "nom", "poids", "part exacte", "part HT", "TVA", "total TTC")


def preview_table(preview: Preview) -> list[str]:
    """The preview as aligned text lines: the pool's figures, one line per member, the totals, the excluded."""
    amount, split = preview.pool_amount, preview.split
    lines = [
        f"{preview.pool.slug} {period_code(preview.starts_on, preview.ends_on)} · clé {preview.pool.key} · "
        f"TVA {preview.vat_rate.code} ({preview.vat_rate.rate})",
        *(f"  {s.account_code:<6} {s.tag_prefix:<16} {s.name[:40]:<40} {s.net:>{FIGURE}}" for s in amount.sources),
        f"  coûts {amount.costs} - recouvré {amount.recovered} + fixe {amount.fixed} = à répartir {amount.amount}",
        "",
        f"{'membre':<{NAME}} {'poids':>{FIGURE}} {'part HT':>{FIGURE}} {'TVA':>{FIGURE}} {'total TTC':>{FIGURE}}",
    ]
    for organization, line in preview.lines:
        lines.append(
            f"{organization.slug[:NAME]:<{NAME}} {line.weight:>{FIGURE}} {line.share:>{FIGURE}} "
            f"{line.vat:>{FIGURE}} {line.total:>{FIGURE}}"
        )
    lines.append(
        f"{'total (' + str(len(split.lines)) + ')':<{NAME}} {split.weight:>{FIGURE}} {split.total_share:>{FIGURE}} "
        f"{split.total_vat:>{FIGURE}} {split.total:>{FIGURE}}"
    )
    for excluded in preview.excluded:
        lines.append(f"  exclu : {excluded.organization.slug} ({excluded.reason})")
    return lines


def write_csv(preview: Preview, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADERS)
        for organization, line in preview.lines:
            row = (organization.slug, organization.legal_name_fr, line.weight, line.exact, line.share, line.vat,
                   line.total)  # fmt: skip
            writer.writerow([csv_cell(value) for value in row])


class Command(BaseCommand):
    help = "Preview a cost pool's run over whole months; bill it with --post."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pool", required=True, help="the pool's code (slug)")
        parser.add_argument("--period", required=True, help="YYYY-MM or YYYY-MM..YYYY-MM")
        parser.add_argument("--post", action="store_true", help="bill the run (one fee invoice per member)")
        parser.add_argument("--csv", help="also write the preview's lines to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        pool = Pool.objects.filter(slug=options["pool"]).first()
        if pool is None:
            raise CommandError(_("Pool inconnu : %(slug)s.") % {"slug": options["pool"]})
        try:
            start, end = parse_period(options["period"])
            preview = run_preview(pool, start, end)
        except DomainError as error:
            raise CommandError(error.message()) from None
        for line in preview_table(preview):
            self.stdout.write(line)
        try:
            check_period_ended(end)
        except DomainError as error:
            self.stdout.write(error.message())
        else:
            issue = run_issue_date(ends_on=end, organization_ids=[org.pk for org, _line in preview.lines])
            self.stdout.write(
                _("Date des factures : %(day)s (%(why)s).") % {"day": format_day(issue.day), "why": issue.why}
            )
        clash = overlapping_runs(pool, start, end).first()
        if clash is not None:  # as the page says it: this preview is not what the members were billed
            self.stdout.write(
                _("Attention : ce pool est déjà réparti du %(start)s au %(end)s (annulez d'abord cette répartition).")
                % {"start": format_day(clash.starts_on), "end": format_day(clash.ends_on)}
            )
        if options["csv"]:
            write_csv(preview, Path(options["csv"]))
            self.stdout.write(f"CSV : {options['csv']}")
        if not options["post"]:
            self.stdout.write(_("Aperçu seulement : rien n'est écrit (--post pour facturer)."))
            return
        before = Run.objects.filter(pool=pool, starts_on=start, ends_on=end, state=Run.State.POSTED).first()
        try:
            run = run_post(pool=pool, starts_on=start, ends_on=end, expected_total=preview.split.total)
        except DomainError as error:
            raise CommandError(error.message()) from None
        numbers = sorted(run.shares.exclude(document=None).values_list("document__number", flat=True))
        state = _("déjà facturée") if before is not None else _("facturée")
        span = f"{numbers[0]}..{numbers[-1]}" if numbers else "-"
        self.stdout.write(f"{state} : {run} · {len(numbers)} factures {span} · {run.amount} + TVA {run.total_vat}")
