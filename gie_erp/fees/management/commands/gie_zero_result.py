"""python manage.py gie_zero_result --year YYYY [--key KEY] [--post]

Print the GIE's result for the year and how the transfer that brings it to 0.00 would split it between the members
(by fees charged in the year unless ``--key`` says otherwise); ``--post`` posts it in both books, dated 31 December
(``zero_result.zero_result_post``, with the printed result as the expected one). Without ``--post`` nothing is
written.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gie_erp.core.errors import DomainError
from gie_erp.fees.models import Key, ZeroResult
from gie_erp.fees.periods import FIRST_YEAR, LAST_YEAR
from gie_erp.fees.zero_result import ZeroPreview, zero_result_current, zero_result_post, zero_result_preview

NAME = 32
FIGURE = 14


def parse_year(value: str) -> int:
    """A calendar year the books can hold, else CommandError in French."""
    try:
        year = int(value)
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CommandError(_("Année invalide : %(value)s (AAAA).") % {"value": value})
    return year


def parse_key(value: str) -> str:
    if value not in Key.values:
        raise CommandError(_("Clé inconnue : %(value)s (%(keys)s).") % {"value": value, "keys": ", ".join(Key.values)})
    return value


def preview_table(preview: ZeroPreview) -> list[str]:
    kind = "excédent" if preview.result > 0 else "déficit"
    lines = [
        f"GIE {preview.year} : {kind} {preview.result} · clé {preview.key}",
        f"{'membre':<{NAME}} {'poids':>{FIGURE}} {'montant':>{FIGURE}}",
    ]
    for line in preview.split.lines:
        slug = preview.members[line.key].slug
        lines.append(f"{slug[:NAME]:<{NAME}} {line.weight:>{FIGURE}} {line.share:>{FIGURE}}")
    lines.append(
        f"{'total (' + str(len(preview.split.lines)) + ')':<{NAME}} {preview.split.weight:>{FIGURE}} "
        f"{preview.split.total_share:>{FIGURE}}"
    )
    return lines


def posted_table(zero: ZeroResult) -> list[str]:
    lines = [f"GIE {zero.year} : {zero.result} · clé {zero.key} · passé le {zero.posted_at:%d/%m/%Y}"]
    for share in zero.shares.select_related("organization").order_by("organization__slug"):
        lines.append(f"{share.organization.slug[:NAME]:<{NAME}} {share.weight:>{FIGURE}} {share.amount:>{FIGURE}}")
    return lines


class Command(BaseCommand):
    help = "Preview the year-end transfer that brings the GIE's result to 0.00; post it with --post."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="YYYY")
        parser.add_argument("--key", default=Key.FEES.value, help=f"allocation key ({', '.join(Key.values)})")
        parser.add_argument("--post", action="store_true", help="post the transfer in the GIE's and members' books")

    def handle(self, *args: Any, **options: Any) -> None:
        year, key = parse_year(options["year"]), parse_key(options["key"])
        current = zero_result_current(year)
        if current is not None:
            for line in posted_table(current):
                self.stdout.write(line)
            self.stdout.write(_("Déjà passé : le résultat du GIE pour %(year)s est nul.") % {"year": year})
            return
        try:
            preview = zero_result_preview(year, key)
        except DomainError as error:
            raise CommandError(error.message()) from None
        for line in preview_table(preview):
            self.stdout.write(line)
        if not options["post"]:
            self.stdout.write(_("Aperçu seulement : rien n'est écrit (--post pour passer les écritures)."))
            return
        try:
            zero = zero_result_post(year=year, key=key, expected_result=preview.result)
        except DomainError as error:
            raise CommandError(error.message()) from None
        self.stdout.write(f"passé : {zero} · {zero.shares.count()} membres · 31/12/{year}")
