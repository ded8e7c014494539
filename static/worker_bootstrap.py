"""Python side of the Layer Lab Web Worker (installed as ``_layerlab_worker``).

``worker.js`` writes this file into Pyodide's file system, imports it once the packages
are in place, calls ``install()`` and then the functions at the end of this module.
build.py's Node programs (``static/build/``) do the same to render the preview and to
trace what the app imports, so the page, the preview and the trace run one set-up.

Importing the module changes nothing; ``install()`` applies each fix below, in order,
after checking that the packages are the versions each fix was written for (a fix for
another version would be wrong silently, so it stops the start with a message instead):

* ``_provide_jsnull``: Panel 1.9 uses ``pyodide.ffi.jsnull`` (new in Pyodide 0.28) for
  every browser-to-Python event; on 0.27, where JS null already converts to None, an inert
  sentinel is exact.
* ``_defer_unused_modules``: Panel's chat package runs on first use only.
* ``_use_template_bytecode``: Jinja templates come precompiled.
* ``_lighten_bokeh``: Bokeh bookkeeping that changes nothing the page sees is skipped or
  answered once, and the start-up's property values are not validated twice.
* ``_lighten_param``: param's class creation does less repeated work.
* ``_lighten_panel``: Panel asks a question once per object, not once per parameter.

Also, from ``install()`` until the first render is sent, Python's cyclic garbage collector
is paused (start-up builds ~160,000 tracked objects, nearly all long-lived and never
garbage; collecting them took ~0.2 s of the start under wasm), and the start-up heap is
then frozen out of later collections.

Beyond the fixes: Panel's query-string parser guesses types recursively (a crafted link
could overflow the stack), so the app's entry script replaces it first thing
(``layerlab.ui.share.install_plain_query``); the app runs in its own namespace (Panel's
stock worker shares its global names with the app: ``state``, ``patch``, ``location`` and
``json`` broke callbacks); and the document gets Bokeh's sequential model ids
(``_init_doc``), so the page can link the preview build.py rendered ahead of time instead
of rendering the app again.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable

import pyodide.code
import pyodide.ffi

# The versions the fixes below were written for (build.py ships exactly these).
PYODIDE_VERSION = "0.27.7"
PANEL_VERSION = "1.9.4"
BOKEH_VERSION = "3.9.2"
PARAM_VERSION = "2.4.2"
JINJA2_VERSION = "3.1.6"

TEMPLATE_BYTECODE = "/home/pyodide/template-bytecode"  # worker.js and build.py use it too

_send_patch = None
_AFTER_START: list[Callable[[], None]] = []  # undoes start-up-only shortcuts (``run_app``)


def _written_for(**versions: str) -> Callable:
    """Mark a fix with the package versions (by distribution name) it was written for."""

    def mark(fix: Callable) -> Callable:
        fix.written_for = versions
        return fix

    return mark


def installed_version(name: str) -> str:
    """The version of an installed distribution, or of Pyodide itself."""
    if name == "pyodide":
        return pyodide.__version__
    from importlib.metadata import version

    return version(name)


def check_versions(fixes: list[Callable], installed: Callable[[str], str]) -> None:
    """Stop with a message naming each fix whose packages are not its versions."""
    wrong = [
        f"{fix.__name__} was written for {name} {wanted}, this is {found}"
        for fix in fixes
        for name, wanted in fix.written_for.items()
        if (found := installed(name)) != wanted
    ]
    if wrong:
        raise RuntimeError(
            "Layer Lab's worker fixes do not fit these packages: " + "; ".join(wrong) + ". "
            "Check each fix in static/worker_bootstrap.py against the new version, then "
            "update its version there and in build.py."
        )


@_written_for(pyodide=PYODIDE_VERSION, panel=PANEL_VERSION)
def _provide_jsnull() -> None:
    """Give Pyodide 0.27 the ``pyodide.ffi.jsnull`` Panel 1.9 expects (see the docstring)."""
    if not hasattr(pyodide.ffi, "jsnull"):
        pyodide.ffi.jsnull = object()


@_written_for(bokeh=BOKEH_VERSION)
def _lighten_bokeh() -> None:
    """Cut Bokeh's import and model-building cost in the worker (measured, see bench/).

    Runs before anything imports ``bokeh.models``. Each change keeps Bokeh's results
    exactly (the built document is identical) and only drops repeated work:

    * ``Model.__init_subclass__`` builds an ``inspect.Signature`` for each of the ~500
      built-in model classes, only for ``help()`` and the docs (and registers doc
      examples): about a quarter of ``import bokeh.plotting, panel`` under wasm. The
      registration Bokeh needs is done by its metaclass, which still runs.
    * Property defaults: tens of thousands of default lookups while the app's ~330 models
      are built and serialized; see ``_cache_property_defaults``.
    * ``BOKEH_PERFORM_ERROR_DIAGNOSTICS=false`` (a Bokeh setting) skips building an
      ``inspect.signature`` for each of the ~650 change callbacks Panel registers: a
      check for programming errors, which the CPython tests of the same code still make.
    * The figure's glyph methods (``figure.line``, …) are made without their generated
      signature and docstring; see ``_plain_glyph_methods``.
    * Until the app is built, property values are not validated; see
      ``_trust_start_up_values``.
    """
    from bokeh.model.model import Model

    def init_subclass(cls) -> None:
        super(Model, cls).__init_subclass__()

    Model.__init_subclass__ = classmethod(init_subclass)
    _cache_property_defaults()
    _plain_glyph_methods()
    _trust_start_up_values()
    os.environ["BOKEH_PERFORM_ERROR_DIAGNOSTICS"] = "false"


def _trust_start_up_values() -> None:
    """Until ``run_app`` has built the app, Bokeh sets property values without validating
    them: ~8% of building the app under wasm.

    The values set while the app starts come from Panel and the app's own code, and the
    CPython tests build the same documents with Bokeh's checks on (the hostile links' too).
    A property that converts a failing value (``accepts``: a figure's title given as text
    becomes a ``Title``) or asserts something about it is still prepared by Bokeh's own
    code, so every value is stored as Bokeh stores it. From the first render on, every
    value is validated again (the page's changes, the training's updates).
    """
    from bokeh.core.property.bases import Intrinsic, Property, Undefined

    validating = Property.prepare_value

    def prepare_value(self, owner, name, value, *, hint=None):
        if self.alternatives or self.assertions:
            return validating(self, owner, name, value, hint=hint)
        if value is Intrinsic:
            value = self._raw_default()
        if value is Undefined:
            return value
        return self.wrap(self.transform(value))

    Property.prepare_value = prepare_value
    _AFTER_START.append(lambda: setattr(Property, "prepare_value", validating))


def end_start_up() -> None:
    """Undo the start-up-only shortcuts: garbage collection and Bokeh's validation on."""
    while _AFTER_START:
        _AFTER_START.pop()()
    gc.enable()


