"""Typed factories for members. Faker is seeded in conftest so data is repeatable."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from gie_erp.core.roles import Role
from members.legal_ids import ice_with_check_digits
from members.models import Commune, Cooperator, Organization, User


def valid_ice(n: int) -> str:
    return ice_with_check_digits(f"{n:013d}")


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    kind = Organization.Kind.COOPERATIVE
    slug = factory.Sequence(lambda n: f"coop-{n}")
    legal_name_fr = factory.Sequence(lambda n: f"Coopérative Test {n}")
    legal_name_ar = factory.Sequence(lambda n: f"تعاونية اختبار {n}")
    ice = factory.Sequence(lambda n: valid_ice(1000 + n))
    commune = factory.LazyFunction(lambda: Commune.objects.order_by("pk").first())
    capital_share = Decimal("1000.00")


class GieFactory(OrganizationFactory):
    kind = Organization.Kind.GIE
    slug = "gie"
    legal_name_fr = "GIE Test"
    legal_name_ar = "مجموعة اختبار"

    class Meta:
        django_get_or_create = ("slug",)


class CooperatorFactory(DjangoModelFactory[Cooperator]):
    class Meta:
        model = Cooperator

    organization = factory.SubFactory(OrganizationFactory)
    first_name_fr = factory.Faker("first_name")
    last_name_fr = factory.Faker("last_name")
    full_name_ar = "فاطمة العمراني"
    gender = Cooperator.Gender.FEMALE


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.GIE_ACCOUNTANT
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class RepresentativeFactory(UserFactory):
    role = Role.COOP_REPRESENTATIVE
    organization = factory.SubFactory(OrganizationFactory)
