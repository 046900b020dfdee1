"""``fees_run`` and ``gie_zero_result``: the preview printed (nothing written), ``--post`` writes, a bad pool,
period, year or key is a CommandError in French with nothing written.

Figures: the 10,000.00 equal pool of tests/fees/test_runs.py (olive 3,333.34 + 666.67 = 4,000.01; miel and tapis
3,333.33 + 666.67 = 4,000.00; totals 10,000.00 + 2,000.01 = 12,000.01). Zero result: 300.00 of bank charges in
2026 and nothing recharged: a deficit of 300.00 split equally, 100.00 each."""

import csv
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.fees.models import Key, Run, ZeroResult
from gie_erp.fees.periods import parse_period, period_code
from gie_erp.fees.services import run_post
from gie_erp.fees.zero_result import gie_result
from invoices.models import Document
from ledger.models import Entry
from members.models import Organization
from tests.fees.conftest import JAN_1, JAN_31, TODAY, D, cr, dr, pool, post


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Run.objects.count(), Document.objects.count(), Entry.objects.count()


def test_parse_period() -> None:
    assert parse_period("2026-01") == (date(2026, 1, 1), date(2026, 1, 31))
    assert parse_period(" 2026-01..2026-03 ") == (date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_code(date(2026, 1, 1), date(2026, 3, 31)) == "2026-01..2026-03"
    for bad in ("2026-13", "2026-1", "janvier", "2026-01.."):
        with pytest.raises(DomainError) as caught:
            parse_period(bad)
        assert caught.value.code == ErrorCode.FEES_BAD_PERIOD
        assert caught.value.message() == f"Période invalide : {bad} (AAAA-MM ou AAAA-MM..AAAA-MM)."
    # regression (user pass 2): a year out of the books' range reads as a month; say what is wrong with it
    for bad in ("1999-12", "9999-12", "2026-01..9999-12"):
        with pytest.raises(DomainError) as caught:
            parse_period(bad)
        assert caught.value.message() == f"Période invalide : {bad} (années de 2000 à 2100)."
    # regression: months out of order were told "invalid period", which read as a typing error
    with pytest.raises(DomainError) as caught:
        parse_period("2026-03..2026-01")
    assert caught.value.message() == ("La période finit (2026-01) avant de commencer (2026-03) : inversez les mois.")


def test_fees_run_prints_the_preview_and_writes_only_with_post(fees: dict[str, Any], tmp_path: Path) -> None:
    f = fees
    pool("compta", key=Key.EQUAL, fixed_monthly=D("10000.00"))
    Organization.objects.filter(pk=f["tapis"].pk).update(joined_on=date(2026, 3, 1))  # joins after January
    before = counts()
    target = tmp_path / "apercu.csv"
    out = run("fees_run", "--pool", "compta", "--period", "2026-01", "--csv", str(target))
    lines = out.splitlines()
    assert "à répartir 10000.00" in out
    olive = next(line for line in lines if line.startswith("coop-olive"))
    assert olive.split() == ["coop-olive", "1", "5000.00", "1000.00", "6000.00"]
    total = next(line for line in lines if line.startswith("total (2)"))
    assert total.split()[2:] == ["2", "10000.00", "2000.00", "12000.00"]
    assert "  exclu : coop-tapis (adhésion après la période)" in lines
    assert "Date des factures : 31/01/2026 (le dernier jour de la période)." in lines  # the date it would carry
    assert "Aperçu seulement" in out
    assert counts() == before
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["membre", "nom", "poids", "part exacte", "part HT", "TVA", "total TTC"]
    assert rows[1] == ["coop-olive", "Coopérative Zitouna", "1", "5000.000000", "5000.00", "1000.00", "6000.00"]

    Organization.objects.filter(pk=f["tapis"].pk).update(joined_on=None)
    out = run("fees_run", "--pool", "compta", "--period", "2026-01", "--post")
    assert [ln.split() for ln in out.splitlines() if ln.startswith("coop-")] == [
        ["coop-olive", "1", "3333.34", "666.67", "4000.01"],
        ["coop-miel", "1", "3333.33", "666.67", "4000.00"],
        ["coop-tapis", "1", "3333.33", "666.67", "4000.00"],
    ]
    assert "facturée : Pool compta 2026-01..2026-01 · 3 factures" in out
    posted = Run.objects.get()
    assert (posted.amount, posted.total_vat) == (D("10000.00"), D("2000.01"))
    assert Document.objects.filter(origin=Document.Origin.FEE_RUN).count() == 3
    again = run("fees_run", "--pool", "compta", "--period", "2026-01", "--post")
    assert "déjà facturée" in again
    assert Run.objects.count() == 1
    assert Document.objects.filter(origin=Document.Origin.FEE_RUN).count() == 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pool", "nope", "--period", "2026-01"], "Pool inconnu : nope."),
        (["--pool", "compta", "--period", "2026-13"], "Période invalide : 2026-13 (AAAA-MM ou AAAA-MM..AAAA-MM)."),
        (["--pool", "compta", "--period", "2026-01", "--post"], "Ce pool n'a rien à répartir sur la période"),
    ],
)
def test_fees_run_refuses_in_french_and_writes_nothing(fees: dict[str, Any], argv: list[str], message: str) -> None:
    pool("compta", "61312", key=Key.EQUAL)  # no rent posted: nothing to share
    before = counts()
    with pytest.raises(CommandError) as caught:
        run("fees_run", *argv)
    assert str(caught.value).startswith(message)
    assert counts() == before


