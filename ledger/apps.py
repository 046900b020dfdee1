from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Comptabilité")

    def ready(self) -> None:
        from ledger import close_checks

        close_checks.register()
