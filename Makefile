# Byline: `make run` serves the demo site, `make test` runs every test. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST := 127.0.0.1:8000
# Tests run with production settings (DEBUG off); SITE_URL is the test client's own host.
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-insecure-key SITE_URL=http://testserver

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench

help: ## List the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Byline needs Python 3.11")'
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

.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for local development (DEBUG on)."

run: $(INSTALLED) .env ## Set up and serve the demo site at http://127.0.0.1:8000/
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_content
	@# The background worker (image renditions) runs beside the server and stops with it.
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

test: $(INSTALLED) ## Run the whole test suite (DATABASE_URL picks the database)
	$(TEST_ENV) $(BIN)/pytest

bench: $(INSTALLED) ## Post comments from 20 concurrent clients to gunicorn on PostgreSQL (bench/README.md)
	$(BIN)/python bench/comment_flood.py $(BENCH_ARGS)

lint: $(INSTALLED) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
