"""``python -m bench.indicators --db postgres [--members 1631] [--runs 5] [--profile]``: the director's figures.

Issue 16's targets, on PostgreSQL with the bench's 1,631 members: the dashboard (``indicators.dashboard.build``, the
year against the previous one) ≤ 300 ms whatever the filter; the open figures of a year (``indicators_export``,
CSV, JSON and the one-page PDF) ≤ 10 s.

Runs in one process on its own database (``gie_bench_indicators`` on PostgreSQL, ``var/bench/indicators.sqlite3``
on SQLite; dropped and created again each run, then migrated), with ``DEBUG=0`` as ``python -m bench`` does.

Not timed: the world, deterministic (no random draw): the GIE (its book) and ``--members`` cooperatives — sector
cycling over ``Organization.Sector``, commune cycling over the communes that have an official code, one in three a
women's cooperative, joined between 2015 and 2025, one in forty left in 2025 or 2026 — each with its party and 5 to
60 cooperators (a gender split and birth years from its number); sales summaries for 2025 and 2026 (two channels, a
fair a quarter and the shop: one summary per member, month and channel, about 39,000 a year); a fee run a month
over both years (one validated invoice per member and month, 20 % VAT, issued by the GIE to the member's party,
most paid, one in six of the last months' left owing, a few credited); and training (48 sessions of 4 half-days,
about 2,000 enrolments of 40 to 45 people, attendance taken, nine in ten present). Everything is bulk inserted.

Timed (wall time in this process, which includes the database server's work; this process's CPU time beside it,
Python and the driver alone): ``dashboard.build`` for 2026 with
no filter, a sector, a commune, women's cooperatives only, and the map by sales (the median of ``--runs`` after a
warm-up); then ``indicators_export --year 2026`` (the median of ``--export-runs``). Each figure carries the load
average (``os.getloadavg()``) when it was taken: the machine is shared. ``--profile`` runs one unfiltered build and
one export under cProfile and prints where the time goes. Figures go to ``var/bench/indicators-<db>.json``.
"""

import argparse
import calendar
import cProfile
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from bench import dbs
from bench.sales_world import django_ready

