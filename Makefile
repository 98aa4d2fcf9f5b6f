# The things people do. `make run` and `make test` set everything up themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
LOYALTY_SIM_PORT ?= 5001
IYS_SIM_PORT ?= 5002
export FLASK_APP := wsgi.py
# Catalogues: messages.po is written by people and committed; messages.mo is built.
TRANSLATIONS := portal/translations
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

.PHONY: install install-dev run serve test lint db seed clean translations screenshots bench bench-scale load wrk fuzz

# Without python3-venv, `python3 -m venv` fails after creating bin/python: remove the
# half-made venv, or the next make would take it as done.
$(VENV)/bin/python:
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "the portal needs Python 3.11 or later" >&2; exit 1; }
	python3 -m venv $(VENV) || { rm -rf $(VENV); echo "python3 -m venv failed: on Debian, apt-get install python3-venv" >&2; exit 1; }
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed $(CATALOGUES)
install-dev: $(VENV)/.dev-installed $(CATALOGUES)

%.mo: %.po | $(VENV)/.run-installed
	$(VENV)/bin/pybabel compile -i $< -o $@

# After changing any user-facing string: extract, merge into every language, compile.
translations: $(VENV)/.run-installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-output --no-wrap \
		-o $(TRANSLATIONS)/messages.pot .
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d $(TRANSLATIONS)

# axe-core for the accessibility test, pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

db: install
	$(VENV)/bin/flask db upgrade

seed: db
	$(VENV)/bin/flask seed-demo

# The loyalty-service and İYS simulators run in the background beside the portal
# and stop with it (Ctrl-C, or the portal exiting for any reason). The development
# configuration points IYS_URL at the İYS one (docs/iys.md: `flask iys push`, `pull`).
run: seed
	@LOYALTY_SIM_PORT=$(LOYALTY_SIM_PORT) $(PY) -m loyalty_sim & sim=$$!; \
	IYS_SIM_PORT=$(IYS_SIM_PORT) $(PY) -m iys_sim & iys=$$!; \
	trap 'kill $$sim $$iys 2>/dev/null' EXIT INT TERM; \
	echo "loyalty simulator on http://127.0.0.1:$(LOYALTY_SIM_PORT) (pid $$sim)"; \
	echo "İYS simulator on http://127.0.0.1:$(IYS_SIM_PORT) (pid $$iys)"; \
	IYS_SIM_PORT=$(IYS_SIM_PORT) $(VENV)/bin/flask run --host 127.0.0.1 --port $(PORT)

# The production server on this machine (docs/deploy.md): gunicorn with gunicorn.conf.py
# and the production configuration, its settings read from ENV_FILE. It does not migrate:
# run `flask db upgrade` once per release first.
ENV_FILE ?= instance/production.env
SERVE_PORT ?= 8000
serve: install
	@test -f $(ENV_FILE) || { \
	  echo "make serve reads the production settings from $(ENV_FILE), which does not exist."; \
	  echo "Make it from the example and fill in at least SECRET_KEY, DATABASE_URL, REDIS_URL, the SMS gateway and DATA_CONTROLLER_*:"; \
	  echo "  mkdir -p $$(dirname $(ENV_FILE)) && cp docs/production.env.example $(ENV_FILE) && chmod 600 $(ENV_FILE)"; \
	  echo "Then, once per release: set -a; . $(abspath $(ENV_FILE)); set +a; PORTAL_CONFIG=production $(VENV)/bin/flask --app wsgi.py db upgrade"; \
	  echo "(docs/deploy.md explains every setting)"; exit 1; } >&2
	@set -a; . $(abspath $(ENV_FILE)); set +a; \
	export PORTAL_CONFIG=production GUNICORN_BIND=$${GUNICORN_BIND:-127.0.0.1:$(SERVE_PORT)}; \
	echo "gunicorn on http://$$GUNICORN_BIND (production, settings from $(ENV_FILE))"; \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

test: install-dev node_modules/.package-lock.json
	$(PY) -m pytest $(PYTEST_ARGS)

screenshots: install-dev
	$(PY) scripts/screenshots.py

lint: install-dev
	$(VENV)/bin/ruff check portal loyalty_sim iys_sim bench scripts tests config.py wsgi.py

# Throughput, SQLite then PostgreSQL (bench/run.py): JSON reads beside a bare Flask
# reference, pages beside the same page built the stock way and in Django
# (docs/performance.md). `make bench BENCH_ARGS=--quick` takes a few minutes.
bench: install-dev wrk
	$(PY) -m bench.run $(BENCH_ARGS)

# A million customers beside the demo data, PostgreSQL only (bench/scale.py, docs/scale.md):
# BENCH_SCALE_URL names the database (created when missing, emptied before and after).
bench-scale: install-dev
	$(PY) -m bench.scale $(BENCH_SCALE_ARGS)

# 60 s at 32 clients on PostgreSQL: no 5xx, no lost update, steady memory (bench/load.py).
load: install-dev
	$(PY) -m bench.load $(LOAD_ARGS)

# Schemathesis against a running portal, authenticated and anonymous: no 5xx, nothing
# outside portal/apidocs/openapi.yaml (scripts/fuzz_api.py; about two minutes).
fuzz: install-dev
	$(PY) -m scripts.fuzz_api

wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; \
	  else echo "make bench needs the wrk load generator: sudo apt-get install wrk" >&2; exit 1; fi; }

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache node_modules screenshots $(CATALOGUES)
