# Two entry points for people: `make run` (the main job) and `make test`.
# Each sets up what it needs first: a virtualenv from pyproject.toml, and for the tests the
# loopback Bot API server from package-lock.json. Re-running is cheap: stamps skip done work.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint setup clean

# Ctrl-C is how one leaves the bot or the prompt: exit status 130 is no error for make to report.
run: $(PY_STAMP)
	@$(BIN)/policybot $(ARGS) || [ $$? -eq 130 ]

# One worker per core (pytest-xdist): each has its own Bot API server and temporary dirs.
test: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n auto

lint: $(PY_STAMP)
	$(BIN)/ruff check .

setup: $(PY_STAMP) $(NODE_STAMP)

# Said step by step: the first run spends half a minute here, and silence looks like a hang.
$(PY_STAMP): pyproject.toml
	@echo "policybot: creating the virtualenv $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@echo "policybot: installing dependencies from pyproject.toml (first time: about 30 s)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@
	@echo "policybot: $(VENV) ready"

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules .cache .pytest_cache .ruff_cache
