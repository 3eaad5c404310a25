# Ringback — two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: vendor run test install install-dev lint typecheck pytest pytest-sqlite pytest-postgres bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/base.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.dev: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(VENV)/.base $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

## Install, load the demo account and start the server on http://$(HOST):$(PORT)/
run: install
	$(BIN)/ringback demo
	$(BIN)/ringback serve --host $(HOST) --port $(PORT)

## Install everything and run lint, type checks and the test suite on SQLite and PostgreSQL
test: install-dev lint typecheck pytest

# Ruff, then import-linter: the layers contract and the Django-free core (pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# mypy on the package (strict) and the tests (checked, annotations optional): see pyproject.toml.
typecheck: install-dev
	$(BIN)/mypy

pytest: pytest-sqlite pytest-postgres

# Tests keep their secret key and scratch files inside the venv, away from your real data.
TEST_ENV := RINGBACK_DATA_DIR=$${RINGBACK_TEST_DATA_DIR:-$(CURDIR)/.venv/test-data}
# One pytest-xdist worker per core (each with its own test database); PYTEST_WORKERS=0 runs in
# this process, in order.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS)

pytest-sqlite: install-dev
	$(TEST_ENV) RINGBACK_DATABASE_URL= $(PYTEST)

# Runs against PostgreSQL at $$RINGBACK_TEST_POSTGRES_URL (default: local server, user postgres).
# Skips with a message when it is unreachable, unless RINGBACK_REQUIRE_POSTGRES=1 (CI).
pytest-postgres: install-dev
	@$(BIN)/python -m ringback.testing.pgcheck; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "PostgreSQL is unreachable: the PostgreSQL run is SKIPPED (set RINGBACK_TEST_POSTGRES_URL)."; \
	elif [ $$rc -ne 0 ]; then exit $$rc; \
	else $(TEST_ENV) RINGBACK_DATABASE_URL=$${RINGBACK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/ringback} $(PYTEST); fi

bench: install-dev
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/importing.py
	$(BIN)/python benchmarks/sandbox.py
	$(BIN)/python benchmarks/printing.py
	$(BIN)/python benchmarks/feed.py
	$(BIN)/python benchmarks/outbox.py
	$(BIN)/python benchmarks/inbox.py
	$(BIN)/python benchmarks/api.py

## Refresh the vendored front-end files from the npm registry (versions in package.json)
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js src/ringback/static/vendor/htmx-$$(node -p "require('htmx.org/package.json').version").min.js
	cp node_modules/@picocss/pico/css/pico.min.css src/ringback/static/vendor/pico-$$(node -p "require('@picocss/pico/package.json').version").min.css

lock: | $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.lock

clean:
	rm -rf $(VENV) build *.egg-info
