# One place for the commands the README gives.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup test demo corpus train evaluate bench

$(BIN)/sfo-nlp: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/sfo-nlp

# Installs, then runs the whole test suite; fails when no test ran.
test: setup
	$(BIN)/python -m pytest

# Installs, then pre-screens a bundled fictional review; makes the folder the README's
# batch and themes examples keep their results in.
demo: setup
	$(BIN)/sfo-nlp analyse corpus_samples/reviews/pdf/sfo-01.pdf
	mkdir -p /tmp/demo

corpus: setup
	$(BIN)/python corpus_samples/tools/build.py

train: setup
	$(BIN)/sfo-nlp train

evaluate: setup
	$(BIN)/sfo-nlp evaluate
