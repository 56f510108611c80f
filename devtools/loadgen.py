"""A small HTTP load generator, run in its own process so it never shares the portal's
interpreter: ``python -m devtools.loadgen < plan.json > results.json``.

Pure standard library (``multiprocessing`` and ``http.client``), so the benchmark runs on a
fresh machine without ``wrk`` or ``ab``. How it measures, and why (issue 17):

- **One process per client.** Each of the ``concurrency`` clients is a process of its own,
  so no client waits for another's turn on an interpreter lock before it reads its answer.
  Measured with the four threads this replaced: 0.22-0.29 ms of client CPU per request, 0.3
  of one core at 1,340 req/s, so the lock was not what capped the ceiling; but that CPU is
  taken from the same two cores, a third of what the static file costs the workers. So each
  row reports the client's CPU (``client_cpu_ms``, 0.3-0.5 ms per request with processes)
  and the server's (``server_cpu_ms``: the processes the plan names in ``server_pids``,
  read from ``/proc``), and ``cpu_ratio_to_static``: the ceiling's CPU per request, server
  and client, over the row's, the ratio of requests/s the row would reach with the machine
  to itself. Other work on a shared machine moves it far less than requests/s.
  The search engine's process, when the plan names it (``search_pids``), is read apart
  (``search_engine_cpu_ms``): it is not part of the ratio, which compares the portal's
  own cost with the static file's.
- **A new connection per request.** With a few keep-alive connections the kernel decides
  once which worker serves each of them, so one worker could serve three of four
  connections while the other idled, and the same row moved between 0.22 and 0.77 of the
  static ceiling from run to run. A new connection goes to whichever worker accepts it
  first, as browsers' many connections would; the server closes it (``Connection: close``),
  so its ``TIME_WAIT`` does not use up the client's ports.
- **The ceiling measured beside each row.** The static file (``ceiling`` in the plan) is
  requested in short slices between the rows' slices: ceiling, row, ceiling, row, ...,
  ceiling. Each row slice is divided by the mean of the two ceiling slices either side of
  it, and the row's ``ratio_to_static`` is the median of those ratios, with their range
  (``ratio_range``). On a shared two-core machine the ceiling read 1,199 req/s in one run
  and 1,396 in the next; a ratio against a ceiling measured minutes away moved with it.
- **Rows in rounds.** Each round gives every row one slice (ceiling, home, ceiling, case
  study, ..., then home again), so a row's slices are spread over the whole load, not
  packed into its own few seconds of it. Measured one row after another, a row met
  whatever else the machine did in its seconds (another engineer's tests, a build): the
  same code's uncached case study, embed card and 304 rows moved 18-20% in req/s or p95
  between two runs (session 17), while the ratios to the ceiling beside them, taken at the
  same moments, moved under 10%. In rounds, such a while falls on every row a little.
- **Medians of slices.** A row's requests/s is the median of its slices' rates, so one
  moment of another process's work moves it less than it moves one long window; p50 and
  p95 are over every request of the row's slices.

A row's ``duration`` is split so the bench takes as long as one window per row did: row
slices of ``duration / (slices + (slices + 1) / 2)`` seconds, ceiling slices half as long.
Before the rounds every row is warmed up, unmeasured. Types marked ``"last"`` (the
search rows) have rounds of their own after the others. The plan is JSON:
``{"host": "127.0.0.1", "port": 8000, "duration": 5, "concurrency": 4, "slices": 5,
"ceiling": "static file (ceiling)",
"types": [{"name": "home", "paths": ["/"], "headers": {}}, ...]}``; the ceiling is one of
the types, and its own row is every ceiling slice of the run together.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections import Counter

WARM_UP_LIMIT_SECONDS = 90
WARM_UP_MIN_SECONDS = 2.0
SLICES = 5
# The clients wait this long for every one of them to have its order, then start together.
START_DELAY_SECONDS = 0.005
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


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


def _run_order(host: str, port: int, order: dict, positions: dict) -> dict:
    """One client's part of a slice (or a warm-up): requests until the slice's end, and at
    least one, so even a row slower than a slice is measured."""
    paths = order["paths"]
    headers = {"Host": f"{host}:{port}", **order["headers"]}
    warm = order["warm"]
    i = 0 if warm else positions.get(order["name"], order["first"])
    step = 1 if warm else order["step"]
    start = order["start_at"]
    delay = start - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    deadline = start + order["seconds"]
    limit = start + WARM_UP_LIMIT_SECONDS
    cpu = time.process_time()
    latencies: list[float] = []
    statuses: Counter = Counter()
    caches: Counter = Counter()
    size = 0
    while True:
        path = paths[(order["first"] + i if warm else i) % len(paths)]
        i += step
        began = time.monotonic()
        try:
            status, length, cache = _request(host, port, path, headers)
        except (OSError, http.client.HTTPException):
            statuses["error"] += 1
        else:
            latencies.append(time.monotonic() - began)
            statuses[str(status)] += 1
            caches[cache or "-"] += 1
            size += length
        now = time.monotonic()
        # A warm-up requests every path once, then goes on for its minimum time.
        if warm and (i < len(paths) or now < deadline) and now < limit:
            continue
        if warm or now >= deadline:
            break
    if not warm:
        positions[order["name"]] = i
    return {
        "latencies": latencies,
        "statuses": dict(statuses),
        "x_cache": dict(caches),
        "bytes": size,
        "cpu_seconds": time.process_time() - cpu,
        "ended": time.monotonic(),
    }


# A JVM's JIT compiler threads, as /proc names them (15 characters at most).
JIT_COMPILER_THREADS = ("C1 CompilerThre", "C2 CompilerThre")


def cpu_seconds(pids: list[int], threads: tuple[str, ...] = ()) -> float:
    """CPU the processes' threads have run so far, in nanoseconds where the kernel keeps it
    (``/proc/<pid>/task/<tid>/schedstat``), else in clock ticks (``/proc/<pid>/stat``): a
    slice of a fraction of a second is a few ticks long. A process that has gone counts
    nothing. With ``threads``, only the threads whose names start with one of them."""
    used = 0.0
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        chosen = [tid for tid in tasks if not threads or _thread_name(pid, tid).startswith(threads)]
        used += sum(_thread_cpu(pid, tid) for tid in chosen)
    return used


def _thread_name(pid: int, tid: str) -> str:
    try:
        with open(f"/proc/{pid}/task/{tid}/comm") as comm:
            return comm.read()
    except OSError:
        return ""  # the thread has ended


def _thread_cpu(pid: int, tid: str) -> float:
    try:
        with open(f"/proc/{pid}/task/{tid}/schedstat") as schedstat:
            return int(schedstat.read().split()[0]) / 1e9
    except (OSError, IndexError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/task/{tid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # the thread has ended
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _client(connection, host: str, port: int) -> None:
    """A client process: runs each order its coordinator sends until it is sent None."""
    positions: dict = {}
    while (order := connection.recv()) is not None:
        connection.send(_run_order(host, port, order, positions))


class Clients:
    """``concurrency`` client processes driven slice by slice: every client runs the same
    slice at the same moment, and the next slice starts when all have finished."""

    def __init__(
        self,
        host: str,
        port: int,
        concurrency: int,
        server_pids: list[int] = (),
        search_pids: list[int] = (),
    ):
        self.server_pids = list(server_pids)
        self.search_pids = list(search_pids)
        context = multiprocessing.get_context("spawn")  # no copy of the caller's threads
        self.connections = []
        self.processes = []
        for _ in range(concurrency):
            ours, theirs = context.Pipe()
            process = context.Process(target=_client, args=(theirs, host, port), daemon=True)
            process.start()
            self.connections.append(ours)
            self.processes.append(process)

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, spec: dict, seconds: float, warm: bool = False) -> dict:
        """One slice of ``spec``'s paths, round-robin over the clients: its merged figures."""
        server_cpu = cpu_seconds(self.server_pids)
        search_cpu = cpu_seconds(self.search_pids)
        start = time.monotonic() + START_DELAY_SECONDS
        for n, connection in enumerate(self.connections):
            connection.send(
                {
                    "name": spec["name"],
                    "paths": spec["paths"],
                    "headers": spec.get("headers", {}),
                    "first": n,
                    "step": len(self.connections),
                    "start_at": start,
                    "seconds": seconds,
                    "warm": warm,
                }
            )
        parts = [connection.recv() for connection in self.connections]
        server_cpu = cpu_seconds(self.server_pids) - server_cpu
        search_cpu = cpu_seconds(self.search_pids) - search_cpu
        elapsed = max(part["ended"] for part in parts) - start
        latencies = [x for part in parts for x in part["latencies"]]
        return {
            "requests": len(latencies),
            "seconds": elapsed,
            "rate": len(latencies) / elapsed if elapsed > 0 else 0.0,
            "latencies": latencies,
            "statuses": sum((Counter(part["statuses"]) for part in parts), Counter()),
            "x_cache": sum((Counter(part["x_cache"]) for part in parts), Counter()),
            "bytes": sum(part["bytes"] for part in parts),
            "cpu_seconds": sum(part["cpu_seconds"] for part in parts),
            "server_cpu_seconds": server_cpu if self.server_pids else None,
            "search_cpu_seconds": search_cpu if self.search_pids else None,
        }

    def warm_up(self, spec: dict) -> None:
        """Every client requests every path once, unmeasured, then goes on for a short while,
        so each worker process has imported everything and cached the pages, as on a server
        that has been up a while. Each worker has its own cache and a connection goes to any
        worker, so one pass alone could leave a worker that has never seen a path."""
        self.run(spec, WARM_UP_MIN_SECONDS, warm=True)

    def close(self) -> None:
        for connection in self.connections:
            try:
                connection.send(None)
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()


