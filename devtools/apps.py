from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tooling: `runportal` (make run) and the benchmark (make bench).

    Installed only with DJANGO_ENV=development (portal/settings/dev.py) and in the test
    settings; production neither installs nor packages it (pyproject.toml).
    """

    name = "devtools"
    verbose_name = "Development tools"
