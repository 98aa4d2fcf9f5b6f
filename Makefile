# The things people do. `make run` and `make test` set everything up themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
LOYALTY_SIM_PORT ?= 5001
export FLASK_APP := wsgi.py

.PHONY: install install-dev run test lint db seed clean bench load wrk

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

db: install
	$(VENV)/bin/flask db upgrade

seed: db
	$(VENV)/bin/flask seed-demo

run: seed
	$(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Throughput against a bare Flask reference, SQLite then PostgreSQL (bench/run.py).
bench: install-dev wrk
	$(PY) -m bench.run $(BENCH_ARGS)

# 60 s at 32 clients on PostgreSQL: no 5xx, no lost update, steady memory (bench/load.py).
load: install-dev
	$(PY) -m bench.load $(LOAD_ARGS)

wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; \
	  else echo "make bench needs the wrk load generator: sudo apt-get install wrk" >&2; exit 1; fi; }

lint: install-dev
	$(VENV)/bin/ruff check portal tests bench config.py wsgi.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
