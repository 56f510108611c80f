# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# The search engine `make test` runs on: Elasticsearch itself when Java and Maven are here
# (fetched once from Maven Central, see README "Search engine"), else noida-db, the pip-only
# stand-in; `external` when ELASTICSEARCH_URL names your own cluster. Set it to choose.
HAVE_JAVA_AND_MAVEN := $(and $(shell command -v java 2>/dev/null),$(shell command -v mvn 2>/dev/null))
SEARCH_ENGINE ?= $(if $(ELASTICSEARCH_URL),external,$(if $(HAVE_JAVA_AND_MAVEN),elasticsearch,noida-db))
# Extra pytest arguments, e.g. PYTEST_ARGS="-m pip_only" or PYTEST_ARGS="tests/search".
PYTEST_ARGS ?=
PYTEST := $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

.PHONY: install run test chromium redis lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Serve the portal with demo content on http://127.0.0.1:8000
run: install
	DJANGO_ENV=development $(BIN)/python manage.py runportal

## Run the whole test suite on SQLite (or DATABASE_URL) and the search engine above.
## Plain load distribution keeps pytest-django's order: tests that commit for real run last on each worker.
## Exit 5 (no test collected, e.g. a PYTEST_ARGS that selects nothing) fails too, with a line saying so.
test: install chromium redis
	@echo "--- search engine: $(SEARCH_ENGINE)"
	@case "$(SEARCH_ENGINE)" in \
	  elasticsearch) DJANGO_ENV=development $(BIN)/python manage.py elasticsearch exec -- $(PYTEST) ;; \
	  noida-db) ELASTICSEARCH_URL= $(PYTEST) ;; \
	  external) if [ -z "$$ELASTICSEARCH_URL" ]; then echo "SEARCH_ENGINE=external needs ELASTICSEARCH_URL"; exit 2; fi; $(PYTEST) ;; \
	  *) echo "SEARCH_ENGINE=$(SEARCH_ENGINE): choose elasticsearch, noida-db or external"; exit 2 ;; \
	esac; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no test (PYTEST_ARGS=$(PYTEST_ARGS))"; fi; \
	exit $$rc

## The browser tests drive Debian's chromium at /usr/bin/chromium (never a downloaded browser):
## installed here when running as root on Debian, otherwise one line says what to install.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "--- installing Debian's chromium for the browser tests"; \
	    apt-get install -y -q chromium >/dev/null 2>&1 \
	      || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
	      || { echo "apt-get could not install chromium: the browser tests need /usr/bin/chromium"; exit 1; }; \
	  else \
	    echo "The browser tests need Debian's chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'"; \
	    exit 1; \
	  fi; \
	fi

## The shared-cache tests start their own Redis server (production keeps the page cache in
## Redis): Debian's redis-server, installed here like chromium.
redis:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "--- installing Debian's redis-server for the shared-cache tests"; \
	    apt-get install -y -q redis-server >/dev/null 2>&1 \
	      || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; } \
	      || { echo "apt-get could not install redis-server: the shared-cache tests need it"; exit 1; }; \
	  else \
	    echo "The shared-cache tests need Redis: run 'sudo apt-get install redis-server'"; \
	    exit 1; \
	  fi; \
	fi

## Benchmark: build a corpus, index it, serve it with gunicorn and measure (see README),
## on the same search engine as `make test` (SEARCH_ENGINE above).
BENCH := env DJANGO_ENV=development $(BIN)/python manage.py bench $(BENCH_ARGS)
bench: install
	@echo "--- search engine: $(SEARCH_ENGINE)"
	@case "$(SEARCH_ENGINE)" in \
	  elasticsearch) DJANGO_ENV=development $(BIN)/python manage.py elasticsearch exec -- $(BENCH) ;; \
	  noida-db) ELASTICSEARCH_URL= $(BENCH) ;; \
	  external) if [ -z "$$ELASTICSEARCH_URL" ]; then echo "SEARCH_ENGINE=external needs ELASTICSEARCH_URL"; exit 2; fi; $(BENCH) ;; \
	  *) echo "SEARCH_ENGINE=$(SEARCH_ENGINE): choose elasticsearch, noida-db or external"; exit 2 ;; \
	esac

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .noida-db db.sqlite3 media staticfiles var/elasticsearch
