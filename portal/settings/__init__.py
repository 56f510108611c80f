"""Pick the environment's settings; DJANGO_ENV is read once, in base."""

from .base import DJANGO_ENV

if DJANGO_ENV == "production":
    from .production import *  # noqa: F403
else:
    from .dev import *  # noqa: F403
