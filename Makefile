# The two set-up commands of the README, and helpers for developers.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test install check format regenerate docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make serve: install, load ontology/, shapes/ and data/ into the embedded store, serve on :8000
serve: $(STAMP)
	$(BIN)/kg serve

## make test: install, lint, type-check and run the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## regenerate the Turtle made from data sets, and the ontology reference
regenerate: $(STAMP)
	$(BIN)/kg import
	$(BIN)/python -m kg.ontology_docs

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
