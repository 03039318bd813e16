# OpenStack Day 3: two commands.
#   make lab    set everything up (first run: a few minutes), start the pocket cloud and JupyterLab
#   make test   set everything up and run every test, including every notebook cell (nbval)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test down status bench release clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/labkit lab

test: $(STAMP)
	$(BIN)/python -m pytest

down: $(STAMP)
	$(BIN)/labkit cloud down

status: $(STAMP)
	$(BIN)/labkit cloud status

bench: $(STAMP)
	$(BIN)/python benchmarks/cloud_start.py

clean: down
	rm -rf $(VENV) .labkit
