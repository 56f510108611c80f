from django.apps import AppConfig


class CaseStudiesConfig(AppConfig):
    name = "casestudies"
    verbose_name = "Case studies and bright spots"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
