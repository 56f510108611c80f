"""A real Elasticsearch for development and tests: ``elasticsearch start|stop|status|exec``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search.server import (
    DEVELOPMENT_PORT,
    ELASTICSEARCH_VERSION,
    EngineError,
    LocalElasticsearch,
    default_elasticsearch_root,
    development_elasticsearch,
    engine_version,
    java_release,
)


def development_node(port: int) -> LocalElasticsearch:
    return development_elasticsearch(settings.BASE_DIR, port)


# Each action (a ``_<action>`` method of the command) and what it does, for ``--help``.
ACTIONS = {
    "start": "start the development node (port 9200, data kept) and print its URL",
    "stop": "stop it",
    "status": "whether it runs, its version and health",
    "exec -- COMMAND...": "start a throwaway node on free ports, run COMMAND with "
    "ELASTICSEARCH_URL set to it, stop the node and exit with COMMAND's status "
    "(what `make test` does)",
}


class Command(BaseCommand):
    help = (
        f"Run a real single-node Elasticsearch {ELASTICSEARCH_VERSION} on 127.0.0.1 "
        "(needs Java 17+ and Maven; fetched once from Maven Central into a cache). "
        + "; ".join(f"{usage}: {text}" for usage, text in ACTIONS.items())
        + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=[usage.split()[0] for usage in ACTIONS])
        parser.add_argument("--port", type=int, default=DEVELOPMENT_PORT)
        parser.add_argument("command", nargs="*", help="with exec: the command to run")

    def handle(self, *args, action: str, port: int, command: list[str], **options):
        try:
            return getattr(self, f"_{action}")(port, command)
        except EngineError as exc:
            raise CommandError(str(exc)) from None

    def _start(self, port: int, command: list[str]) -> None:
        node = development_node(port)
        if node.running_pid():
            self.stdout.write(f"Elasticsearch already runs on {node.url}")
            return
        self.stderr.write(f"Starting Elasticsearch {node.version} (tens of seconds) ...")
        node.start()
        self.stdout.write(
            f"Elasticsearch {engine_version(node.url)} runs on {node.url} "
            f"(Java {java_release(node.java_home)}, data in {node.workdir}); "
            f"use it with ELASTICSEARCH_URL={node.url}"
        )

    def _stop(self, port: int, command: list[str]) -> None:
        node = development_node(port)
        pid = node.running_pid()
        if not pid:
            self.stdout.write("Elasticsearch is not running.")
            return
        node.stop()
        self.stdout.write(f"Stopped Elasticsearch (pid {pid}).")

    def _status(self, port: int, command: list[str]) -> None:
        node = development_node(port)
        pid = node.running_pid()
        if not pid:
            raise CommandError(
                "Elasticsearch is not running: python manage.py elasticsearch start",
                returncode=3,
            )
        try:
            health = node.health()
        except OSError as exc:
            raise CommandError(
                f"Elasticsearch (pid {pid}) does not answer on {node.url} ({exc}): "
                f"see {node.log_file}"
            ) from None
        self.stdout.write(
            f"Elasticsearch {engine_version(node.url)} runs on {node.url} (pid {pid}), "
            f"cluster {health['status']}"
        )

    def _exec(self, port: int, command: list[str]) -> None:
        if not command:
            raise CommandError("exec needs a command: elasticsearch exec -- pytest ...")
        root = default_elasticsearch_root(settings.BASE_DIR)
        root.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=root))
        workdir.chmod(0o755)
        node = LocalElasticsearch(root, workdir)
        # A CI timeout or `kill` stops the throwaway node too, not only Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            self.stderr.write(f"Starting Elasticsearch {node.version} for this run ...")
            node.start()
            self.stderr.write(
                f"Elasticsearch {engine_version(node.url)} runs on {node.url} "
                f"(Java {java_release(node.java_home)})"
            )
            env = {**os.environ, "ELASTICSEARCH_URL": node.url}
            if env.get("DJANGO_SETTINGS_MODULE") == "portal.settings":
                # manage.py's default, not the caller's choice: pytest picks its own
                # (portal.settings.test from pyproject.toml), which this would override.
                del env["DJANGO_SETTINGS_MODULE"]
            returncode = subprocess.call(command, env=env)
        finally:
            node.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        if returncode:
            sys.exit(returncode)
