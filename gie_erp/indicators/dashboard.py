"""The director's dashboard assembled from the reads (``selectors``): the key figures against the previous year, and
one table per chart (each exportable as XLSX/CSV), and the map's figures by commune. Labels follow the page's
language (French or Arabic)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gie_erp.indicators import geo, selectors
from gie_erp.indicators.charts import BarChart, bar_chart, change
from gie_erp.indicators.selectors import Figure, Filters
from members.models import Commune, Organization
from training.reports import AGE_BANDS

#: members listed in the chart of sales by member (the table lists them all)
TOP_MEMBERS = 15


def _arabic() -> bool:
    return (get_language() or "")[:2] == "ar"


def _name(fr: str, ar: str, *, arabic: bool | None = None) -> str:
    """``arabic`` given: the page's language already read (once for a whole table, not once a row)."""
    return ar if (_arabic() if arabic is None else arabic) and ar else fr


@dataclass(frozen=True, slots=True)
class Kpi:
    key: str
    label: Any
    value: Decimal | int
    previous: Decimal | int
    is_money: bool = False

    @property
    def change(self) -> Decimal | None:
        return change(self.value, self.previous)


@dataclass(frozen=True, slots=True)
class Table:
    """A chart's figures: ``rows`` are (label, value[, previous year]) as shown and exported."""

    key: str
    title: Any
    headers: tuple[Any, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: BarChart
    is_money: bool = False


@dataclass(frozen=True, slots=True)
class MapArea:
    code: str
    name: str
    d: str
    value: Decimal | int
    level: int  # colour class, 0 (no figure) to 5


@dataclass(frozen=True, slots=True)
class RegionMap:
    measure: str  # "members" or "sales"
    areas: tuple[MapArea, ...]
    legend: tuple[tuple[int, Decimal | int, Decimal | int], ...]
    rows: tuple[tuple[str, str, Decimal | int], ...]  # (code, commune, figure) of the communes with a figure
    unmapped: tuple[tuple[str, Decimal | int], ...]  # members' communes without an outline: (name, figure)


@dataclass(frozen=True, slots=True)
class Dashboard:
    filters: Filters
    kpis: tuple[Kpi, ...]
    tables: tuple[Table, ...]
    region_map: RegionMap

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)

    def key_figures(self) -> Table:
        """The key figures as a table: figure, this period, the previous year, the change in percent."""
        rows = tuple((str(kpi.label), kpi.value, kpi.previous, kpi.change) for kpi in self.kpis)
        return Table("key_figures", _("Chiffres clés"), (_("Indicateur"), _("Période"), _("Année précédente"),
                     _("Évolution (%)")), rows, bar_chart([]))  # fmt: skip


def _table(
    key: str,
    title: Any,
    headers: Sequence[Any],
    items: Sequence[tuple[str, Decimal | int]],
    *,
    previous: Sequence[Decimal | int] | None = None,
    is_money: bool = False,
    charted: int | None = None,
) -> Table:
    rows = tuple((label, value, previous[i]) if previous is not None else (label, value)
                 for i, (label, value) in enumerate(items))  # fmt: skip
    shown = items[:charted] if charted is not None else items
    chart = bar_chart(shown, list(previous[: len(shown)]) if previous is not None else None)
    return Table(key, title, tuple(headers), rows, chart, is_money)


def _sorted(figures: dict[Any, Figure], label: Callable[[Any], str]) -> list[tuple[str, Decimal]]:
    return sorted(((label(key), figure.amount) for key, figure in figures.items()), key=lambda item: -item[1])


