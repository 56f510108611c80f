"""Dependencies point one way: base < casestudies < perf < capabilities < portal.

The same check CI runs (`lint-imports`, the contract in pyproject.toml), so `make test`
fails too when an app imports from a layer above it, lazily or not.
"""

import subprocess
import sys
from pathlib import Path

from importlinter.api import read_configuration

ROOT = Path(__file__).resolve().parent.parent
CAPABILITIES = {"anonymity", "search", "embeds", "impact"}


def layers() -> list[set[str]]:
    """The layers contract's layers, top first, each as the set of its apps."""
    contracts = read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]
    (contract,) = [c for c in contracts if c["type"] == "layers"]
    return [
        {name.strip() for name in layer.replace("|", ":").split(":")}
        for layer in contract["layers"]
    ]


def test_no_app_imports_from_a_layer_above_it():
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_content_app_sits_below_every_capability():
    order = layers()
    position = {app: n for n, layer in enumerate(order) for app in layer}
    assert position["portal"] == 0
    assert all(position[app] < position["casestudies"] for app in CAPABILITIES | {"perf"})
    assert position["casestudies"] < position["base"]
