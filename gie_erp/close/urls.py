"""The close pages: ``/close/`` (the year's grid and the launch), a run's progress, the admin's reopening."""

from gie_erp.close.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
