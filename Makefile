# hailong: `make run` serves the demo, `make test` runs the whole suite.
# Both set everything up first, on a fresh machine as on yours.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# PostgreSQL the suite runs against too, when it answers (CI=true: it must).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
CHROMIUM := /usr/bin/chromium
# Test processes: one per core. Each test file stays in one process (its fixtures
# are built once), and each process makes databases of its own.
TEST_WORKERS ?= auto

.PHONY: run test test-busy bench bench-tools pdf-tools lint venv dev-venv browser clean translations

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

run: venv
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	@cat instance/demo-login.txt 2>/dev/null || true
	@echo "hailong is being served on http://$(HOST):$(PORT)  (Ctrl+C stops it)"
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

# The browser tests need Debian's Chromium; install it when missing (as root).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-noto-core >/dev/null; \
	  else \
	    echo "Chromium is missing: sudo apt-get install chromium chromium-driver"; \
	  fi; \
	fi

# Letters are read back as a reader's tool reads them: poppler's pdftotext.
pdf-tools:
	@if ! command -v pdftotext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; \
	  else \
	    echo "pdftotext is missing: sudo apt-get install poppler-utils"; \
	  fi; \
	fi

test: dev-venv browser pdf-tools
	$(BIN)/ruff check .
	@if $(BIN)/python tests/pg_available.py "$(TEST_PG_URL)"; then \
	  export HAILONG_TEST_DATABASE_URL="$(TEST_PG_URL)"; \
	  echo "Testing on SQLite and PostgreSQL ($(TEST_PG_URL))"; \
	else \
	  echo "PostgreSQL does not answer at $(TEST_PG_URL): testing on SQLite only"; \
	fi; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The suite on a loaded machine: RUNS consecutive `make test` beside a CPU hog on
# every core (logs in test-artifacts/busy-run-N.log).
RUNS ?= 5
test-busy:
	bench/busy_suite.sh $(RUNS)

# The survey benchmark drives gunicorn with wrk (Debian's package).
bench-tools:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "wrk is missing: sudo apt-get install wrk"; \
	  fi; \
	fi

bench: dev-venv bench-tools
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# After changing user-facing text: extract it, merge it into every catalogue, and
# compile them (the app also compiles a stale .mo itself when it starts).
TRANSLATIONS := app/translations
translations: dev-venv
	$(BIN)/pybabel extract -F babel.cfg -o $(TRANSLATIONS)/messages.pot --project=hailong \
	  --version=0.1.0 --copyright-holder=hailong --add-location=file --sort-by-file \
	  --header-comment="# Translations template of hailong: the msgids are the Vietnamese source texts." \
	  -c TRANSLATORS: .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --ignore-obsolete
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
