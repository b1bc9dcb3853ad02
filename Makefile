# Two commands set everything up: `make run` and `make test`; `make serve` for production.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install install-dev run serve test lint typecheck bench bench-load clean

$(BIN)/python:
	@echo "Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the project's dependencies change. `make run` and `make serve` install
# what the app needs to run; `make test` adds the test, lint and browser tools.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "Installing moderation and what it needs to run (a minute or two the first time)"
	$(BIN)/pip install --progress-bar off -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	@echo "Installing the test tools (pytest, ruff, mypy, Playwright for Debian's Chromium)"
	$(BIN)/pip install --progress-bar off -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# On a developer's machine mail is printed here (no mail server), with links to this server.
# The jobs' consumer (mail, LMS passback, rescores) runs beside the server and stops with it.
run: install
	$(BIN)/moderation init-db
	$(BIN)/moderation seed-demo
	export MODERATION_MAIL_CONSOLE=$${MODERATION_MAIL_CONSOLE:-true} \
	       MODERATION_SERVER_NAME=$${MODERATION_SERVER_NAME:-$(HOST):$(PORT)}; \
	$(BIN)/moderation worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/moderation run --host $(HOST) --port $(PORT)

# gunicorn with gunicorn.conf.py against the configured database ($$DATABASE_URL, else the
# instance folder's SQLite file); $$WEB_CONCURRENCY sets the worker count. It refuses to
# start without $$MODERATION_SERVER_NAME, the host name links are built from.
# The jobs' consumer runs beside gunicorn here; in production run `moderation worker` as a
# service of its own (one or more, on any machine that reaches the database and the queue).
serve: install
	$(BIN)/moderation init-db
	$(BIN)/moderation worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .

typecheck: install-dev
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

bench: install-dev
	$(BIN)/python bench/analysis.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/worst_case.py
	$(BIN)/python bench/spelling.py

# The load bench (several minutes): LOAD_ARGS='--postgres postgresql://…/bench_load' adds
# PostgreSQL (that database is emptied first).
bench-load: install-dev
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
