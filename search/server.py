"""Local search engines for development and tests: Elasticsearch itself, or noida-db.

``LocalElasticsearch`` runs the real engine (fetched once from Maven Central) when Java and
Maven are present; ``LocalSearchServer`` runs noida-db, the pip-only stand-in, otherwise.
Production points ELASTICSEARCH_URL at a real cluster and never uses either.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
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


# --- Elasticsearch itself ----------------------------------------------------------------

ELASTICSEARCH_VERSION = "8.19.9"
ELASTICSEARCH_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
SUPPORTED_MAJOR_VERSIONS = (8, 9)
# The Java releases this Elasticsearch runs on. Its own distributions bundle the newest
# (production clusters run on that), so the node runs on the newest one installed.
JAVA_RELEASES = range(17, 26)
# Elasticsearch refuses to run as root: as root it runs as this system user.
SERVICE_USER = "heres-how-es"
ANALYSIS_PLUGIN = Path(__file__).with_name("elasticsearch_analysis")
ANALYSIS_PLUGIN_NAME = "heres-how-analysis"


class EngineError(RuntimeError):
    """The search engine cannot be provided or used; the message says what to do."""


def engine_version(url: str, timeout: float = 5.0) -> str:
    """The version number the cluster at ``url`` reports, if this portal supports it.

    Raised as one line naming what to do, because an unsupported cluster otherwise shows up
    much later as puzzling search errors.
    """
    try:
        number = _reported_version(url, timeout)
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as exc:
        raise EngineError(
            f"No Elasticsearch answers at {url} ({exc.__class__.__name__}): start it "
            "(python manage.py elasticsearch start) or fix ELASTICSEARCH_URL"
        ) from exc
    major = int(str(number).split(".")[0] or 0)
    if major not in SUPPORTED_MAJOR_VERSIONS:
        raise EngineError(
            f"Elasticsearch {number} at {url} is not supported: Here's How needs "
            f"Elasticsearch {' or '.join(map(str, SUPPORTED_MAJOR_VERSIONS))}; point "
            "ELASTICSEARCH_URL at such a cluster or run python manage.py elasticsearch start"
        )
    return number


def _reported_version(url: str, timeout: float) -> str:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.load(response)["version"]["number"]
    except urllib.error.HTTPError as exc:
        if exc.code not in (404, 405):
            raise
    # The test distribution has no root endpoint (no rest-root module): ask the node.
    nodes = f"{url.rstrip('/')}/_nodes/_local?filter_path=nodes.*.version"
    with urllib.request.urlopen(nodes, timeout=timeout) as response:
        return next(iter(json.load(response)["nodes"].values()))["version"]


def newest_java_home(path: str | None = None) -> Path:
    """The newest JDK Elasticsearch runs on, among the `java` on PATH and those beside it.

    Elasticsearch's own distributions bundle the newest JDK; on Java 17 the same node spends
    about a tenth more CPU per search (no Panama memory segments or vector API in Lucene),
    so a node on the oldest JDK would measure, and test, something production does not run.
    Debian's and Adoptium's packages install every JDK in one folder (/usr/lib/jvm), where
    the `java` on PATH points.
    """
    java = shutil.which("java", path=path)
    if not java:
        raise EngineError(
            "Java is missing: install a JDK 17 or newer (Debian: apt-get "
            "install openjdk-17-jdk-headless), or use noida-db (SEARCH_ENGINE=noida-db)"
        )
    on_path = Path(java).resolve().parent.parent
    beside = (found.resolve().parent.parent for found in on_path.parent.glob("*/bin/java"))
    homes = {on_path, *beside}
    usable = [home for home in homes if java_release(home) in JAVA_RELEASES]
    return max(usable, key=java_release, default=on_path)


def java_release(home: Path) -> int:
    """The feature release (17, 21, 25, ...) of the JDK in ``home``, from its `release` file."""
    try:
        text = (home / "release").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("JAVA_VERSION="):
            major = line.split("=", 1)[1].strip().strip('"').split(".")[0]
            return int(major) if major.isdigit() else 0
    return 0


def real_engine_available() -> bool:
    """Whether this machine can run Elasticsearch itself (a JDK and Maven to fetch it)."""
    return bool(shutil.which("java") and shutil.which("mvn"))


def default_elasticsearch_root(base_dir: Path) -> Path:
    """Where the distribution, the development node and its pid file live.

    Under the project's gitignored ``var/`` folder; as root under ``/var/lib`` instead,
    because the unprivileged service user must be able to read the tree and a clone in
    ``/root`` is closed to it.
    """
    if os.geteuid() == 0:
        return Path("/var/lib/heres-how/elasticsearch")
    return Path(base_dir) / "var" / "elasticsearch"


DEVELOPMENT_PORT = 9200


def development_elasticsearch(base_dir: Path, port: int = DEVELOPMENT_PORT) -> LocalElasticsearch:
    """The node `manage.py elasticsearch start|stop|status` and `runportal` share (data kept)."""
    root = default_elasticsearch_root(base_dir)
    return LocalElasticsearch(root, root / "development", port=port)


class LocalElasticsearch:
    """A real single-node Elasticsearch on loopback, fetched once from Maven Central.

    Same start()/stop()/url interface as LocalSearchServer. ``root`` holds the downloaded
    distribution (shared by every node started from it); ``workdir`` holds this node's data,
    logs and pid file, so that ``stop`` and ``status`` work from another process.
    """

    def __init__(
        self,
        root: Path,
        workdir: Path,
        port: int | None = None,
        version: str = ELASTICSEARCH_VERSION,
        heap: str = "512m",
    ):
        self.root = Path(root)
        self.workdir = Path(workdir)
        self.version = version
        self.heap = heap
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self._pid: int | None = None
        self.java_home: Path | None = None

    # -- where things are

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def home(self) -> Path:
        return self.root / f"elasticsearch-{self.version}"

    @property
    def log_file(self) -> Path:
        return self.workdir / "logs" / "console.log"

    @property
    def state_file(self) -> Path:
        return self.workdir / "elasticsearch.json"

    # -- lifecycle

    def start(self, timeout: float = 300.0) -> LocalElasticsearch:
        self.java_home = newest_java_home()
        _require(
            "mvn",
            "Maven is missing: install it (Debian: apt-get install maven), or use "
            "noida-db (SEARCH_ENGINE=noida-db)",
        )
        running = self.running_pid()
        if running:
            raise EngineError(
                f"Elasticsearch already runs from {self.workdir} (pid {running}) on {self.url}: "
                "python manage.py elasticsearch stop"
            )
        if _port_taken(self.port):
            raise EngineError(f"Port {self.port} is taken by another server: choose --port")
        self.install()
        user = _service_user()
        for folder in ("data", "logs"):
            (self.workdir / folder).mkdir(parents=True, exist_ok=True)
            _give_to(self.workdir / folder, user)
        log = open(self.log_file, "ab")  # noqa: SIM115 - lives with the process
        settings = {
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": self.port,
            "transport.port": free_port(),
            "path.data": self.workdir / "data",
            "path.logs": self.workdir / "logs",
            "cluster.name": "heres-how",
            # The test distribution carries only the security module: left on, it would
            # rewrite config/ for TLS and a password on first start.
            "xpack.security.enabled": "false",
            # A nearly full development disk must not turn indices read-only.
            "cluster.routing.allocation.disk.threshold_enabled": "false",
        }
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": str(self.java_home),
            "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
            "LANG": "C.UTF-8",
        }
        self.process = subprocess.Popen(
            [str(self.home / "bin" / "elasticsearch")]
            + [f"-E{key}={value}" for key, value in settings.items()],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=self.workdir,
            start_new_session=True,  # stop() ends the launcher and the server JVM together
            **({"user": user[0], "group": user[1], "extra_groups": []} if user else {}),
        )
        self._pid = self.process.pid
        self.state_file.write_text(json.dumps({"pid": self._pid, "port": self.port}))
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        pid = self._pid or self.running_pid()
        if pid:
            _signal_group(pid, signal.SIGTERM)
            if not self._wait_for_exit(pid, 30):
                _signal_group(pid, signal.SIGKILL)
                self._wait_for_exit(pid, 10)
        self.state_file.unlink(missing_ok=True)
        self.process = None
        self._pid = None

    def running_pid(self) -> int | None:
        """The pid of the node started from this workdir, if it still runs (any process)."""
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        pid = int(state.get("pid", 0))
        self.port = int(state.get("port", self.port))
        if pid and _alive(pid):
            return pid
        return None

    def health(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/_cluster/health", timeout=5) as response:
            return json.load(response)

    # -- fetching

    def install(self) -> Path:
        """Fetch the distribution with Maven and unzip it, each only once."""
        if (self.home / "bin" / "elasticsearch").exists():
            self._install_analysis_plugin()
            return self.home
        self.root.mkdir(parents=True, exist_ok=True)
        archive = self.root / f"elasticsearch-{self.version}.zip"
        if not archive.exists():
            artifact = ELASTICSEARCH_ARTIFACT.format(version=self.version)
            fetched = subprocess.run(
                ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={artifact}",
                 f"-DoutputDirectory={self.root}"],
                capture_output=True, text=True, cwd=self.root,
            )  # fmt: skip
            if fetched.returncode != 0 or not archive.exists():
                reason = _last_error_line(fetched.stdout + fetched.stderr)
                raise EngineError(f"Maven could not fetch {artifact} from Maven Central: {reason}")
        unpacking = Path(tempfile.mkdtemp(prefix="unpacking-", dir=self.root))
        try:
            with zipfile.ZipFile(archive) as bundle:
                for member in bundle.infolist():
                    path = Path(bundle.extract(member, unpacking))
                    mode = member.external_attr >> 16  # zipfile drops the unix mode
                    if mode and not member.is_dir():
                        path.chmod(mode & 0o777)
            unpacking.chmod(0o755)
            (unpacking / self.home.name).rename(self.home)
        except zipfile.BadZipFile as exc:
            archive.unlink(missing_ok=True)  # fetched again next time
            raise EngineError(f"{archive} is not a valid zip ({exc}); run again") from exc
        finally:
            shutil.rmtree(unpacking, ignore_errors=True)
        self._install_analysis_plugin()
        user = _service_user()
        if user:  # the node writes its keystore into config/
            _give_to(self.home / "config", user)
        return self.home

    def _install_analysis_plugin(self) -> None:
        """Compile and add heres-how-analysis: the test distribution lacks analysis-common.

        See search/elasticsearch_analysis/README.md.
        """
        if (self.home / "modules" / "analysis-common").exists():
            return
        sources = sorted(ANALYSIS_PLUGIN.rglob("*.java"))
        stamp = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
        target = self.home / "plugins" / ANALYSIS_PLUGIN_NAME
        if (target / "source.sha256").exists() and (target / "source.sha256").read_text() == stamp:
            return  # built from these sources already
        javac = _require(
            "javac", "javac is missing: install a JDK 17 or newer, not only a JRE "
            "(Debian: apt-get install openjdk-17-jdk-headless)"
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as scratch:
            classes = Path(scratch) / "classes"
            compiled = subprocess.run(
                [javac, "-nowarn", "-d", str(classes), "-cp", str(self.home / "lib" / "*"),
                 *map(str, sources)],
                capture_output=True, text=True,
            )  # fmt: skip
            if compiled.returncode != 0:
                raise EngineError(
                    "Could not compile the heres-how-analysis plugin for Elasticsearch "
                    f"{self.version}: {_last_error_line(compiled.stderr)}"
                )
            target.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(target / f"{ANALYSIS_PLUGIN_NAME}.jar", "w") as jar:
                for path in sorted(classes.rglob("*.class")):
                    jar.write(path, path.relative_to(classes).as_posix())
        descriptor = (ANALYSIS_PLUGIN / "stable-plugin-descriptor.properties").read_text()
        (target / "stable-plugin-descriptor.properties").write_text(
            descriptor.replace("@ELASTICSEARCH_VERSION@", self.version)
        )
        shutil.copy(ANALYSIS_PLUGIN / "named_components.json", target)
        (target / "source.sha256").write_text(stamp)

    # -- helpers

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise EngineError(
                    f"Elasticsearch exited early with {self.process.returncode}: "
                    f"see {self.log_file}"
                )
            try:
                health = self.health()
            except (OSError, ValueError):
                time.sleep(0.5)
                continue
            if health.get("status") == "green" or (
                health.get("status") == "yellow" and not health.get("unassigned_primary_shards", 0)
            ):
                return
            time.sleep(0.5)
        raise EngineError(
            f"Elasticsearch did not become ready on {self.url} within {timeout:.0f}s: "
            f"see {self.log_file}"
        )

    @staticmethod
    def _wait_for_exit(pid: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG) != (0, 0):
                    return True
            except ChildProcessError:  # not our child: started by another invocation
                if not _alive(pid):
                    return True
            time.sleep(0.2)
        return False


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "taken"
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _require(program: str, message: str) -> str:
    found = shutil.which(program)
    if not found:
        raise EngineError(message)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the session the node was started in: launcher and JVM
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _service_user() -> tuple[int, int] | None:
    """As root, the unprivileged system user the node runs as (created once); else None."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        created = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            capture_output=True, text=True,
        )  # fmt: skip
        if created.returncode != 0:
            raise EngineError(
                f"Elasticsearch refuses to run as root and the user {SERVICE_USER} could not "
                f"be created: {_last_error_line(created.stderr)}"
            ) from None
        entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid


def _give_to(folder: Path, user: tuple[int, int] | None) -> None:
    if not user:
        return
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, *user, follow_symlinks=False)
    # Every parent must let the service user through (data may sit under a private tmp).
    for parent in folder.parents:
        if parent.stat().st_mode & 0o001 == 0 and parent != Path("/"):
            raise EngineError(
                f"{parent} is closed to the user {SERVICE_USER} that runs Elasticsearch: "
                "choose a folder outside it"
            )


def _last_error_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "error" in line]
    return (errors or lines or ["no output"])[0][:300]