def _plain_glyph_methods() -> None:
    """Make the figure's ~60 glyph methods without ``help()``'s signature and docstring.

    ``bokeh.plotting._decorators.glyph_method`` (and ``marker_method``, for the deprecated
    marker methods) builds each method's full ``inspect.Signature`` from the glyph's
    ``parameters()`` (every property's default and type) and a generated docstring, ~5% of
    ``import bokeh.plotting, panel`` under wasm. A call only needs the names of the glyph's
    positional arguments (``_args``, which ``parameters()`` lists first): these
    replacements map a call's arguments exactly as Bokeh's do and make the same renderer.
    They are put in the module as soon as it has run, before ``glyph_api`` imports them.
    """
    from functools import wraps

    def plain_decorators(module) -> None:
        def glyph_method(glyphclass):
            def decorator(func):
                @wraps(func)
                def wrapped(self, *args, **kwargs):
                    names = glyphclass._args
                    if len(args) > len(names):
                        raise TypeError(
                            f"{func.__name__} takes {len(names)} positional argument "
                            f"but {len(args)} were given"
                        )
                    kwargs.update(zip(names, args, strict=False))  # fewer args: fine
                    if self.coordinates is not None:
                        kwargs.setdefault("coordinates", self.coordinates)
                    return module.create_renderer(glyphclass, self.plot, **kwargs)

                return wrapped

            return decorator

        def marker_method():
            from bokeh.models import Marker, Scatter
            from bokeh.util.deprecation import deprecated

            def decorator(func):
                @wraps(func)
                def wrapped(self, *args, **kwargs):
                    deprecated(
                        (3, 4, 0),
                        f"{func.__name__}() method",
                        f"scatter(marker={func.__name__!r}, ...) instead",
                    )
                    names = Marker._args
                    if len(args) > len(names):
                        raise TypeError(
                            f"{func.__name__} takes {len(names)} positional argument "
                            f"but {len(args)} were given"
                        )
                    kwargs.update(zip(names, args, strict=False))  # fewer args: fine
                    kwargs["marker"] = func.__name__
                    return module.create_renderer(Scatter, self, **kwargs)

                return wrapped

            return decorator

        module.glyph_method, module.marker_method = glyph_method, marker_method

    _when_imported("bokeh.plotting._decorators", plain_decorators)


