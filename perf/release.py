"""The name of the code a process runs, so that a deploy starts from fresh cached answers.

Cached answers and page parts (``perf.cache``) are keyed by the content generation,
which moves with content, not with code: after a deploy that changed only a template,
the old code's pages and parts would be served until they expire. Their keys also
name the release (``settings.RELEASE``), so new code reads only what new code stored,
and processes of the old code, still answering during a rolling deploy, keep theirs.

The release comes from the environment (``RELEASE``: a commit or image tag). Without
it, it is a digest of the code itself: every file of the portal's packages and static
directory, and the name and version of every installed distribution. A digest of
contents, not of modification times, so that every app server of one deploy computes
the same name and shares one cache.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

_SKIPPED_DIRECTORIES = {"__pycache__", "node_modules"}


def installed_release(base_dir: Path) -> str:
    """A digest of the portal's code under ``base_dir`` and of the installed distributions."""
    digest = hashlib.sha256()
    for path in _code_files(base_dir):
        digest.update(path.relative_to(base_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for distribution in _distributions():
        digest.update(distribution.encode() + b"\0")
    return digest.hexdigest()[:16]


def _code_files(base_dir: Path) -> list[Path]:
    """Files of the top-level packages (code, templates, app static files) and ``static/``:
    never media, databases or caches beside them."""
    roots = [d for d in base_dir.iterdir() if (d / "__init__.py").is_file()]
    roots += [base_dir / "static"]
    files = []
    for root in sorted(roots):
        for directory, subdirectories, names in os.walk(root):
            subdirectories[:] = [
                d for d in subdirectories if d not in _SKIPPED_DIRECTORIES and not d.startswith(".")
            ]
            files += [Path(directory, name) for name in names if not name.endswith(".pyc")]
    return sorted(files)


def _distributions() -> list[str]:
    """Installed distributions as their metadata directories name them (name and version):
    an upgraded Wagtail renders pages anew."""
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.update(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return sorted(found)
