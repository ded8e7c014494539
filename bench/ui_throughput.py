"""How fast the lab trains and redraws, in CPython, without a browser.

Drives the app's own tick (a training slice, then the plots' in-place update) back to back
on a Bokeh document holding every figure the page always shows (the network diagram
included), and serializes each tick's changes the way ``panel serve`` sends them (one
PATCH-DOC message), so every cost a frame pays on the Python side is counted.
``bench/heatmaps.py`` reuses ``measure``.

    .venv/bin/python bench/ui_throughput.py [--seconds 3]

The app ticks every ``TICK_MS``; a tick that takes ``t`` ms gives min(1000/TICK_MS, 1000/t)
plot updates per second and ``steps_per_tick`` times that many iterations per second.
Targets (issue 3): >= 10 updates/s and >= 200 iterations/s on the default setup.
"""

import argparse
import statistics
import time

from bokeh.document import Document
from bokeh.layouts import column
from bokeh.protocol import Protocol

from layerlab.ui.app import TICK_MS
from layerlab.ui.plots import LabPlots
from layerlab.ui.state import PRESETS, LabState

SCENARIOS = {
    "default (moons, 8-8, Adam)": {},
    "as in the article (20-7-5, GD)": PRESETS["article"],
    "1000 points, 32-32-32, batch 64": {
        "n_points": 1000,
        "hidden_layers": "32, 32, 32",
        "batch_size": 64,
    },
    "default, 1 it / frame": {"steps_per_tick": 1},
}


COLUMNS = ("steps/tick", "train ms", "plots ms", "send ms", "KB/tick", "max upd/s")
COLUMNS += ("app upd/s", "app it/s", "worst ms")


def measure(
    settings: dict, seconds: float, *, plots: LabPlots | None = None, paced: bool = False
) -> dict:
    """Tick for ``seconds`` (back to back, or ``paced``: one tick per ``TICK_MS`` at most,
    as the app's periodic callback runs them) on ``plots`` (default: new ``LabPlots``);
    return per-tick timings and rates."""
    state = LabState(**{**settings, "iterations": 100_000})  # never runs out mid-measurement
    plots = plots if plots is not None else LabPlots()
    document = Document()
    diagram = plots.diagram
    figures = (plots.boundary_figure, plots.cost_figure, plots.accuracy_figure)
    document.add_root(column(*figures, diagram.figure, diagram.detail_figure))
    events = []
    document.callbacks.on_change(events.append)
    protocol = Protocol()
    plots.update(state)
    events.clear()

    state.play()
    train_s = plots_s = send_s = 0.0
    durations = []  # each tick's, s
    ticks, sent_bytes = 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        state.tick()  # the training slice (the app's tick; no redraw yet)
        t1 = time.perf_counter()
        plots.update(state)  # what the app's version watcher does
        t2 = time.perf_counter()
        message = protocol.create("PATCH-DOC", events)
        sent_bytes += len(message.content_json) + sum(
            len(buffer.to_bytes()) for buffer in message.buffers
        )
        events.clear()
        t3 = time.perf_counter()
        train_s, plots_s, send_s = train_s + t1 - t0, plots_s + t2 - t1, send_s + t3 - t2
        durations.append(t3 - t0)
        ticks += 1
        if paced:
            time.sleep(max(0.0, t0 + TICK_MS / 1000 - time.perf_counter()))
    elapsed = time.perf_counter() - start
    tick_ms = 1000 * (train_s + plots_s + send_s) / ticks
    app_updates = min(1000 / TICK_MS, 1000 / tick_ms)
    return {
        "steps/tick": state.steps_per_tick,
        "train ms": 1000 * train_s / ticks,
        "plots ms": 1000 * plots_s / ticks,
        "send ms": 1000 * send_s / ticks,
        "KB/tick": sent_bytes / ticks / 1024,
        "max upd/s": 1000 / tick_ms,
        "app upd/s": app_updates,
        "app it/s": app_updates * state.session.iteration / ticks,
        "worst ms": 1000 * max(durations),
        "median ms": 1000 * statistics.median(durations),
        "it/s": state.session.iteration / elapsed,  # as run: back to back or paced
        "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per scenario")
    args = parser.parse_args()
    rows = {name: measure(settings, args.seconds) for name, settings in SCENARIOS.items()}
    columns = [*COLUMNS]
    width = max(map(len, rows))
    print(f"{'scenario':<{width}}  " + "  ".join(f"{c:>10}" for c in columns))
    for name, row in rows.items():
        cells = (
            f"{row[c]:>10.0f}" if row[c] >= 100 or c == "steps/tick" else f"{row[c]:>10.2f}"
            for c in columns
        )
        print(f"{name:<{width}}  " + "  ".join(cells))
    default = rows[next(iter(rows))]
    ok = default["app upd/s"] >= 10 and default["app it/s"] >= 200
    verdict = "OK" if ok else "MISSED"
    print(
        f"\ndefault setup: {default['app upd/s']:.1f} plot updates/s (target >= 10), "
        f"{default['app it/s']:.0f} iterations/s (target >= 200): {verdict}"
    )
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
