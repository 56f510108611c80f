from django.apps import AppConfig


class PerfConfig(AppConfig):
    """Speed in production: the anonymous page cache, the CDN purge and image renditions.

    (The benchmark is development tooling: devtools/.)
    """

    name = "perf"
    verbose_name = "Performance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
