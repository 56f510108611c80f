from django.apps import AppConfig


class AnonymityConfig(AppConfig):
    name = "anonymity"

    def ready(self):
        from . import checks, demo, members, recheck, signal_handlers  # noqa: F401 - receivers

        # The guard on the publish path (the content app fails closed without it)
        # and the backstop behind it.
        signal_handlers.connect()
        # Re-checks after the fact; demo companies (issue 11, 4-5).
        recheck.connect()
        demo.connect()
