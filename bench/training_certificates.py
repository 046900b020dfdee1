"""Certificate PDFs per CPU-second, in one worker process: single certificates and a session's batch.

    .venv/bin/python -m bench.training_certificates
    .venv/bin/python -m bench.training_certificates --count 300 --batch-size 30 --batches 10
    .venv/bin/python -m bench.training_certificates --var /tmp/bench-var   # reuse (or keep) the database

Without ``--var`` it migrates a temporary SQLite database (removed at the end) and builds, through the services, a
GIE, two cooperatives, a course and a session of five half-days with ``--batch-size`` trainees (bilingual names) all
present, then issues their certificates; none of that is timed. Then, after one warm-up render (fonts and stylesheets
are loaded once per process):

1. ``--count`` single certificates: ``certificate_pdf`` of a certificate read again from the database each time,
   cycling the pool (what ``training:certificate_pdf`` does);
2. ``--batches`` batches: one PDF of ``--batch-size`` certificates, one page each (``training:certificates_pdf``).

CPU time is ``time.process_time()`` of this process (the render is single-threaded); wall time is shown as well.
"""

import argparse
import os
import shutil
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.invoices_pdf import timed_renders

ON = date(2026, 11, 12)
SLUG = "bench-certificates"
FIRST_NAMES = [("Fatima", "فاطمة", "f"), ("Mohamed", "محمد", "m"), ("Khadija", "خديجة", "f"), ("Rachid", "رشيد", "m"),
               ("Zineb", "زينب", "f"), ("Youssef", "يوسف", "m")]  # fmt: skip
LAST_NAMES = [("El Amrani", "العمراني"), ("Benali", "بنعلي"), ("Ouazzani", "الوزاني"), ("Idrissi", "الإدريسي"),
              ("Tazi", "التازي")]  # fmt: skip


def _setup(var: str) -> Path:
    var_dir = Path(var) if var else Path(tempfile.mkdtemp(prefix="gie-certificates-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GIE_VAR_DIR"] = str(var_dir)
    os.environ.pop("DATABASE_URL", None)  # the throwaway database of GIE_VAR_DIR, never a configured one
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "0")  # a worker does not keep a log of its queries
    os.environ.setdefault("SITE_URL", "https://gie.example.ma")
    import django

    django.setup()
    from django.core.management import call_command

    print(f"migrating {var_dir / 'db.sqlite3'} (not timed)…", flush=True)
    call_command("migrate", verbosity=0)
    return var_dir


def _organization(kind: str, slug: str, stem: str, name_fr: str, name_ar: str) -> Any:
    from members.legal_ids import ice_with_check_digits
    from members.models import Organization

    organization, _ = Organization.objects.get_or_create(
        slug=slug,
        defaults={"kind": kind, "legal_name_fr": name_fr, "legal_name_ar": name_ar, "ice": ice_with_check_digits(stem)},
    )
    return organization


