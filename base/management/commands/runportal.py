"""One command from a fresh clone to a browsable portal (what `make run` calls)."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from search.server import LocalSearchServer, answers


class Command(BaseCommand):
    help = (
        "Migrate, start a local Elasticsearch-compatible server (noida-db) unless "
        "ELASTICSEARCH_URL is set, load the demo content, index it and serve the portal "
        "on http://127.0.0.1:8000 (development only)."
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

    def _search_server(self) -> LocalSearchServer | None:
        if settings.ELASTICSEARCH_URL:
            self.stdout.write(f"Using Elasticsearch at {settings.ELASTICSEARCH_URL}")
            return None
        server = LocalSearchServer(
            Path(settings.BASE_DIR) / ".noida-db", port=settings.LOCAL_SEARCH_PORT
        )
        if answers(server.url):
            self.stdout.write(f"Using the local search server already on {server.url}")
            settings.ELASTICSEARCH_URL = server.url
            return None
        self.stdout.write(f"Starting a local search server (noida-db) on {server.url} ...")
        server.start()
        settings.ELASTICSEARCH_URL = server.url
        return server
