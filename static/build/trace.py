"""Record what a session of the app needs from the standard library and site-packages.

Run inside Pyodide under Node by ``trace.js`` (for build.py's ``trace_session``), set up
as the page's worker is, but with every file of site-packages and of the standard library
in place. ``main`` starts the app as the worker does, plays the page's part (clicks,
toggles, uploads and downloads sent as the JSON patches the page sends), then runs the
scripted session (``session.py``), and writes ``/work/trace.json``:

* ``modules``: every module imported, with its file (None for built-in ones);
* ``attempted``: every module name an import asked for, found or not (a module that was
  found but failed, such as PyYAML's optional C speedups, is in no other list);
* ``opened``: every file opened (Python's ``open`` audit event);
* ``stated``: every path ``os.stat``-ed (Panel checks that files exist without opening
  them, and a missing one is an error).

Files opened or stat-ed to format a traceback (``linecache``) are left out: that is no
reason to ship a module's source.
"""

import asyncio
import base64
import json
import os
import sys

import js
import pyodide.ffi

WORK = "/work"
attempted: set[str] = set()
opened: set[str] = set()
stated: set[str] = set()


def for_a_traceback() -> bool:
    """Whether ``linecache`` (which reads source lines for tracebacks) is on the stack."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.endswith("linecache.py"):
            return True
        frame = frame.f_back
    return False


def record() -> None:
    """Start recording imports and files opened and stat-ed (for the rest of the process)."""

    def audit(event: str, args: tuple) -> None:
        if event == "import":
            attempted.add(args[0])
        elif event == "open" and isinstance(args[0], str | bytes) and not for_a_traceback():
            opened.add(os.fsdecode(args[0]))

    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if isinstance(path, str | bytes | os.PathLike) and not for_a_traceback():
            stated.add(os.fsdecode(path))
        return real_stat(path, *args, **kwargs)

    sys.addaudithook(audit)
    os.stat = stat


def send_patch(patch, buffers, *_) -> None:
    """Stands in for the page: the worker's patches are only made, not shown."""


def page_sends(*events: dict) -> None:
    """Apply ``events`` as the page sends them (a JSON patch through the worker bridge)."""
    import _layerlab_worker as bridge

    bridge.apply_patch(
        pyodide.ffi.to_js({"events": list(events)}, dict_converter=js.Object.fromEntries)
    )


def changed(model, attr: str, new) -> dict:
    return {"kind": "ModelChanged", "model": {"id": model.id}, "attr": attr, "new": new}


def clicked(model) -> dict:
    values = {"type": "map", "entries": [["model", {"id": model.id}]]}
    msg = {"type": "event", "name": "button_click", "values": values}
    return {"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": msg}


async def play_the_page() -> None:
    """What a visitor does on the page: every button, toggle, download and upload once."""
    from bokeh.models import AbstractButton, Checkbox, FileInput
    from panel.io.state import state
    from panel.models.widgets import FileDownload

    def models(kind):
        return [m for m in state.curdoc.models if isinstance(m, kind)]

    csv = "x1,x2,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(30))
    for upload in models(FileInput):
        name, data = ("data.csv", csv) if "csv" in upload.accept else ("w.json", "{}")
        content = base64.b64encode(data.encode()).decode()
        page_sends(
            changed(upload, "mime_type", "text/plain"),
            changed(upload, "filename", name),
            changed(upload, "value", content),
        )
        await asyncio.sleep(0.05)
    for checkbox in models(Checkbox):
        page_sends(changed(checkbox, "active", not checkbox.active))
    for download in models(FileDownload):
        page_sends(changed(download, "clicks", download.clicks + 1))
    for button in models(AbstractButton):
        if not isinstance(button, FileDownload):
            page_sends(clicked(button))  # Play twice: it starts, then pauses
            await asyncio.sleep(0.1)
            if "Pause" in button.label:
                page_sends(clicked(button))
    await asyncio.sleep(0.2)


async def main(app: str) -> None:
    """Start as the worker does, play the page, run the session, write the trace."""
    import _layerlab_worker as bridge

    bridge.install()
    import bokeh.plotting  # noqa: F401  (the worker imports them before the app, too)
    import numpy  # noqa: F401
    import panel  # noqa: F401

    await bridge.run_app(app, send_patch)
    bridge.link_document()
    await play_the_page()
    import _layerlab_session

    await _layerlab_session.run()
    modules = {name: getattr(m, "__file__", None) for name, m in list(sys.modules.items())}
    trace = {"modules": modules, "attempted": sorted(attempted)}
    trace |= {"opened": sorted(opened), "stated": sorted(stated)}
    with open(WORK + "/trace.json", "w") as f:
        json.dump(trace, f, indent=0, sort_keys=True)
