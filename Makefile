# Etiquette: `make run` opens the demo project, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO := datasets/demo.db
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench fuzz demo install install-dev clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || \
		{ echo "Etiquette needs Python 3.11 (found: $(PYTHON)); run with PYTHON=/path/to/python3.11"; exit 1; }
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
	$(BIN)/ruff format --check desktop tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

# Mutated sample files fed to every importer for FUZZ_SECONDS (default 600); inputs that find
# something are kept in FUZZ_KEEP when it is set.
fuzz: $(VENV)/.installed-dev
	$(BIN)/python -m tests.formats.fuzz --seconds $${FUZZ_SECONDS:-600} $${FUZZ_KEEP:+--keep $$FUZZ_KEEP}

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO)-wal $(DEMO)-shm
