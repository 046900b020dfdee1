"""Production: everything from the environment, nothing defaulted that could be unsafe."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
if "DATABASE_URL" not in os.environ or "REDIS_URL" not in os.environ:
    raise RuntimeError("production needs DATABASE_URL and REDIS_URL")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
