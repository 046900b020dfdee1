"""Tests: the base settings (SQLite or DATABASE_URL), fast hashing, no eager mode unless no broker is given."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests run tasks eagerly even when a broker is configured; tests marked `celery_live` use the real worker.
CELERY_TASK_ALWAYS_EAGER = True
# Login throttling stays on, as in production. Its backend refuses an authenticate() without a request, which is what
# Django's client.login() does: use client.force_login(user), or client.login(request=HttpRequest(), ...) as the
# django-axes documentation says, or post to the login page (tests/security/test_auth_throttling.py).
