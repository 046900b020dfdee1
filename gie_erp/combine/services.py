"""Changes to the pair list, by the GIE's administrator or accountant: one transaction each, validated against the
pooled chart and audited. A rule is deactivated, never deleted (an earlier combination stays explainable)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gie_erp.combine.models import PairRule
from gie_erp.combine.rules import check_rule, parse_prefixes
from gie_erp.combine.selectors import active_rules, chart_claims
from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from ledger.chart import chart_by_code
from ledger.services import pair_claims_set

#: the fields a form may set (the key is set once, at creation: combinations and the audit name it)
RULE_FIELDS = ("key", "label_fr", "label_ar", "left", "left_book", "right", "right_book", "active", "note", "order")


@transaction.atomic
def pair_rule_save(*, rule: PairRule | None, data: Mapping[str, Any], acting_user: Any) -> PairRule:
    """Create a pair rule or change one; its prefixes must start accounts of the chart (COMBINE_BAD_RULE)."""
    created = rule is None
    target = PairRule() if rule is None else PairRule.objects.select_for_update().get(pk=rule.pk)
    before = {name: str(getattr(target, name)) for name in RULE_FIELDS}
    for name in RULE_FIELDS:
        if name in data and not (name == "key" and not created):
            setattr(target, name, data[name])
    left, right = parse_prefixes(target.left), parse_prefixes(target.right)
    check_rule(
        left=left, right=right, left_book=target.left_book, right_book=target.right_book, chart_codes=chart_by_code()
    )
    target.left, target.right = " ".join(left), " ".join(right)
    if not target.label_fr.strip():
        raise DomainError(ErrorCode.COMBINE_BAD_RULE, reason=_("donnez un intitulé en français."))
    if created and "order" not in data:
        target.order = (PairRule.objects.aggregate(last=Max("order"))["last"] or 0) + 10  # placed last
    target.full_clean()
    target.save()
    changed = [name for name in RULE_FIELDS if before[name] != str(getattr(target, name))]
    audit_record(
        actor=acting_user,
        event="combine.pair_created" if created else "combine.pair_updated",
        target=target,
        data={"fields": changed, "left": target.left, "right": target.right, "active": target.active},
    )
    pair_claims_sync()
    return target


def pair_claims_sync() -> bool:
    """Give the ledger the active pair list's claims, so that its pair table follows them (rebuilt when they
    changed: ``ledger.services.pair_claims_set``). Run after every change to the list and after each migration."""
    return pair_claims_set(claims=chart_claims(active_rules()))
