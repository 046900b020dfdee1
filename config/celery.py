"""The Celery app. Production settings unless told otherwise (the worker runs beside the WSGI server); with the
embedded default (``DJANGO_SETTINGS_MODULE=config.settings.base``, no broker URL) every task runs eagerly, in process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("gie_erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
