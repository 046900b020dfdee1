"""Production: everything from the environment, nothing defaulted that could be unsafe.

The default settings of ``config/wsgi.py`` and ``config/celery.py``; ``manage.py`` commands on the server take
``DJANGO_SETTINGS_MODULE=config.settings.production``. Required: ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL``, ``REDIS_URL``, ``SITE_URL`` (https). ``python manage.py check --deploy`` is clean with them
(tests/security/test_deploy_settings.py). README, "Configuration (production)", lists the optional ones.
"""

import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.settings.base import *  # noqa: F403
from config.settings.base import MIDDLEWARE

if TYPE_CHECKING:
    from django.http import HttpRequest

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "SITE_URL")
if missing := [name for name in REQUIRED if not os.environ.get(name)]:
    raise ImproperlyConfigured(f"production settings need {', '.join(missing)} (README: Configuration)")


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default) == "1"


DEBUG = False  # whatever DEBUG says: debug pages show settings and source code
SECRET_KEY = os.environ["SECRET_KEY"]
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("embedded-default"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be 50+ random characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = [host.strip() for host in os.environ["ALLOWED_HOSTS"].split(",") if host.strip()]

# The address people and the statements' QR codes use: https, and not this machine.
SITE_URL = os.environ["SITE_URL"].rstrip("/")
_site = urlsplit(SITE_URL)
_THIS_MACHINE = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 (a name to refuse, nothing is bound)
if _site.scheme != "https" or not _site.hostname or _site.hostname in _THIS_MACHINE:
    raise ImproperlyConfigured(f"SITE_URL must be the public https:// address of the site, not {SITE_URL!r}")
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# --- HTTPS everywhere ------------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", "1")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", "1")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

if _flag("REVERSE_PROXY", "0"):
    # One reverse proxy (nginx, Caddy…) terminates TLS in front of the WSGI server. It must set X-Forwarded-Proto
    # and append the client's address to X-Forwarded-For; anything before that last entry is the client's word.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    def _client_address(request: "HttpRequest") -> str | None:
        """The address our proxy saw: login throttling counts per address, and REMOTE_ADDR is the proxy's."""
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")

    AXES_CLIENT_IP_CALLABLE = _client_address

# --- static files: collected once (manage.py collectstatic), served by WhiteNoise with hashed, compressed names ---
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, leaving source-map comments alone: django-ledger's CSS names a map it does not ship,
    and rewriting that comment to a hashed name would fail collectstatic. Maps only serve browsers' developer tools."""

    patterns = tuple(
        (extension, tuple(rule for rule in rules if "sourceMappingURL" not in str(rule)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.settings.production.StaticFilesStorage"},
}
