from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CloseConfig(AppConfig):
    name = "gie_erp.close"
    label = "close"
    verbose_name = _("Clôtures")
