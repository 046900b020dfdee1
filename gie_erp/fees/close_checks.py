"""The fees' check of the month close (``gie_erp.core.closing``): every active pool is run for the months its
frequency asks for at this close (each month; the quarter's three at its last month; the year's twelve in
December). A missing run holds every book: the GIE's revenue and each member's fee would be missing."""

import calendar
from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext_lazy as _

from gie_erp.core.closing import Blocker, close_check_register
from gie_erp.core.errors import ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.fees import keys
from gie_erp.fees.models import Frequency, Pool, Run
from gie_erp.fees.periods import period_code


def months_due(frequency: str, year: int, month: int) -> list[tuple[int, int]]:
    """The months a pool of this frequency must have run when (year, month) closes."""
    if frequency == Frequency.MONTHLY:
        return [(year, month)]
    if frequency == Frequency.QUARTERLY and month % 3 == 0:
        return [(year, m) for m in range(month - 2, month + 1)]
    if frequency == Frequency.YEARLY and month == 12:
        return [(year, m) for m in range(1, 13)]
    return []


def _covered(runs: list[tuple[date, date]], year: int, month: int) -> bool:
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    return any(starts_on <= first and ends_on >= last for starts_on, ends_on in runs)


def pools_not_run(year: int, month: int) -> list[tuple[Pool, str]]:
    """The active pools missing a run at this close, each with the period it misses (``2026-01..2026-03``)."""
    missing = []
    for pool in Pool.objects.filter(is_active=True).exclude(frequency=Frequency.ON_DEMAND).order_by("name_fr"):
        due = months_due(pool.frequency, year, month)
        if not due:
            continue
        runs = list(
            Run.objects.filter(pool=pool, state=Run.State.POSTED, starts_on__lte=date(*due[-1], 28)).values_list(
                "starts_on", "ends_on"
            )
        )
        gaps = [m for m in due if not _covered(runs, *m)]
        if gaps:
            start = date(*gaps[0], 1)
            end = date(*gaps[-1], calendar.monthrange(*gaps[-1])[1])
            missing.append((pool, period_code(start, end)))
    return missing


def check_pools_run(
    book_ids: Sequence[int], _organizations: dict[int, int], year: int, month: int
) -> dict[int, list[Blocker]]:
    blockers = [
        Blocker(ErrorCode.CLOSE_POOL_NOT_RUN, {"pool": pool.name_fr, "period": period})
        for pool, period in pools_not_run(year, month)
    ]
    return {book_id: list(blockers) for book_id in book_ids} if blockers else {}


def check_zero_result(
    book_ids: Sequence[int], _organizations: dict[int, int], year: int, _month: int
) -> dict[int, list[Blocker]]:
    """The year close: the GIE ends the year at 0.00 (law 13-97). Until its transfer to the members is posted, the
    GIE's book is held, and so is every member's (the transfer posts in their books too, dated 31 December)."""
    from gie_erp.fees.zero_result import gie_result

    result = gie_result(year)
    if result == 0:
        return {}
    gie = keys.gie_book()
    params = {"year": year, "amount": format_amount(result)}
    return {
        book_id: [
            Blocker(
                ErrorCode.CLOSE_ZERO_RESULT
                if gie is not None and book_id == gie.pk
                else ErrorCode.CLOSE_GIE_RESULT_PENDING,
                params,
            )
        ]
        for book_id in book_ids
    }


def register() -> None:
    close_check_register("fees.pools_run", _("Pools des services répartis"), check_pools_run, order=50)
    close_check_register(
        "fees.zero_result", _("Résultat du GIE ramené à zéro"), check_zero_result, order=60, kinds=("year",)
    )
