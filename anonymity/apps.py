from django.apps import AppConfig


class AnonymityConfig(AppConfig):
    name = "anonymity"

    def ready(self):
        from . import members  # noqa: F401 - connects the member-group signal
