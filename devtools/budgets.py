"""The benchmark's budgets (issue 7): checked on every `manage.py bench` run, and the
SQL query budget by tests/perf/test_query_budget.py as well, so both read them here."""

# Cached case study pages at least this fraction of the static-file ceiling's requests/s.
CACHED_TO_STATIC_MIN = 0.5
UNCACHED_CASE_STUDY_P95_MS = 50
REBUILD_PYTHON_DOCS_PER_SECOND = 300
# SQL queries per uncached request, the same at every corpus size.
QUERY_BUDGET = {"case study": 12, "search": 3, "home": 10, "embed card": 4}
