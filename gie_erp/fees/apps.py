from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "gie_erp.fees"
    label = "fees"
    verbose_name = _("Quotes-parts des services")

    def ready(self) -> None:
        from gie_erp.fees import close_checks

        close_checks.register()
