"""Moroccan legal identifiers, validated with python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ma import ice as stdnum_ice

#: an ICE has 15 digits (leading zeros included)
ICE_LENGTH = 15


def normalize_ice(value: str) -> str:
    """Strip spaces and separators; raise ValidationError unless 15 digits with a valid checksum. Digits alone and
    fewer than 15 are an ICE a spreadsheet stored as a number (``1561191000066`` for ``001561191000066``): the
    leading zeros come back before the checksum is checked."""
    text = value.strip()
    if text.isdigit() and len(text) < ICE_LENGTH:
        text = text.zfill(ICE_LENGTH)
    try:
        return str(stdnum_ice.validate(text))
    except StdnumError:
        raise ValidationError(
            _("ICE invalide : %(value)s (15 chiffres avec clé de contrôle)."), params={"value": value}
        ) from None


def ice_with_check_digits(stem: str) -> str:
    """Complete 13 digits into a valid ICE: the 15-digit number must be divisible by 97 (stdnum.ma.ice)."""
    if len(stem) != 13 or not stem.isdigit():
        raise ValueError(f"an ICE stem is 13 digits: {stem!r}")
    return f"{stem}{(-int(stem) * 100) % 97:02d}"


def validate_ice(value: str) -> None:
    if normalize_ice(value) != value:
        raise ValidationError(_("ICE à saisir sans espaces : %(value)s."), params={"value": value})
