"""Pick the environment's settings; DJANGO_ENV is read once, in base.

Development settings only when asked for by name (DJANGO_ENV=development, as
`make run` and `make bench` do); anything else, unset included, is production,
which refuses to start on development defaults. The test suite uses
portal.settings.test (pyproject.toml).
"""

from .base import _SETTINGS_MODULE, DJANGO_ENV

if _SETTINGS_MODULE != "portal.settings":
    pass  # e.g. portal.settings.test: Python imports this package first, then that module
elif DJANGO_ENV == "development":
    from .dev import *  # noqa: F403
else:
    from .production import *  # noqa: F403
