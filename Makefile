# One command per job: `make run` starts the service, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck layers pytest browser bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

## Start the service on the embedded SQLite store under ./var (127.0.0.1:8765).
run: $(STAMP)
	mkdir -p var
	$(BIN)/ringback serve --config examples/ringback.toml

## ruff, mypy --strict, the import-layer contract, then pytest.
test: $(STAMP) browser lint typecheck layers pytest

## Debian's Chromium for the dashboard's browser tests (installed only when missing).
browser:
	bash .ci/install-browser || echo "make: no Chromium; the browser tests will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest

## Every benchmark in bench/ (not part of `make test`); figures go to bench/out/.
bench: $(STAMP)
	bench/run_all.sh

clean:
	rm -rf $(VENV) var build src/*.egg-info
