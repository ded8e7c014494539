"""The worker bootstrap's start-up shortcuts for param, Bokeh and Panel change nothing a
class ends up with, nor what a figure's glyph methods make.

``static/worker_bootstrap.py`` replaces param's per-parameter inheritance step, which runs
for every parameter of every ``Parameterized`` class as it is created, with a faster
restatement (``_lighten_param``), defers ``panel.chat`` to its first use, and makes Bokeh's
glyph methods without their generated signatures. The tests import Panel, Bokeh and the
app's UI in two fresh CPython processes, one with the bootstrap loaded first (as in the
worker), then use ``panel.chat`` and compare what every class's parameters hold, slot by
slot; call every glyph method both ways and compare what each call makes; and build the
app's document both ways (Bokeh does not validate values while the worker's app starts).
"""

from __future__ import annotations

import ast
import gc
import importlib.util
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import param
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT / "static" / "worker_bootstrap.py"

# A script's first lines: argv[1] "with-bootstrap" loads and installs it (argv[2]) first.
LOAD_BOOTSTRAP = r"""
import importlib.util, json, re, sys, types, warnings

if sys.argv[1] == "with-bootstrap":  # the worker's Python side, with Pyodide's modules stubbed
    pyodide = types.ModuleType("pyodide")
    pyodide.code, pyodide.ffi = types.ModuleType("pyodide.code"), types.ModuleType("pyodide.ffi")
    pyodide.__version__ = "0.27.7"
    sys.modules.update(pyodide=pyodide)
    sys.modules.update({"pyodide.code": pyodide.code, "pyodide.ffi": pyodide.ffi})
    spec = importlib.util.spec_from_file_location("_layerlab_worker", sys.argv[2])
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    bootstrap.install()
    from param.parameterized import ParameterizedMetaclass
    step = ParameterizedMetaclass._ParameterizedMetaclass__param_inheritance
    assert step.__module__ == "_layerlab_worker", "the bootstrap did not install its step"
"""

DESCRIBE_CLASSES = (
    LOAD_BOOTSTRAP
    + r"""
import bokeh.plotting, panel, layerlab.ui.app, param

deferred = type(sys.modules["panel.chat"]).__name__ == "_LazyModule"
panel.chat.ChatInterface  # a deferred module still works: this runs it

def describe(value):
    text = f"{type(value).__qualname__}:{value!r}"
    return re.sub(r"0x[0-9a-f]+", "0x", text)

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

classes = {}
for cls in set(subclasses(param.Parameterized)):
    parameters = {
        name: {slot: describe(getattr(p, slot, "<unset>")) for slot in sorted(type(p)._all_slots_)}
        for name, p in cls.param.objects(instance=False).items()
    }
    key = f"{cls.__module__}.{cls.__qualname__}"
    no_refs = sorted(cls._param__private.explicit_no_refs)
    classes.setdefault(key, []).append(json.dumps([parameters, no_refs], sort_keys=True))

class Base(param.Parameterized):
    x = param.Parameter(default="text")
try:
    class Narrower(Base):
        x = param.Number()  # inherits the default "text", which is no number
    error = None
except RuntimeError as exc:
    error = str(exc)
classes = {k: sorted(v) for k, v in classes.items()}
print(json.dumps({"classes": classes, "error": error, "deferred": deferred}))
"""
)


