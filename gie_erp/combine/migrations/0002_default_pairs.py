"""Seed the pair list with the defaults of DESIGN §7 and the bench's intercompany pairs (``default_pairs.DEFAULT_RULES``,
in their order, 10 apart so a rule can be placed between two). A later change of the defaults ships its own
migration: this one seeds what the defaults were when the list became data."""

from typing import Any

from django.db import migrations

SIDES = {True: "gie", False: "member", None: "any"}


def seed(apps: Any, schema_editor: Any) -> None:
    from gie_erp.combine.default_pairs import DEFAULT_RULES

    PairRule = apps.get_model("combine", "PairRule")
    for position, rule in enumerate(DEFAULT_RULES, start=1):
        PairRule.objects.update_or_create(
            key=rule.key,
            defaults={
                "label_fr": rule.label_fr,
                "label_ar": rule.label_ar,
                "left": " ".join(rule.left),
                "left_book": SIDES[rule.left_is_gie],
                "right": " ".join(rule.right),
                "right_book": SIDES[rule.right_is_gie],
                "order": position * 10,
                "active": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("combine", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
