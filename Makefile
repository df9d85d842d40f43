# Etiquette: `make run` opens the demo project, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO := datasets/demo.db
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench demo install install-dev clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Etiquette needs Python 3.11 ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(DEMO): $(VENV)/.installed $(wildcard seeds/*.txt)
	$(BIN)/etiquette demo $(DEMO)

demo: $(DEMO)

run: $(DEMO)
	QT_QPA_PLATFORM=$${ETIQUETTE_QPA:-} $(BIN)/etiquette gui $(DEMO)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check desktop tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO)-wal $(DEMO)-shm
