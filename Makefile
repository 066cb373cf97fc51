# Two commands on a fresh machine: `make build` and `make test`.
# Both set up everything they need and are quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build test lint setup system-deps clean

build: setup
	$(BIN)/leaflets batch

test: setup lint
	$(BIN)/pytest -q -p no:cacheprovider

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: system-deps $(STAMP)

# Checks in a fraction of a second; installs only what is missing.
system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

clean:
	rm -rf out .mypy_cache .ruff_cache
