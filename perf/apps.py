from django.apps import AppConfig


class PerfConfig(AppConfig):
    """Speed: the anonymous full-page cache and the benchmark."""

    name = "perf"
    verbose_name = "Performance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 - connects the cache invalidation handlers
