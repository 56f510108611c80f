"""A private Redis server on a free loopback port, for the benchmark and the tests.

Production keeps the page cache in Redis; measuring or testing the cache on a per-process
cache instead would miss what Redis changes (one round trip per hit, no query, a cache
shared by every worker). A private server shares no keys with anything else running.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from search.server import free_port

MISSING = "redis-server is not installed: apt-get install redis-server"


class RedisServer:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 10) -> RedisServer:
        """Start it and wait until it accepts connections; RuntimeError when it cannot."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(MISSING)
        port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.05)
                continue
            self.url = f"redis://127.0.0.1:{port}/0"
            return self
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
