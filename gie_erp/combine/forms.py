"""Forms of the combined accounts' pages: the filters (period, set of books, with or without the GIE) and a pair of
accounts. Parsing only: the sets are resolved by ``selectors.book_set``, the pairs checked by ``services``."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gie_erp.combine.models import PairRule
from gie_erp.combine.selectors import ALL, SECTOR, WOMEN
from ledger.forms import BoundedDateField
from members.models import Organization

LIST = "list"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def book_set_choices() -> list[tuple[str, Any]]:
    return [
        (ALL, _("Tous les livres")),
        (WOMEN, _("Coopératives féminines")),
        *(
            (f"{SECTOR}{value}", _("Secteur : %(sector)s") % {"sector": label})
            for value, label in Organization.Sector.choices
        ),
        (LIST, _("Liste de livres (codes ci-dessous)")),
    ]


class CombineForm(forms.Form):
    start = BoundedDateField(label=_("Du"), required=False, widget=_date_widget())
    end = BoundedDateField(label=_("Au"), required=False, widget=_date_widget())
    books = forms.ChoiceField(label=_("Livres"), required=False, initial=ALL)
    codes = forms.CharField(
        label=_("Codes des livres"),
        required=False,
        max_length=4000,
        help_text=_("Séparés par des virgules, pour « Liste de livres »."),
    )
    exclude_gie = forms.BooleanField(label=_("Sans le livre du GIE"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["books"].choices = book_set_choices()  # type: ignore[attr-defined]

    def period(self, today: date) -> tuple[date, date]:
        """The chosen period; by default the current year up to today (never swapped: a reversed range is refused)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("start") or date(today.year, 1, 1), data.get("end") or today

    def spec(self) -> str:
        """The set as ``selectors.book_set`` reads it."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        chosen = data.get("books") or ALL
        return str(data.get("codes", "")) if chosen == LIST else chosen

    def without_gie(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("exclude_gie"))


class PairRuleForm(forms.ModelForm):
    class Meta:
        model = PairRule
        fields = ["key", "label_fr", "label_ar", "left", "left_book", "right", "right_book", "order", "active", "note"]
        widgets = {"note": forms.TextInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["key"].disabled = True  # combinations and the audit name a pair by its code
        else:
            self.initial["order"] = None  # blank: after the others (the model's 0 would put a new pair first)
        self.fields["order"].required = False
        self.fields["order"].help_text = _(
            "Rang de lecture : à préfixes de même longueur, la paire placée avant prend le compte. Vide : à la fin."
        )

    def clean_key(self) -> str:
        key = str(self.cleaned_data["key"])
        if key == "new":  # the address of the form to add a pair
            raise forms.ValidationError(_("Ce code est réservé : choisissez-en un autre."))
        return key
