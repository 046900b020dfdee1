"""The demo's cost-shared fees (issue 14), made through ``gie_erp.fees`` only: four cost pools fed by the GIE's
accounts of the demo year, billed to the members by fee runs (one validated fee invoice per member and run), and
the members' payments.

=====================  ===========  =========================================================  ======================
pool                   key          its accounts in the GIE's book                             runs
=====================  ===========  =========================================================  ======================
accounting service     usage        6171 the coordinator's wages, 6125 supplies, 6147 bank      each month, January to
                                    fees                                                       October
commercial service     sales        6131 the GIE's premises, 6145 telephone and internet       each month
fairs                  sales        61443 stands, 61442 banners, 61426 transport, 61435 the     once, September to
                                    seller's per diem, 6111 the cushion the GIE paid, net of   October
                                    71272 the fair's commissions
training               cooperators  61365, 61312, 61436, 61431, 61254 tagged ``training:``,    once, September to
                                    net of 7124 and 7161 tagged ``training:``                  October
=====================  ===========  =========================================================  ======================

The fairs and training pools run once over their season: their recoveries come a month after their costs (the
fair of September is settled, its commissions invoiced, on 6 October; the September sessions are billed in
October), and a September run would bill the costs without them. A run is issued on the last day of its period;
each member pays a quarter's fee invoices by one transfer on the 15th after the quarter (the second quarter of the
pottery cooperative by a cheque cashed four days later, the third of the cheese one by a cheque not yet cashed on
the demo's today); October's are still owed on the demo's today. What the pools do not take is the INDH grant: the GIE's result for the year is that
surplus, which the zero result (``zero_result_preview``) would give back; it is left to the user, the year being
the current one.

A month with nothing to share (or nobody to share it with) is skipped. Idempotent: a pool is found by its slug, a
run of the same pool and period is returned as posted, a payment by its key ``demo:fees:<slug>:<yyyy>-T<q>``.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.demo import data
from gie_erp.demo.invoicing_year import Receipt, receipt_record
from gie_erp.demo.ledger_year import DEMO_TODAY, DEMO_YEAR, QUARTER_ENDS, quarter_of
from gie_erp.fees.config import pool_save
from gie_erp.fees.models import Frequency, Key, Pool, Run, Share
from gie_erp.fees.services import pool_source_add, run_post
from invoices.models import Document, Payment
from invoices.parties import party_for_member
from invoices.services import STANDARD_CODE
from ledger.periods import last_day
from members.models import Organization, User

SKIPPED = (ErrorCode.FEES_NOTHING_TO_SHARE, ErrorCode.FEES_NO_WEIGHT)
TRAINING = "training:"


@dataclass(frozen=True, slots=True)
class PoolSpec:
    slug: str
    name_fr: str
    name_ar: str
    key: str
    pictogram: str  # a drawing of ``gie_erp.core.pictograms``
    sources: tuple[str, ...]  # "6171", or "61365@training:" for the lines under a tag prefix
    season: tuple[int, int] | None = None  # (first month, last month) of its one run; None: a run a month


POOLS = (
    PoolSpec(
        "comptabilite", "Tenue de la comptabilité", "مسك المحاسبة", Key.USAGE, "receipt", ("6171", "6125", "6147")
    ),
    PoolSpec("service-commercial", "Service commercial", "الخدمة التجارية", Key.SALES, "cart", ("6131", "6145")),
    PoolSpec(
        "foires",
        "Foires et salons",
        "المعارض",
        Key.SALES,
        "basket",
        ("61443", "61442", "61426", "61435", "6111", "71272"),
        season=(9, 10),
    ),
    PoolSpec(
        "formation",
        "Formation",
        "التكوين",
        Key.COOPERATORS,
        "cap",
        tuple(f"{code}@{TRAINING}" for code in ("61365", "61312", "61436", "61431", "61254", "7124", "7161")),
        season=(9, 10),
    ),
)
#: (member, quarter) paid by a cheque: (received on, reference, cashed on or None)
CHEQUES = {
    ("coop-fekhar-oued-laou", 2): (date(DEMO_YEAR, 7, 10), "CHQ 0471253", date(DEMO_YEAR, 7, 14)),
    ("coop-jben-beni-arous", 3): (date(DEMO_YEAR, 10, 27), "CHQ 2210874", None),
}


def _accountant() -> User:
    username = next(name for name, role, _first, _last in data.STAFF_USERS if role == "gie_accountant")
    return User.objects.get(username=username)


def pools_define() -> dict[str, Pool]:
    """The four pools and their accounts, made once (a pool the user changed since is left as it is)."""
    accountant = _accountant()
    pools: dict[str, Pool] = {}
    for spec in POOLS:
        pool = Pool.objects.filter(slug=spec.slug).first()
        if pool is None:
            fields = {"slug": spec.slug, "name_fr": spec.name_fr, "name_ar": spec.name_ar, "key": spec.key,
                      "kind": Pool.Kind.SERVICE, "vat_code": STANDARD_CODE, "pictogram": spec.pictogram,
                      "frequency": Frequency.ON_DEMAND if spec.season else Frequency.MONTHLY}  # fmt: skip
            pool = pool_save(pool=None, data=fields, exempted=(), acting_user=accountant)
            for source in spec.sources:
                code, _, prefix = source.partition("@")
                pool_source_add(pool=pool, account_code=code, tag_prefix=prefix, acting_user=accountant)
        pools[spec.slug] = pool
    return pools


def _run(pool: Pool, start: date, end: date, accountant: User) -> Run | None:
    try:
        # a period is billed from the day after it ends: October's on the 1st of November
        today = max(DEMO_TODAY, end + timedelta(days=1))
        return run_post(pool=pool, starts_on=start, ends_on=end, acting_user=accountant, today=today)
    except DomainError as error:
        if error.code in SKIPPED:
            return None
        raise


@transaction.atomic(durable=True)
def fee_month_post(*, month: int, gie: Organization) -> int:
    """The monthly pools' runs of ``month`` and, at a quarter's end, the members' payments of the quarter's; one
    transaction. Returns the runs posted (seeding again: the runs found)."""
    pools, accountant = pools_define(), _accountant()
    start, end = date(DEMO_YEAR, month, 1), last_day(DEMO_YEAR, month)
    runs = [_run(pools[spec.slug], start, end, accountant) for spec in POOLS if spec.season is None]
    if month in QUARTER_ENDS:
        _members_pay(gie, quarter_end=month)
    return sum(run is not None for run in runs)


@transaction.atomic(durable=True)
def fee_seasons_post() -> int:
    """The seasonal pools' runs (fairs, training), each over its season, once everything of the season is in."""
    pools, accountant, posted = pools_define(), _accountant(), 0
    for spec in POOLS:
        if spec.season is not None:
            first, last = spec.season
            start, end = date(DEMO_YEAR, first, 1), last_day(DEMO_YEAR, last)
            posted += _run(pools[spec.slug], start, end, accountant) is not None
    return posted


