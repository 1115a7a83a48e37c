# Liaison: `make run` to try it, `make test` to check it. Nothing else is needed first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help run test worker lint format lock audit bench-report bench

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

# The locks hold every package, so pip installs them as listed (--no-deps) and then checks
# that nothing is missing: pip before 23.3 refuses a hashed lock when a dependency asks for a
# pinned package with an extra (WeasyPrint's fonttools[woff]) once a newer release is out.
$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip check --disable-pip-version-check
	touch $(STAMP)

run: $(STAMP) ## Install, migrate SQLite, load the demo data and serve on http://127.0.0.1:8000
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

test: $(STAMP) ## Run the whole test suite (browser tests need Debian's chromium)
	$(BIN)/python -m pytest

worker: $(STAMP) ## Run a Celery worker with beat against CELERY_BROKER_URL
	$(BIN)/celery -A config worker --beat --loglevel=INFO --schedule var/celerybeat-schedule

lint: $(STAMP) ## Check style (ruff) and that no model change lacks a migration
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(STAMP) ## Rewrite the code in the house style (ruff)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench-report: $(STAMP) ## Time the status report's PDF per page against WeasyPrint alone (under a minute)
	$(BIN)/python bench/report_pdf.py

BENCH_SCALE ?= 0.2
bench: $(STAMP) ## Seed the scale data set, time each page against its floor, write bench.json (<10 min)
	$(BIN)/python bench/run.py --scale $(BENCH_SCALE)

audit: $(STAMP) ## Check the pinned packages against known vulnerabilities (pip-audit; needs PyPI's JSON API or OSV)
	$(BIN)/pip-audit --require-hashes --disable-pip -r requirements.txt -r requirements-dev.txt

lock: ## Re-pin the locks with hashes from pyproject.toml and requirements-dev.in (needs uv)
	uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml -o requirements.txt
	uv pip compile --quiet --generate-hashes --python-version 3.11 requirements-dev.in -o requirements-dev.txt
