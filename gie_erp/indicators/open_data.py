"""The open figures for the regional ESS observatory (issue 16, point 3): one table per indicator, aggregates only,
with small cells withheld (``disclosure``), written as CSV and JSON with a descriptor (``datapackage.json``).

Schema (version ``SCHEMA_VERSION``, documented in docs/indicators.md): every indicator is a long table — one record per
cell — with its two dimensions (e.g. ``sector`` and ``gender``; ``*`` is the total over that dimension), ``value``
(empty when withheld), ``unit`` and ``status`` (``""`` published, ``suppressed-primary`` too few people or
cooperatives, ``suppressed-complementary`` withheld so that a primary cell cannot be worked out from the totals).
Every table's columns partition its rows, so its totals are sums. No name, CIN or phone of anyone is read: only
counts and sums.
"""

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, Sum

from gie_erp.indicators.disclosure import TOTAL, Cell, Key, Reason, suppress
from gie_erp.indicators.selectors import Filters, members_qs
from invoices.models import Document
from members.models import Cooperator
from sales.models import Summary
from training.reports import ReportFilter, participations, round_hours

SCHEMA_VERSION = "1.0"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
STATUS = {Reason.PRIMARY: "suppressed-primary", Reason.COMPLEMENTARY: "suppressed-complementary"}
#: (value, the cooperatives behind it, the people it counts or None) per inner cell
Inner = dict[Key, tuple[Decimal | int, frozenset[int], int | None]]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One published table: its identity and definition (French and Arabic), unit, dimensions and cells."""

    id: str
    title_fr: str
    title_ar: str
    definition_fr: str
    definition_ar: str
    unit: str  # "cooperatives", "people", "MAD", "hours"
    dimensions: tuple[str, str]  # (row dimension, column dimension)
    cells: Mapping[Key, Cell]

    def records(self) -> list[dict[str, str]]:
        """One record per cell, in a stable order, withheld cells emptied and marked."""
        withheld = suppress(self.cells)
        records = []
        for key in sorted(self.cells, key=_order):
            reason = withheld.get(key)
            records.append(
                {
                    self.dimensions[0]: str(key[0]),
                    self.dimensions[1]: str(key[1]),
                    "value": "" if reason else _text(self.cells[key].value),
                    "unit": self.unit,
                    "status": STATUS[reason] if reason else "",
                }
            )
        return records

    def value(self, row: Any, column: Any) -> Decimal | int | None:
        """The figure as published (None when withheld or absent)."""
        for record in self.records():
            if record[self.dimensions[0]] == str(row) and record[self.dimensions[1]] == str(column):
                return None if record["status"] else self.cells[(row, column)].value
        return None


def _order(key: Key) -> tuple[bool, str, bool, str]:
    row, column = key
    return (row == TOTAL, str(row), column == TOTAL, str(column))


def _text(value: Decimal | int) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def with_margins(inner: Inner) -> dict[Key, Cell]:
    """The inner cells and their margins (row totals, column totals, grand total), each knowing who is behind it."""
    cells: dict[Key, Cell] = {}
    sums: dict[Key, tuple[Decimal | int, frozenset[int], int | None]] = {}
    for (row, column), (value, cooperatives, people) in inner.items():
        cells[(row, column)] = Cell(value, len(cooperatives), people)
        for margin in ((row, TOTAL), (TOTAL, column), (TOTAL, TOTAL)):
            total, behind, counted = sums.get(margin, (0, frozenset(), None if people is None else 0))
            sums[margin] = (
                total + value,
                behind | cooperatives,
                None if counted is None or people is None else counted + people,
            )
    for margin, (value, cooperatives, people) in sums.items():
        cells[margin] = Cell(value, len(cooperatives), people)
    return cells


def _add(inner: Inner, key: Key, value: Decimal | int, cooperative: int, people: int | None) -> None:
    total, behind, counted = inner.get(key, (0, frozenset(), None if people is None else 0))
    inner[key] = (
        total + value,
        behind | {cooperative},
        None if counted is None or people is None else counted + people,
    )


# --- the indicators ---------------------------------------------------------------------------------------------


def _active(filters: Filters) -> Any:
    end = filters.end
    return members_qs(filters).filter(
        (Q(joined_on__isnull=True) | Q(joined_on__lte=end)) & (Q(left_on__isnull=True) | Q(left_on__gt=end))
    )


def members_by_sector(filters: Filters) -> Indicator:
    inner: Inner = {}
    for sector, organization_id, is_women in _active(filters).values_list("sector", "pk", "is_women_cooperative"):
        _add(inner, (sector, "women" if is_women else "other"), 1, organization_id, None)
    return Indicator(
        "members_by_sector",
        "Coopératives membres du GIE, par secteur",
        "التعاونيات الأعضاء في المجموعة، حسب القطاع",
        "Coopératives membres au 31 décembre (adhésion au plus tard ce jour, pas de sortie avant) ; colonne "
        "« women » : coopératives féminines, « other » : les autres.",
        "التعاونيات الأعضاء في 31 دجنبر؛ العمود «women»: التعاونيات النسوية، «other»: التعاونيات الأخرى.",
        "cooperatives",
        ("sector", "kind"),
        with_margins(inner),
    )


def cooperators_by_sector(filters: Filters) -> Indicator:
    inner: Inner = {}
    rows = (
        Cooperator.objects.filter(organization__in=_active(filters), is_active=True, erased_on__isnull=True)
        .values("organization__sector", "organization_id", "gender")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        _add(inner, (row["organization__sector"], row["gender"]), row["n"], row["organization_id"], row["n"])
    return Indicator(
        "cooperators_by_sector_gender",
        "Coopérateurs et coopératrices des membres, par secteur et sexe",
        "المتعاونون والمتعاونات في التعاونيات الأعضاء، حسب القطاع والجنس",
        "Personnes actives inscrites dans les coopératives membres au 31 décembre ; « f » femmes, « m » hommes.",
        "الأشخاص النشيطون المسجلون في التعاونيات الأعضاء في 31 دجنبر؛ «f» نساء، «m» رجال.",
        "people",
        ("sector", "gender"),
        with_margins(inner),
    )


def sales_by_sector_quarter(filters: Filters) -> Indicator:
    inner: Inner = {}
    rows = (
        Summary.objects.filter(
            posted_on__gte=filters.start, posted_on__lte=filters.end, organization__in=members_qs(filters)
        )
        .values_list("organization__sector", "organization_id", "posted_on__month")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for sector, organization_id, month, amount in rows:
        _add(inner, (sector, f"Q{(month - 1) // 3 + 1}"), amount, organization_id, None)
    return Indicator(
        "sales_by_sector_quarter",
        "Ventes des membres par les canaux du GIE (foires, boutique), par secteur et trimestre",
        "مبيعات الأعضاء عبر قنوات المجموعة (المعارض، المتجر)، حسب القطاع والفصل",
        "Montants TTC des ventes inscrites dans les livres des membres (récapitulatifs de ventes), par date "
        "d'écriture, en dirhams.",
        "مبالغ المبيعات شاملة الضريبة المسجلة في دفاتر الأعضاء، حسب تاريخ القيد، بالدرهم.",
        "MAD",
        ("sector", "quarter"),
        with_margins(inner),
    )


def fees_by_sector(filters: Filters) -> Indicator:
    inner: Inner = {}
    issued = Q(issued_on__gte=filters.start, issued_on__lte=filters.end)
    members = members_qs(filters)
    for relation, sign in (("fee_share", 1), ("fee_share_credit", -1)):
        rows = (
            Document.objects.filter(issued, **{f"{relation}__organization__in": members})
            .exclude(status=Document.Status.DRAFT)
            .values_list(f"{relation}__organization__sector", f"{relation}__organization_id")
            .annotate(amount=Sum("total_net"))
            .order_by()
        )
        for sector, organization_id, amount in rows:
            _add(inner, (sector, "HT"), sign * amount, organization_id, None)
    return Indicator(
        "fees_by_sector",
        "Quotes-parts des frais du GIE facturées aux membres, par secteur",
        "حصص مصاريف المجموعة المفوترة للأعضاء، حسب القطاع",
        "Factures de quotes-parts hors taxes émises dans l'année, moins les avoirs émis dans l'année, en dirhams.",
        "فواتير الحصص دون احتساب الضريبة الصادرة خلال السنة، ناقص الفواتير التصحيحية، بالدرهم.",
        "MAD",
        ("sector", "amount"),
        with_margins(inner),
    )


def _training_records(filters: Filters, user: Any) -> list[Any]:
    members = set(members_qs(filters).values_list("pk", flat=True))
    every = participations(user, ReportFilter(start=filters.start, end=filters.end))
    return [record for record in every if record.organization_id in members]


def training_by_age_gender(filters: Filters, user: Any) -> Indicator:
    inner: Inner = {}
    seen: set[int] = set()
    for record in _training_records(filters, user):
        if record.cooperator_id in seen:
            continue  # a person once, in the age band of the first session of the year
        seen.add(record.cooperator_id)
        _add(inner, (record.age_band, record.gender), 1, record.organization_id, 1)
    return Indicator(
        "training_participants_by_age_gender",
        "Personnes formées par le GIE, par tranche d'âge et sexe",
        "الأشخاص المستفيدون من تكوينات المجموعة، حسب الفئة العمرية والجنس",
        "Personnes inscrites (places assises) à une session commencée dans l'année, comptées une fois ; âge à la "
        "première session de l'année ; « unknown » : année de naissance non renseignée.",
        "الأشخاص المسجلون في دورة بدأت خلال السنة، يحسب كل شخص مرة واحدة؛ العمر عند أول دورة في السنة.",
        "people",
        ("age_band", "gender"),
        with_margins(inner),
    )


def training_hours_by_gender(filters: Filters, user: Any) -> Indicator:
    hours: dict[tuple[str, int, int], Any] = {}
    for record in _training_records(filters, user):
        key = (record.gender, record.cooperator_id, record.organization_id)
        hours[key] = hours.get(key, 0) + record.hours
    inner: Inner = {}
    for (gender, _person, organization_id), exact in hours.items():
        _add(inner, (gender, "hours"), round_hours(exact), organization_id, 1)
    return Indicator(
        "training_hours_by_gender",
        "Heures de formation suivies, par sexe",
        "ساعات التكوين المتابعة، حسب الجنس",
        "Somme des heures de présence des personnes formées (une demi-journée vaut la durée du cours divisée par "
        "le nombre de demi-journées), arrondies au centième par personne.",
        "مجموع ساعات حضور الأشخاص المستفيدين، مقربة إلى الجزء من مائة لكل شخص.",
        "hours",
        ("gender", "measure"),
        with_margins(inner),
    )


def indicators(year: int, user: Any, filters: Filters | None = None) -> list[Indicator]:
    period = filters or Filters(date(year, 1, 1), date(year, 12, 31))
    return [
        members_by_sector(period),
        cooperators_by_sector(period),
        sales_by_sector_quarter(period),
        fees_by_sector(period),
        training_by_age_gender(period, user),
        training_hours_by_gender(period, user),
    ]


# --- the files --------------------------------------------------------------------------------------------------


def csv_text(indicator: Indicator) -> str:
    out = io.StringIO()
    fields = [*indicator.dimensions, "value", "unit", "status"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(indicator.records())
    return out.getvalue()


def json_document(indicator: Indicator, year: int, generated_on: date) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": indicator.id,
        "title": {"fr": indicator.title_fr, "ar": indicator.title_ar},
        "definition": {"fr": indicator.definition_fr, "ar": indicator.definition_ar},
        "unit": indicator.unit,
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "dimensions": list(indicator.dimensions),
        "total_marker": TOTAL,
        "licence": LICENCE,
        "generated_on": generated_on.isoformat(),
        "records": indicator.records(),
    }


def write(directory: Path, year: int, items: Iterable[Indicator], generated_on: date) -> list[Path]:
    """Each indicator as ``<id>.csv`` and ``<id>.json``, and ``datapackage.json`` describing them all."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    resources = []
    for indicator in items:
        csv_path, json_path = directory / f"{indicator.id}.csv", directory / f"{indicator.id}.json"
        csv_path.write_text(csv_text(indicator), encoding="utf-8")
        document = json_document(indicator, year, generated_on)
        json_path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        written += [csv_path, json_path]
        resources.append(
            {
                "name": indicator.id.replace("_", "-"),
                "path": csv_path.name,
                "format": "csv",
                "title": indicator.title_fr,
                "description": indicator.definition_fr,
                "schema": {
                    "fields": [
                        *({"name": name, "type": "string"} for name in indicator.dimensions),
                        {"name": "value", "type": "number"},
                        {"name": "unit", "type": "string"},
                        {"name": "status", "type": "string"},
                    ],
                    "missingValues": [""],
                },
            }
        )
    package = {
        "name": f"gie-ecp-tta-indicators-{year}",
        "title": f"Indicateurs de l'ECP Tanger-Tétouan-Al Hoceima, {year}",
        "schema_version": SCHEMA_VERSION,
        "licenses": [LICENCE],
        "created": generated_on.isoformat(),
        "resources": resources,
    }
    descriptor = directory / "datapackage.json"
    descriptor.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    return [*written, descriptor]
