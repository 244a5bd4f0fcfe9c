# Two commands for a new user: `make demo` and `make test`. Both install what they need.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
BENCHSTAMP := $(VENV)/.bench-installed
SYSSTAMP := var/.system-packages

.PHONY: demo test bench install system-deps lint clean

$(SYSSTAMP): system-packages.txt scripts/install-system-packages.sh
	bash scripts/install-system-packages.sh system-packages.txt
	@mkdir -p var && touch $(SYSSTAMP)

system-deps: $(SYSSTAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(SYSSTAMP)

demo: install
	$(BIN)/doisoat demo

# the checks a reviewer would run first: style, the floors (import-linter), types, then the tests
test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider

# the benchmarks also run the peers they are compared with (Splink)
$(BENCHSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCHSTAMP)

bench: install $(BENCHSTAMP)
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var
