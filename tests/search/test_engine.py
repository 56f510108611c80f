"""The local search engines fail with one clear line, never with a traceback or in silence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.management.commands.bench import local_elasticsearch_pids
from search.server import EngineError, engine_version, free_port, java_release, newest_java_home

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, "DJANGO_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_java_the_command_says_what_to_install(tmp_path):
    # Only the virtualenv's python on PATH: no java, no mvn.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    # exec starts a node of its own, so a development node already running changes nothing.
    result = _run(
        [sys.executable, "manage.py", "elasticsearch", "exec", "--", "true"], PATH=str(bin_dir)
    )
    assert result.returncode != 0
    assert "Java is missing: install a JDK 17 or newer" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cluster_that_does_not_answer_is_named_with_what_to_do():
    url = f"http://127.0.0.1:{free_port()}"
    try:
        engine_version(url, timeout=2)
    except EngineError as exc:
        message = str(exc)
    else:
        raise AssertionError("a dead URL was accepted")
    assert url in message and "ELASTICSEARCH_URL" in message


def test_the_configured_engine_answers_with_a_supported_version(search_server, settings):
    # noida-db or Elasticsearch itself, whichever this run is on: 8 or 9 either way.
    assert engine_version(settings.ELASTICSEARCH_URL).split(".")[0] in {"8", "9"}


def test_a_test_run_on_an_engine_that_is_down_stops_at_once():
    result = _run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--co",
         "tests/search/test_engine.py"],
        ELASTICSEARCH_URL=f"http://127.0.0.1:{free_port()}",
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert "No Elasticsearch answers at" in result.stdout + result.stderr


def _jdk(folder: Path, release: str) -> Path:
    """A JDK's layout as Debian and Adoptium install it: bin/java and a `release` file."""
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "java").write_text("#!/bin/sh\n")
    (folder / "bin" / "java").chmod(0o755)
    (folder / "release").write_text(f'IMPLEMENTOR="Test"\nJAVA_VERSION="{release}"\n')
    return folder


def test_the_node_runs_on_the_newest_jdk_installed_beside_the_java_on_path(tmp_path):
    jvm = tmp_path / "jvm"
    default = _jdk(jvm / "openjdk-17", "17.0.15")
    newest = _jdk(jvm / "temurin-25", "25.0.3")
    _jdk(jvm / "temurin-21", "21.0.8")
    _jdk(jvm / "temurin-26", "26.0.1")  # a release this Elasticsearch is not known to run on
    assert newest_java_home(str(default / "bin")) == newest.resolve()
    assert java_release(newest) == 25


def test_with_only_one_jdk_the_node_runs_on_the_java_on_path(tmp_path):
    only = _jdk(tmp_path / "jvm" / "openjdk-17", "17.0.15")
    assert newest_java_home(str(only / "bin")) == only.resolve()


@pytest.mark.elasticsearch_only
def test_the_test_run_s_elasticsearch_runs_on_the_newest_jdk_here(search_server, settings):
    pids = local_elasticsearch_pids(settings.ELASTICSEARCH_URL)
    if not pids:
        pytest.skip("the configured cluster runs elsewhere, on a JDK of its own")
    running = Path(f"/proc/{pids[0]}/exe").resolve()
    assert running == newest_java_home() / "bin" / "java"
