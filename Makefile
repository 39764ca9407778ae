# Byline: `make run` serves the demo site, `make test` runs every test. See README.md.
# Byline runs on Python 3.11, 3.12 and 3.13. PYTHON is `python3` when that is one of them, else
# the newest of python3.13, python3.12 and python3.11 that runs (pyenv's shims exist for every
# installed version but run only the selected ones, so each candidate is run, not just found).
SUPPORTED_PYTHON := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))
PYTHON ?= $(shell for candidate in python3 python3.13 python3.12 python3.11; do \
	$$candidate -c '$(SUPPORTED_PYTHON)' 2>/dev/null && command -v $$candidate && break; done)
# `make test VENV=.venv-3.13 PYTHON=python3.13` tests under another Python in its own venv.
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST := 127.0.0.1:8000
# Tests run with production settings (DEBUG off); SITE_URL is the test client's own host.
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-insecure-key SITE_URL=http://testserver

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench flood faults

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Byline needs Python 3.11, 3.12 or 3.13, and none was found: install one, or name it with make PYTHON=/path/to/python3.x" >&2; exit 1; fi
	@$(PYTHON) -c '$(SUPPORTED_PYTHON)' 2>/dev/null || { echo "Byline needs Python 3.11, 3.12 or 3.13; $(PYTHON) is $$($(PYTHON) --version 2>&1)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(INSTALLED)

# axe-core for the accessibility browser test, pinned in package-lock.json (no CDN, no bundler).
NODE_MODULES := node_modules/.package-lock.json
$(NODE_MODULES): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: the accessibility browser test will be skipped."; fi

install: $(INSTALLED) $(NODE_MODULES) ## Create .venv and install Byline with its test tools

# With DEBUG on and no SECRET_KEY, the settings make this checkout's own key in .secret_key.
.env:
	@printf 'DEBUG=1\n' > .env
	@echo "Wrote .env for local development (DEBUG on)."

run: $(INSTALLED) .env ## Set up and serve the demo site at http://127.0.0.1:8000/ with its background worker
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_content
	@# The background worker (every mail, image renditions, IP masking) runs beside the server and stops with it.
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

test: $(INSTALLED) ## Run the whole test suite (DATABASE_URL picks the database)
	$(TEST_ENV) $(BIN)/pytest

test-fast: $(INSTALLED) ## Run every test but the browser tests (tests/e2e, marked e2e)
	$(TEST_ENV) $(BIN)/pytest -m "not e2e"

bench: $(INSTALLED) ## Measure the reader pages against nginx and Django's floor, write bench/results.md (bench/README.md)
	$(BIN)/python bench/perf.py $(BENCH_ARGS)

flood: $(INSTALLED) ## Post comments from 20 concurrent clients to gunicorn on PostgreSQL (bench/README.md)
	$(BIN)/python bench/comment_flood.py $(FLOOD_ARGS)

faults: $(INSTALLED) ## Restart PostgreSQL, stop Redis, kill workers under load, on servers of its own (bench/README.md)
	$(BIN)/python bench/faults.py $(FAULTS_ARGS)

lint: $(INSTALLED) ## ruff check, format check, and the layers contract (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(INSTALLED) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
