"""Start a local Elasticsearch-compatible server (noida-db) for development and tests.

Production points ELASTICSEARCH_URL at a real cluster and never uses this.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _binary() -> str:
    # The packaged binary itself: the `noida-db` console script is a Python wrapper
    # that would outlive a terminate() and leave the server running.
    try:
        from importlib.resources import files

        packaged = Path(str(files("noida_db").joinpath("noida-db")))
        if packaged.is_file():
            return str(packaged)
    except ImportError:
        pass
    beside_python = Path(sys.executable).with_name("noida-db")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("noida-db")
    if not found:
        raise RuntimeError("noida-db is not installed: pip install noida-db")
    return found


class LocalSearchServer:
    """A noida-db process serving the Elasticsearch API on one loopback port."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> LocalSearchServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "noida-db.log", "ab")  # noqa: SIM115 - lives with the process
        self.process = subprocess.Popen(
            [
                _binary(),
                "start",
                "--only",
                "elasticsearch",
                "--elasticsearch-port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # stop() ends the whole group, wrapper or not
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if answers(self.url):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"noida-db exited with {self.process.returncode}; "
                    f"see {self.data_dir / 'noida-db.log'}"
                )
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"noida-db did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait()
        self.process = None

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)  # the group this server was started in
        except (ProcessLookupError, PermissionError):
            self.process.send_signal(sig)
