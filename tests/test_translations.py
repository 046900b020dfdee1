"""Every user-facing string has an Arabic translation (make lint refreshes the catalog from the sources first)."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ar" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_arabic_catalog_is_complete_and_keeps_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    untranslated = [m.id for m in messages if not m.string or (isinstance(m.string, tuple) and not all(m.string))]
    assert untranslated == []
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert fuzzy == []
    for m in messages:
        source = m.id if isinstance(m.id, str) else m.id[0]
        target = m.string if isinstance(m.string, str) else (m.string or [""])[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


#: plural messages whose Arabic reads the same for every count (a label and a figure, not a counted noun)
SAME_FOR_EVERY_COUNT = {
    "%(count)d ligne lue : %(written)d fiche créée ou modifiée.",
    "%(count)d ligne lue : %(written)d produit créé ou modifié.",
}


def test_arabic_plurals_change_with_the_count():
    """Arabic has six plural forms; a counted noun must not read "3 تذكرة" (regression: every form was the
    singular). The few form (3 to 10) differs from the singular for every counted noun."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple | list)]
    assert len(plurals) >= 10
    forms = {m.id[0]: tuple(m.string or ()) for m in plurals}
    flat = [source for source, arabic in forms.items() if source not in SAME_FOR_EVERY_COUNT and arabic[3] == arabic[1]]
    assert flat == []
    assert forms["%(counter)s ticket"][3] % {"counter": 3} == "3 تذاكر"
