"""Python side of the Layer Lab Web Worker (installed as ``_layerlab_worker``).

build.py copies this file into the worker; ``worker.js`` imports it once the
packages are in place and calls the functions below. It holds the fixes the
worker build needs on Pyodide 0.27 with Panel 1.9 (see PYODIDE_NOTES.md):

* ``pyodide.ffi.jsnull`` (new in Pyodide 0.28, used by Panel for every
  browser-to-Python event): an inert sentinel is exact on 0.27, where JS null
  already converts to None.
* Panel's query-string parser guesses types recursively (JSON, literal_eval,
  big ints): a crafted link can overflow the stack or hit the int-digit limit
  and kill the worker. The app's entry script replaces it first thing
  (``layerlab.ui.share.install_plain_query``), in the worker as under
  ``panel serve``, before Panel reads the location.
* The app runs in its own namespace, so its global names cannot collide with
  the worker's (Panel's stock worker shares them: ``state``, ``patch``,
  ``location`` and ``json`` broke callbacks).
* Cold start: Python's cyclic garbage collector is paused from this import
  until the first render is sent (startup builds ~160,000 tracked objects, nearly
  all long-lived and never garbage; collecting them took ~0.2 s of the start under
  wasm), then the startup heap is frozen out of later collections. Two pieces of Bokeh
  bookkeeping that change nothing the page sees are skipped or cached (see
  ``_lighten_bokeh``).
"""

from __future__ import annotations

import gc
import json

import pyodide.code
import pyodide.ffi

gc.disable()  # until run_app has rendered; see the module docstring

if not hasattr(pyodide.ffi, "jsnull"):
    pyodide.ffi.jsnull = object()

_send_patch = None


def _lighten_bokeh() -> None:
    """Cut Bokeh's import and model-building cost in the worker (measured, see bench/).

    Runs before anything imports ``bokeh.models``:

    * ``Model.__init_subclass__`` builds an ``inspect.Signature`` for each of the ~500
      built-in model classes, only for ``help()`` and the docs (and registers doc
      examples): about a quarter of ``import bokeh.plotting, panel`` under wasm. The
      registration Bokeh needs is done by its metaclass, which still runs.
    * ``HasProps._overridden_defaults`` walks the class MRO on every default lookup
      (tens of thousands while the app's ~400 models are built and serialized). The
      ``__overridden_defaults__`` it merges are fixed when each class is created, so
      one result per class is exact.
    """
    from bokeh.core.has_props import HasProps
    from bokeh.model.model import Model

    def init_subclass(cls) -> None:
        super(Model, cls).__init_subclass__()

    Model.__init_subclass__ = classmethod(init_subclass)

    merge = HasProps._overridden_defaults.__func__
    cache: dict[type, dict] = {}

    def overridden_defaults(cls) -> dict:
        try:
            return cache[cls]
        except KeyError:
            result = cache[cls] = merge(cls)
            return result

    HasProps._overridden_defaults = classmethod(overridden_defaults)


_lighten_bokeh()


async def run_app(code: str, send_patch) -> tuple[str, str, str]:
    """Run the app script in a fresh namespace; return Panel's render JSON strings."""
    global _send_patch
    _send_patch = send_patch
    from panel.io.pyodide import init_doc, write_doc

    try:
        init_doc()
        namespace = {"__name__": "__main__", "__file__": "main.py"}
        await pyodide.code.eval_code_async(code, namespace, filename="main.py")
        return await write_doc()
    finally:
        gc.enable()


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
