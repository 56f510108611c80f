"""What every browser test may ask for: the axe-core source for accessibility audits."""

from tests.browser.accessibility import axe_source  # noqa: F401 - a fixture, found by name
