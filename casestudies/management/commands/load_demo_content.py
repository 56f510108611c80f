"""`manage.py load_demo_content`: a populated portal for newcomers and demos."""

from django.core.management.base import BaseCommand, CommandError

from casestudies.demo.loader import DemoContentError, ensure_admin, load_demo_content


class Command(BaseCommand):
    help = (
        "Load anonymized demo content: industries, intervention types, supply-chain stages, "
        "regions, impact metrics, 30+ case studies and 15+ bright spots with results and "
        "generated hero images, each published through a revision. Safe to run again: "
        "anything that already exists (matched by slug) is left unchanged. Also points the "
        "default site at SITE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the final summary (no progress bar)."
        )
        parser.add_argument(
            "--admin",
            nargs="?",
            const="admin",
            default=None,
            metavar="PASSWORD",
            help="Also create a superuser 'admin' with this password (default 'admin'), or "
            "reset its password if it exists. Never use in production.",
        )

    def handle(self, *args, quiet: bool = False, admin: str | None = None, **options):
        progress = None if quiet else self._progress
        try:
            report = load_demo_content(progress=progress)
        except DemoContentError as error:
            raise CommandError(str(error)) from error
        except Exception as error:
            # Most likely the publish guard refused a page: say which step failed.
            raise CommandError(f"Loading demo content failed: {error}") from error

        created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items()))
        existing = sum(report.existing.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content loaded for {report.site}: "
                f"created {created or 'nothing'}; {existing} items already present."
            )
        )
        if admin is not None:
            ensure_admin(admin)
            self.stdout.write(f"Admin login: username admin, password {admin} (/admin/)")

    def _progress(self, done: int, total: int, label: str) -> None:
        width = 30
        filled = width * done // total
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:60]}"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line:<110}", ending="\n" if done == total else "")
            self.stdout.flush()
        else:
            self.stdout.write(line)
