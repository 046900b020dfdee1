"""A MAD amount written out in French or Arabic, as Moroccan invoices customarily print their total ("arrêtée la
présente facture à la somme de …"). Pure: no ORM, no settings, no translation catalogue — each language's text is
fixed by its grammar, not by the reader's locale.

num2words writes the integers (never given a float); the units are added here because its currency mode knows
the euro in French and the Saudi riyal in Arabic, not the dirham.

French: "un dirham", "deux dirhams", "un million de dirhams" (a noun of quantity takes "de"), "zéro dirham";
centimes after "et", left out when there are none. The vingt/cent plural rules are num2words' (traditional
spelling: "quatre-vingts", "quatre-vingt-un", "deux cents", "deux cent un", "vingt et un").

Arabic: the counted noun agrees with the number (درهم is masculine, so num2words' masculine forms fit): 1 درهم
واحد, 2 درهمان (the dual alone), 3–10 دراهم (plural), 11–99 درهما (singular accusative), a round hundred, thousand
or million درهم (singular genitive). Above 100 the last two digits decide (مائة وثلاثة دراهم, مائة وأحد عشر
درهما); when they are 01 or 02 the noun stays درهم after the full number (مائة وواحد درهم), the simple form used
on cheques rather than the classical مائة درهم ودرهم. Centimes (سنتيم) follow the same rules, after و. The
conjunction و is written joined to the next word, as in print.
"""

from decimal import Decimal

from num2words import num2words

from gie_erp.core.money import to_centimes

LANGUAGES = ("fr", "ar")


def amount_in_words(amount: Decimal, language: str) -> str:
    """The amount in MAD written out in ``language`` ("fr" or "ar"); refuses floats, negatives, a third decimal."""
    if isinstance(amount, float) or not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"pass a Decimal amount, not {type(amount).__name__}")
    if language not in LANGUAGES:
        raise ValueError(f"no words for language {language!r}: expected one of {LANGUAGES}")
    if not Decimal(amount).is_finite() or amount < 0:
        raise ValueError(f"only a finite, non-negative amount can be written out: {amount}")
    dirhams, centimes = divmod(to_centimes(Decimal(amount)), 100)  # to_centimes refuses a third decimal
    if language == "fr":
        return _french(dirhams, centimes)
    return _arabic(dirhams, centimes)


def _french(dirhams: int, centimes: int) -> str:
    text = _french_count(dirhams, "dirham")
    if centimes:
        text += " et " + _french_count(centimes, "centime")
    return text


def _french_count(number: int, noun: str) -> str:
    words = num2words(number, lang="fr")
    if number <= 1:  # "zéro dirham", "un dirham": French plural starts at 2
        return f"{words} {noun}"
    if number % 1_000_000 == 0:  # ends on million(s) or milliard(s), nouns: "un million de dirhams"
        return f"{words} de {noun}s"
    return f"{words} {noun}s"


ARABIC_NOUNS = {
    "dirham": {"one": "درهم", "two": "درهمان", "few": "دراهم", "many": "درهما"},
    "centime": {"one": "سنتيم", "two": "سنتيمان", "few": "سنتيمات", "many": "سنتيما"},
}


def _arabic(dirhams: int, centimes: int) -> str:
    text = _arabic_count(dirhams, "dirham")
    if centimes:
        text += " و" + _arabic_count(centimes, "centime")
    return text


def _arabic_count(number: int, noun: str) -> str:
    forms = ARABIC_NOUNS[noun]
    if number == 1:
        return f"{forms['one']} {_arabic_integer(1)}"  # the noun first, the number as its adjective
    if number == 2:
        return forms["two"]  # the dual says "two" by itself
    last_two = number % 100
    if 3 <= last_two <= 10:
        form = forms["few"]
    elif last_two >= 11:
        form = forms["many"]
    else:  # 0 (zero, or a round hundred, thousand, million), or above 100 ending in 01 / 02
        form = forms["one"]
    return f"{_arabic_integer(number)} {form}"


def _arabic_integer(number: int) -> str:
    return num2words(number, lang="ar").replace(" و ", " و")  # num2words detaches و: print joins it
