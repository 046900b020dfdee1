"""Configuration of the fees, by the GIE's staff: pools (create, change), the accounts that feed them (removal here,
adding in ``services.pool_source_add``) and the weights of a custom key. Each action is one transaction, audited."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from gie_erp.core.audit import audit_record
from gie_erp.fees.models import CustomWeight, Pool, PoolSource
from members.models import Organization

#: the pool's own fields a form may set (the exempted members are passed apart: a many-to-many)
POOL_FIELDS = (
    "slug",
    "name_fr",
    "name_ar",
    "kind",
    "key",
    "vat_code",
    "revenue_account",
    "member_account",
    "fixed_monthly",
    "pictogram",
    "frequency",
    "is_active",
)


@transaction.atomic
def pool_save(
    *, pool: Pool | None, data: Mapping[str, Any], exempted: Iterable[Organization], acting_user: Any
) -> Pool:
    """Create a pool, or change one (its slug stays: runs and invoices name it). Validated again here."""
    created = pool is None
    target = Pool() if pool is None else Pool.objects.select_for_update().get(pk=pool.pk)
    before = {name: str(getattr(target, name)) for name in POOL_FIELDS}
    for name in POOL_FIELDS:
        if name in data and not (name == "slug" and not created):
            setattr(target, name, data[name])
    target.full_clean()
    target.save()
    exempted_ids = sorted(org.pk for org in exempted)
    previous = sorted(target.exempted.values_list("pk", flat=True)) if not created else []
    target.exempted.set(exempted_ids)
    changed = [name for name in POOL_FIELDS if before[name] != str(getattr(target, name))]
    audit_record(
        actor=acting_user,
        event="fees.pool_created" if created else "fees.pool_updated",
        target=target,
        data={
            "fields": changed,
            "exempted": exempted_ids,
            **({"exempted_before": previous} if previous != exempted_ids else {}),
        },
    )
    return target


@transaction.atomic
def pool_source_remove(*, source: PoolSource, acting_user: Any) -> None:
    """Stop an account feeding its pool from the next run on (runs already posted keep their figures)."""
    pool = source.pool
    data = {"account": source.account_code, "tag": source.tag_prefix}
    PoolSource.objects.filter(pk=source.pk).delete()
    audit_record(actor=acting_user, event="fees.source_removed", target=pool, data=data)


@transaction.atomic
def custom_weights_replace(*, pool: Pool, weights: Mapping[int, Decimal], acting_user: Any, filename: str = "") -> int:
    """The pool's custom weights become exactly ``weights`` (organization id → weight): a member left out weighs
    nothing. Returns how many weights are now set."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    CustomWeight.objects.filter(pool=pool).delete()
    CustomWeight.objects.bulk_create(
        CustomWeight(pool=pool, organization_id=organization_id, weight=weight)
        for organization_id, weight in sorted(weights.items())
    )
    audit_record(
        actor=acting_user,
        event="fees.custom_weights_imported",
        target=pool,
        data={"file": filename, "count": len(weights), "total": str(sum(weights.values(), Decimal(0)))},
    )
    return len(weights)