def ratio_beside(row_rates: list[float], ceiling_rates: list[float]) -> dict:
    """A row's ratio to the ceiling measured beside it: each row slice's rate over the mean
    of the ceiling slices just before and just after it (``ceiling_rates`` has one more
    slice than ``row_rates``); the median of those ratios, and their range."""
    if len(ceiling_rates) != len(row_rates) + 1:
        raise ValueError("the ceiling is measured before, between and after the row's slices")
    return ratio_between(row_rates, ceiling_rates[:-1], ceiling_rates[1:])


def ratio_between(row_rates: list[float], before: list[float], after: list[float]) -> dict:
    """Each row slice's rate over the mean of the ceiling slices just before and just after
    it; the median of those ratios, and their range."""
    ratios = []
    for rate, first, last in zip(row_rates, before, after, strict=True):
        ceiling = (first + last) / 2
        if ceiling > 0:
            ratios.append(rate / ceiling)
    if not ratios:
        return {"median": None, "lowest": None, "highest": None}
    return {"median": statistics.median(ratios), "lowest": min(ratios), "highest": max(ratios)}


def _measured_server(slices: list[dict]) -> bool:
    return all(s["server_cpu_seconds"] is not None for s in slices)


def summarize(slices: list[dict]) -> dict:
    """A row's figures from its slices: requests/s is the median of the slices' rates."""
    latencies = sorted(x for s in slices for x in s["latencies"])
    count = len(latencies)
    return {
        "requests": count,
        "seconds": round(sum(s["seconds"] for s in slices), 3),
        "requests_per_second": round(statistics.median(s["rate"] for s in slices), 1),
        "slice_requests_per_second": [round(s["rate"], 1) for s in slices],
        "p50_ms": round(1000 * percentile(latencies, 0.50), 2),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 2),
        "response_bytes": round(sum(s["bytes"] for s in slices) / count) if count else 0,
        "statuses": dict(sum((s["statuses"] for s in slices), Counter())),
        "x_cache": dict(sum((s["x_cache"] for s in slices), Counter())),
        "client_cpu_ms": round(1000 * sum(s["cpu_seconds"] for s in slices) / count, 3)
        if count
        else None,
        # What a request cost the server's processes (named in the plan), in CPU: unlike
        # requests/s it hardly moves with what else the machine is doing.
        "server_cpu_ms": round(1000 * sum(s["server_cpu_seconds"] for s in slices) / count, 3)
        if count and _measured_server(slices)
        else None,
        # The search engine's CPU in the row's slices per request, when its process runs on
        # this machine (``search_pids``): with the workers' it shows which side a search
        # page's cost is on. Its background work (refreshes, collections) counts too.
        "search_engine_cpu_ms": round(
            1000 * sum(s["search_cpu_seconds"] for s in slices) / count, 3
        )
        if count and all(s["search_cpu_seconds"] is not None for s in slices)
        else None,
    }


