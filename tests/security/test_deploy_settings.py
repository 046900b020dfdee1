"""Production settings (security finding 7): the WSGI server and the worker load them by default, they refuse to start
without a public https SITE_URL and the other required variables, and `check --deploy` finds nothing to warn about.

Each case runs in a fresh interpreter: settings are read once per process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://gie.example.ma"


def clean_env() -> dict[str, str]:
    """Only what a shell has: nothing the test run set (its settings module, Playwright's DJANGO_ALLOW_ASYNC_UNSAFE)."""
    return {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TZ") if name in os.environ}


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """The environment of a server: the five required variables, no settings module, no DEBUG."""
    env = clean_env()
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="gie.example.ma",
        DATABASE_URL=os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        REDIS_URL="redis://127.0.0.1:6379/0",
        SITE_URL=SITE,
        GIE_VAR_DIR=str(tmp_path),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SETTINGS_MODULE, s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
    "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.CSRF_TRUSTED_ORIGINS, s.SITE_URL, "
    "s.MIDDLEWARE[1], s.STORAGES['staticfiles']['BACKEND'])"
)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production")
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("entry_point", ["config/wsgi.py", "config/celery.py"])
def test_the_server_and_the_worker_default_to_production(tmp_path: Path, entry_point: str) -> None:
    # run_path: the file alone decides (importing the config package would run config/celery.py first).
    code = f"import runpy; runpy.run_path({entry_point!r}); {PRINT_SETTINGS}"
    result = run(production_env(tmp_path, DEBUG="1"), "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "config.settings.production",
        "False",  # even with DEBUG=1 in the environment
        "True",
        "True",
        "True",
        "True",
        "31536000",
        f"['{SITE}']",
        SITE,
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "config.settings.production.StaticFilesStorage",
    ]


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SITE_URL": None}, "SITE_URL"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "SITE_URL"),
        ({"SITE_URL": "https://localhost"}, "SITE_URL"),
        ({"SITE_URL": "http://gie.example.ma"}, "SITE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_what_it_needs(
    tmp_path: Path, overrides: dict[str, Any], complaint: str
) -> None:
    result = run(production_env(tmp_path, **overrides), "-c", "import config.wsgi")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr.splitlines()[-1]


def test_the_embedded_default_is_not_in_debug_unless_asked(tmp_path: Path) -> None:
    env = clean_env()
    code = "import config.settings.base as s; print(s.DEBUG, repr(s.SITE_URL))"
    assert run({**env, "SITE_URL": ""}, "-c", code).stdout.split() == ["False", "''"]
    assert run({**env, "DEBUG": "1"}, "-c", code).stdout.split()[0] == "True"


def test_behind_a_reverse_proxy_the_client_address_is_the_one_the_proxy_appended(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; from django.test import RequestFactory; "
        "r = RequestFactory().get('/', REMOTE_ADDR='10.0.0.2', HTTP_X_FORWARDED_FOR='6.6.6.6, 41.92.1.7'); "
        "print(s.SECURE_PROXY_SSL_HEADER[0], s.AXES_CLIENT_IP_CALLABLE(r))"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production", REVERSE_PROXY="1")
    result = run(env, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["HTTP_X_FORWARDED_PROTO", "41.92.1.7"]  # not the forged 6.6.6.6


SERVE_A_PAGE = """
import io, re
import django
django.setup()
from django.core.wsgi import get_wsgi_application
from django.test import Client

page = Client(HTTP_HOST="gie.example.ma").get("/accounts/login/", secure=True)
css = re.search(r'href="(/static/css/app\\.[0-9a-f]{12}\\.css)"', page.content.decode()).group(1)
seen = {}
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": css, "SERVER_NAME": "gie.example.ma", "SERVER_PORT": "443",
           "HTTP_HOST": "gie.example.ma", "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.url_scheme": "https",
           "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}
get_wsgi_application()(environ, lambda status, headers: seen.update(status=status, headers=dict(headers)))
print(page.status_code, seen["status"], seen["headers"].get("Content-Encoding"), page.cookies["csrftoken"]["secure"])
"""


def test_collected_static_files_are_served_by_the_app_with_hashed_names(tmp_path: Path) -> None:
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production")
    collected = run(env, "manage.py", "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr  # django-ledger's CSS names a source map it lacks
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
    served = run(env, "-c", SERVE_A_PAGE)
    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == ["200", "200", "OK", "gzip", "True"]
