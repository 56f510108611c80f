"""`manage.py bench --quick` runs the whole benchmark end to end and reports every figure;
it is development tooling, which production neither installs nor packages."""

import json
import tomllib

from django.core.management import call_command
from setuptools import find_packages

from tests.casestudies.test_settings import GOOD, ROOT, run_manage

REQUEST_TYPES = [
    "home",
    "case study",
    "case study (uncached)",
    "bright spot",
    "search",
    "embed card",
    "oembed",
    "api list",
    "feed",
    "case study (304)",
    "static file (ceiling)",
]


def test_quick_benchmark_reports_every_request_type(tmp_path, capsys):
    output = tmp_path / "bench-results.json"

    call_command("bench", "--quick", "--duration", "1", "--output", str(output))

    results = json.loads(output.read_text())
    assert list(results["types"]) == REQUEST_TYPES
    for name, figures in results["types"].items():
        assert figures["requests"] > 0, name
        assert figures["requests_per_second"] > 0, name
        assert 0 < figures["p50_ms"] <= figures["p95_ms"], name
        assert figures["page_bytes"] > 0, name
        assert figures["ratio_to_static"] > 0, name
        if name != "static file (ceiling)":
            assert isinstance(figures["sql_queries"], int), name
            assert isinstance(figures["sql_queries_small_corpus"], int), name
    assert results["types"]["static file (ceiling)"]["ratio_to_static"] == 1
    assert results["types"]["case study"]["x_cache"].get("HIT", 0) > 0
    assert set(results["types"]["case study (uncached)"]["x_cache"]) == {"BYPASS"}
    assert set(results["types"]["case study (304)"]["statuses"]) == {"304"}
    assert results["rebuild"]["documents"] == 30
    assert results["rebuild"]["python_documents_per_second"] > 0
    assert results["rebuild"]["elasticsearch_documents_per_second"] > 0
    assert results["memory"]["worker_peak_mib"] > 10
    assert set(results["budgets"].values()) <= {True, False, None}
    table = capsys.readouterr().out
    assert "static file (ceiling)" in table and "Budgets:" in table
    assert results["corpus"]["smaller_size"] == {"case_studies": 2, "bright_spots": 1}
    # Each phase timed under its own name: the two indexing phases do not overwrite each other.
    assert {"indexing (smaller size)", "indexing (full size)"} <= set(results["phase_seconds"])


def test_production_neither_installs_nor_packages_the_benchmark():
    result = run_manage("bench", "--help", **GOOD)
    assert result.returncode != 0
    assert "Unknown command: 'bench'" in result.stderr
    assert run_manage("bench", "--help", **{**GOOD, "DJANGO_ENV": "development"}).returncode == 0

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packaged = find_packages(str(ROOT), include=config["packages"]["find"]["include"])
    assert "perf" in packaged  # the page cache, CDN purge and renditions ship
    assert not [p for p in packaged if p.startswith("devtools")]
