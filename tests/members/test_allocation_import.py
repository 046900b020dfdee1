"""Members' allocation data imported from a sheet (the figures the fee pools' keys read), all rows or none."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from gie_erp.core.imports import ImportRefused
from gie_erp.fees.keys import weights
from gie_erp.fees.models import Key
from members.allocation_import import allocation_values_import
from members.models import AllocationKeyValue

SHEET = (
    "member,key,year,month,value\n"
    "coop-a,cooperators,2026,1,24\ncoop-b,cooperators,2026,,40\ncoop-a,sales,2026,1,1200.50\n"
)


def test_a_sheet_is_written_and_the_keys_read_it(coop_a: Any, coop_b: Any, accountant: Any) -> None:
    result = allocation_values_import(
        filename="d.csv", content=SHEET.encode(), acting_user=accountant, today=date(2026, 3, 1)
    )
    assert (result.created, result.updated) == (3, 0)
    # January: coop-a's month (24), coop-b's year (40)
    got = weights(Key.COOPERATORS, [coop_a, coop_b], date(2026, 1, 1), date(2026, 1, 31))
    assert got == {coop_a.pk: Decimal("24.00"), coop_b.pk: Decimal("40.00")}
    again = allocation_values_import(
        filename="d.csv",
        content=SHEET.replace(",24\n", ",25\n").encode(),
        acting_user=accountant,
        today=date(2026, 3, 1),
    )
    assert (again.created, again.updated) == (0, 1)
    assert AllocationKeyValue.objects.get(organization=coop_a, key="cooperators", month=1).value == Decimal("25.00")


def test_one_bad_row_writes_nothing_and_names_row_and_column(coop_a: Any, coop_b: Any, accountant: Any) -> None:
    bad = SHEET + "coop-z,cooperators,2026,1,3\ncoop-b,headcount,2026,13,-2\n"
    with pytest.raises(ImportRefused) as caught:
        allocation_values_import(filename="d.csv", content=bad.encode(), acting_user=accountant, today=date(2026, 3, 1))
    rows = {(e["row"], e["field"]) for e in caught.value.report.as_rows()}
    assert rows == {(5, "member"), (6, "key"), (6, "month"), (6, "value")}
    assert AllocationKeyValue.objects.count() == 0


def test_the_import_page_takes_the_allocation_sheet(client: Any, coop_a: Any, coop_b: Any, accountant: Any) -> None:
    client.force_login(accountant)
    url = reverse("web:member_import")
    page = client.get(url)
    assert "Données de répartition" in page.content.decode()
    template = client.get(url, {"template": "allocation", "format": "csv"})
    assert template.content.decode("utf-8-sig").splitlines()[0] == "member,key,year,month,value"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url, {"kind": "allocation", "file": SimpleUploadedFile("d.csv", SHEET.encode())}, follow=True
    )
    assert "3 données de répartition importées." in response.content.decode()
    assert AllocationKeyValue.objects.count() == 3