# Every glyph method of a figure, called with 0 to 6 positional column names: what it
# makes (the glyph's non-default properties) or the error or warning it raises.
CALL_GLYPH_METHODS = (
    LOAD_BOOTSTRAP
    + r"""
import bokeh.plotting
from bokeh.plotting.glyph_api import GlyphAPI

if sys.argv[1] == "with-bootstrap":
    bootstrap.end_start_up()  # Bokeh validates again: the glyph methods alone differ

methods = sorted(n for n, f in vars(GlyphAPI).items() if hasattr(f, "__wrapped__"))
calls = {}
for name in methods:
    for count in range(7):
        fig = bokeh.plotting.figure()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                renderer = getattr(fig, name)(*"abcdef"[:count], name="g")
                glyph = renderer.glyph
                made = [type(glyph).__name__, repr(sorted(glyph.properties_with_values(
                    include_defaults=False).items()))]
            except Exception as error:
                made = [type(error).__name__, str(error)]
        made += [str(w.message) for w in caught]
        calls[f"{name}/{count}"] = re.sub(r"id='p[0-9]+'", "id", " ".join(made))
print(json.dumps(calls))
"""
)

# The app's document for a plain link and for a link with settings (model ids numbered by
# first appearance), then what Bokeh says to an invalid value once the app is up.
BUILD_DOCUMENTS = (
    LOAD_BOOTSTRAP
    + r"""
import panel as pn
from bokeh.core.json_encoder import serialize_json
from bokeh.document import Document
from bokeh.models import Div
from layerlab.ui import create_app_from_link

def invalid_width():
    try:
        Div(width="wide")
        return "accepted"
    except ValueError as error:
        return re.sub(r"id='p[0-9]+'", "id", str(error))

def document_json(query):
    doc = Document()
    pn.panel(create_app_from_link(query)).server_doc(doc)
    ids = {}
    number = lambda match: ids.setdefault(match.group(), f'"m{len(ids)}"')
    content = json.loads(serialize_json(doc.to_json()))
    content.pop("defs", None)  # data model classes: without the deferred panel.chat's
    text = re.sub(r'"p[0-9]+"', number, json.dumps(content))
    return re.sub(r"[0-9]{12,}", "id()", text)  # Panel's callbacks tag their id()

during = invalid_width()
documents = [document_json(q) for q in ("", "?dataset=circles&hidden_layers=8,8&lambd=0.3")]
if sys.argv[1] == "with-bootstrap":
    bootstrap.end_start_up()  # as run_app does once the app is built
print(json.dumps({"documents": documents, "during": during, "after": invalid_width()}))
"""
)