def _when_imported(name: str, patch: Callable) -> None:
    """Call ``patch(module)`` as soon as the module ``name`` has run, before any other
    module can import from it."""

    def patch_after_running(spec) -> None:
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            run(module)
            patch(module)

        spec.loader.exec_module = exec_module  # this spec's own loader object

    _adjust_specs((name,), patch_after_running)


def _adjust_specs(names: tuple[str, ...], adjust: Callable) -> None:
    """Find the modules ``names`` as Python would, but let ``adjust(spec)`` change each
    one's spec before the module is loaded (a finder first on ``sys.meta_path``)."""
    import importlib.abc
    import importlib.machinery
    import sys

    class AdjustingFinder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname not in names:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None:
                adjust(spec)
            return spec

    sys.meta_path.insert(0, AdjustingFinder())


def _cache_property_defaults() -> None:
    """Answer Bokeh's per-lookup questions about defaults once per class and property.

    * ``HasProps._overridden_defaults`` merges the class MRO's ``__overridden_defaults__``,
      which are fixed when each class is created: one result per class.
    * ``has_unstable_default`` walks the property type's parameters recursively: one
      walk per property (the per-class override part is still asked each time).
    * ``instance_default`` re-validates the default on every lookup: kept per class and
      property when it is an immutable scalar (the same object either way) and no theme
      overrides it.
    * ``themed_values`` looked up a usually missing attribute through ``__getattr__``,
      raising and catching an ``AttributeError`` each time.
    """
    from types import FunctionType

    from bokeh.core.has_props import HasProps
    from bokeh.core.property.descriptors import PropertyDescriptor
    from bokeh.core.property.instance import InstanceDefault

    merge = HasProps._overridden_defaults.__func__
    overrides_by_class: dict[type, dict] = {}

    def overridden_defaults(cls) -> dict:
        if cls not in overrides_by_class:
            overrides_by_class[cls] = merge(cls)
        return overrides_by_class[cls]

    may_be_unstable: dict[int, bool] = {}  # id(descriptor) -> its property type's answer

    def has_unstable_default(self, obj) -> bool:
        key = id(self)
        if key not in may_be_unstable:
            may_be_unstable[key] = self.property._may_have_unstable_default()
        override = obj.__overridden_defaults__.get(self.name)
        return may_be_unstable[key] or isinstance(override, (FunctionType, InstanceDefault))

    immutable = (str, int, float, bool, type(None))
    scalar_defaults: dict[tuple[type, str], object] = {}
    instance_default = PropertyDescriptor.instance_default

    def cached_instance_default(self, obj):
        themed = obj.themed_values()
        if themed is not None and self.name in themed:
            return instance_default(self, obj)
        key = (obj.__class__, self.name)
        if key in scalar_defaults:
            return scalar_defaults[key]
        value = instance_default(self, obj)
        if type(value) in immutable:
            scalar_defaults[key] = value
        return value

    def themed_values(self) -> dict | None:
        return self.__dict__.get("__themed_values__")

    HasProps._overridden_defaults = classmethod(overridden_defaults)
    HasProps.themed_values = themed_values
    PropertyDescriptor.has_unstable_default = has_unstable_default
    PropertyDescriptor.instance_default = cached_instance_default


@_written_for(panel=PANEL_VERSION)
def _lighten_panel() -> None:
    """``Syncable._init_params`` (the values of a new Bokeh model) computes the list of
    synced parameters once for each parameter: ~4,500 times while the app is built, where
    once per object gives the same answer (a list made from the class's parameters). The
    values, and their order, are the same; tests build the app's document both ways."""

    def init_params(self) -> dict:
        synced = set(self._synced_params)
        values = ((p, getattr(self, p)) for p in self.param if p in synced)
        return {p: value for p, value in values if value is not None}

    def patch(reactive) -> None:
        reactive.Syncable._init_params = init_params

    _when_imported("panel.reactive", patch)


# `import panel` imports them; the app never uses them.
DEFERRED_MODULES = ("panel.chat",)


@_written_for(panel=PANEL_VERSION)
def _defer_unused_modules() -> None:
    """Execute ``DEFERRED_MODULES`` on first use instead of when the imports bind them.

    ``panel/__init__.py`` does ``from . import chat``: Panel's chat components, ~0.1 s of
    its import under wasm, which the app never touches. Python's own ``LazyLoader`` runs
    such a module's code when one of its attributes is first read (so ``pn.chat.…``
    still works), and a second ``import`` statement for it reads one: that is why
    Bokeh's ``yaml`` (imported twice) is not among them. Until then chat's classes do not
    exist: Bokeh's serialization then lists none of its data models in the document (the
    preview build.py renders runs this same bootstrap, so it matches).
    """
    import importlib.util

    def load_lazily(spec) -> None:
        spec.loader = importlib.util.LazyLoader(spec.loader)

    _adjust_specs(DEFERRED_MODULES, load_lazily)


