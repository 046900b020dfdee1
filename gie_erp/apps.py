from django.apps import AppConfig


class GieErpConfig(AppConfig):
    name = "gie_erp"
    verbose_name = "GIE ERP"
