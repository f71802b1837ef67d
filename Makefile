# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Prefect stays quiet, offline and project-local.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test lint venv clean bench bench-quick

## run: build the venv if needed, run the flow on seeds/, write data/
run: $(STAMP)
	$(BIN)/claimflow run --seeds seeds --data data

## test: the full test suite, in the same environment
test: $(STAMP)
	$(BIN)/python -m pytest -q

## bench: pipeline vs raw spaCy, 840 and 10,000 articles -> bench/results.{json,md} (30-40 min)
bench: $(STAMP)
	$(BIN)/python bench/run_bench.py --sizes 840,10000 --repeats 3 --large-repeats 1

## bench-quick: 840 articles, one repeat (5-8 min)
bench-quick: $(STAMP)
	$(BIN)/python bench/run_bench.py --sizes 840 --repeats 1

lint: $(STAMP)
	$(BIN)/ruff check .

venv: $(STAMP)

# The venv is rebuilt when the lock or the project file changes.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

clean:
	rm -rf data .prefect
