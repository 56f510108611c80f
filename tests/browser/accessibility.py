"""axe-core audits for the browser tests: installed once from npm, run at desktop and phone width.

axe-core 4 comes from npm into the gitignored var/axe-core the first time a test asks for
``axe_source``; every audit then fails listing each serious or critical problem per page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests.browser.chromium import DESKTOP, PHONE, launch

AXE_DIR = Path(settings.BASE_DIR) / "var" / "axe-core"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core 4 from npm, installed once into var/axe-core (gitignored)."""
    if not AXE_FILE.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("The accessibility tests need npm to install axe-core: apt-get install npm")
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", AXE_DIR]
            + ["axe-core@4"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE_FILE.read_text()


def axe_violations(page, axe_source: str) -> list[str]:
    """Serious and critical problems axe-core finds on the page as it is now."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, {resultTypes: ['violations']});
          return {
            checked: r.passes.length,
            serious: r.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
              .map((v) => `${v.id} (${v.impact}): ${v.help} -- ${v.nodes.length} node(s), e.g. `
                + v.nodes[0].target.join(' ')),
          };
        }"""
    )
    assert result["checked"] > 10  # axe really ran its rules on the page
    return result["serious"]


def assert_no_axe_violations(base_url: str, pages: dict[str, str], axe_source: str) -> None:
    """Audit every page (name: path) at desktop and phone width; fail listing what axe found."""
    problems = {}
    with sync_playwright() as p:
        browser = launch(p)
        # The portal's CSP refuses injected scripts, axe included: bypass it for the audit.
        for viewport in (DESKTOP, PHONE):
            page = browser.new_context(viewport=viewport, bypass_csp=True).new_page()
            for name, path in pages.items():
                page.goto(base_url + path)
                found = axe_violations(page, axe_source)
                if found:
                    problems[f"{name} ({path}) at {viewport['width']} px"] = found
        browser.close()
    assert problems == {}, json.dumps(problems, indent=2)
