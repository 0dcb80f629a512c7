# Two entry points for people: `make run` (the main job) and `make test`.
# Each sets up what it needs first: a virtualenv from pyproject.toml, and for the tests the
# loopback Bot API server from package-lock.json. Re-running is cheap: stamps skip done work.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint setup clean

run: $(PY_STAMP)
	$(BIN)/policybot $(ARGS)

test: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(PY_STAMP)
	$(BIN)/ruff check .

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules .cache .pytest_cache .ruff_cache