@pytest.fixture
def after_year_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command runs on 15 January 2027, so the entries dated 31 December 2026 are not in the future."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: date(2027, 1, 15))


def test_gie_zero_result_previews_then_posts(fees: dict[str, Any], after_year_end: None) -> None:
    f = fees
    post(f["book"], date(2026, 6, 30), "bank", dr("6147", "300.00"), cr("5141", "300.00"))
    assert gie_result(2026) == D("-300.00")
    before = counts()
    out = run("gie_zero_result", "--year", "2026", "--key", "equal")
    assert "GIE 2026 : déficit -300.00 · clé equal" in out
    assert [ln.split() for ln in out.splitlines() if ln.startswith("coop-")] == [
        ["coop-olive", "1", "100.00"],
        ["coop-miel", "1", "100.00"],
        ["coop-tapis", "1", "100.00"],
    ]
    assert "Aperçu seulement" in out
    assert counts() == before
    assert not ZeroResult.objects.exists()
    out = run("gie_zero_result", "--year", "2026", "--key", "equal", "--post")
    assert "passé : 2026 (-300.00) · 3 membres · 31/12/2026" in out
    assert gie_result(2026) == D("0.00")
    assert ZeroResult.objects.get().key == Key.EQUAL
    again = run("gie_zero_result", "--year", "2026", "--post")
    assert "Déjà passé" in again
    assert ZeroResult.objects.count() == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "26"], "Année invalide : 26 (AAAA)."),
        (["--year", "deux-mille"], "Année invalide : deux-mille (AAAA)."),
        (["--year", "2026", "--key", "weight"], "Clé inconnue : weight"),
        (["--year", "2025", "--post"], "Le résultat du GIE pour 2025 est nul : rien à transférer."),
    ],
)
def test_gie_zero_result_refuses_in_french(fees: dict[str, Any], argv: list[str], message: str) -> None:
    before = counts()
    with pytest.raises(CommandError) as caught:
        run("gie_zero_result", *argv)
    assert str(caught.value).startswith(message)
    assert counts() == before
    assert not ZeroResult.objects.exists()


def test_the_preview_of_a_period_already_billed_says_so(fees: dict[str, Any]) -> None:
    """Regression (user pass): the page warned "déjà réparti", the command printed a plain preview."""
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=fees["staff"], today=TODAY)
    out = StringIO()
    call_command("fees_run", "--pool", "compta", "--period", "2026-01", stdout=out)
    assert "Attention : ce pool est déjà réparti du 01/01/2026 au 31/01/2026" in out.getvalue()
