"""build.py without a browser: input verification, the pack format, and the built site's files."""

from __future__ import annotations

import ast
import gzip
import hashlib
import json
import re
import urllib.request
import zipfile
from pathlib import Path

import pytest
from site_files import read_pack

ROOT = Path(__file__).resolve().parents[1]

SIZE_LIMIT = 22_000_000  # bytes, the self-contained site's budget


def test_verify_refuses_a_mismatched_file(build_module, tmp_path):
    wheel = tmp_path / "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    wheel.write_bytes(b"not the official numpy")
    with pytest.raises(build_module.BuildError, match=r"(?s)sha256 mismatch .*Refusing to build"):
        build_module.verify(wheel, "0" * 64, "numpy (official pyodide-lock.json)")


def test_find_dist_matches_normalised_names_and_exact_versions(build_module, tmp_path):
    for name in (
        "typing_extensions-4.16.0-py3-none-any.whl",
        "pyyaml-6.0.4.tar.gz",
        "typing_extensions-4.15.0-py3-none-any.whl",
    ):
        (tmp_path / name).touch()
    found = build_module._find_dist(tmp_path, "typing-extensions==4.16.0", ".whl")
    assert found.name == "typing_extensions-4.16.0-py3-none-any.whl"
    sdist = build_module._find_dist(tmp_path, "PyYAML==6.0.4", ".tar.gz")
    assert sdist.name == "pyyaml-6.0.4.tar.gz"
    assert build_module._find_dist(tmp_path, "pyyaml==6.0.3", ".tar.gz") is None


def test_strip_wheel_drops_static_folders_and_their_record_lines(build_module, tmp_path):
    wheel = tmp_path / "panel-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("panel/__init__.py", "x = 1\n")
        zf.writestr("panel/dist/panel.min.js", "js")
        zf.writestr(
            "panel-1.0.dist-info/RECORD",
            "panel/__init__.py,sha256=a,6\npanel/dist/panel.min.js,sha256=b,2\n",
        )
    with zipfile.ZipFile(build_module.strip_wheel(wheel, tmp_path / "out")) as zf:
        assert zf.namelist() == ["panel/__init__.py", "panel-1.0.dist-info/RECORD"]
        assert "dist" not in zf.read("panel-1.0.dist-info/RECORD").decode()


def test_strip_wheel_cache_follows_the_strip_rules_not_file_times(
    build_module, tmp_path, monkeypatch
):
    wheel = tmp_path / "panel-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("panel/__init__.py", "x = 1\n")
        zf.writestr("panel/extra/a.js", "js")
        zf.writestr("panel-1.0.dist-info/RECORD", "")
    first = build_module.strip_wheel(wheel, tmp_path / "out")
    with zipfile.ZipFile(first) as zf:
        assert "panel/extra/a.js" in zf.namelist()
    monkeypatch.setattr(build_module, "WHEEL_STRIP", (*build_module.WHEEL_STRIP, "panel/extra/"))
    with zipfile.ZipFile(build_module.strip_wheel(wheel, tmp_path / "out")) as zf:
        assert "panel/extra/a.js" not in zf.namelist()  # new rules: stripped anew


def test_external_urls_finds_page_references_but_not_namespaces(build_module, tmp_path):
    (tmp_path / "index.html").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"></svg><script src="https://cdn.x.org/a.js">'
    )
    assert build_module.external_urls(tmp_path) == ["index.html: https://cdn.x.org/a.js"]


def test_site_is_self_contained_and_small(build_module, built_site):
    assert build_module.external_urls(built_site) == []
    size, _ = build_module.site_size(built_site)
    assert size <= SIZE_LIMIT, f"site is {size / 1e6:.1f} MB"


def test_page_has_title_description_preview_and_url_aware_worker(built_site):
    page = (built_site / "index.html").read_text()
    assert "<title>Layer Lab" in page
    for tag in (
        'name="description"',
        'property="og:title"',
        'property="og:image"',
        'name="twitter:card"',
        'rel="icon"',
    ):
        assert tag in page
    assert 'new Worker("./app.js", {name: location.search + location.hash})' in page
    assert "About Layer Lab" in page
    assert "dZ = A − Y" in page
    # Every local asset the page names exists.
    for ref in re.findall(r'(?:src|href)="([^"#:]+)"', page):
        assert (built_site / ref).exists(), ref


def test_service_worker_downloads_nothing_itself_and_serves_this_versions_cache(built_site):
    script = (built_site / "sw.js").read_text()
    install = re.search(r'addEventListener\("install", (.*?)\);\n', script, re.S).group(1)
    assert "fetch" not in install  # and no cache.addAll: the page fills the cache
    assert "addAll" not in script
    version = re.search(r'const CACHE = "layerlab-([0-9a-f]{16})";', script).group(1)
    assert f'const CACHE = "layerlab-{version}";' in (built_site / "index.html").read_text()
    assert f'"cacheName": "layerlab-{version}"' in (built_site / "app.js").read_text()


