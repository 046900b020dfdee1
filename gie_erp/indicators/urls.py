"""The indicators pages."""

from gie_erp.indicators.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
