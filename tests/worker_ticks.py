"""The app's ticks as the built site's worker runs them: for browser tests and benchmarks.

``install(worker)`` wraps ``LayerLab.tick`` inside the page's Pyodide worker (also the
periodic callback the app may have made already); from then on ``ticks(worker)`` lists
every tick as ``(seconds, training, position)``: its duration (``time.perf_counter`` around
the whole call, its closing ``asyncio.sleep(0)`` included), whether Play was on when it
began, and how far training was when it ended (iterations, the share of the one in progress
included where the app tells it). Works on any build of the app: it needs only
``LayerLab.tick`` and ``LayerLab.state.session.iteration``.
"""

from __future__ import annotations

from playwright.sync_api import Worker

_INSTALL = """
import time
import types
import layerlab.ui.app as app
from panel.io.state import state

if not hasattr(app, "_timed_ticks"):
    app._timed_ticks = []
    untimed = app.LayerLab.tick

    async def timed_tick(self):
        start, training = time.perf_counter(), self.state.running
        try:
            await untimed(self)
        finally:  # also when Pause cancels the tick during its closing sleep(0)
            session = self.state.session
            position = session.iteration + getattr(session, "progress", 0.0)
            app._timed_ticks.append((time.perf_counter() - start, training, position))

    app.LayerLab.tick = timed_tick
    for callbacks in state._periodic.values():
        for callback in callbacks:
            lab = getattr(callback.callback, "__self__", None)
            if isinstance(lab, app.LayerLab):
                callback.callback = types.MethodType(timed_tick, lab)
"""
_READ = "import layerlab.ui.app as app; [list(tick) for tick in app._timed_ticks]"


def install(worker: Worker) -> None:
    """Start timing the app's ticks in ``worker`` (the page's Pyodide worker)."""
    worker.evaluate("(code) => { self.pyodide.runPython(code); }", _INSTALL)


def ticks(worker: Worker) -> list[tuple[float, bool, float]]:
    """Every tick since ``install``: ``(seconds, whether Play was on, position after)``."""
    rows = worker.evaluate("(code) => self.pyodide.runPython(code).toJs()", _READ)
    return [
        (float(seconds), bool(training), float(position)) for seconds, training, position in rows
    ]
