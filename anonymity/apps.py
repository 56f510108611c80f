from django.apps import AppConfig


class AnonymityConfig(AppConfig):
    name = "anonymity"

    def ready(self):
        from . import checks, signal_handlers  # noqa: F401 - system checks

        # The guard on the publish path (the content app fails closed without it), its
        # backstop, the re-checks after the fact and the demo companies.
        signal_handlers.connect()
