"""One command from a fresh clone to a browsable portal (what `make run` calls)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from search.server import (
    EngineError,
    LocalElasticsearch,
    LocalSearchServer,
    answers,
    development_elasticsearch,
    engine_version,
    real_engine_available,
)


class Command(BaseCommand):
    help = (
        "Migrate, start a search engine unless ELASTICSEARCH_URL is set (Elasticsearch "
        "itself when Java and Maven are present, see `manage.py elasticsearch`, otherwise "
        "noida-db, the pip-only stand-in), load the demo content, index it and serve the "
        "portal on http://127.0.0.1:8000 (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare everything, then exit."
        )

    def handle(self, *args, addrport: str, no_serve: bool, **options):
        if not settings.DEBUG:
            self.stderr.write("runportal is for development; use a WSGI server in production.")
            return
        server = self._search_server()
        try:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("Database ready.")
            call_command("load_demo_content", admin="admin")
            if "search_index" in get_commands():
                call_command("search_index", "rebuild")
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nPortal: http://{addrport}/\nAdmin:  http://{addrport}/admin/ "
                    "(user admin, password admin)\n"
                )
            )
            if not no_serve:
                call_command("runserver", addrport, use_reloader=False)
        finally:
            if server:
                server.stop()

    def _search_server(self) -> LocalSearchServer | LocalElasticsearch | None:
        """The search engine this run uses, said out loud; the one it started, if any."""
        try:
            return self._start_search_engine()
        except EngineError as exc:
            raise CommandError(str(exc)) from None

    def _start_search_engine(self) -> LocalSearchServer | LocalElasticsearch | None:
        if settings.ELASTICSEARCH_URL:
            url = settings.ELASTICSEARCH_URL
            self._say(f"Elasticsearch {engine_version(url)} at {url} (ELASTICSEARCH_URL)")
            return None
        if real_engine_available():
            node = development_elasticsearch(Path(settings.BASE_DIR))
            started = None
            if not node.running_pid():
                self.stdout.write(
                    f"Starting Elasticsearch {node.version} on {node.url} (tens of seconds; "
                    "`manage.py elasticsearch start` keeps one running between runs) ..."
                )
                started = node.start()
            settings.ELASTICSEARCH_URL = node.url
            self._say(f"Elasticsearch {engine_version(node.url)} on {node.url} (local)")
            return started
        server = LocalSearchServer(
            Path(settings.BASE_DIR) / ".noida-db", port=settings.LOCAL_SEARCH_PORT
        )
        if not answers(server.url):
            server.start()
        else:
            server = None  # already running, started by someone else: leave it be
        settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{settings.LOCAL_SEARCH_PORT}"
        self._say(
            f"noida-db on {settings.ELASTICSEARCH_URL}, the pip-only stand-in (install Java 17+ "
            "and Maven for Elasticsearch itself)"
        )
        return server

    def _say(self, engine: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"Search engine: {engine}"))
