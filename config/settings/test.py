"""Tests: the base settings (SQLite or DATABASE_URL), fast hashing, no eager mode unless no broker is given."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests run tasks eagerly even when a broker is configured; tests marked `celery_live` use the real worker.
CELERY_TASK_ALWAYS_EAGER = True
