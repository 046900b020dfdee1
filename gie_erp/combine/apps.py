from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CombineConfig(AppConfig):
    name = "gie_erp.combine"
    label = "combine"
    verbose_name = _("Comptes combinés")

    def ready(self) -> None:
        post_migrate.connect(_sync_pair_claims, sender=self)


def _sync_pair_claims(**kwargs: Any) -> None:
    """After the migrations (the default pair list is data of a migration): the ledger's pair table follows it."""
    from gie_erp.combine.services import pair_claims_sync

    pair_claims_sync()
