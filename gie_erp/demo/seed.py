"""Seeds the demo GIE deterministically and idempotently: running it twice changes nothing."""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from gie_erp.core.roles import Role
from gie_erp.demo import data
from gie_erp.demo.ledger_year import DemoMember, demo_year_drafts
from ledger.books import book_ensure
from ledger.services import journal_entries_post
from members.legal_ids import ice_with_check_digits
from members.models import Commune, Cooperator, Organization
from members.services import organization_upsert, user_upsert

DEFAULT_SEED = 20260101


@dataclass
class SeedReport:
    organizations_created: int = 0
    cooperators_created: int = 0
    users_created: int = 0
    entries_posted: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, password)


def _org_fields(spec: dict[str, Any], kind: str, communes: dict[str, Commune]) -> dict[str, Any]:
    index = sum(ord(ch) for ch in spec["slug"]) % 9000 + 1000
    return {
        "kind": kind,
        "legal_name_fr": spec["legal_name_fr"],
        "legal_name_ar": spec["legal_name_ar"],
        "ice": ice_with_check_digits(spec["ice_stem"]),
        "if_number": spec["if_number"],
        "rc_number": spec["rc_number"],
        "tp_number": spec["tp_number"],
        "odco_number": spec.get("odco", ""),
        "address": spec.get("address", "Douar centre"),
        "commune": communes[spec["commune"]],
        "vat_status": spec.get("vat_status", Organization.VatStatus.EXEMPT),
        "vat_legal_reference": spec.get(
            "vat_legal_reference", "Exonérée de TVA — CGI art. 91-IV-1° (coopératives, CA < 10 MDH)"
        ),
        "sector": spec["sector"],
        "is_women_cooperative": spec.get("is_women_cooperative", False),
        "joined_on": spec.get("joined_on", date(2021, 3, 1)),
        "capital_share": spec["capital_share"],
        "phone": spec.get("phone", f"06{index:08d}"[:10]),
    }


def _seed_cooperators(org: Organization, count: int, rng: random.Random) -> int:
    created = 0
    women_only = org.is_women_cooperative
    for number in range(1, count + 1):
        female = women_only or rng.random() < 0.35
        first_fr, first_ar = rng.choice(data.FEMALE_NAMES if female else data.MALE_NAMES)
        last_fr, last_ar = rng.choice(data.FAMILY_NAMES)
        cin = f"{rng.choice(data.CIN_PREFIXES)}{rng.randrange(100000, 999999)}"
        function = {1: "president", 2: "treasurer", 3: "secretary"}.get(number, "member")
        joined = date(rng.randrange(2012, 2025), rng.randrange(1, 13), rng.randrange(1, 29))
        phone = f"06{rng.randrange(10000000, 99999999)}"
        _, was_created = Cooperator.objects.get_or_create(
            organization=org,
            cin=cin,
            defaults={
                "first_name_fr": first_fr,
                "last_name_fr": last_fr,
                "full_name_ar": f"{first_ar} {last_ar}",
                "gender": "f" if female else "m",
                "function": function,
                "phone": phone,
                "joined_on": joined,
            },
        )
        created += was_created
    return created


@transaction.atomic(durable=True)
def seed_demo(*, seed: int = DEFAULT_SEED) -> SeedReport:
    """The GIE, 6 cooperatives with 15–40 cooperators each, and one login per role."""
    report = SeedReport()
    communes = {c.name_fr: c for c in Commune.objects.all()}
    gie, created = organization_upsert(
        acting_user=None, slug=data.GIE["slug"], defaults=_org_fields(data.GIE, Organization.Kind.GIE, communes)
    )
    report.organizations_created += created
    coops: list[Organization] = []
    for spec in data.COOPERATIVES:
        org, created = organization_upsert(
            acting_user=None,
            slug=spec["slug"],
            defaults=_org_fields(spec, Organization.Kind.COOPERATIVE, communes),
        )
        report.organizations_created += created
        coops.append(org)
        rng = random.Random(f"{seed}:{spec['slug']}")  # one stream per cooperative: adding one changes no other
        report.cooperators_created += _seed_cooperators(org, spec["cooperators"], rng)
    for username, role, first, last in data.STAFF_USERS:
        _, created = user_upsert(
            acting_user=None,
            username=username,
            password=data.DEMO_PASSWORD,
            role=Role(role),
            first_name=first,
            last_name=last,
        )
        report.users_created += created
        report.logins.append((role, username, data.DEMO_PASSWORD))
    for number, org in enumerate(coops, start=1):
        _, created = user_upsert(
            acting_user=None,
            username=f"coop{number}",
            password=data.DEMO_PASSWORD,
            role=Role.COOP_REPRESENTATIVE,
            organization=org,
            preferred_language="ar",
        )
        report.users_created += created
        if number == 1:
            report.logins.append((Role.COOP_REPRESENTATIVE.value, f"coop{number}", data.DEMO_PASSWORD))
    gie_book = book_ensure(organization=gie)
    members = [
        DemoMember(
            book=book_ensure(organization=org),
            slug=org.slug,
            cooperators=spec["cooperators"],
            capital_share=org.capital_share,
            vat_registered=org.vat_status == Organization.VatStatus.REGISTERED,
        )
        for org, spec in zip(coops, data.COOPERATIVES, strict=True)
    ]
    drafts = demo_year_drafts(gie_book=gie_book, members=members, seed=seed)
    refs = journal_entries_post(drafts=drafts)
    report.entries_posted = sum(ref.created for ref in refs)
    return report


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) of one demo login per role."""
    logins = [(role, username, data.DEMO_PASSWORD) for username, role, _first, _last in data.STAFF_USERS]
    return [*logins, (Role.COOP_REPRESENTATIVE.value, "coop1", data.DEMO_PASSWORD)]
