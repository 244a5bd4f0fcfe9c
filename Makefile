# Two commands for a new user: `make demo` and `make test`. Both install what they need.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
BENCHSTAMP := $(VENV)/.bench-installed
SYSSTAMP := var/.system-packages

.PHONY: demo test test-spark bench install system-deps lint clean screenshots wipe-demo-data

$(SYSSTAMP): system-packages.txt scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh system-packages.txt
	@mkdir -p var && touch $(SYSSTAMP)

system-deps: $(SYSSTAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP) $(SYSSTAMP)

demo: install
	$(BIN)/doisoat demo
	$(BIN)/doisoat transcript demo

# pictures of the pages (desk 1366 px, phone 390 px, A4 PDF) on a simulated district: var/screenshots/
screenshots: install
	$(BIN)/python scripts/screenshots.py --out var/screenshots

# the checks a reviewer would run first: style, the floors (import-linter), types, then the tests,
# one pytest-xdist worker per core, a test module's tests (and its fixtures) on one worker
test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile

# the Spark tests alone (they are part of `make test` too, ~3 min on two cores), plus any run
# marked `national` (minutes of Spark, left out of `make test`; none at present)
test-spark: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile -m "" tests/reconcile/spark tests/service/test_country_run.py

# the benchmarks also run the peers they are compared with (Splink)
$(BENCHSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,bench]'
	touch $(BENCHSTAMP)

bench: install $(BENCHSTAMP)
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# `make clean` removes what building and testing made (the virtualenv, caches, the stamp of the
# system packages). It never deletes var/ itself: the store, the reports, the uploads and the
# transcripts there are the district's data.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
	rm -f $(SYSSTAMP)
	find . -path ./var -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# What `make demo` made: its export files, the default SQLite store and what the night and the
# server wrote beside it. Refused when DOISOAT_DATABASE_URL names a store (that one is not the
# demo's), when no demo was ever made here, and without CONFIRM=yes.
DEMO_DATA := var/demo var/doisoat.db var/doisoat.db-wal var/doisoat.db-shm \
	var/doisoat.db-journal var/doisoat.db.nightly.lock var/doisoat.db.migrate.lock \
	var/reports var/uploads var/transcripts var/screenshots

wipe-demo-data:
	@if [ -n "$$DOISOAT_DATABASE_URL" ]; then \
		echo "DOISOAT_DATABASE_URL is set: that store is not demo data. Nothing deleted."; exit 1; fi
	@if [ ! -d var/demo ]; then \
		echo "No demo was made here (var/demo is missing). Nothing deleted."; exit 1; fi
	@if [ "$(CONFIRM)" != "yes" ]; then \
		echo "This deletes the demo's store and everything the demo wrote under var/:"; \
		echo "  $(DEMO_DATA)"; \
		echo "Run: make wipe-demo-data CONFIRM=yes"; exit 1; fi
	rm -rf $(DEMO_DATA)