def test_pack_holds_the_app_and_bytecode_for_what_it_imports(built_site):
    numpy = read_pack(built_site / "packs" / "numpy.pack.xz")  # imported while the rest comes
    assert all(name.startswith("numpy") for name in numpy)
    pack = read_pack(built_site / "packs" / "site-packages.pack.xz") | numpy
    for module in (
        "layerlab/ui/app.pyc",
        "panel/__init__.pyc",
        "numpy/__init__.pyc",
        "bokeh/__init__.pyc",
        "packaging/version.pyc",
    ):
        assert module in pack
    pyc = pack["panel/__init__.pyc"]
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, unchecked
    assert not any(name.startswith(("panel/dist/", "bokeh/server/static/")) for name in pack)


def test_first_pack_is_bytecode_of_the_traced_modules_and_the_rest_is_in_the_second(
    built_site,
):
    first = read_pack(built_site / "packs" / "site-packages.pack.xz")
    first |= read_pack(built_site / "packs" / "numpy.pack.xz")
    second = read_pack(built_site / "packs" / "second.pack.gz")
    sources = sorted(name for name in first if name.endswith(".py"))
    # Modules whose source is read at run time (the build names them): Bokeh's paths module
    # reads its own, and the script export copies the core's (layerlab.export.bundle).
    core = ["activations", "datasets", "initializers", "network", "optimizers"]
    core += ["regularization", "steps", "export/reading", "features"]
    assert sources == sorted(["bokeh/util/paths.py", *(f"layerlab/{name}.py" for name in core)])
    assert not set(first) & {name.removeprefix("site-packages/") for name in second}
    # Never imported by the app: only in the second pack, as bytecode.
    assert "site-packages/xyzservices/__init__.pyc" in second
    assert not any(name.startswith("xyzservices/") for name in first)
    listed = first["_layerlab_second_pack.txt"].decode().split()
    assert {"xyzservices", "narwhals", "ftplib", "email.mime.text", "numpy.fft"} <= set(listed)
    assert not {"numpy", "panel", "layerlab.ui.app", "encodings.utf_8_sig"} & set(listed)
    # Panel checks that these exist without opening them: the trace saw the checks.
    assert "panel/theme/css/default.css" in first


def test_shipped_bytecode_has_no_docstrings(built_site):
    pyc = read_pack(built_site / "packs" / "site-packages.pack.xz")["layerlab/training.pyc"]
    tree = ast.parse((ROOT / "app" / "layerlab" / "training.py").read_text())
    documented = [
        n for n in ast.walk(tree) if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef)
    ]
    docstrings = [ast.get_docstring(n, clean=False) for n in documented]
    assert len([d for d in docstrings if d]) >= 5
    for docstring in filter(None, docstrings):
        assert docstring.encode() not in pyc
    assert b"Trainer" in pyc
    assert b"DivergenceError" in pyc


def test_preview_is_the_plain_links_document_with_sequential_ids(built_site):
    docs_json, render_items, root_ids = json.loads(
        gzip.decompress((built_site / "preview.json.gz").read_bytes())
    )
    (document,) = json.loads(docs_json).values()
    roots = json.loads(root_ids)
    assert [root["id"] for root in document["roots"]] == roots
    assert all(re.fullmatch(r"p\d+", model_id) for model_id in roots)
    assert json.loads(render_items)[0]["root_ids"] == roots
    assert document["title"] == "Layer Lab"
    assert '"label": "Copy link"' in docs_json
    assert '"panel/1.9.4/dist/css/' in docs_json  # stylesheets relative to the page
    # The page draws only this very file: it knows its sha256.
    page = (built_site / "index.html").read_text()
    shown = json.loads(re.search(r"const PREVIEW = (\{.*?\});", page).group(1))
    inflated = gzip.decompress((built_site / "preview.json.gz").read_bytes())
    assert shown == {"url": "preview.json.gz", "sha256": hashlib.sha256(inflated).hexdigest()}


def test_template_pack_holds_jinja_bytecode_for_the_templates_panel_and_bokeh_load(built_site):
    templates = read_pack(built_site / "packs" / "templates.pack.xz")
    assert len(templates) >= 15
    for name, data in templates.items():
        assert re.fullmatch(r"__jinja2_[0-9a-f]{40}\.cache", name)
        assert data.startswith(b"j2")  # Jinja's bytecode-cache magic


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("pyodide/pyodide.asm.js", "text/javascript"),
        ("pyodide/pyodide-lock.json", "application/json"),
        ("pyodide/pyodide.asm.wasm.xz", "application/x-xz"),
        ("packs/second.pack.gz", "application/gzip"),
        ("favicon.svg", "image/svg+xml"),
        ("index.html", "text/html"),
    ],
)
def test_server_sends_the_right_mime_types(site_server, path, mime):
    with urllib.request.urlopen(site_server.url + path) as response:
        assert response.headers["Content-Type"].split(";")[0] == mime


def test_cdn_build_pins_pyodide_and_gives_every_cdn_script_an_integrity_hash(
    build_module, tmp_path
):
    site = build_module.build(mode="cdn", site=tmp_path / "site")
    page = (site / "index.html").read_text()
    scripts = re.findall(r"<script[^>]*\bsrc=\"https://[^>]*>", page)
    assert scripts
    assert all('integrity="sha384-' in tag for tag in scripts), scripts
    worker = (site / "app.js").read_text()
    assert f"https://cdn.jsdelivr.net/pyodide/v{build_module.PYODIDE_VERSION}/full/" in worker
    assert not (site / "pyodide").exists()
    assert 'new Worker("./app.js", {name: location.search + location.hash})' in page