def _members_pay(gie: Organization, *, quarter_end: int) -> None:
    """Each member pays the quarter's fee invoices by one payment on the 15th of the next month."""
    quarter = quarter_of(quarter_end)
    start, end = date(DEMO_YEAR, quarter_end - 2, 1), last_day(DEMO_YEAR, quarter_end)
    shares = Share.objects.filter(
        run__state=Run.State.POSTED, run__starts_on__gte=start, run__ends_on__lte=end, document__isnull=False
    )
    invoices: dict[int, list[Document]] = defaultdict(list)
    for share in shares.select_related("document").order_by("organization_id", "run__starts_on", "run_id"):
        assert share.document is not None
        invoices[share.organization_id].append(share.document)
    for organization in Organization.objects.filter(pk__in=invoices).order_by("pk"):
        documents = {str(document.pk): document for document in invoices[organization.pk]}
        key = f"demo:fees:{organization.slug}:{DEMO_YEAR}-T{quarter}"
        payer = party_for_member(organization=organization)
        receipt = Receipt(key, payer, gie, date(DEMO_YEAR, quarter_end + 1, 15), Payment.Method.TRANSFER,
                          tuple(documents))  # fmt: skip
        cheque = CHEQUES.get((organization.slug, quarter))
        if cheque is not None:
            received_on, reference, cashed_on = cheque
            receipt = Receipt(key, payer, gie, received_on, Payment.Method.CHEQUE, tuple(documents),
                              reference=reference, cashed_on=cashed_on)  # fmt: skip
        receipt_record(receipt, documents)