def build(filters: Filters, user: Any, measure: str = "members") -> Dashboard:
    before = filters.previous_year()
    arabic = _arabic()
    periods = (filters, before)  # each read takes both periods in one pass
    members, members_before = selectors.memberships(periods)
    sales, sales_before = selectors.sales_periods(periods)
    fees, fees_before = selectors.fees_periods(periods)
    training, training_before = selectors.trainings(periods, user)
    owed, owed_before = selectors.outstanding_periods(periods)
    kpis = (
        Kpi("members", _("Coopératives membres"), members.active, members_before.active),
        Kpi("women_cooperatives", _("Coopératives féminines"), members.women_cooperatives,
            members_before.women_cooperatives),
        Kpi("joined", _("Adhésions"), members.joined, members_before.joined),
        Kpi("left", _("Sorties"), members.left, members_before.left),
        Kpi("cooperators_women", _("Coopératrices"), members.cooperators_women, members_before.cooperators_women),
        Kpi("cooperators_men", _("Coopérateurs"), members.cooperators_men, members_before.cooperators_men),
        Kpi("sales", _("Ventes par le GIE (TTC)"), sales.total.amount, sales_before.total.amount, is_money=True),
        Kpi("fees", _("Quotes-parts facturées (HT)"), fees.charged.amount, fees_before.charged.amount,
            is_money=True),
        Kpi("result", _("Résultat du GIE"), selectors.gie_result(filters), selectors.gie_result(before),
            is_money=True),
        Kpi("outstanding", _("Factures du GIE impayées (TTC)"), owed.amount, owed_before.amount, is_money=True),
        Kpi("trained_women", _("Femmes formées"), training.participants_women, training_before.participants_women),
        Kpi("trained_men", _("Hommes formés"), training.participants_men, training_before.participants_men),
        Kpi("training_hours", _("Heures de formation"), training.hours, training_before.hours),
    )  # fmt: skip
    months = sorted(set(sales.by_month) | set(sales_before.by_month))
    sectors = dict(Organization.Sector.choices)
    names = {
        pk: _name(fr, ar, arabic=arabic)
        for pk, fr, ar in selectors.members_qs(filters).values_list(  # the sellers are among them: no long IN list
            "pk", "legal_name_fr", "legal_name_ar"
        )
    }
    commune_names = {
        pk: _name(fr, ar, arabic=arabic) for pk, fr, ar in Commune.objects.values_list("pk", "name_fr", "name_ar")
    }
    amount = _("Montant TTC")
    tables = (
        _table(
            "sales_by_month", _("Ventes par mois"), (_("Mois"), amount, _("Année précédente")),
            [(str(MONTHS[m]), sales.by_month.get(m, Figure()).amount) for m in months],
            previous=[sales_before.by_month.get(m, Figure()).amount for m in months], is_money=True,
        ),
        _table(
            "sales_by_channel", _("Ventes par canal"), (_("Canal"), amount),
            _sorted(dict(sales.by_channel),
                    lambda slug: _name(*sales.channel_names.get(slug, (slug, "")), arabic=arabic)),
            is_money=True,
        ),
        _table(
            "sales_by_sector", _("Ventes par secteur"), (_("Secteur"), amount),
            _sorted(dict(sales.by_sector), lambda sector: str(sectors.get(sector, sector))), is_money=True,
        ),
        _table(
            "sales_by_commune", _("Ventes par commune"), (_("Commune"), amount),
            _sorted(dict(sales.by_commune), lambda pk: commune_names.get(pk, "—")), is_money=True,
        ),
        _table(
            "sales_by_member", _("Ventes par membre"), (_("Membre"), amount),
            _sorted(dict(sales.by_member), lambda pk: names.get(pk, str(pk))), is_money=True, charted=TOP_MEMBERS,
        ),
        _table(
            "cooperators_by_gender", _("Coopérateurs par sexe"), (_("Sexe"), _("Personnes"), _("Année précédente")),
            [(str(_("Femmes")), members.cooperators_women), (str(_("Hommes")), members.cooperators_men)],
            previous=[members_before.cooperators_women, members_before.cooperators_men],
        ),
        _table(
            "training_by_age", _("Personnes formées par tranche d'âge"), (_("Tranche d'âge"), _("Personnes")),
            [(str(band.label), training.by_age_band.get(band.key, 0)) for band in AGE_BANDS],
        ),
        _table(
            "training_by_gender", _("Personnes formées par sexe"), (_("Sexe"), _("Personnes"), _("Année précédente")),
            [(str(_("Femmes")), training.participants_women), (str(_("Hommes")), training.participants_men)],
            previous=[training_before.participants_women, training_before.participants_men],
        ),
    )  # fmt: skip
    return Dashboard(filters, kpis, tables, region_map(filters, sales, measure))


def region_map(filters: Filters, sales: selectors.Sales, measure: str) -> RegionMap:
    """Communes coloured by the active members they hold, or by the members' sales through the GIE."""
    arabic = _arabic()
    communes = {pk: (code, _name(fr, ar, arabic=arabic)) for pk, code, fr, ar in
                Commune.objects.values_list("pk", "code", "name_fr", "name_ar")}  # fmt: skip
    by_commune: dict[int, Decimal | int] = {}
    if measure == "sales":
        by_commune = {pk: figure.amount for pk, figure in sales.by_commune.items() if pk}
    else:
        active = selectors.members_qs(filters).filter(selectors.active_at(filters.end))
        for commune_id in active.exclude(commune__isnull=True).values_list("commune_id", flat=True):
            by_commune[commune_id] = int(by_commune.get(commune_id, 0)) + 1
    values: dict[str, Decimal | int] = {}
    unmapped = []
    for pk, value in by_commune.items():
        code, name = communes.get(pk, ("", "—"))
        if code:
            values[code] = values.get(code, 0) + value
        else:
            unmapped.append((name, value))
    levels = geo.classes(values)
    areas = tuple(
        MapArea(shape.code, _name(shape.name_fr, shape.name_ar, arabic=arabic), shape.d, values.get(shape.code, 0),
                levels.get(shape.code, 0))
        for shape in geo.shapes("commune")
    )  # fmt: skip
    names = {shape.code: _name(shape.name_fr, shape.name_ar, arabic=arabic) for shape in geo.shapes("commune")}
    rows = tuple(sorted(((code, names.get(code, code), value) for code, value in values.items()),
                        key=lambda row: (-row[2], row[1])))  # fmt: skip
    return RegionMap(measure, areas, tuple(geo.legend(values)), rows, tuple(unmapped))