MEMBERS = 1631  # the shared generator's members (../shared/bench/gen_ledger.py)
YEARS = (2025, 2026)
YEAR = 2026
BATCH = 2000
TARGET_DASHBOARD_S = 0.300
TARGET_EXPORT_S = 10.0
CENT = Decimal("0.01")
VAT_RATE = Decimal("0.20")
ZERO = Decimal("0.00")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _timed(func: Callable[[], Any], runs: int) -> tuple[float, list[float], str, float]:
    """(median wall seconds, every run, the load average before, median CPU seconds of this process) after one
    warm-up call. Wall includes the database server's work; CPU is this process's alone (Python, the driver)."""
    func()
    load = _load()
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), walls, load, statistics.median(cpus)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _world(count: int) -> dict[str, Any]:
    from django.db import transaction

    from gie_erp.fees.models import Key, Pool, Run, Share
    from invoices.models import Document, IssuerSettings, Party
    from ledger.books import book_ensure
    from members.legal_ids import ice_with_check_digits
    from members.models import Commune, Cooperator, Organization
    from sales.models import Channel, Event, Summary, SummaryRun
    from training.models import Attendance, Course, Enrolment, HalfDay, Session, Theme

    sectors = [value for value, _label in Organization.Sector.choices]
    communes = list(Commune.objects.exclude(code="").order_by("pk").values_list("pk", flat=True))
    assert communes, "the migrations seed the region's communes"
    made: dict[str, Any] = {}
    started = time.perf_counter()
    with transaction.atomic():
        gie = Organization.objects.create(
            kind=Organization.Kind.GIE, slug="bench-gie", legal_name_fr="GIE du banc d'essai",
            legal_name_ar="المجموعة", ice=ice_with_check_digits(f"{900000000000:013d}"),
            vat_status=Organization.VatStatus.REGISTERED,
        )  # fmt: skip
        IssuerSettings.objects.create(organization=gie, bank_account="225 640 0012345678901234 74")

        def member(n: int) -> Organization:
            joined = date(2015 + n % 11, 1 + n % 12, 1 + n % 28)
            left = date(2025 + n // 40 % 2, 1 + n % 12, 15) if n % 40 == 0 and joined.year < 2025 else None
            return Organization(
                kind=Organization.Kind.COOPERATIVE, slug=f"bench-{n:04d}", legal_name_fr=f"Coopérative {n:04d}",
                legal_name_ar=f"تعاونية {n}", ice=ice_with_check_digits(f"{900000000000 + n:013d}"),
                sector=sectors[n % len(sectors)], commune_id=communes[(n * 7) % len(communes)],
                is_women_cooperative=n % 3 == 0, joined_on=joined, left_on=left, address="Douar centre",
            )  # fmt: skip

        members = Organization.objects.bulk_create([member(n) for n in range(1, count + 1)], batch_size=BATCH)
        parties = Party.objects.bulk_create(
            [Party(code=m.slug, legal_name_fr=m.legal_name_fr, legal_name_ar=m.legal_name_ar, organization=m,
                   ice=m.ice) for m in members],
            batch_size=BATCH,
        )  # fmt: skip
        people = []
        for n, m in enumerate(members, start=1):
            size = 5 + (n * 13) % 56
            women = size if m.is_women_cooperative else size * (n % 5 + 2) // 10
            for i in range(size):
                people.append(
                    Cooperator(
                        organization=m, first_name_fr=f"P{i}", last_name_fr=f"C{n:04d}",
                        gender=Cooperator.Gender.FEMALE if i < women else Cooperator.Gender.MALE,
                        birth_year=None if (n + i) % 17 == 0 else 1950 + (n * 7 + i * 11) % 55,
                        is_active=(n + i) % 23 != 0,
                    )
                )  # fmt: skip
        people = Cooperator.objects.bulk_create(people, batch_size=BATCH)
    made["members_s"] = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        fairs = Channel.objects.create(slug="foires", name_fr="Foires", name_ar="المعارض")
        shop = Channel.objects.create(slug="boutique", kind=Channel.Kind.SHOP, name_fr="Boutique", name_ar="المتجر")
        store = Event.objects.create(channel=shop, slug="boutique", name_fr="Boutique", starts_on=date(2024, 1, 1))
        runs = {store.pk: SummaryRun.objects.create(event=store, state=SummaryRun.State.DONE)}
        quarter_fairs: dict[tuple[int, int], Event] = {}
        for year in YEARS:
            for quarter in range(4):
                fair = Event.objects.create(
                    channel=fairs, slug=f"salon-{year}-q{quarter + 1}", name_fr=f"Salon {year} T{quarter + 1}",
                    starts_on=date(year, 3 * quarter + 1, 1), ends_on=date(year, 3 * quarter + 3, 28),
                )  # fmt: skip
                quarter_fairs[(year, quarter)] = fair
                runs[fair.pk] = SummaryRun.objects.create(event=fair, state=SummaryRun.State.DONE)
        summaries = []
        for year in YEARS:
            for month in range(1, 13):
                for n, m in enumerate(members, start=1):
                    day = date(year, month, 1 + n % 28)
                    for event, base in ((quarter_fairs[(year, (month - 1) // 3)], 900), (store, 150)):
                        amount = Decimal(base + (n * 37 + month * 11) % 2000) + Decimal(n % 100) / 100
                        summaries.append(
                            Summary(run=runs[event.pk], event=event, day=day, organization=m, method="cash", part=0,
                                    posted_on=day, amount=amount)
                        )  # fmt: skip
        Summary.objects.bulk_create(summaries, batch_size=BATCH)
    made["summaries"] = len(summaries)
    made["sales_s"] = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        book_ensure(organization=gie)
        pool = Pool.objects.create(slug="services", name_fr="Services", key=Key.COOPERATORS)
        documents, shares, credit_notes = [], [], []
        sequence = dict.fromkeys(YEARS, 0)
        validated_at = datetime(2026, 12, 1, 12, tzinfo=UTC)
        month_runs = []
        for year in YEARS:
            for month in range(1, 13):
                ends = _last_day(year, month)
                month_runs.append(
                    Run(pool=pool, starts_on=date(year, month, 1), ends_on=ends, issued_on=ends, key=Key.COOPERATORS,
                        vat_code="normal-20", costs=ZERO, recovered=ZERO, fixed=ZERO, amount=ZERO, total_vat=ZERO)
                )  # fmt: skip
        month_runs = Run.objects.bulk_create(month_runs)
        for run in month_runs:
            year, month = run.starts_on.year, run.starts_on.month
            for n, (m, party) in enumerate(zip(members, parties, strict=True), start=1):
                net = Decimal(100 + (n * 37 + month) % 900) + Decimal(n % 100) / 100
                vat = (net * VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
                gross = net + vat
                owing = year == YEAR and month >= 9 and (n + month) % 6 == 0
                paid = ZERO if owing else gross if (n + month) % 11 else (gross / 2).quantize(CENT)
                sequence[year] += 1
                documents.append(
                    Document(
                        issuer=gie, kind=Document.Kind.INVOICE, status=Document.Status.VALIDATED, customer=party,
                        issued_on=run.issued_on, due_on=run.issued_on, number=f"F{year}-{sequence[year]:06d}",
                        year=year, sequence=sequence[year], origin=Document.Origin.FEE_RUN,
                        origin_ref=f"fees:{run.pk}", total_net=net, total_vat=vat, total_gross=gross,
                        amount_paid=paid, validated_at=validated_at,
                    )
                )  # fmt: skip
                shares.append(
                    Share(run=run, organization=m, weight=Decimal(5 + (n * 13) % 56), exact=net, share=net, vat=vat)
                )
            run.amount = sum((share.share for share in shares[-len(members) :]), ZERO)
            run.total_vat = sum((share.vat for share in shares[-len(members) :]), ZERO)
            run.costs = run.amount
        Run.objects.bulk_update(month_runs, ["amount", "total_vat", "costs"], batch_size=BATCH)
        documents = Document.objects.bulk_create(documents, batch_size=BATCH)
        for share, document in zip(shares, documents, strict=True):
            share.document = document
        for index, (share, document) in enumerate(zip(shares, documents, strict=True)):
            if index % 97 == 0 and document.amount_paid == 0:  # a few credited in full
                credit_notes.append(
                    Document(
                        issuer=gie, kind=Document.Kind.CREDIT_NOTE, status=Document.Status.VALIDATED,
                        customer=document.customer, issued_on=document.issued_on, corrects=document,
                        number=f"A{document.year}-{index:06d}", year=document.year, origin=Document.Origin.FEE_RUN,
                        total_net=document.total_net, total_vat=document.total_vat,
                        total_gross=document.total_gross, validated_at=validated_at,
                    )
                )  # fmt: skip
                document.amount_credited = document.total_gross
                share.credit_note = credit_notes[-1]
        Document.objects.bulk_create(credit_notes, batch_size=BATCH)
        Document.objects.bulk_update([d for d in documents if d.amount_credited], ["amount_credited"])
        for share in shares:
            share.credit_note_id = share.credit_note.pk if share.credit_note else None
        Share.objects.bulk_create(shares, batch_size=BATCH)
    made.update(invoices=len(documents), credit_notes=len(credit_notes), fees_s=time.perf_counter() - started)

    started = time.perf_counter()
    with transaction.atomic():
        theme = Theme.objects.create(slug="gestion", name_fr="Gestion", name_ar="التسيير")
        courses = [
            Course.objects.create(theme=theme, slug=f"cours-{i}", title_fr=f"Cours {i}",
                                  duration_hours=Decimal(6 + 3 * i))
            for i in range(4)
        ]  # fmt: skip
        sessions, half_days = [], []
        for year in YEARS:
            for i in range(24):
                start = date(year, 1 + i // 2, 3 + 12 * (i % 2))
                sessions.append(
                    Session(course=courses[i % 4], slug=f"session-{year}-{i:02d}", starts_on=start,
                            ends_on=start.replace(day=start.day + 1), commune_id=communes[i % len(communes)],
                            capacity=50, enrolment_deadline=start, state=Session.State.CLOSED)
                )  # fmt: skip
        sessions = Session.objects.bulk_create(sessions)
        for session in sessions:
            for day in (session.starts_on, session.ends_on):
                for part in HalfDay.Part.values:
                    half_days.append(HalfDay(session=session, day=day, part=part))
        half_days = HalfDay.objects.bulk_create(half_days, batch_size=BATCH)
        by_session: dict[int, list[Any]] = {}
        for half_day in half_days:
            by_session.setdefault(half_day.session_id, []).append(half_day)
        enrolled_at = datetime(2024, 12, 1, 9, tzinfo=UTC)
        enrolments = []
        stride = max(1, len(people) // 997)
        for s, session in enumerate(sessions):
            for k in range(40 + s % 6):
                person = people[(s * 389 + k * stride * 7) % len(people)]
                enrolments.append(
                    Enrolment(session=session, cooperator=person, organization_id=person.organization_id,
                              enrolled_at=enrolled_at)
                )  # fmt: skip
        unique: dict[tuple[int, int], Any] = {(e.session_id, e.cooperator_id): e for e in enrolments}
        enrolments = Enrolment.objects.bulk_create(list(unique.values()), batch_size=BATCH)
        attendances = [
            Attendance(enrolment=e, half_day=h, present=(e.cooperator_id + h.pk) % 10 != 0, recorded_at=enrolled_at)
            for e in enrolments
            for h in by_session[e.session_id]
        ]
        Attendance.objects.bulk_create(attendances, batch_size=BATCH)
    made.update(
        cooperators=len(people), sessions=len(sessions), enrolments=len(enrolments), attendances=len(attendances),
        training_s=time.perf_counter() - started,
    )  # fmt: skip
    sizes: dict[str, int] = {}
    for sector in sectors:
        sizes[sector] = sum(1 for m in members if m.sector == sector)
    made["sector"] = max(sizes, key=lambda key: sizes[key])
    made["commune_id"] = communes[0]
    return made


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.indicators", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--runs", type=int, default=5, help="timed builds per filter (the median), after a warm-up")
    parser.add_argument("--export-runs", type=int, default=3, help="timed exports (the median), after a warm-up")
    parser.add_argument("--profile", action="store_true", help="cProfile one build and one export")
    args = parser.parse_args()
    figures = django_ready(args.db, "indicators")

    from django.core.management import call_command
    from django.db import connection, reset_queries

    from gie_erp.core.roles import Role
    from gie_erp.indicators import dashboard
    from gie_erp.indicators.selectors import Filters
    from members.models import User

    started = time.perf_counter()
    world = _world(args.members)
    figures["setup_s"] = round(time.perf_counter() - started, 1)
    figures.update({key: round(value, 1) if isinstance(value, float) else value for key, value in world.items()})
    figures.update(members=args.members, runs=args.runs, export_runs=args.export_runs)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have by then

    reader = User(role=Role.AUDITOR)  # every member's figures, read-only, as the GIE's auditor reads them
    year = Filters(date(YEAR, 1, 1), date(YEAR, 12, 31))
    cases: list[tuple[str, Filters, str]] = [
        ("no filter", year, "members"),
        (f"sector {world['sector']}", Filters(year.start, year.end, sector=world["sector"]), "members"),
        (f"commune {world['commune_id']}", Filters(year.start, year.end, commune_id=world["commune_id"]), "members"),
        ("women's cooperatives", Filters(year.start, year.end, women_only=True), "members"),
        ("map by sales", year, "sales"),
    ]
    lines = []
    dashboards: list[dict[str, Any]] = []
    for label, filters, measure in cases:

        def build(f: Filters = filters, m: str = measure) -> Any:
            return dashboard.build(f, reader, m)

        median, walls, load, cpu = _timed(build, args.runs)
        connection.force_debug_cursor = True
        reset_queries()
        board = dashboard.build(filters, reader, measure)
        queries = len(connection.queries)
        connection.force_debug_cursor = False
        kpis = {kpi.key: str(kpi.value) for kpi in board.kpis}
        dashboards.append(
            {"filter": label, "measure": measure, "median_s": median, "runs_s": walls, "load": load,
             "cpu_s": cpu, "queries": queries, "kpis": kpis}
        )  # fmt: skip
        verdict = "ok" if median <= TARGET_DASHBOARD_S else "MISSED"
        lines.append(
            f"dashboard, {label:<26} {median * 1000:5.0f} ms, CPU {cpu * 1000:3.0f} ms (median of {args.runs}; "
            f"{queries} queries; "
            f"target ≤ {TARGET_DASHBOARD_S * 1000:.0f} ms: {verdict}) load {load}"
        )
    figures["dashboard"] = dashboards

    with tempfile.TemporaryDirectory(prefix="indicators-export-") as scratch:
        out = Path(scratch) / "oress"
        command = io.StringIO()

        def export() -> None:
            call_command("indicators_export", "--year", str(YEAR), "--out", str(out), stdout=command)

        median, walls, load, cpu = _timed(export, args.export_runs)
        files = sorted(path.name for path in out.iterdir())
        verdict = "ok" if median <= TARGET_EXPORT_S else "MISSED"
        lines.append(
            f"indicators_export --year {YEAR}: {median:.2f} s wall, CPU {cpu:.2f} s (median of {args.export_runs}; "
            f"{len(files)} files; "
            f"target ≤ {TARGET_EXPORT_S:.0f} s: {verdict}) load {load}"
        )
        figures["export"] = {"median_s": median, "runs_s": walls, "load": load, "cpu_s": cpu, "files": files,
                             "said": command.getvalue().strip().splitlines()[-1]}  # fmt: skip

        profiler = None
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            dashboard.build(year, reader, "members")
            export()
            profiler.disable()

    kpis = dashboards[0]["kpis"]
    report = "\n".join(
        [
            f"director's figures of {args.members:,} members on {figures['server']} ({figures['cpus']} CPUs), {YEAR}",
            f"world: {world['cooperators']:,} cooperators, {world['summaries']:,} sales summaries, "
            f"{world['invoices']:,} fee invoices ({world['credit_notes']} credited), {world['sessions']} sessions, "
            f"{world['enrolments']:,} enrolments, {world['attendances']:,} attendances; built in "
            f"{figures['setup_s']:.0f} s (not timed)",
            f"{YEAR} unfiltered: {kpis['members']} members, sales {kpis['sales']}, fees {kpis['fees']}, outstanding "
            f"{kpis['outstanding']}, trained {kpis['trained_women']} women and {kpis['trained_men']} men, "
            f"{kpis['training_hours']} h",
            *lines,
        ]
    )
    connection.close()
    dbs.save_figures(f"indicators-{args.db}{'-profiled' if profiler else ''}", figures, report)
    if profiler is not None:
        print("\n--- profile of one unfiltered build and one export\n" + dbs.profile_text(profiler, 45))


if __name__ == "__main__":
    main()