@_written_for(param=PARAM_VERSION)
def _lighten_param() -> None:
    """Cut param's class-creation cost: ~40% of ``import bokeh.plotting, panel`` under wasm.

    For each parameter of each new ``Parameterized`` class (~1,200 while Panel is
    imported), param's ``ParameterizedMetaclass.__param_inheritance`` walks the whole MRO
    once per slot (~18 slots, MROs of ~15 classes), reading every slot through
    ``Parameter.__getattribute__``, a Python-level override. This replacement computes the
    same slot values with the same rules, in the same order, but looks at each class of
    the MRO once (the original skips the ones that do not define the parameter anyway) and
    reads slots of bound parameters directly (the override only differs for unbound ones).
    When the result must be validated and validation fails, param's own method runs, so
    its error is raised as before. Tests compare every parameter's every slot of every
    Panel/Bokeh/Layer Lab class with and without it.
    """
    import copy

    from param.parameterized import (
        Parameter,
        ParameterizedMetaclass,
        Undefined,
        _is_mutable_container,
    )

    original = ParameterizedMetaclass._ParameterizedMetaclass__param_inheritance
    read = object.__getattribute__

    def directly_readable(definer) -> bool:
        return (
            isinstance(definer, Parameter)
            and type(definer).__getattribute__ is Parameter.__getattribute__
            and read(definer, "name") is not None
        )

    def param_inheritance(mcs, param_name: str, param: Parameter) -> None:
        slots = dict.fromkeys(getattr(type(param), "_all_slots_", ()))
        param.owner = mcs
        del slots["owner"]
        if "objtype" in slots:
            param.objtype = mcs
            del slots["objtype"]
        # What the MRO's classes define under this name, in MRO order.
        definers = [d for d in (c.__dict__.get(param_name) for c in mcs.__mro__) if d is not None]
        type_change = False
        for super_param in definers:
            if not isinstance(super_param, Parameter):
                continue
            if super_param.instantiate is True:
                param.instantiate = True
            if not issubclass(type(super_param), type(param)):
                type_change = True
        del slots["instantiate"]
        readers = [(d, read if directly_readable(d) else getattr) for d in definers]

        callables = {}
        slot_values = {}
        slot_overridden = False
        for slot in slots:
            for definer, get in readers:
                try:
                    new_value = get(definer, slot)
                except AttributeError:
                    continue
                old_value = slot_values.get(slot, Undefined)
                if new_value is Undefined or new_value is old_value:
                    continue
                if old_value is Undefined:
                    slot_values[slot] = new_value
                    if slot_overridden or type_change:
                        break
                else:
                    if slot not in param._non_validated_slots:
                        slot_overridden = True
                    break
            if slot_values.get(slot, Undefined) is Undefined:
                default = param._slot_defaults[slot]
                if slot != "default_factory" and callable(default):
                    callables[slot] = default
                else:
                    slot_values[slot] = default
            elif slot == "allow_refs" and param.name is not None:
                explicit_no_refs = mcs._param__private.explicit_no_refs
                if param.allow_refs is False:
                    explicit_no_refs.append(param.name)
                elif param.allow_refs is True and param.name in explicit_no_refs:
                    explicit_no_refs.remove(param.name)

        for slot, value in slot_values.items():
            setattr(param, slot, value)
            if slot != "default" and _is_mutable_container(getattr(param, slot)):
                setattr(param, slot, copy.copy(getattr(param, slot)))
        for slot, make in callables.items():
            setattr(param, slot, make(param))
        param._update_state()
        if type_change or (slot_overridden and param.default is not None):
            try:
                param._validate(param.default)
            except Exception:
                original(mcs, param_name, param)  # raises param's own error
                raise

    ParameterizedMetaclass._ParameterizedMetaclass__param_inheritance = param_inheritance


