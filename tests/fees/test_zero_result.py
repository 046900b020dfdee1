"""The year-end transfer (issue 14): the GIE's result brought to 0.00 in both books.

Deficit case: January rent 2,500.00 (61312) recharged by sales (583.33 / 750.00 / 1,166.67 HT, see test_runs) and
300.00 of bank charges (6147) in no pool: the GIE's 2026 result is 2,500.00 − 2,500.00 − 300.00 = −300.00. Split
by fees charged (583.33 / 750.00 / 1,166.67): 300 × 583.33 / 2,500 = 69.9996, × 750 / 2,500 = 90.00,
× 1,166.67 / 2,500 = 140.0004; floors 69.99 + 90.00 + 140.00 = 299.99, the centime to the largest remainder
(olive, .96): 70.00 / 90.00 / 140.00."""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.fees.models import Key, ZeroResult
from gie_erp.fees.services import run_post
from gie_erp.fees.zero_result import gie_result, zero_result_post, zero_result_preview, zero_result_undo
from ledger.models import Entry
from tests.fees.conftest import JAN_1, JAN_31, D, balance, cr, dr, pool, post
from tests.fees.test_runs import _january_sales
from tests.sales.books_view import assert_books_verify, entries

TODAY = date(2027, 1, 15)


def _deficit_year(f: dict[str, Any]) -> None:
    _january_sales(f)
    post(f["book"], date(2026, 6, 30), "bank", dr("6147", "300.00"), cr("5141", "300.00"))
    run_post(
        pool=pool("locaux", "61312", key=Key.SALES),
        starts_on=JAN_1,
        ends_on=JAN_31,
        acting_user=f["staff"],
        today=TODAY,
    )


def test_a_deficit_is_charged_to_members_by_fees_and_the_gie_ends_at_zero(fees: dict[str, Any]) -> None:
    f = fees
    _deficit_year(f)
    assert gie_result(2026) == D("-300.00")
    preview = zero_result_preview(2026)
    assert {preview.members[ln.key].slug: (ln.weight, ln.share) for ln in preview.split.lines} == {
        "coop-olive": (D("583.33"), D("70.00")),
        "coop-miel": (D("750.00"), D("90.00")),
        "coop-tapis": (D("1166.67"), D("140.00")),
    }
    zero = zero_result_post(year=2026, expected_result=D("-300.00"), acting_user=f["staff"], today=TODAY)
    assert gie_result(2026) == D("0.00")
    gie, olive = f["gie"], f["exempt"]
    assert entries(gie, prefix="zero:")[f"zero:2026:g0:{olive.pk}:gie"] == (
        "2026-12-31",
        sorted([f"Dr 3464·{olive.slug} 70.00", f"Cr 7186·{olive.slug} 70.00"]),
    )
    assert entries(olive, prefix="zero:")[f"zero:2026:g0:{olive.pk}:member"] == (
        "2026-12-31",
        sorted([f"Dr 6185·{gie.slug} 70.00", f"Cr 4464·{gie.slug} 70.00"]),
    )
    assert balance(f["tapis"], "6185") == D("140.00")
    # a replay posts nothing
    count = Entry.objects.count()
    assert zero_result_post(year=2026, acting_user=f["staff"], today=TODAY).pk == zero.pk
    assert Entry.objects.count() == count
    # nothing left to transfer
    with pytest.raises(DomainError) as caught:
        zero_result_preview(2026)
    assert caught.value.code == ErrorCode.FEES_ZERO_NOTHING
    # undo: reversals on 31 December, the result is back to −300.00
    zero_result_undo(zero=zero, reason="clé revue en assemblée", acting_user=f["staff"], today=TODAY)
    assert gie_result(2026) == D("-300.00")
    assert balance(olive, "6185") == D("0.00")
    assert ZeroResult.objects.get(pk=zero.pk).state == ZeroResult.State.UNDONE
    again = zero_result_post(year=2026, acting_user=f["staff"], today=TODAY)
    assert again.generation == 1
    assert gie_result(2026) == D("0.00")
    assert_books_verify()


def test_a_surplus_is_given_back_equally(fees: dict[str, Any]) -> None:
    """A surplus of 100.00 (a commission nothing recharged) equally: 33.34 (olive, the smallest id), 33.33, 33.33."""
    f = fees
    post(f["book"], date(2026, 3, 3), "comm", dr("5161", "100.00"), cr("71272", "100.00"))
    zero = zero_result_post(year=2026, key=Key.EQUAL, acting_user=f["staff"], today=TODAY)
    assert zero.result == D("100.00")
    assert gie_result(2026) == D("0.00")
    gie, olive, miel = f["gie"], f["exempt"], f["registered"]
    assert entries(gie, prefix="zero:")[f"zero:2026:g0:{olive.pk}:gie"] == (
        "2026-12-31",
        sorted([f"Dr 6186·{olive.slug} 33.34", f"Cr 4464·{olive.slug} 33.34"]),
    )
    assert entries(miel, prefix="zero:")[f"zero:2026:g0:{miel.pk}:member"] == (
        "2026-12-31",
        sorted([f"Dr 3464·{gie.slug} 33.33", f"Cr 7185·{gie.slug} 33.33"]),
    )
    assert balance(gie, "4464") == D("-100.00")
    assert_books_verify()


def test_the_transfer_waits_for_the_day_after_the_year(fees: dict[str, Any]) -> None:
    """Regression (user pass 2): the transfer posted on 31 December itself, and was refused before it in the runs'
    words. The 100.00 surplus of the test above: refused on 31/12/2026 in the year's words, posted on 01/01/2027."""
    f = fees
    post(f["book"], date(2026, 3, 3), "comm", dr("5161", "100.00"), cr("71272", "100.00"))
    for today in (date(2026, 6, 30), date(2026, 12, 31)):
        with pytest.raises(DomainError) as caught:
            zero_result_post(year=2026, key=Key.EQUAL, acting_user=f["staff"], today=today)
        assert caught.value.message() == (
            "L'année 2026 n'est pas terminée : son résultat se transfère à partir du 01/01/2027 (l'aperçu reste "
            "possible)."
        )
    assert ZeroResult.objects.count() == 0
    zero = zero_result_post(year=2026, key=Key.EQUAL, acting_user=f["staff"], today=date(2027, 1, 1))
    assert zero.result == D("100.00")
    assert gie_result(2026) == D("0.00")
