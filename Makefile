# gie_erp — two commands for a newcomer: `make demo` and `make test`. Everything installs from this repo's pins.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages: WeasyPrint (Pango, HarfBuzz), gettext (makemessages), hledger (an independent check of our books),
# poppler-utils (pdftoppm: statement previews), chromium (browser tests, driven by the playwright package: never
# a downloaded browser).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext hledger poppler-utils chromium
DEMO_MONTH ?= 2026-10
DEMO_CLOSED ?= 2026-09
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install system-packages messages migrate demo serve test lint type ci bench clean lock

help:
	@echo "make demo     set up, seed the demo GIE and serve it on http://$(HOST):$(PORT)"
	@echo "make test     set up and run the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make lint     ruff, ruff format --check, import contracts, makemigrations --check"
	@echo "make type     mypy with django-stubs"
	@echo "make ci       lint + type + test"
	@echo "make bench    benchmarks (figures printed)"

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages. Run:  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
	  || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq python3.11-venv >/dev/null; \
	  else echo "Run:  sudo apt-get install -y python3.11-venv"; exit 1; fi; }

$(STAMP): requirements.lock
	@$(MAKE) --no-print-directory system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(PY) -m pip check
	touch $(STAMP)

install: $(STAMP) messages
	@mkdir -p var

messages: $(STAMP)
	@$(VENV)/bin/pybabel compile --statistics -d locale -D django 2>&1 | grep -v '^compiling' || true

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py ledger_verify
	$(PY) manage.py close_month --through $(DEMO_CLOSED)
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py print_statements --month $(DEMO_MONTH) --out var/statements
	@echo ""
	@$(PY) manage.py seed_demo --logins-only
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# as users see it: DEBUG off (the app's own error pages), static files served by runserver --insecure
	DEBUG=0 SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver $(HOST):$(PORT) --noreload --insecure

serve: migrate
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	@set +e; $(VENV)/bin/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; exit 1; fi; exit $$rc

lint: install
	$(PY) manage.py makemessages -l ar -i ".venv/*" -i "bench/*" -i "tests/*" -v0
	$(VENV)/bin/pytest -q tests/test_translations.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v1

type: install
	$(VENV)/bin/mypy .

ci: lint type test

bench: install
	$(PY) -m bench $(BENCH_ARGS)

lock:
	@echo "Edit requirements.in, install it in a fresh venv, then: .venv/bin/pip freeze > requirements.lock"

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
