from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    """Playbooks and side-by-side comparison, drawn from the published case studies."""

    name = "playbooks"
