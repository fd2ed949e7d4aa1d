# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint typecheck pytest bench content images clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/python -m bot run --upgrade-db

test: $(STAMP_DEV)
	$(BIN)/ruff check bot scheduler tests benchmarks scripts
	$(BIN)/mypy --strict bot scheduler
	$(BIN)/python -m pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check bot scheduler tests benchmarks scripts

bench: $(STAMP_DEV)
	$(BIN)/python -m bot bench

content: $(STAMP_RUN)
	$(BIN)/python -m bot content check

images: $(STAMP_DEV)
	$(BIN)/python scripts/draw_exercises.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
