"""Python restored from a snapshot is the Python that was snapshotted (``static/snapshot.js``).

A repeat visit starts from the interpreter its first visit kept right after the imports,
with NumPy's compiled libraries loaded again at the places they had. Under Node, with the
fast build's own Pyodide, standard library and packs (``tests/snapshot_check.js``), one
interpreter does the worker's imports, keeps a snapshot and builds the app; a second one
starts from that snapshot and builds the app. Both must make the same document (but for
the fresh document ids and the object ids Panel writes into link tags) and the same NumPy
results (compiled code: a ufunc loop, sorting, linear algebra, the random generators),
and the restored one must draw fresh random seeds. A snapshot that does not fit (another
function table, a library the packs lack, not a snapshot at all) is refused with a
message naming what does not fit. The page's side (keep, restore, refuse and start
afresh) is tested in the browser by ``test_site_first_visit.py``.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "tests" / "snapshot_check.js"
APP = ROOT / "app" / "main.py"
NODE = shutil.which("node")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TAG_ID = re.compile(r"\[\[\d+, \[")  # a link's tag starts with id() of a Python object


@dataclass
class Setup:
    """How tests/snapshot_check.js sets Python up: build.py's Node setup and the app's imports."""

    file: Path
    app_imports: str

    def run(self, mode: str, out: Path) -> subprocess.CompletedProcess:
        if NODE is None:
            pytest.fail("node is not installed: bash .ci/setup installs it")
        command = [NODE, CHECK, mode, self.file, APP, self.app_imports, out]
        return subprocess.run(list(map(str, command)), capture_output=True, text=True)


@pytest.fixture(scope="module")
def made(build_module, built_site, tmp_path_factory) -> tuple[Setup, Path]:
    """(the setup, a folder holding a snapshot and what the interpreter made next)."""
    inputs = build_module.gather_inputs(build_module.CACHE, None)
    python = build_module.ship_python(inputs, APP, build_module.CACHE)
    packs = [python / build_module.EARLY_PACK[0], python / "site-packages.pack"]
    out = tmp_path_factory.mktemp("snapshot")
    node_setup = build_module.node_setup(inputs, python / "python_stdlib.zip", packs, second=python)
    (out / "setup.json").write_text(json.dumps(node_setup))
    setup = Setup(out / "setup.json", build_module.app_imports(APP))
    result = setup.run("make", out)
    assert result.returncode == 0, result.stderr[-4000:]
    return setup, out


def comparable(render: list) -> str:
    return TAG_ID.sub("[[ID, [", UUID.sub("UUID", json.dumps(render)))


def test_a_restored_interpreter_builds_the_same_app_and_computes_the_same(made):
    setup, out = made
    result = setup.run("restore", out)
    assert result.returncode == 0, result.stderr[-4000:]
    before = json.loads((out / "make.json").read_text())
    after = json.loads((out / "restore.json").read_text())
    assert after["numbers"]["seeded"] == before["numbers"]["seeded"]
    assert comparable(after["render"]) == comparable(before["render"])
    assert before["fetched"] == after["fetched"] == []  # nothing from the second pack
    # Both went on from one random state; the restored one re-seeded (after_restore).
    unseeded = before["numbers"]["unseeded"], after["numbers"]["unseeded"]
    assert unseeded[0]["numpy"] != unseeded[1]["numpy"]
    assert unseeded[0]["python"] != unseeded[1]["python"]


def with_header(snapshot: bytes, change) -> bytes:
    """The snapshot with ``change`` applied to its header (re-padded as snapshot.js pads)."""
    (length,) = struct.unpack_from("<I", snapshot)
    header = json.loads(snapshot[4 : 4 + length])
    change(header)
    text = json.dumps(header).encode()
    padded = -(-(4 + len(text)) // 16) * 16
    return struct.pack("<I", padded - 4) + text.ljust(padded - 4) + snapshot[4 + length :]


def other_table(header: dict) -> None:
    header["table"] = "0"


def missing_library(header: dict) -> None:
    header["libraries"][0]["path"] += ".gone"


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda s: with_header(s, other_table), "the function table differs from the snapshot's"),
        (lambda s: with_header(s, missing_library), ".so.gone is not in the packs"),
        (lambda s: b"\x01\x02\x03\x04" * 8, "not a snapshot"),
        (lambda s: s[: len(s) // 2], "bytes whose header says"),
    ],
    ids=["another table", "a missing library", "not a snapshot", "cut in half"],
)
def test_a_snapshot_that_does_not_fit_is_refused(made, tmp_path, spoil, message):
    setup, out = made
    (tmp_path / "snapshot").write_bytes(spoil((out / "snapshot").read_bytes()))
    result = setup.run("restore", tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_snapshot_has_the_entry_scripts_own_imports(build_module, tmp_path):
    script = tmp_path / "main.py"
    script.write_text(
        '"""An app."""\nimport panel as pn\nimport a.b, c\nfrom d.e import f\nfrom . import g\n'
        "from d.e import h\nif pn:\n    import later\n"
    )
    assert build_module.app_imports(script) == "import panel, a.b, c, d.e"
    assert build_module.app_imports(APP).startswith("import panel, layerlab.ui")
