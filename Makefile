# waQup — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export FLASK_APP := app:create_app

.PHONY: run test lint install install-dev browser-tools migrate demo worker clean

run: $(VENV)/.installed  ## install, migrate, load the demo, serve on http://127.0.0.1:5000 with a worker
	$(VENV)/bin/flask db upgrade
	$(VENV)/bin/flask demo load
	$(VENV)/bin/flask serve

test: $(VENV)/.installed-dev browser-tools  ## install test needs and run every test, browser tests included
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.installed $@

# Debian's Chromium drives the browser tests; axe-core (npm) checks accessibility in them.
browser-tools: node_modules/axe-core/axe.min.js
	@command -v chromium >/dev/null || { \
		echo "Installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

migrate: $(VENV)/.installed
	$(VENV)/bin/flask db upgrade

demo: $(VENV)/.installed
	$(VENV)/bin/flask demo load

worker: $(VENV)/.installed
	$(PY) worker.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
