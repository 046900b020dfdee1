from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Facturation")

    def ready(self) -> None:
        from invoices import close_checks

        close_checks.register()
