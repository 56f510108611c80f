"""Where the portal stands: build a corpus, index it, serve it for real and measure.

Each request type's ratio to the static ceiling compares it with the ceiling measured beside
it, in slices interleaved with its own, not with one window minutes away: on this shared
two-core machine the ceiling alone moved 16% between two runs of the same code, which put
the 0.8 and 0.9 budgets inside the noise. ``devtools/loadgen.py`` says how.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.loader import MigrationLoader

from devtools.alerts_bench import describe as describe_alerts
from devtools.budgets import CACHED_TYPES, evaluate
from devtools.loadgen import SLICES
from devtools.probe import WARM_UP_BLIND_SEARCHES, WARM_UP_SEARCHES
from devtools.redis_server import RedisServer
from search.server import EngineError, LocalSearchServer, engine_version, free_port

STATIC_CEILING = "static file (ceiling)"
# Served after every other type: a search the local stand-in could not finish in time keeps
# it busy after the timeout, which must not slow the types measured after it.
SEARCH_TYPES = ("search", "suggest")
# Two runs of the load agree when each main row's req/s and p95 differ by at most this.
STEADY_WITHIN = 0.15
MAIN_ROWS = ("home", "case study", "case study (uncached)", "search", "api list (uncached)")
# The rows whose ratio to the ceiling a budget judges.
RATIO_ROWS = (*CACHED_TYPES, "case study (304)")
LOCAL_SEARCH_RELATED_TIMEOUT = 10  # seconds, with noida-db only
# gunicorn workers per core, as the README's Production section runs them.
WORKERS_PER_CORE = 2


class Command(BaseCommand):
    help = (
        "Build a synthetic corpus in a scratch database, index it, serve the portal with "
        "gunicorn on loopback (production settings) and drive every public request type "
        "from a separate load-generator process. Prints a table and writes JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case-studies", type=int, default=2000)
        parser.add_argument("--bright-spots", type=int, default=1000)
        parser.add_argument(
            "--duration", type=float, default=5.0, help="Seconds of load per request type."
        )
        parser.add_argument(
            "--concurrency", type=int, default=4, help="Client processes of the load generator."
        )
        parser.add_argument(
            "--slices",
            type=int,
            default=SLICES,
            help="Slices each type's load is cut into, with the static ceiling measured "
            "before, between and after them (its ratio is the median of the slices' ratios).",
        )
        # Two workers per core, as production runs them (README, Production, with the
        # figures): a worker waiting for Elasticsearch or Redis leaves its core to another.
        parser.add_argument(
            "--workers",
            type=int,
            default=WORKERS_PER_CORE * (os.cpu_count() or 1),
            help="Gunicorn worker processes (default: two per core).",
        )
        # Within a worker, pages are CPU-bound: more threads only take turns on its GIL,
        # which lengthens every request they share it with (measured: p95 about 60 ms with
        # 4 threads, about 35-45 ms with 1, at the same throughput).
        parser.add_argument(
            "--threads", type=int, default=1, help="Threads per worker (more than one: gthread)."
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Smoke test: 20 case studies, 10 bright spots, 1 second per type.",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=1,
            help="Run the load this many times on the same server and report how far the "
            "runs differ (the table shows the first run).",
        )
        parser.add_argument(
            "--skip-alerts",
            action="store_true",
            help="Leave out the alerts phase (100,000 followed searches x 100 new stories).",
        )
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument(
            "--workdir",
            default="",
            help="Where the scratch database, media and search data go (default: a temp dir).",
        )

    def handle(self, *args, **options):
        options["sample"] = 50
        if options["quick"]:
            options.update(case_studies=20, bright_spots=10, duration=1.0, concurrency=2)
            options.update(workers=min(options["workers"], 2), sample=3)
        if options["case_studies"] < 1 or options["bright_spots"] < 1:
            raise CommandError("The benchmark needs at least one case study and one bright spot.")
        if (
            options["duration"] <= 0
            or min(options[k] for k in ("concurrency", "workers", "threads", "repeat", "slices"))
            < 1
        ):
            raise CommandError(
                "--duration, --concurrency, --workers, --threads, --repeat and --slices must be "
                "positive."
            )
        workdir = Path(options["workdir"] or tempfile.mkdtemp(prefix="heres-how-bench-"))
        workdir.mkdir(parents=True, exist_ok=True)
        run = BenchRun(self, workdir, options)
        try:
            results = run.execute()
        finally:
            run.stop()
            if not options["workdir"]:
                shutil.rmtree(workdir, ignore_errors=True)
        Path(options["output"]).write_text(json.dumps(results, indent=2) + "\n")
        self.stdout.write(render_table(results))
        self.stdout.write(f"\nWrote {options['output']}")


class BenchRun:
    """One benchmark: scratch services and processes, torn down in ``stop``."""

    def __init__(self, command: BaseCommand, workdir: Path, options: dict):
        self.command = command
        self.workdir = workdir
        self.options = options
        self.search: LocalSearchServer | None = None
        self.server: subprocess.Popen | None = None
        self.redis: RedisServer | None = None
        self.cache_url = "locmem://"
        self.port = free_port()
        self.timings: dict[str, float] = {}

    def say(self, phase: str, text: str) -> None:
        """Start a phase: print what it does and time it, under its own name, until the next."""
        now = time.perf_counter()
        if getattr(self, "_phase", None):
            self.timings[self._phase] = round(now - self._phase_started, 1)
        self._phase, self._phase_started = phase, now
        self.command.stdout.write(text)
        self.command.stdout.flush()

    # --- processes ------------------------------------------------------------------

    def env(self, production: bool = False) -> dict:
        """The children's configuration; inherits PATH and friends from this process."""
        database = self.workdir / "bench.sqlite3"
        overrides = {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_ENV": "production" if production else "development",
            "DATABASE_URL": f"sqlite:///{database}",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "ELASTICSEARCH_URL": self.search_url,
            "ELASTICSEARCH_INDEX_PREFIX": self.index_prefix,
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "CACHE_URL": self.cache_url,
            "PYTHONPATH": str(settings.BASE_DIR),
        }
        if production:
            # One machine, loopback only: production refuses a per-process cache otherwise.
            overrides.update(
                SECRET_KEY=secrets.token_urlsafe(64),
                ALLOWED_HOSTS="127.0.0.1,localhost",
                BENCHMARK_RUN="1",
                # The load generator is one client: the per-client API limit would make
                # the API rows count 429 answers instead of the API's own work.
                API_RATE_LIMIT="1000000/m",
            )
        if self.search:
            # The local stand-in takes about a second for a story's related practices at
            # a few thousand stories (Elasticsearch: milliseconds). The portal waits for
            # them, so the figures show its steady state, not the stand-in's timeouts.
            overrides["SEARCH_RELATED_TIMEOUT"] = str(LOCAL_SEARCH_RELATED_TIMEOUT)
        return {**os.environ, **overrides}

    def manage(self, *args: str, production: bool = False) -> float:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
            env=self.env(production),
            cwd=settings.BASE_DIR,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - started

    def python(self, *args: str, stdin: str = "") -> dict:
        done = subprocess.run(
            [sys.executable, "-m", *args],
            env=self.env(),
            cwd=settings.BASE_DIR,
            input=stdin,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise CommandError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)

    # --- the run --------------------------------------------------------------------

    def execute(self) -> dict:
        o = self.options
        self.index_prefix = f"bench-{secrets.token_hex(3)}"
        if settings.ELASTICSEARCH_URL:
            self.search_url = settings.ELASTICSEARCH_URL
            try:
                version = engine_version(self.search_url)
            except EngineError as exc:
                raise CommandError(str(exc)) from None
            self.say(
                "search server", f"Search engine: Elasticsearch {version} at {self.search_url}"
            )
        else:
            self.say(
                "search server",
                "Search engine: noida-db, the pip-only stand-in (no ELASTICSEARCH_URL; "
                "`make bench` runs Elasticsearch itself when Java and Maven are present). "
                "Starting it…",
            )
            self.search = LocalSearchServer(self.workdir / "noida-db").start()
            self.search_url = self.search.url

        self.say("cache", self.start_redis())
        self.say("migrate", f"Scratch database in {self.workdir}; migrating…")
        self.migrate()
        # SQL queries per request at two sizes: a tenth of the corpus, then all of it.
        small = {"case_studies": max(1, o["case_studies"] // 10)}
        small["bright_spots"] = max(1, o["bright_spots"] // 10)
        self.say(
            "corpus (smaller size)",
            f"Building {small['case_studies']} case studies and {small['bright_spots']} "
            "bright spots (the smaller size)…",
        )
        corpus_seconds = self.load_corpus(small["case_studies"], small["bright_spots"])
        self.say(
            "indexing (smaller size)",
            "Indexing and counting queries per request type at the smaller size…",
        )
        probe_small = self.python("devtools.probe", str(o["sample"]))
        self.say(
            "corpus (full size)",
            f"Growing to the full size ({o['case_studies']} + {o['bright_spots']})…",
        )
        corpus_seconds += self.load_corpus(
            o["case_studies"] - small["case_studies"], o["bright_spots"] - small["bright_spots"]
        )
        self.say(
            "indexing (full size)",
            "Indexing and counting queries per request type at the full size…",
        )
        probe = self.python("devtools.probe", str(o["sample"]), "--search", "without")
        probe["small"] = {
            **small,
            "requests": probe_small["requests"],
            "open_data": probe_small.get("open_data"),
        }

        self.say("collectstatic", "Collecting static files (production settings)…")
        self.manage("collectstatic", "--noinput", production=True)
        ceiling_path = self.write_ceiling_file(probe["requests"]["case study"]["bytes"])
        self.start_server()

        self.say(
            "search engine warm-up",
            "Warming Elasticsearch up, as a node that has been running a while is…",
        )
        engine_pids = self.search_engine_pids()  # noida-db's too: it is not warmed at all
        searches = WARM_UP_SEARCHES if engine_pids else WARM_UP_BLIND_SEARCHES
        watched = [f"--engine-pid={pid}" for pid in engine_pids]
        warm_up = self.python(
            "devtools.probe", "--warm-engine", str(50 if o["quick"] else searches), *watched
        )

        types = [t for t in probe["types"] if t["name"] not in SEARCH_TYPES]
        types += [{**t, "last": True} for t in probe["types"] if t["name"] in SEARCH_TYPES]
        types += [{"name": STATIC_CEILING, "paths": [ceiling_path]}]
        for spec in types:
            # Production settings redirect plain HTTP; a load balancer says it terminated TLS.
            spec["headers"] = {"X-Forwarded-Proto": "https", **spec.get("headers", {})}
        plan = {
            "host": "127.0.0.1",
            "port": self.port,
            "duration": o["duration"],
            "concurrency": o["concurrency"],
            "slices": o["slices"],
            "ceiling": STATIC_CEILING,
            # Whose CPU each request costs: the workers and the cache (not the search engine).
            "server_pids": children_of(self.server.pid)
            + ([self.redis.process.pid] if self.redis else []),
            # The search engine's, apart, when it runs here: which side a search costs.
            "search_pids": self.search_engine_pids(),
            "types": types,
        }
        runs = []
        for n in range(o["repeat"]):
            which = f" (run {n + 1} of {o['repeat']})" if o["repeat"] > 1 else ""
            self.say(
                f"load {n + 1}" if n else "load",
                f"Load{which}: {o['duration']}s per type in {o['slices']} rounds of a slice "
                "of each type, between slices of the static ceiling, "
                f"{o['concurrency']} client processes, a new "
                "connection per request…",
            )
            runs.append(self.python("devtools.loadgen", stdin=json.dumps(plan)))
        load = runs[0]
        memory = self.server_memory()
        self.say("search probe", "Counting the search page's queries and timing the search server…")
        searched = self.python("devtools.probe", str(o["sample"]), "--search", "only")
        probe["requests"].update(searched["requests"])
        probe["search_engine"] = searched["search_engine"]
        if warm_up:
            probe["search_engine"]["warm_up"] = warm_up
        alerts = None if o["skip_alerts"] else self.alerts()
        self.say("", "Done.")
        results = assemble(o, corpus_seconds, probe, load, memory)
        engine = results["search_engine"]
        results["load"]["search_server"] = (
            f"noida-db {engine.get('version', '')} (local stand-in; related practices wait up "
            f"to {LOCAL_SEARCH_RELATED_TIMEOUT}s)"
            if self.search
            else f"{engine.get('engine', '?')} {engine.get('version', '')} at {self.search_url}"
        )
        results["load"]["cache"] = "redis" if self.redis else "locmem (per process)"
        if len(runs) > 1:
            results["steadiness"] = steadiness(runs)
        if alerts is not None:
            results["alerts"] = alerts
        results["phase_seconds"] = self.timings
        return results

    def alerts(self) -> dict:
        """E-mail alerts at the full size: followed searches matched against new stories."""
        searches, stories = (2000, 10) if self.options["quick"] else (100_000, 100)
        self.say("alerts", f"Alerts: {searches} followed searches x {stories} new stories…")
        report = self.python(
            "devtools.alerts_bench", "--searches", str(searches), "--stories", str(stories)
        )
        self.command.stdout.write("\n".join(f"  {line}" for line in describe_alerts(report)))
        return report

    def migrate(self) -> None:
        """Migrate the scratch database, reusing an earlier run's result for the same migrations.

        Hundreds of Wagtail migrations take far longer than the benchmark's own work.
        """
        loader = MigrationLoader(None, ignore_no_migrations=True)
        files = sorted(
            (key, os.path.getmtime(sys.modules[migration.__module__].__file__))
            for key, migration in loader.disk_migrations.items()
        )
        state = hashlib.sha256(repr(files).encode()).hexdigest()[:16]
        template = Path(tempfile.gettempdir()) / f"heres-how-bench-migrated-{state}.sqlite3"
        database = self.workdir / "bench.sqlite3"
        if template.exists():
            shutil.copyfile(template, database)
            return
        self.manage("migrate", "--noinput")
        shutil.copyfile(database, template)

    def load_corpus(self, case_studies: int, bright_spots: int) -> float:
        return self.manage(
            "load_benchmark_data",
            "--case-studies",
            str(case_studies),
            "--bright-spots",
            str(bright_spots),
        )

    def write_ceiling_file(self, size: int) -> str:
        """A static file as large as a case study page, served by the same server.

        Named by its size: rewriting a file another run's server is serving, at another
        size, would make that server announce the old length and every answer fail."""
        folder = Path(settings.STATIC_ROOT) / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"ceiling-{size}.html"
        (folder / name).write_bytes(b"<!doctype html>" + b"x" * max(size - 15, 0))
        return f"{settings.STATIC_URL}bench/{name}"

    def start_redis(self) -> str:
        """The shared cache production runs (Redis), on a private server, when it is here.

        With a per-process cache every worker keeps its own copy of each page and reads
        the content generation from the database on every hit; production does neither.
        """
        try:
            self.redis = RedisServer().start()
        except RuntimeError as exc:
            self.redis = None
            return f"Cache: per-process (locmem), as {exc}; production runs on Redis."
        self.cache_url = self.redis.url
        return f"Cache: Redis on a private server at {self.cache_url}, as in production."

    def start_server(self) -> None:
        log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115 - lives with the server
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.options["workers"]),
                # No worker class: gunicorn's sync worker, as production runs it (README,
                # Production, with the figures): it accepts a connection only when it is
                # free, where a gthread worker accepts while busy and queues the request
                # behind its own. More than one thread makes gunicorn run gthread workers.
                "--threads",
                str(self.options["threads"]),
                "--preload",
                # The garbage collector's settings production runs with.
                "--config",
                str(settings.BASE_DIR / "gunicorn.conf.py"),
            ],
            env=self.env(production=True),
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        url = f"http://127.0.0.1:{self.port}/health/"
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise CommandError(f"gunicorn exited; see {self.workdir / 'gunicorn.log'}")
            try:
                request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(request, timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answers (503 while search is degraded is still an answer)
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not answer within 120 seconds")

    def search_engine_pids(self) -> list[int]:
        """The search engine's process, when it runs on this machine: noida-db started here,
        or an Elasticsearch on loopback, which names its process id itself."""
        if self.search:
            return [self.search.process.pid]
        return local_elasticsearch_pids(self.search_url)

    def server_memory(self) -> dict:
        """Peak resident memory (VmHWM) of the gunicorn master and each worker, in MiB."""
        pids = [self.server.pid] + children_of(self.server.pid)
        peaks = {pid: peak_rss_mib(pid) for pid in pids}
        workers = [peaks[pid] for pid in pids[1:] if peaks[pid]]
        return {
            "master_peak_mib": peaks[self.server.pid],
            "worker_peak_mib": max(workers) if workers else None,
            "total_peak_mib": round(sum(v for v in peaks.values() if v), 1),
            "workers": len(workers),
        }

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.search:
            self.search.stop()
        if self.redis:
            self.redis.stop()


def local_elasticsearch_pids(url: str) -> list[int]:
    """The process id the Elasticsearch node at ``url`` reports, if it is on loopback and
    that process here is Elasticsearch; none otherwise (a remote cluster, another answer)."""
    if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        return []
    nodes = f"{url.rstrip('/')}/_nodes/_local/process?filter_path=nodes.*.process.id"
    try:
        with urllib.request.urlopen(nodes, timeout=5) as response:
            pid = int(next(iter(json.load(response)["nodes"].values()))["process"]["id"])
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return []
    return [pid] if b"elasticsearch" in command else []


def children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _ratio(ratio: float | None) -> float | None:
    """Three decimals; a row too slow for those (noida-db's search) keeps one digit, so
    it reads as slow rather than as a row that served nothing."""
    if ratio is None:
        return None
    return round(ratio, 3) or float(f"{ratio:.1g}")


def assemble(options: dict, corpus_seconds: float, probe: dict, load: dict, memory: dict) -> dict:
    small = probe["small"]
    types = {}
    order = [t["name"] for t in probe["types"]] + [STATIC_CEILING]
    for name, figures in sorted(load.items(), key=lambda item: order.index(item[0])):
        counted = probe["requests"].get(name, {})
        counted_small = small["requests"].get(name, {})
        types[name] = {
            **figures,
            # Against the ceiling measured beside this row (devtools/loadgen.py).
            "ratio_to_static": _ratio(figures["ratio_to_static"]),
            "cpu_ratio_to_static": _ratio(figures.get("cpu_ratio_to_static")),
            "sql_queries": counted.get("sql_queries"),
            "sql_queries_small_corpus": counted_small.get("sql_queries"),
            "sql_queries_cached": counted.get("sql_queries_cached"),
            # The counted request's status: a search that timed out counts another page.
            "counted_status": counted.get("status"),
            "counted_status_small_corpus": counted_small.get("status"),
            "page_bytes": counted.get("bytes", figures["response_bytes"]),
        }
    rebuild = probe["rebuild"]
    open_data = {"smaller_size": small.get("open_data"), "full_size": probe.get("open_data")}
    results = {
        "corpus": {
            "case_studies": options["case_studies"],
            "bright_spots": options["bright_spots"],
            "build_seconds": round(corpus_seconds, 1),
            "smaller_size": {
                "case_studies": small["case_studies"],
                "bright_spots": small["bright_spots"],
            },
        },
        "load": {
            "duration_seconds": options["duration"],
            "concurrency": options["concurrency"],
            "workers": options["workers"],
            "threads": options["threads"],
            "slices": options["slices"],
            "client": "one process per client, a new connection per request",
            "server": "gunicorn sync workers, DJANGO_ENV=production (DEBUG off)",
        },
        "rebuild": rebuild,
        "search_engine": probe.get("search_engine", {}),
        "memory": memory,
        "open_data_csv": open_data,
        "routing": probe.get("routing"),
        "types": types,
    }
    verdicts = evaluate(results)
    results["budgets"] = {v.budget: v.met for v in verdicts}
    results["budget_figures"] = [v.as_json() for v in verdicts]
    return results


def spread(values: list[float | None]) -> float:
    """(largest - smallest) / largest."""
    values = [v for v in values if v is not None]
    return round((max(values) - min(values)) / max(values), 3) if values and max(values) else 0.0


def steadiness(runs: list[dict]) -> dict:
    """How far the load's runs differ, per request type: the spread of requests/s and p95
    (``spread``, as before), and of the ratio to the ceiling measured beside the row
    (``ratio_spread``), which the budgets judge. A run's requests/s move with the machine's
    moment; a ratio to a ceiling measured at the same moment should not."""
    rows = {}
    for name in runs[0]:
        rows[name] = {
            "requests_per_second": [run[name]["requests_per_second"] for run in runs],
            "p95_ms": [run[name]["p95_ms"] for run in runs],
            "ratio_to_static": [_ratio(run[name].get("ratio_to_static")) for run in runs],
            "cpu_ratio_to_static": [_ratio(run[name].get("cpu_ratio_to_static")) for run in runs],
        }
        rows[name]["spread"] = max(
            spread(rows[name]["requests_per_second"]), spread(rows[name]["p95_ms"])
        )
        rows[name]["ratio_spread"] = spread(rows[name]["ratio_to_static"])
        rows[name]["cpu_ratio_spread"] = spread(rows[name]["cpu_ratio_to_static"])
    main = [rows[name]["spread"] for name in MAIN_ROWS if name in rows]
    judged = [rows[name]["ratio_spread"] for name in RATIO_ROWS if name in rows]
    by_cpu = [rows[name]["cpu_ratio_spread"] for name in RATIO_ROWS if name in rows]
    return {
        "runs": len(runs),
        "types": rows,
        "main_rows": list(MAIN_ROWS),
        "main_rows_agree_within_15_percent": bool(main) and max(main) <= STEADY_WITHIN,
        "ratio_rows": list(RATIO_ROWS),
        "ratios_agree_within_15_percent": bool(judged) and max(judged) <= STEADY_WITHIN,
        "cpu_ratios_agree_within_15_percent": bool(by_cpu) and max(by_cpu) <= STEADY_WITHIN,
    }


def routing_line(routing: dict | None) -> str:
    if not routing:
        return "Routing to a story: not measured"
    ours, wagtail = routing["portal"], routing["wagtail"]
    return (
        f"Routing to a story ({routing['addresses']} addresses): the portal's "
        f"{ours['cpu_ms']} ms CPU and {ours['sql_queries']} SQL, Wagtail's "
        f"{wagtail['cpu_ms']} ms CPU and {wagtail['sql_queries']} SQL"
    )


def load_line(results: dict) -> str:
    """How the load was driven, and what the client itself cost: it shares the cores."""
    load, types = results["load"], results["types"]
    ceiling = types.get(STATIC_CEILING, {})
    costs = [t["client_cpu_ms"] for t in types.values() if t.get("client_cpu_ms") is not None]
    lowest, highest = ceiling.get("ratio_range") or ("-", "-")
    return (
        f"Load: {load['concurrency']} client processes, {load.get('slices', '-')} slices per "
        f"type; CPU per request: the client's {min(costs, default='-')}-"
        f"{max(costs, default='-')} ms, the static file's {ceiling.get('client_cpu_ms', '-')} "
        f"ms client + {ceiling.get('server_cpu_ms', '-')} ms server; the ceiling's slices "
        f"ranged {lowest}-{highest} x their median "
        f"({ceiling.get('requests_per_second', '-')} req/s) over the run"
    )


def search_cpu_line(types: dict) -> str:
    """The search engine's CPU per request of the rows that ask it, under the load."""
    rows = [
        f"{name} {types[name]['search_engine_cpu_ms']} ms"
        for name in (*SEARCH_TYPES, "case study (uncached)")
        if types.get(name, {}).get("search_engine_cpu_ms") is not None
    ]
    if not rows:
        return "Search engine CPU per request: not measured (its process is not on this machine)"
    return f"Search engine CPU per request, under the load: {', '.join(rows)}"


def warm_up_line(warm_up: dict | None) -> str:
    if not warm_up:
        return "Search engine warm-up: none (noida-db compiles nothing at run time)"
    share = warm_up.get("compiler_share_last_round")
    if share is None:
        compiler = "its JIT compiler not watched (its process is not on this machine)"
    else:
        settled = "settled" if warm_up.get("settled") else "not settled"
        compiler = f"its JIT compiler {settled}, {share:.0%} of its CPU in the last round"
    return (
        f"Search engine warm-up before the load: {warm_up['searches']} searches and "
        f"suggestions in {warm_up['seconds']}s, {compiler}; took mean "
        f"{warm_up['took_first_mean_ms']} ms at the start, {warm_up['took_last_mean_ms']} ms "
        "at the end"
    )


def render_table(results: dict) -> str:
    corpus = results["corpus"]
    head = f"{'request type':<24}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'SQL':>8}{'bytes':>9}"
    lines = [
        "",
        "SQL: queries per uncached request at the smaller / the full size "
        f"({corpus['smaller_size']['case_studies'] + corpus['smaller_size']['bright_spots']} / "
        f"{corpus['case_studies'] + corpus['bright_spots']} stories); * another status than 200",
        "req/s: the median of the row's slices; x static: the median of its slices' ratios to "
        "the static ceiling measured beside them, and their range; CPU x: the ceiling's CPU "
        "per request over the row's (workers, Redis and client; not the search engine)",
        "",
        head + f"{'x static':>10}{'range':>12}{'CPU x':>8}  status",
        "-" * (len(head) + 38),
    ]
    for name, t in results["types"].items():
        queries = "-"
        if t["sql_queries"] is not None:
            marks = [
                "" if status in (200, None) else "*"
                for status in (t["counted_status_small_corpus"], t["counted_status"])
            ]
            queries = f"{t['sql_queries_small_corpus']}{marks[0]}/{t['sql_queries']}{marks[1]}"
        statuses = ",".join(f"{k}:{v}" for k, v in sorted(t["statuses"].items()))
        ratio = "-" if t["ratio_to_static"] is None else f"{t['ratio_to_static']:.2f}"
        lowest, highest = t.get("ratio_range") or (None, None)
        around = "-" if lowest is None else f"{lowest:.2f}-{highest:.2f}"
        cpu = "-" if t.get("cpu_ratio_to_static") is None else f"{t['cpu_ratio_to_static']:.2f}"
        lines.append(
            f"{name:<24}{t['requests_per_second']:>9.1f}{t['p50_ms']:>9.2f}{t['p95_ms']:>9.2f}"
            f"{queries:>8}{t['page_bytes']:>9}{ratio:>10}{around:>12}{cpu:>8}  {statuses}"
        )
    r, m, s = results["rebuild"], results["memory"], results["search_engine"]
    lines += ["", load_line(results)]
    lines += [
        f"Corpus: {results['corpus']['case_studies']} case studies, "
        f"{results['corpus']['bright_spots']} bright spots, built in "
        f"{results['corpus']['build_seconds']}s",
        f"Index rebuild: {r['documents']} documents in {r['seconds']}s; Python side "
        f"{r['python_documents_per_second']} docs/s, Elasticsearch side "
        f"{r['elasticsearch_documents_per_second']} docs/s",
        f"Search engine: {results['load'].get('search_server', '-')}; "
        f"cache: {results['load'].get('cache', '-')}",
        f"Search engine time (took): p50 {s.get('took_p50_ms', '-')} ms, "
        f"p95 {s.get('took_p95_ms', '-')} ms" + (f" ({s['error']})" if "error" in s else ""),
        search_cpu_line(results["types"]),
        warm_up_line(s.get("warm_up")),
        f"Elasticsearch requests: {s.get('requests_per_search_page', '-')} per search page "
        f"(its exact search found {s.get('search_page_exact_hits', '-')}), "
        f"{s.get('requests_per_case_study_page', '-')} per story page (uncached)",
        f"Suggestions in process: p50 {s.get('suggest_p50_ms', '-')} ms, "
        f"p95 {s.get('suggest_p95_ms', '-')} ms (served: the suggest row above)",
        f"Related practices (uncached): p50 {s.get('related_p50_ms', '-')} ms, "
        f"p95 {s.get('related_p95_ms', '-')} ms",
        f"Index size: {s.get('index_bytes_per_story', '-')} bytes per story",
        routing_line(results.get("routing")),
        f"Peak memory: worker {m['worker_peak_mib']} MiB, all {m['workers']} workers and "
        f"master {m['total_peak_mib']} MiB",
        "Open data CSV (smaller / full size): "
        + " / ".join(
            f"{d['bytes']} bytes, {d['peak_mib']} MiB Python peak"
            f"{', streamed' if d['streamed'] else ''}"
            if d
            else "-"
            for d in results["open_data_csv"].values()
        ),
    ]
    search = results["types"].get("search", {})
    failed = [k for k in search.get("statuses", {}) if not str(k).startswith("2")]
    if search.get("counted_status") not in (200, None) or failed:
        lines.append(
            "Search did not always answer in time: the search server's own time is above. "
            "noida-db, the local stand-in, reads every story's text on each full-text query; "
            "set ELASTICSEARCH_URL to measure against Elasticsearch."
        )
    if "steadiness" in results:
        steady = results["steadiness"]
        lines += ["", f"Steadiness over {steady['runs']} runs of the load ((max - min) / max):"]
        for name, row in steady["types"].items():
            lines.append(
                f"  {name:<24} req/s {row['requests_per_second']}  p95 {row['p95_ms']}  "
                f"spread {row['spread']:.0%}  x static {row['ratio_to_static']}  "
                f"spread {row['ratio_spread']:.0%}  CPU x {row['cpu_ratio_to_static']}  "
                f"spread {row['cpu_ratio_spread']:.0%}"
            )
        agree = steady["main_rows_agree_within_15_percent"]
        # Every row's req/s moves with the machine: when the ceiling itself moved as much
        # between the runs, the machine did, whatever the portal did.
        ceiling = steady["types"].get(STATIC_CEILING)
        moved = (
            f" (the static ceiling itself moved {ceiling['spread']:.0%} between the runs)"
            if ceiling
            else ""
        )
        lines.append(
            f"  main rows' req/s and p95 agree within {STEADY_WITHIN:.0%}: "
            f"{'yes' if agree else 'NO'}{moved}"
        )
        for key, what in (("ratios", "x static"), ("cpu_ratios", "CPU x static")):
            agree = steady[f"{key}_agree_within_15_percent"]
            lines.append(
                f"  budgeted rows' {what} agree within {STEADY_WITHIN:.0%}: "
                f"{'yes' if agree else 'NO'}"
            )
    lines += ["", "Budgets:"]
    verdicts = {True: "MET", False: "NOT MET", None: "not measured"}
    lines += [
        f"  [{verdicts[v['met']]:>12}] {v['budget']}: {v['measured']}"
        for v in results["budget_figures"]
    ]
    return "\n".join(lines)
