from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Follow any search by e-mail: sign-up, matching new stories, and the outbox that sends."""

    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signal_handlers

        signal_handlers.connect()
