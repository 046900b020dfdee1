import pytest
from django.core.exceptions import ValidationError

from members.legal_ids import ice_with_check_digits, normalize_ice, validate_ice


def test_known_valid_ice():
    assert normalize_ice("001561191000066") == "001561191000066"
    assert normalize_ice("00 1561191 000066") == "001561191000066"


@pytest.mark.parametrize("bad", ["001561191000067", "00156119100006", "0015611910000660", "ABCDEFGHIJKLMNO", ""])
def test_invalid_ice_is_refused(bad: str):
    with pytest.raises(ValidationError):
        normalize_ice(bad)


def test_model_validator_wants_the_compact_form():
    validate_ice("001561191000066")
    with pytest.raises(ValidationError):
        validate_ice("00 1561191 000066")


def test_check_digits_make_a_valid_ice():
    # regression: ISO 7064 mod 97-10 check digits (checksum 1) are NOT what stdnum.ma.ice checks (divisible by 97)
    assert ice_with_check_digits("0015611910000") == "001561191000066"
    assert normalize_ice(ice_with_check_digits("0019876540000"))


def test_an_ice_a_spreadsheet_kept_as_a_number_gets_its_leading_zeros_back():
    # regression: an XLSX cell typed as a number holds 1561191000066 for 001561191000066 (13 digits)
    assert normalize_ice("1561191000066") == "001561191000066"
    assert normalize_ice(" 1561191000066 ") == "001561191000066"
    # padding is no way round the checksum: 1561191000067 padded is not divisible by 97
    with pytest.raises(ValidationError):
        normalize_ice("1561191000067")
