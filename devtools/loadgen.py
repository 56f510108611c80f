"""A small HTTP load generator, run in its own process so it never shares the portal's CPU time
slices or interpreter: ``python -m devtools.loadgen < plan.json > results.json``.

Pure standard library (threads and ``http.client``), so the benchmark runs on a fresh
machine without ``wrk`` or ``ab``. Each request opens its own connection: with a few
keep-alive connections the kernel decides once which worker serves each of them, so one
worker could serve three of four connections while the other idled, and the same row moved
between 0.22 and 0.77 of the static ceiling from run to run (issue 17). A new connection per
request goes to whichever worker accepts it first, as browsers' many connections would; the
server closes it (``Connection: close``), so its ``TIME_WAIT`` does not use up the client's
ports. The plan is JSON:
``{"host": "127.0.0.1", "port": 8000, "duration": 5, "concurrency": 4,
"types": [{"name": "home", "paths": ["/"], "headers": {}}]}``.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from collections import Counter


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def _request(host: str, port: int, path: str, headers: dict) -> tuple:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", path, headers={**headers, "Connection": "close"})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body), response.getheader("X-Cache", "")
    finally:
        conn.close()


WARM_UP_LIMIT_SECONDS = 90
WARM_UP_MIN_SECONDS = 2.0


def warm_up(host: str, port: int, spec: dict, concurrency: int) -> None:
    """Every thread requests every path once, unmeasured, then goes on for a short while,
    so each worker process has imported everything and cached the pages, as on a server
    that has been up a while. Each worker has its own cache and a connection goes to any
    worker, so one pass alone could leave a worker that has never seen a path."""
    headers = {"Host": f"{host}:{port}", **spec.get("headers", {})}
    started = time.perf_counter()
    deadline = started + WARM_UP_LIMIT_SECONDS

    def worker() -> None:
        n = 0
        paths = spec["paths"]
        while n < len(paths) or time.perf_counter() - started < WARM_UP_MIN_SECONDS:
            if time.perf_counter() > deadline:
                break
            try:
                _request(host, port, paths[n % len(paths)], headers)
            except (OSError, http.client.HTTPException):
                pass
            n += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_type(host: str, port: int, spec: dict, duration: float, concurrency: int) -> dict:
    """Request the paths round-robin from ``concurrency`` threads for ``duration`` seconds."""
    warm_up(host, port, spec, concurrency)
    headers = {"Host": f"{host}:{port}", **spec.get("headers", {})}
    paths = spec["paths"]

    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    statuses: list[Counter] = [Counter() for _ in range(concurrency)]
    caches: list[Counter] = [Counter() for _ in range(concurrency)]
    sizes: list[list[int]] = [[] for _ in range(concurrency)]
    deadline = time.perf_counter() + duration

    def worker(n: int) -> None:
        i = n
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += concurrency
            started = time.perf_counter()
            try:
                status, size, cache = _request(host, port, path, headers)
            except (OSError, http.client.HTTPException):
                statuses[n]["error"] += 1
                continue
            latencies[n].append(time.perf_counter() - started)
            statuses[n][str(status)] += 1
            caches[n][cache or "-"] += 1
            sizes[n].append(size)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    all_latencies = sorted(x for chunk in latencies for x in chunk)
    all_sizes = [x for chunk in sizes for x in chunk]
    count = len(all_latencies)
    return {
        "requests": count,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(count / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(1000 * percentile(all_latencies, 0.50), 2),
        "p95_ms": round(1000 * percentile(all_latencies, 0.95), 2),
        "response_bytes": round(sum(all_sizes) / len(all_sizes)) if all_sizes else 0,
        "statuses": dict(sum(statuses, Counter())),
        "x_cache": dict(sum(caches, Counter())),
    }


def main() -> None:
    plan = json.load(sys.stdin)
    results = {}
    for spec in plan["types"]:
        results[spec["name"]] = run_type(
            plan["host"], plan["port"], spec, plan["duration"], plan["concurrency"]
        )
        print(f"  {spec['name']}: {results[spec['name']]['requests_per_second']} req/s",
              file=sys.stderr)  # fmt: skip
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
