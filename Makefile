# BookBack CRM. `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DEBUG ?= true

.PHONY: run test fuzz smoke lint format bench e2e migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# The demo's webhook endpoints post to this machine's /dev/webhook-sink (development only).
run: export WEBHOOK_ALLOW_PRIVATE ?= true
run: demo
	PORT=$(PORT) bin/run

test: install
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The public endpoints' property-based tests, long: 3,000 examples each (make test runs 60).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -p no:xdist -m fuzz $(PYTEST_ARGS)

# The production path without Docker (what the Dockerfile does), on the local Postgres and
# Redis: collectstatic, gunicorn + worker with production settings, pages answer 200.
smoke: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python bin/smoke

e2e: install
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

bench: install
	$(BIN)/pytest tests/bench -p no:xdist -s -m bench $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