def cpu_ratio(rows: list[dict], beside: list[dict]) -> float | None:
    """The ceiling's CPU per request over the row's, the server's and the client's together
    (they share the cores): the ratio of requests/s the row would reach with the machine to
    itself. Other work on the machine moves it far less than it moves requests/s. None
    when the plan named no server process."""

    def cost(slices: list[dict]) -> float:
        used = sum(s["server_cpu_seconds"] + s["cpu_seconds"] for s in slices)
        answered = sum(s["requests"] for s in slices)
        return used / answered if answered else 0.0

    if not _measured_server(rows + beside) or not cost(rows) or not cost(beside):
        return None
    return round(cost(beside) / cost(rows), 4)


def slice_seconds(duration: float, slices: int) -> tuple[float, float]:
    """A row slice and a ceiling slice (half as long), so that a row's ``slices`` slices and
    the ``slices + 1`` ceiling slices around them take ``duration`` seconds together."""
    row = duration / (slices + (slices + 1) / 2)
    return row, row / 2


def measure_rounds(
    clients: Clients, specs: list[dict], ceiling: dict, duration: float, slices: int = SLICES
) -> tuple[dict, list[dict]]:
    """Rows measured in rounds: each round gives every row one slice, in the plan's order,
    with a slice of the ceiling between each two (ceiling, a, ceiling, b, ..., ceiling, a,
    ceiling, b, ..., ceiling). Each row's figures, with its ratio to the ceiling slices
    either side of each of its slices; and every ceiling slice, in order.

    A row's slices are spread over the whole of the rows' time rather than packed into a
    few seconds of it, so what else the machine does for a while (another process, a
    collection, the page cache of a worker refilling) falls on every row a little, and
    on the same rows in two runs, instead of on whichever row it met.
    """
    row_seconds, ceiling_seconds = slice_seconds(duration, slices)
    for spec in specs:
        clients.warm_up(spec)
    beside = [clients.run(ceiling, ceiling_seconds)]
    taken: dict[str, list[tuple[dict, dict, dict]]] = {spec["name"]: [] for spec in specs}
    for _ in range(slices):
        for spec in specs:
            row = clients.run(spec, row_seconds)
            beside.append(clients.run(ceiling, ceiling_seconds))
            taken[spec["name"]].append((beside[-2], row, beside[-1]))
    measured = {}
    for name, parts in taken.items():
        rows = [row for _, row, _ in parts]
        around = list({id(c): c for before, _, after in parts for c in (before, after)}.values())
        figures = summarize(rows)
        figures["cpu_ratio_to_static"] = cpu_ratio(rows, around)
        ratio = ratio_between(
            [row["rate"] for row in rows],
            [before["rate"] for before, _, _ in parts],
            [after["rate"] for _, _, after in parts],
        )
        figures["ceiling_requests_per_second"] = round(
            statistics.median(c["rate"] for c in around), 1
        )
        figures["ratio_to_static"] = None if ratio["median"] is None else round(ratio["median"], 4)
        figures["ratio_range"] = (
            None
            if ratio["median"] is None
            else [round(ratio["lowest"], 3), round(ratio["highest"], 3)]
        )
        measured[name] = figures
    return measured, beside


