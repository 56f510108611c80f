"""The API documentation works without internet: its viewer comes from the portal itself."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_api_documentation_loads_its_viewer_from_the_portal(client):
    response = client.get("/api/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is fetched from another site"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped"
