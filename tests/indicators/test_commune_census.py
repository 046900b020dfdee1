"""Migration 0006 fills each commune's HCP code and census population from members/data/communes.csv."""

import pytest
from django.db import IntegrityError, transaction

from members.models import Commune


@pytest.mark.django_db
def test_the_communes_carry_their_code_and_population() -> None:
    tanger = Commune.objects.get(name_fr="Tanger")
    assert (tanger.code, tanger.population_2014, tanger.population_2024) == ("01.511.01.0", 947952, 1275428)
    mokrisset = Commune.objects.get(name_fr="Mokrisset")  # spelt Moqrissat by HCP: joined by code, not by name
    assert (mokrisset.code, mokrisset.population_2014, mokrisset.population_2024) == ("01.405.09.09", 10545, 9413)
    assert Commune.objects.exclude(code="").count() == 47
    assert set(Commune.objects.filter(code="").values_list("name_fr", flat=True)) == {
        "Ben Karrich",
        "Beni Karrich Al Foki",
    }
    assert not Commune.objects.filter(code="", population_2024__isnull=False).exists()
    assert not Commune.objects.get(code="01.573.01.07").is_rural  # Allyine, a municipality (migration 0007)


@pytest.mark.django_db
def test_a_code_names_one_commune_and_blank_is_not_a_code() -> None:
    ben_karrich = Commune.objects.get(name_fr="Ben Karrich")
    ben_karrich.code = "01.511.01.0"  # Tanger's
    with pytest.raises(IntegrityError), transaction.atomic():
        ben_karrich.save(update_fields=["code"])
    Commune.objects.create(province=ben_karrich.province, name_fr="Nouvelle", name_ar="جديدة")  # a second blank code