def _pool(size: int) -> list[int]:
    """Ids of at least ``size`` certificates of one session (made once; a replay reuses them)."""
    from members.models import Cooperator, Organization
    from training.models import Certificate, Course, HalfDay, Session, Theme
    from training.services import attendance_record, certificates_issue, enrol

    if not Organization.objects.filter(kind=Organization.Kind.GIE).exists():  # a seeded database has its own
        _organization(
            Organization.Kind.GIE, "gie-bench", "0019999990000",
            "GIE Entreprise Collective Partagée Tanger-Tétouan-Al Hoceima",
            "مجموعة النفع الاقتصادي المقاولة الجماعية المشتركة طنجة تطوان الحسيمة",
        )  # fmt: skip
    coops = [
        _organization(Organization.Kind.COOPERATIVE, "bench-baraka", "0019999990001",
                      "Coopérative féminine Al Baraka", "التعاونية النسوية البركة"),
        _organization(Organization.Kind.COOPERATIVE, "bench-nahla", "0019999990002",
                      "Coopérative Nahla", "تعاونية النحلة"),
    ]  # fmt: skip
    theme, _ = Theme.objects.get_or_create(slug=SLUG, defaults={"name_fr": "Hygiène", "name_ar": "النظافة"})
    course, _ = Course.objects.get_or_create(
        slug=SLUG,
        defaults={
            "theme": theme, "title_fr": "Hygiène des aliments et agrément ONSSA",
            "title_ar": "نظافة المواد الغذائية وترخيص المكتب الوطني للسلامة الصحية",
            "duration_hours": Decimal("15.0"), "pictogram": "basket",
        },
    )  # fmt: skip
    session, created = Session.objects.get_or_create(
        slug=SLUG,
        defaults={
            "course": course, "starts_on": date(2026, 11, 9), "ends_on": date(2026, 11, 11), "capacity": size,
            "enrolment_deadline": date(2026, 11, 2), "fee_per_trainee": Decimal("350.00"), "place": "Maison des jeunes",
            "state": Session.State.OPEN,
        },
    )  # fmt: skip
    if created:
        half_days = [
            HalfDay.objects.create(session=session, day=date(2026, 11, day), part=part)
            for day, part in ((9, "am"), (9, "pm"), (10, "am"), (10, "pm"), (11, "am"))
        ]
        enrolled = []
        for n in range(size):
            first, first_ar, gender = FIRST_NAMES[n % len(FIRST_NAMES)]
            last, last_ar = LAST_NAMES[n % len(LAST_NAMES)]
            person = Cooperator.objects.create(
                organization=coops[n % 2], first_name_fr=first, last_name_fr=f"{last} {n + 1}",
                full_name_ar=f"{first_ar} {last_ar}", gender=gender,
            )  # fmt: skip
            enrolled.append(enrol(session=session, cooperator=person, on=date(2026, 10, 20), acting_user=None))
        for half_day in half_days:
            attendance_record(session=session, half_day=half_day, present_ids=[e.pk for e in enrolled])
        certificates_issue(session=session, on=ON)
    return list(Certificate.objects.filter(enrolment__session=session).order_by("pk").values_list("pk", flat=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100, help="single certificates timed")
    parser.add_argument("--batch-size", type=int, default=30, help="certificates per batch PDF (the session's size)")
    parser.add_argument("--batches", type=int, default=5, help="batch PDFs timed")
    parser.add_argument("--var", default="", help="GIE_VAR_DIR for the database (default: a fresh temp dir)")
    args = parser.parse_args(argv)
    if min(args.count, args.batch_size, args.batches) < 1:
        parser.error("--count, --batch-size and --batches must be at least 1")

    var_dir = _setup(args.var)
    from gie_erp.core.pdf import render_pdf
    from training.models import Certificate
    from training.pdf_certificate import certificate_pdf, certificates_for_print, certificates_pdf

    print(f"issuing {args.batch_size} certificates (not timed)…", flush=True)
    pool = _pool(args.batch_size)[: args.batch_size]
    if len(pool) < args.batch_size:
        print(f"only {len(pool)} certificates in {var_dir}: use a fresh --var", file=sys.stderr)
        return 2

    def single(n: int) -> bytes:
        return certificate_pdf(Certificate.objects.get(pk=pool[n % len(pool)]))

    def batch(n: int) -> bytes:
        return certificates_pdf(certificates_for_print(pool))

    single(0), batch(0)  # warm-up: fonts, stylesheets, templates, pictograms
    singles = timed_renders(args.count, single)
    batches = timed_renders(args.batches, batch)
    pages = args.batches * len(pool)
    print(f"database:              {var_dir / 'db.sqlite3'} (SQLite), DEBUG=0, Python {sys.version.split()[0]}")
    print(f"render:                {render_pdf.__module__}.render_pdf, one A4 landscape page per certificate")
    print(
        f"single certificates:   {singles['count']} in {singles['cpu']:.1f} CPU-s ({singles['wall']:.1f} s wall) -> "
        f"{singles['count'] / singles['cpu']:.2f} PDFs per CPU-second, "
        f"{1000 * singles['cpu'] / singles['count']:.0f} ms each, {singles['kb']:.1f} KB average"
    )
    print(
        f"batches of {len(pool):<3}         {batches['count']} in {batches['cpu']:.1f} CPU-s "
        f"({batches['wall']:.1f} s wall) -> {batches['count'] / batches['cpu']:.2f} batch PDFs per CPU-second = "
        f"{pages / batches['cpu']:.2f} certificates per CPU-second, "
        f"{1000 * batches['cpu'] / pages:.0f} ms per certificate, {batches['kb']:.1f} KB per batch"
    )
    if not args.var:  # the throwaway database goes with the run
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
