# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test test-postgres lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Serve the portal with demo content on http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py runportal

## Run the whole test suite (SQLite and a local noida-db unless DATABASE_URL / ELASTICSEARCH_URL are set).
## Plain load distribution keeps pytest-django's order: tests that commit for real run last on each worker.
test: install
	$(BIN)/python -m pytest -n 2

## Benchmark: build a corpus, index it, serve it with gunicorn and measure (see README)
bench: install
	$(BIN)/python manage.py bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .noida-db db.sqlite3 media staticfiles
