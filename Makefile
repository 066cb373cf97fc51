# Two commands on a fresh machine: `make build` and `make test`.
# Both set up everything they need and are quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
# How requirements.lock is made (pip-tools): runtime and dev tools, the build backend,
# exact versions with hashes.
LOCK_FLAGS := --extra dev --all-build-deps --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-find-links --no-emit-index-url

.PHONY: build test lint setup system-deps clean lock upgrade serve

build: setup
	$(BIN)/leaflets batch

# The clinic desk on http://127.0.0.1:8000/ (see README, "Clinic desk").
serve: setup
	$(BIN)/leaflets serve

# On every core (at most 4); each language's tests share one worker (tests/conftest.py).
test: setup lint
	$(BIN)/pytest -q -p no:cacheprovider -n auto --maxprocesses 4 --dist loadgroup

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: system-deps $(STAMP)

# Checks in a fraction of a second; installs only what is missing.
system-deps:
	@bash scripts/system-deps.sh

# Exactly the versions in requirements.lock (hash-checked), nothing else, then the
# project itself without dependencies. pyproject.toml keeps the ranges.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip-sync --quiet --pip-args '--no-deps' requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

# After editing pyproject.toml: add or drop what changed, keep every other pin.
lock: setup
	$(BIN)/pip-compile --quiet $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml

# Move every dependency to the newest versions pyproject.toml allows.
upgrade: setup
	$(BIN)/pip-compile --quiet --upgrade $(LOCK_FLAGS) --output-file requirements.lock pyproject.toml

clean:
	rm -rf out .mypy_cache .ruff_cache
