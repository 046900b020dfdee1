"""Seeds the demo GIE deterministically and idempotently: running it twice changes nothing.

The steps, each its own transaction (each is idempotent: a failed step is completed by seeding again):

1. the customers of the register (``party_save``, which commits by itself);
2. the organizations, cooperators, logins and books, and the year's hand-written entries (``ledger_year``);
3. the year's invoicing through ``invoices.services`` (``invoicing_year``), then what follows from it in the books
   (``month_end``: the GIE's settlements to its members). Committing step 2 first also lets the posting path reuse
   the books it has cached (it caches committed books only);
4. the past fair sold and summarized in September (``sales_year``), each service committing its own work (each
   finds what an earlier seed did);
5. the cost pools and the fee runs of January to September (``fees``), one transaction a month, each quarter's
   paid on the 15th after it; a quarter's VAT returns (``month_end``) just before its last month's runs, so that a
   month's runs see every entry of the month (the usage key counts the members' entries; the fees' VAT, on a cash
   basis, waits for their payment). All before the fair's settlement and the training, which invoice in October,
   so that the GIE's invoice numbers follow their dates;
6. the past fair settled on 6 October, the fair open today and the shop (``sales_year``);
7. the training (``training``: a catalogue, three past sessions attended, certified and billed, their costs and a
   funder's payment, an upcoming session with a waitlist), through the training services;
8. October's fee runs and the seasonal ones (fairs and training, September to October), all dated 31 October.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.roles import Role
from gie_erp.demo import data
from gie_erp.demo.fees import fee_month_post, fee_seasons_post
from gie_erp.demo.invoicing_year import invoicing_plan, invoicing_run
from gie_erp.demo.ledger_year import DEMO_TODAY, LAST_MONTH, QUARTER_ENDS, DemoMember, demo_year_drafts
from gie_erp.demo.month_end import settlement_drafts, vat_returns_post
from gie_erp.demo.sales_year import past_fair_settled, past_fair_sold
from gie_erp.demo.training import training_seed
from invoices.models import Document, IssuerSettings, Party, Payment
from invoices.parties import party_save
from ledger.books import book_ensure
from ledger.models import Book, Entry
from ledger.services import journal_entries_post
from members.legal_ids import ice_with_check_digits
from members.models import Commune, Cooperator, Organization
from members.services import organization_upsert, user_upsert

DEFAULT_SEED = 20260101
PARTY_FIELDS = ("code", "kind", "legal_name_fr", "legal_name_ar", "if_number", "rc_number", "address", "city", "phone",
                "payment_terms_days")  # fmt: skip


@dataclass
class SeedReport:
    organizations_created: int = 0
    cooperators_created: int = 0
    users_created: int = 0
    entries_posted: int = 0  # every entry, hand-written or posted by a document or payment
    parties_created: int = 0
    documents_created: int = 0  # invoices and credit notes
    payments_created: int = 0
    fee_runs: int = 0  # the fee runs posted (or found, seeding again)
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


@dataclass(frozen=True)
class _Year:
    gie: Organization
    coops: list[Organization]
    books: dict[int, Book]  # by organization id


def seed_demo(*, seed: int = DEFAULT_SEED) -> SeedReport:
    """The GIE, 6 cooperatives with 15–40 cooperators each, one login per role, and their year: hand-written entries,
    documents and payments, settlements, collective sales, training, fee runs and VAT returns."""
    counts_before = (Entry.objects.count(), Document.objects.count(), Payment.objects.count())
    report = SeedReport()
    customers = _customers_save(report)
    year = _seed_organizations_and_year(report, seed=seed)
    _seed_invoicing(year, customers=customers, seed=seed)
    past_fair_sold(gie=year.gie, coops=year.coops, seed=seed)
    for month in range(1, LAST_MONTH):
        if month in QUARTER_ENDS:  # the quarter's last entries (its fees' VAT waits for their payment: cash basis)
            _vat_returns(year, quarter_end=month)
        report.fee_runs += fee_month_post(month=month, gie=year.gie)
    past_fair_settled(coops=year.coops)
    training_seed(gie=year.gie, coops=year.coops, seed=seed)  # its invoices: October, after the GIE's others
    report.fee_runs += fee_month_post(month=LAST_MONTH, gie=year.gie) + fee_seasons_post()
    counts_after = (Entry.objects.count(), Document.objects.count(), Payment.objects.count())
    report.entries_posted, report.documents_created, report.payments_created = (
        after - before for after, before in zip(counts_after, counts_before, strict=True)
    )
    return report


def _customers_save(report: SeedReport) -> dict[str, Party]:
    """The customers of the register, created or brought back to the demo's data (``party_save``: audited)."""
    customers: dict[str, Party] = {}
    for spec in data.CUSTOMERS:
        fields: dict[str, Any] = {name: spec[name] for name in PARTY_FIELDS if name in spec}
        fields["ice"] = ice_with_check_digits(spec["ice_stem"]) if spec["ice_stem"] else ""
        existing = Party.objects.filter(code=spec["code"]).first()
        customers[spec["code"]] = party_save(party=existing, data=fields, acting_user=None)
        report.parties_created += existing is None
    return customers


