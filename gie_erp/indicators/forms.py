"""The dashboard's filters: a year (or a period within the books' dates), a sector, a commune, women's cooperatives
only, and what the map shows. Parsing only."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gie_erp.core.dates import earliest_date, latest_date
from gie_erp.indicators.selectors import Filters
from ledger.forms import BoundedDateField
from members.models import Commune, Organization

MEASURES = (("members", _("Membres")), ("sales", _("Ventes")))


class DashboardForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), required=False)
    start = BoundedDateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sector = forms.ChoiceField(label=_("Secteur"), required=False)
    commune = forms.ModelChoiceField(label=_("Commune"), required=False, queryset=Commune.objects.none())
    women = forms.BooleanField(label=_("Coopératives féminines"), required=False)
    measure = forms.ChoiceField(label=_("La carte montre"), required=False, choices=MEASURES, initial="members")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", "—"), *Organization.Sector.choices]  # type: ignore[attr-defined]
        self.fields["commune"].queryset = Commune.objects.order_by("name_fr")  # type: ignore[attr-defined]
        self.fields["commune"].empty_label = "—"  # type: ignore[attr-defined]

    def clean_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("year")
        if year is not None and not earliest_date().year <= year <= latest_date().year:
            raise forms.ValidationError(
                _("Année hors des limites : entre %(first)s et %(last)s."),
                params={"first": earliest_date().year, "last": latest_date().year},
            )
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("La période finit avant de commencer."))
        return data

    def filters(self, today: date) -> Filters:
        """The chosen filters; by default the current year."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        year = data.get("year") or today.year
        start = data.get("start") or date(year, 1, 1)
        end = data.get("end") or date(year, 12, 31)
        commune = data.get("commune")
        return Filters(start, end, data.get("sector") or "", commune.pk if commune else None, bool(data.get("women")))

    def map_measure(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("measure") or "members"
