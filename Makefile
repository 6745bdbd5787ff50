# The documented entry points: `make run` starts the demo, `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test install install-dev lint typecheck pytest bench chromium haproxy promtool clean serve migration schema-initial

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml kefu/web/package-lock.json
	$(BIN)/pip install --quiet -e .
	sh kefu/web/build_assets.sh
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: set up and start the demo shop on 127.0.0.1:$(PORT)
run: install
	$(BIN)/kefu serve --port $(PORT)

## chromium: Debian's Chromium for the browser tests (no browser download)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: browser tests will skip"; \
	  else echo "chromium missing and not root: browser tests will skip"; fi; }

## haproxy: Debian's HAProxy for the two-instance scale-out test
haproxy:
	@command -v haproxy >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null) \
	      || echo "could not install haproxy: the scale-out test will fail in CI"; \
	  else echo "haproxy missing and not root: the scale-out test will skip"; fi; }

## promtool: Debian's prometheus package, whose promtool checks the rules and dashboards in deploy/
promtool:
	@command -v promtool >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null) \
	      || { echo "could not install prometheus (promtool)"; exit 1; }; \
	  else echo "promtool missing and not root: install Debian's prometheus package"; exit 1; fi; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev chromium haproxy promtool
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

## test: set up and run ruff, the layering contracts (import-linter), strict mypy and every test
test: lint typecheck pytest

bench: install-dev
	$(BIN)/kefu bench

## migration: after changing kefu/store/tables, `make migration m="what changed"`
migration: install-dev
	KEFU_DATA_DIR=$$(mktemp -d) $(BIN)/alembic revision --autogenerate -m "$(m)"
	$(BIN)/ruff check --fix --unsafe-fixes -q kefu/store/migrations/versions
	$(BIN)/ruff format -q kefu/store/migrations/versions

## schema-initial: rewrite migration 0001 from kefu/store/tables (only until the first release)
schema-initial: install-dev
	rm -f kefu/store/migrations/versions/0001_initial_schema.py
	KEFU_DATA_DIR=$$(mktemp -d) $(BIN)/alembic revision --autogenerate --rev-id 0001 -m "initial schema"
	$(BIN)/ruff check --fix --unsafe-fixes -q kefu/store/migrations/versions
	$(BIN)/ruff format -q kefu/store/migrations/versions

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
