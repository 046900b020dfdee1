#!/usr/bin/env python
"""Django's command-line utility for gie_erp.

Without DJANGO_SETTINGS_MODULE this is the embedded default (config.settings.base: SQLite under var/, eager Celery).
Debug is on only when DEBUG=1 is set, as `make demo` and `make serve` do for the development server. On a server,
commands run with DJANGO_SETTINGS_MODULE=config.settings.production (README, "Configuration (production)").
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