def ceiling_row(beside: list[dict]) -> dict:
    """The ceiling's own row: all its slices of the run; its range is how far a slice moved
    from their median, which is how much the machine's moment moved within the run."""
    figures = summarize(beside)
    middle = statistics.median(s["rate"] for s in beside)
    figures["ratio_to_static"] = 1.0 if middle else None
    figures["cpu_ratio_to_static"] = 1.0 if middle and _measured_server(beside) else None
    figures["ratio_range"] = (
        [round(min(s["rate"] for s in beside) / middle, 3),
         round(max(s["rate"] for s in beside) / middle, 3)]
        if middle
        else None
    )  # fmt: skip
    return figures


def run_type(host: str, port: int, spec: dict, duration: float, concurrency: int) -> dict:
    """One request type alone, warmed up then measured in one window of ``duration``."""
    with Clients(host, port, concurrency) as clients:
        clients.warm_up(spec)
        return summarize([clients.run(spec, duration)])


def run_plan(plan: dict) -> dict:
    """Every type of the plan, in rounds beside the ceiling (``measure_rounds``); the
    ceiling's row last. Types marked ``"last"`` have rounds of their own after the others
    (a search the local stand-in could not finish keeps it busy after the timeout, which
    must not slow the others)."""
    ceiling = next(spec for spec in plan["types"] if spec["name"] == plan["ceiling"])
    measured = [spec for spec in plan["types"] if spec is not ceiling]
    groups = [
        [spec for spec in measured if not spec.get("last")],
        [spec for spec in measured if spec.get("last")],
    ]
    slices = plan.get("slices", SLICES)
    found: dict = {}
    ceiling_slices: list[dict] = []
    clients = Clients(
        plan["host"],
        plan["port"],
        plan["concurrency"],
        plan.get("server_pids", ()),
        plan.get("search_pids", ()),
    )
    with clients:
        clients.warm_up(ceiling)
        for specs in filter(None, groups):
            figures, beside = measure_rounds(clients, specs, ceiling, plan["duration"], slices)
            found.update(figures)
            ceiling_slices += beside
            for spec in specs:
                row = figures[spec["name"]]
                print(f"  {spec['name']}: {row['requests_per_second']} req/s, "
                      f"{row['ratio_to_static']} x static beside it", file=sys.stderr)  # fmt: skip
    results = {spec["name"]: found[spec["name"]] for spec in measured}
    results[plan["ceiling"]] = ceiling_row(ceiling_slices)
    return results


def main() -> None:
    json.dump(run_plan(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
