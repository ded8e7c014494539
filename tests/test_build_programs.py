"""The JavaScript of the site and of the build is code too: it parses, and the pack
format's one reader (``static/pack.js``) reads what its one writer (build.py) writes.

(The Python programs in ``static/build/`` are covered by ruff, see test_lint.py, and run by
every fast build.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
NODE = shutil.which("node")
SCRIPTS = sorted([*STATIC.glob("*.js"), *(STATIC / "build").glob("*.js")])

READ_PACK_JS = """
const { packIndex, writePack } = require(process.argv[1]);
const pack = new Uint8Array(require("fs").readFileSync(process.argv[2]));
const written = {};
const FS = {
  mkdirTree() {},
  writeFile(path, data) { written[path] = Buffer.from(data).toString(); },
};
try {
  writePack(FS, "/root", pack);
  console.log(JSON.stringify({index: packIndex(pack), written}));
} catch (error) {
  console.log(JSON.stringify({error: error.message}));
}
"""


def node(*args: str) -> subprocess.CompletedProcess:
    if NODE is None:
        pytest.fail("node is not installed: bash .ci/setup installs it")
    return subprocess.run([NODE, *args], capture_output=True, text=True)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(STATIC)))
def test_script_parses(script):
    result = node("--check", str(script))
    assert result.returncode == 0, result.stderr


def test_page_scripts_parse(tmp_path):
    for page in ("head.html", "body.html"):
        for i, code in enumerate(
            re.findall(r"<script>(.*?)</script>", (STATIC / page).read_text(), re.S)
        ):
            script = tmp_path / f"{page}-{i}.js"
            script.write_text(code.replace("__PREVIEW__", "null").replace("__OFFLINE__", "true"))
            result = node("--check", str(script))
            assert result.returncode == 0, f"{page} script {i}: {result.stderr}"


def read_with_pack_js(pack: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "x.pack"
    path.write_bytes(pack)
    result = node("-e", READ_PACK_JS, str(STATIC / "pack.js"), str(path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_pack_js_reads_what_build_py_writes(build_module, tmp_path):
    files = [("a/b.pyc", b"bytecode"), ("c.txt", "é".encode()), ("empty", b"")]
    read = read_with_pack_js(build_module.write_pack(files), tmp_path)
    assert read["written"] == {"/root/a/b.pyc": "bytecode", "/root/c.txt": "é", "/root/empty": ""}
    assert [entry[0] for entry in read["index"]] == ["a/b.pyc", "c.txt", "empty"]


def test_pack_js_refuses_a_truncated_pack(build_module, tmp_path):
    pack = build_module.write_pack([("a.txt", b"0123456789")])
    read = read_with_pack_js(pack[:-3], tmp_path)
    assert read["error"] == f"a pack of {len(pack) - 3} bytes whose index lists {len(pack)}"
