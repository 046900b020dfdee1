from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Ventes collectives")

    def ready(self) -> None:
        from sales import close_checks

        close_checks.register()
