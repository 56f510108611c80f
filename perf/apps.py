from django.apps import AppConfig


class PerfConfig(AppConfig):
    """Speed in production: the anonymous page cache, the CDN purge and image renditions.

    (The benchmark is development tooling: devtools/.)
    """

    name = "perf"
    verbose_name = "Performance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from casestudies.serving import register_content_version

        from . import signal_handlers
        from .cache import content_version

        signal_handlers.connect()
        # Routed public stories are kept under the content generation and the release
        # (casestudies/serving.py).
        register_content_version(content_version)
