"""The project's gunicorn.conf.py, as a real gunicorn reads it from the project directory.

``gunicorn portal.wsgi ...`` run from the project directory loads it with no option, and
its workers then run Python's collector as it says: what the master imported with
``--preload`` is frozen (never scanned again, its pages stay shared) and the young
generation is collected far less often. A worker reports both through a tiny WSGI app,
so the portal needs no route for it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings

from search.server import free_port

REPORTER = """
import gc, json, os

def app(environ, start_response):
    body = json.dumps({
        "pid": os.getpid(),
        "threshold": gc.get_threshold(),
        "frozen": gc.get_freeze_count(),
    }).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
"""


def project_config():
    path = settings.BASE_DIR / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("project_gunicorn_conf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workers_report(tmp_path, *options: str) -> tuple[list[dict], int]:
    """Start gunicorn in the project directory with ``options``; what each answer said."""
    (tmp_path / "gc_reporter.py").write_text(REPORTER)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "gc_reporter:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            *options,
        ],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        answers = []
        deadline = time.monotonic() + 60
        while len(answers) < 6 and time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    answers.append(json.loads(response.read()))
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert answers, f"gunicorn never answered:\n{log.read_text()}"
        return answers, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_started_in_the_project_directory_runs_its_workers_collector_as_configured(
    tmp_path,
):
    config = project_config()

    answers, master = workers_report(tmp_path, "--preload")

    for answer in answers:
        assert answer["pid"] != master  # answered by a forked worker
        young, middle, old = answer["threshold"]
        assert young == config.YOUNG_COLLECTION_THRESHOLD
        assert young > 700  # CPython's default: collected far less often
        assert (middle, old) == (10, 10)  # the older generations keep their defaults
        # Everything the master held when it forked is frozen: gunicorn, the app.
        assert answer["frozen"] > 1000


def test_without_the_project_config_the_workers_keep_pythons_defaults(tmp_path):
    """What the project's file changes, seen against a gunicorn told to read another file."""
    (tmp_path / "other.conf.py").write_text("")

    answers, _ = workers_report(tmp_path, "--preload", "--config", str(tmp_path / "other.conf.py"))

    for answer in answers:
        assert answer["threshold"] == [700, 10, 10]
        assert answer["frozen"] == 0
