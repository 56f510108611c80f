from django.apps import AppConfig


class AnonymityConfig(AppConfig):
    name = "anonymity"
