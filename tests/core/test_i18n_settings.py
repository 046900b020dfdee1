from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info

from gie_erp.core.errors import DomainError, ErrorCode


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Africa/Casablanca"
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "ar", "zgh"]


def test_tamazight_is_registered():
    info = get_language_info("zgh")
    assert info["name_local"] == "ⵜⴰⵎⴰⵣⵉⵖⵜ"
    assert info["bidi"] is False


def test_arabic_is_right_to_left():
    with translation.override("ar"):
        assert translation.get_language_bidi() is True


def test_domain_error_message_in_french_and_arabic():
    error = DomainError(ErrorCode.IMPORT_UNKNOWN_COMMUNE, value="Atlantis")
    assert error.message("fr") == "Commune inconnue : Atlantis."
    # regression: the Latin value is isolated (FSI … PDI) so that it keeps its place in the Arabic sentence
    assert error.message("ar") == "جماعة غير معروفة: \u2068Atlantis\u2069."


def test_a_parameter_may_be_called_code():
    # regression: DomainError(ErrorCode.X, code="5161") raised TypeError (code was also the error code's name)
    error = DomainError(ErrorCode.ACCOUNT_NOT_IN_CHART, code="342199")
    assert error.code == ErrorCode.ACCOUNT_NOT_IN_CHART
    assert error.message("fr") == "Le compte 342199 n'existe pas dans le plan de ce livre."