def run_script(script: str, *args: str) -> dict:
    """The JSON a script prints, run in a fresh CPython process."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same set and dict orders in both
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(result.stdout)


def test_start_up_shortcuts_leave_every_parameter_of_every_class_as_param_makes_it():
    plain = run_script(DESCRIBE_CLASSES, "plain")
    lightened = run_script(DESCRIBE_CLASSES, "with-bootstrap", str(BOOTSTRAP))
    assert len(plain["classes"]) > 250  # ~285: param's, Panel's and the app's
    assert "layerlab.ui.state.LabState" in plain["classes"]
    differing = [k for k in plain["classes"] if plain["classes"][k] != lightened["classes"].get(k)]
    assert differing == []
    assert lightened["classes"].keys() == plain["classes"].keys()
    assert lightened["error"] == plain["error"]
    assert lightened["deferred"]
    assert not plain["deferred"]
    assert re.search(r"failed to validate its default value", plain["error"])


def test_the_plain_glyph_methods_make_what_bokehs_make_from_the_same_call():
    plain = run_script(CALL_GLYPH_METHODS, "plain")
    lightened = run_script(CALL_GLYPH_METHODS, "with-bootstrap", str(BOOTSTRAP))
    assert len(plain) > 7 * 50  # ~60 glyph and marker methods
    assert "TypeError line takes 2 positional argument but 3 were given" in plain.values()
    assert any("scatter(marker='circle_cross', ...)" in v for v in plain.values())
    assert sum(v.startswith("GlyphRenderer") for v in plain.values()) == 0  # the glyphs'
    assert sum(v.startswith("Line ") for v in plain.values()) == 3  # 0, 1 or 2 names
    assert {k for k in plain if plain[k] != lightened[k]} == set()
    assert lightened.keys() == plain.keys()


def test_the_start_up_builds_the_same_documents_and_validates_again_once_built():
    plain = run_script(BUILD_DOCUMENTS, "plain")
    lightened = run_script(BUILD_DOCUMENTS, "with-bootstrap", str(BOOTSTRAP))
    assert plain["during"] == plain["after"]
    assert "Div(id, ...).width: expected either None or a value of type" in plain["after"]
    assert lightened["during"] == "accepted"  # the start-up's values are not re-validated
    assert lightened["after"] == plain["after"]
    assert plain["documents"][0] != plain["documents"][1]
    assert '"title":{"type":"object","name":"Title"' in plain["documents"][0].replace(" ", "")
    for built, expected in zip(lightened["documents"], plain["documents"], strict=True):
        assert built == expected


def test_each_fix_is_written_for_the_versions_the_site_ships():
    tree = ast.parse(BOOTSTRAP.read_text())
    restated = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id.endswith("_VERSION")
    }
    build_source = (ROOT / "build.py").read_text()
    shipped = re.search(r'"param==([\d.]+)"', build_source).group(1)
    assert restated["PARAM_VERSION"] == shipped
    if param.__version__ != shipped:
        pytest.fail(f"tests run param {param.__version__}, the site ships {shipped}: pin it")
    for name, pattern in (
        ("PYODIDE_VERSION", r'PYODIDE_VERSION = "([\d.]+)"'),
        ("PANEL_VERSION", r'PANEL_VERSION = "([\d.]+)"'),
        ("BOKEH_VERSION", r'BOKEH_VERSION = "([\d.]+)"'),
        ("JINJA2_VERSION", r'"jinja2==([\d.]+)"'),
    ):
        assert restated[name] == re.search(pattern, build_source).group(1), name


def load_bootstrap_without_pyodide():
    """The bootstrap module, imported in this process with Pyodide's modules stubbed."""
    stubs = {name: types.ModuleType(name) for name in ("pyodide", "pyodide.code", "pyodide.ffi")}
    stubs["pyodide"].__version__ = "0.27.7"
    stubs["pyodide"].code, stubs["pyodide"].ffi = stubs["pyodide.code"], stubs["pyodide.ffi"]
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        spec = importlib.util.spec_from_file_location("_layerlab_worker_test", BOOTSTRAP)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name)
            else:
                sys.modules[name] = old
    return module


def test_importing_the_bootstrap_changes_nothing_until_install():
    from bokeh.model.model import Model
    from param.parameterized import ParameterizedMetaclass

    before = (
        Model.__init_subclass__,
        ParameterizedMetaclass._ParameterizedMetaclass__param_inheritance,
        list(sys.meta_path),
        gc.isenabled(),
    )
    bootstrap = load_bootstrap_without_pyodide()
    after = (
        Model.__init_subclass__,
        ParameterizedMetaclass._ParameterizedMetaclass__param_inheritance,
        list(sys.meta_path),
        gc.isenabled(),
    )
    assert after == before
    assert not hasattr(bootstrap.pyodide.ffi, "jsnull")


def test_a_fix_for_other_versions_stops_the_start_naming_the_fix_and_the_versions():
    bootstrap = load_bootstrap_without_pyodide()
    installed = {"pyodide": "0.27.7", "panel": "1.10.0", "bokeh": "3.9.2"}
    installed |= {"param": "2.4.2", "jinja2": "3.1.6"}
    with pytest.raises(RuntimeError) as raised:
        bootstrap.check_versions(bootstrap.FIXES, installed.__getitem__)
    message = str(raised.value)
    assert "_provide_jsnull was written for panel 1.9.4, this is 1.10.0" in message
    assert "_defer_unused_modules was written for panel 1.9.4, this is 1.10.0" in message
    assert "bokeh" not in message
    assert "static/worker_bootstrap.py" in message
    installed["panel"] = "1.9.4"
    bootstrap.check_versions(bootstrap.FIXES, installed.__getitem__)  # the shipped ones pass
