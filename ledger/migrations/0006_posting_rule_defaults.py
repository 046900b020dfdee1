"""The CGNC default posting rules of DESIGN §6 (the GIE accountant confirms or edits them in the admin)."""

from typing import Any

from django.db import migrations

DEFAULTS = [
    # event, side, debit, credit, vat, note
    ("fair_sale", "gie", "5161", "4463", "", "Caisse / compte courant du membre (partenaire = membre)"),
    ("fair_sale", "member", "3488", "7121", "4455", "GIE, ventes à encaisser / ventes de biens produits (+TVA si assujetti)"),
    ("fair_commission", "gie", "4463", "71272", "4455", "Commission au taux du canal, TVA 20 % sur la commission"),
    ("fair_commission", "member", "6136", "3488", "34552", "Rémunération d'intermédiaire, TVA récupérable si assujetti"),
    ("fair_settlement", "gie", "4463", "5141", "", "Versement du net au membre"),
    ("fair_settlement", "member", "5141", "3488", "", "Encaissement du net versé par le GIE"),
    ("service_fee", "gie", "3463", "7124", "4455", "Quote-part facturée au membre"),
    ("service_fee", "member", "6136", "4488", "34552", "Charge du pool (compte du pool) / dette envers le GIE"),
    ("training_fee", "gie", "3463", "7124", "4455", "Frais d'inscription facturés au membre"),
    ("training_fee", "member", "6136", "4488", "34552", "Frais de formation dus au GIE"),
    ("subsidy", "gie", "5141", "7161", "", "Subvention (bailleur, INDH)"),
    ("own_name_purchase", "gie", "6111", "4411", "34552", "Le GIE achète au membre"),
    ("own_name_purchase", "member", "3421", "7121", "4455", "Le membre facture le GIE"),
    ("own_name_sale", "gie", "3421", "7111", "4455", "Le GIE revend en son nom"),
]


def load(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("ledger", "PostingRule")
    for event, side, debit, credit, vat, note in DEFAULTS:
        rule.objects.get_or_create(
            event=event,
            side=side,
            defaults={"debit_account": debit, "credit_account": credit, "vat_account": vat, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_posting_rule")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
