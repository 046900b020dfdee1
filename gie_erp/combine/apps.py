from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CombineConfig(AppConfig):
    name = "gie_erp.combine"
    label = "combine"
    verbose_name = _("Comptes combinés")
