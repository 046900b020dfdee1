"""The director's figures read in one scan on PostgreSQL (``selectors`` keeps the portable reads for SQLite): the
sales of several periods per (member, channel) and per month, and the fee invoices per member and per month, each
with ``GROUPING SETS`` and one filtered ``SUM`` per period, so the summaries and the invoices are read once."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from gie_erp.core.money import ZERO
from gie_erp.fees.models import Share
from invoices.models import Document
from members.models import Organization
from sales.models import Event, Summary

#: the periods, each (first day, last day)
Spans = Sequence[tuple[date, date]]

#: the sales of several periods in ONE pass over the summaries (PostgreSQL): per (member, channel) and per month
SALES_ONE_SCAN_SQL = """
SELECT GROUPING(s.organization_id), s.organization_id, e.channel_id, {month} AS month, {columns}
FROM {summary} s JOIN {event} e ON e.id = s.event_id
WHERE ({either}) AND s.organization_id IN ({members})
GROUP BY GROUPING SETS ((s.organization_id, e.channel_id), ({month}))
"""


def _period_sql(column: str, spans: Spans) -> tuple[list[str], list[Any]]:
    """One ``column BETWEEN start AND end`` per period, and their parameters."""
    return [f"{column} BETWEEN %s AND %s" for _ in spans], [day for span in spans for day in span]


def sales_rows_one_scan(spans: Spans, members: QuerySet[Organization]) -> tuple[list[Any], list[Any]]:
    """``sales_periods``' two reads as one statement on PostgreSQL (GROUPING SETS: the summaries are read once, not
    twice): the subtotals per (member, channel), each with a mask of the months it sold in per period (bit m for
    month m), from which the members of each month are counted here; and the sums per month."""
    conditions, condition_params = _period_sql("s.posted_on", spans)
    columns = [f"SUM(s.amount) FILTER (WHERE {c})" for c in conditions]
    columns += [f"BIT_OR(1 << CAST(date_part('month', s.posted_on) AS integer)) FILTER (WHERE {c})" for c in conditions]
    members_sql, members_params = members.values("pk").query.sql_with_params()
    sql = SALES_ONE_SCAN_SQL.format(
        month="CAST(date_part('month', s.posted_on) AS integer)", columns=", ".join(columns),
        summary=Summary._meta.db_table, event=Event._meta.db_table, either=" OR ".join(conditions),
        members=members_sql,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [*condition_params, *condition_params, *condition_params, *members_params])
        rows = cursor.fetchall()
    n = len(spans)
    subtotals = [(row[1], row[2], *row[4 : 4 + n]) for row in rows if row[0] == 0]
    member_masks: list[dict[int, int]] = [{} for _ in spans]
    for row in rows:
        if row[0] == 0:
            for i, masks in enumerate(member_masks):
                if row[4 + n + i] is not None:
                    masks[row[1]] = masks.get(row[1], 0) | row[4 + n + i]
    months = []
    for row in sorted((row for row in rows if row[0] == 1), key=lambda row: row[3]):
        bit = 1 << row[3]
        month: dict[str, Any] = {"month": row[3]}
        for i in range(n):
            month[f"amount_{i}"] = row[4 + i]
            month[f"members_{i}"] = sum(1 for mask in member_masks[i].values() if mask & bit)
        months.append(month)
    return subtotals, months


#: the fee invoices of several periods in ONE pass (PostgreSQL): per member (who was charged) and per month
INVOICED_ONE_SCAN_SQL = """
SELECT GROUPING(sh.organization_id), sh.organization_id, {month} AS month, {columns}
FROM {share} sh JOIN {document} d ON d.id = sh.document_id
WHERE ({either}) AND d.status <> %s AND sh.organization_id IN ({members})
GROUP BY GROUPING SETS ((sh.organization_id), ({month}))
"""


def invoiced_one_scan(
    spans: Spans, members: QuerySet[Organization], by_month: list[dict[int, Decimal]]
) -> dict[str, int]:
    """``fees_periods``' two reads of the invoices as one statement on PostgreSQL (GROUPING SETS): adds each month's
    invoiced HT to ``by_month`` and gives the members charged in each period (those with an invoice in it)."""
    conditions, condition_params = _period_sql("d.issued_on", spans)
    members_sql, members_params = members.values("pk").query.sql_with_params()
    sql = INVOICED_ONE_SCAN_SQL.format(
        month="CAST(date_part('month', d.issued_on) AS integer)",
        columns=", ".join(f"SUM(d.total_net) FILTER (WHERE {c})" for c in conditions),
        share=Share._meta.db_table, document=Document._meta.db_table, either=" OR ".join(conditions),
        members=members_sql,
    )  # fmt: skip
    with connection.cursor() as cursor:
        params = [*condition_params, *condition_params, Document.Status.DRAFT.value, *members_params]
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    charged = {f"members_{i}": 0 for i in range(len(spans))}
    for grouped_by_month, _organization, month, *amounts in rows:
        for i, amount in enumerate(amounts):
            if amount is None:
                continue
            if grouped_by_month:
                by_month[i][month] = by_month[i].get(month, ZERO) + amount
            else:
                charged[f"members_{i}"] += 1
    return charged