@_written_for(jinja2=JINJA2_VERSION)
def _use_template_bytecode() -> None:
    """Give every Jinja environment a bytecode cache in ``TEMPLATE_BYTECODE``.

    Panel and Bokeh compile ~20 Jinja templates while they are imported: about a tenth of
    ``import bokeh.plotting, panel`` under wasm. build.py's preview step runs this same
    code under Node with the folder empty, so the templates are compiled there, and ships
    what it wrote (``packs/templates.pack``); the worker puts it back before Python
    imports anything. Jinja keys each entry by template and file name and checks the
    template's source checksum, so a missing or stale entry is just compiled again.
    Without the folder (``--plain`` and ``--cdn`` sites ship none) nothing is cached:
    writing bytecode that no later start would read is only start-up work.
    """
    if not os.path.isdir(TEMPLATE_BYTECODE):
        return
    import jinja2

    cache = jinja2.FileSystemBytecodeCache(TEMPLATE_BYTECODE)
    init = jinja2.Environment.__init__

    def init_with_cache(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        if self.bytecode_cache is None:
            self.bytecode_cache = cache

    jinja2.Environment.__init__ = init_with_cache


# In the order they must run: before anything imports what they change.
FIXES = (
    _provide_jsnull,
    _defer_unused_modules,  # before anything imports them
    _use_template_bytecode,  # before anything makes a Jinja environment
    _lighten_bokeh,
    _lighten_param,  # before Panel's classes are made
    _lighten_panel,
)


def install() -> None:
    """Check the versions, pause the garbage collector until ``run_app`` has built the app
    (``end_start_up``), and apply ``FIXES``. Call once, before the app or Panel is
    imported."""
    check_versions(FIXES, installed_version)
    gc.disable()
    for fix in FIXES:
        fix()


def after_restore() -> None:
    """Draw fresh random seeds in an interpreter restored from a snapshot (see
    static/snapshot.js): Python's ``random`` and NumPy's global generator were seeded once,
    when the first visit imported them, and would repeat that visit's numbers."""
    import random

    import numpy as np

    random.seed()
    np.random.seed()  # noqa: NPY002 (the legacy global generator is the one to re-seed)


async def run_app(code: str, send_patch, serialize: bool = True) -> tuple[str, str, str] | None:
    """Run the app script in a fresh namespace; return Panel's render JSON strings.

    With ``serialize=False`` (the page shows build.py's preview of this very document),
    return nothing: the document is marked as sent all the same, and ``render_json``
    makes the strings if the page asks after all.
    """
    global _send_patch
    _send_patch = send_patch
    from panel.io.pyodide import write_doc
    from panel.io.state import state

    try:
        _init_doc()
        namespace = {"__name__": "__main__", "__file__": "main.py"}
        await pyodide.code.eval_code_async(code, namespace, filename="main.py")
        if serialize:
            return await write_doc()
        # What write_doc leaves behind besides the JSON: the models count as sent.
        state.curdoc.models.flush_synced()
        state.curdoc._session_context = None
        return None
    finally:
        end_start_up()


def render_json() -> tuple[str, str, str]:
    """Panel's render JSON strings of the document as it is (nothing has changed it
    before the page links it)."""
    from panel.io.pyodide import _doc_json
    from panel.io.state import state

    return _doc_json(state.curdoc)


def _init_doc() -> None:
    """Panel's ``init_doc`` (a document with a mock server session), with Bokeh's
    sequential model ids left on.

    Panel switches the worker to random ids. Sequential ones make the document built for
    a given link the same on every run, so build.py can render the plain link's document
    ahead of time (the page's preview) and the page can link that render to the worker's
    document instead of rendering it again.
    """
    from bokeh.document import Document
    from bokeh.io.doc import set_curdoc
    from panel.io.document import MockSessionContext
    from panel.io.state import state

    doc = Document()
    set_curdoc(doc)
    doc.hold()
    doc._session_context = lambda: MockSessionContext(document=doc)
    state.curdoc = doc


def link_document() -> None:
    """Start syncing the Python document to the page's (after it rendered)."""
    from panel.io.pyodide import _link_docs_worker
    from panel.io.state import state

    _link_docs_worker(state.curdoc, _send_patch, setter="js")
    # The page is interactive now: collect startup garbage once, then keep the
    # (long-lived) startup heap out of later collections, which run during training.
    gc.collect()
    gc.freeze()


def apply_patch(patch) -> None:
    """Apply a JSON patch that the page sent after a widget changed."""
    from panel.io.pyodide import _convert_json_patch
    from panel.io.state import state

    state.curdoc.apply_json_patch(_convert_json_patch(patch), setter="js")


def update_location(location: str) -> None:
    """Copy the page's ``window.location`` (JSON) into ``pn.state.location``."""
    from panel.io.state import state
    from panel.util import edit_readonly

    if not state.location:
        return
    data = json.loads(location)
    with edit_readonly(state.location):
        state.location.param.update({k: v for k, v in data.items() if k in state.location.param})
