# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install, build seeds/ into output/
#   make test   create .venv if needed, install with test extras, run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/kg build seeds --out output

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) output/store output/graph.ttl output/graph.html
