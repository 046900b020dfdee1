"""Settings shared by every deployment, read from the environment.

With no environment at all this is the *embedded default*: a SQLite file under ``var/`` and Celery in eager
mode, so a newcomer runs everything with no server. Debug is off unless ``DEBUG=1``, which only ``make demo`` and
``make serve`` set (the development server). Production is ``config.settings.production``, the default of
``config/wsgi.py`` and ``config/celery.py``: it requires ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``,
``REDIS_URL`` and ``SITE_URL`` (README, "Configuration (production)").
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django.conf.locale
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # lets ModelAdmin[Model] and QuerySet[Model] be subscripted at run time

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GIE_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "embedded-default-not-secret-change-me-in-production-0123456789")
DEBUG = os.environ.get("DEBUG", "0") == "1"  # off unless asked for: debug pages show settings and source
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
#: Public address of the site (QR codes and links in monthly statements); production requires an https:// one.
SITE_URL = os.environ.get("SITE_URL", "")
# Nothing is posted, opened or reported before this day (a typo such as 0001-01-01 is refused): gie_erp/core/dates.py.
CSRF_FAILURE_VIEW = "gie_erp.web.views.csrf_failure"  # the app's own page, in the user's language
GIE_EARLIEST_DATE = os.environ.get("GIE_EARLIEST_DATE", "2000-01-01")
# Scanned source documents (PDF, JPEG, PNG) are refused above this size: gie_erp/core/uploads.py.
GIE_MAX_SCAN_BYTES = int(os.environ.get("GIE_MAX_SCAN_BYTES", str(10 * 1024 * 1024)))

# Invoicing (docs/invoices.md says which rules are confirmed and which are a safe default awaiting confirmation).
# The law's text (CGI art. 145-III-4°) asks for the buyer's ICE; a DGI note of 2019 says its absence is not sanctioned.
# Safe default: a business customer's ICE is required; set 0 to accept a business without one.
GIE_INVOICE_REQUIRE_BUSINESS_ICE = os.environ.get("GIE_INVOICE_REQUIRE_BUSINESS_ICE", "1") == "1"
# Printed under an exempt issuer's totals; no source fixes a wording for art. 91 cooperatives (unconfirmed).
GIE_INVOICE_EXEMPTION_TEXT = os.environ.get(
    "GIE_INVOICE_EXEMPTION_TEXT", "Exonéré de TVA en vertu de l'article 91 du Code général des impôts"
)
GIE_INVOICE_EXEMPTION_TEXT_AR = os.environ.get(
    "GIE_INVOICE_EXEMPTION_TEXT_AR", "معفى من الضريبة على القيمة المضافة بموجب المادة 91 من المدونة العامة للضرائب"
)
GIE_INVOICE_PAYMENT_MEANS = os.environ.get("GIE_INVOICE_PAYMENT_MEANS", "Virement, chèque ou espèces")
# A difference left on an invoice up to this amount (MAD) may be written off (account 6386, VAT of the unpaid part
# taken back off 44551).
GIE_INVOICE_WRITE_OFF_TOLERANCE = os.environ.get("GIE_INVOICE_WRITE_OFF_TOLERANCE", "1.00")
# Dotted path of the e-invoicing submitter (invoices/einvoicing.py); empty: documents are not submitted anywhere.
GIE_EINVOICE_SUBMITTER = os.environ.get("GIE_EINVOICE_SUBMITTER", "")

# Collective sales (docs/sales.md). Sync calls a till may make per minute (a phone coming back online sends its
# outbox in batches of 500 tickets).
GIE_SALES_SYNC_RATE_PER_MINUTE = int(os.environ.get("GIE_SALES_SYNC_RATE_PER_MINUTE", "120"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_ledger",
    "gie_erp.core",
    "members",
    "ledger",
    "invoices",
    "sales",
    "training",
    "gie_erp.statements",
    "gie_erp.fees",
    "gie_erp.close",
    "gie_erp.combine",
    "gie_erp.indicators",
    "gie_erp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout flagged by the login into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gie_erp.core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server and an eager task read while another request writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reports group hundreds of thousands of balance rows: let them hash in memory instead of sorting on disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c work_mem={os.environ.get('DB_WORK_MEM', '32MB')}"
    # The posting engine marks its few hot statements to be prepared (planned once per connection); nothing else
    # is (Django's cursors bind client-side). DB_PREPARED_STATEMENTS=0 turns it off, e.g. behind a pooler in
    # transaction mode that does not track prepared statements (PgBouncer < 1.21).
    if os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0":
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- login throttling (django-axes) ----------------------------------------------------------------------------
# The axes backend comes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 10  # failures within the cool-off window; the 10th shows the lockout page
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Each parameter counts on its own: one account guessed from many addresses, or one address trying many accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Not axes' reset on success: it clears every failure of the address too, so an insider logging into their own
# account would wipe the count of guesses they made at another one. LoginView clears only the failures of the
# account that logged in, from the address it logged in from.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "gie_erp.web.views.login_locked_out"  # the page in French / Arabic, and the audit row

# --- language and time ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("ar", _("العربية")), ("zgh", _("ⵜⴰⵎⴰⵣⵉⵖⵜ"))]
# Django ships no Tamazight locale: register it (statements may carry Tifinagh labels).
EXTRA_LANG_INFO = {
    "zgh": {"bidi": False, "code": "zgh", "name": "Standard Moroccan Tamazight", "name_local": "ⵜⴰⵎⴰⵣⵉⵖⵜ"},
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# --- Celery: a broker URL switches eager mode off ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the task for another: tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# --- django-ledger -------------------------------------------------------------------------------------------
DJANGO_LEDGER_ACCOUNT_CODE_USE_PREFIX = False  # CGNC codes are validated by ledger/, not by prefix
DJANGO_LEDGER_ACCOUNT_CODE_GENERATE = False
DJANGO_LEDGER_USE_DEPRECATED_BEHAVIOR = False
DJANGO_LEDGER_CURRENCY_SYMBOL = "DH"
DJANGO_LEDGER_SPACED_CURRENCY_SYMBOL = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