def _check_not_an_older_demo() -> None:
    """A database seeded before the demo had documents (or tickets) holds its credit sales (or its fair sales) as
    hand-written entries, under keys the new demo gives other entries: seeding it would be refused at the first of
    them; one seeded before the fee runs holds quarterly fee invoices the runs would bill again. Say so clearly."""
    older = Q(description__startswith="Vente à crédit") | Q(description__startswith="Ventes foire pour")
    if Entry.objects.filter(older, idempotency_key__startswith="demo:").exists():  # before documents, before tickets
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, key="demo:*")  # an earlier demo: delete its database
    if Document.objects.filter(idempotency_key__startswith="demo:fee:").exists():  # quarterly fees, before the runs
        raise DomainError(ErrorCode.IDEMPOTENCY_CONFLICT, key="demo:fee:*")


@transaction.atomic(durable=True)
def _seed_organizations_and_year(report: SeedReport, *, seed: int) -> _Year:
    _check_not_an_older_demo()
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
    books = {org.pk: book_ensure(organization=org) for org in [gie, *coops]}
    members = [
        DemoMember(
            book=books[org.pk],
            slug=org.slug,
            capital_share=org.capital_share,
            vat_registered=org.vat_status == Organization.VatStatus.REGISTERED,
        )
        for org in coops
    ]
    drafts = demo_year_drafts(gie_book=books[gie.pk], members=members, seed=seed)
    journal_entries_post(drafts=drafts, today=DEMO_TODAY)
    return _Year(gie=gie, coops=coops, books=books)


@transaction.atomic(durable=True)
def _seed_invoicing(year: _Year, *, customers: dict[str, Party], seed: int) -> None:
    gie, coops = year.gie, year.coops
    IssuerSettings.objects.update_or_create(organization=gie, defaults=data.GIE_INVOICING)  # no service sets them
    events = invoicing_plan(gie=gie, members=coops, customers=customers, seed=seed)
    invoicing_run(events=events)
    journal_entries_post(drafts=settlement_drafts(gie=gie, books=year.books), today=DEMO_TODAY)


@transaction.atomic(durable=True)
def _vat_returns(year: _Year, *, quarter_end: int) -> None:
    gie, coops = year.gie, year.coops
    registered = [year.books[org.pk] for org in [gie, *coops] if org.vat_status == Organization.VatStatus.REGISTERED]
    for book in registered:  # every VAT-registered book of the demo declares by quarter
        IssuerSettings.objects.update_or_create(
            organization_id=book.organization_id, defaults={"vat_period": IssuerSettings.VatPeriod.QUARTER}
        )
    vat_returns_post(books=registered, quarter_ends=[quarter_end])


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) of one demo login per role."""
    logins = [(role, username, data.DEMO_PASSWORD) for username, role, _first, _last in data.STAFF_USERS]
    return [*logins, (Role.COOP_REPRESENTATIVE.value, "coop1", data.DEMO_PASSWORD)]
