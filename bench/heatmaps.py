"""What the network diagram's per-unit heatmaps cost: training speed with them on and off.

    .venv/bin/python bench/heatmaps.py [--seconds 3] [--repeats 5]
                                       [--browser [--browser-seconds 8] [--pages 3]]

Drives the app's own tick on the default network in CPython with ``ui_throughput.measure``
(a training slice, the plots' in-place update, the document patch serialized as ``panel
serve`` sends it), once with the unit heatmaps as the page draws them and once without
(the diagram's units then stay neutral cells, as for data with no plane), in turn, for
``--repeats`` rounds, each ``--seconds`` long, and prints medians:

* **paced**: one tick per ``TICK_MS`` at most, as the app's periodic callback runs them
  (what a visitor sees when a tick fits in its period); **back to back**: ticks with no
  pause, as on a device too slow for the period (any time the heatmaps take is then time
  not spent training: the stricter comparison).
* **it/s**: iterations per second of wall time; **heatmap upd/s**: how often the diagram's
  units were redrawn with new heatmaps; **worst / median tick**: the longest and the median
  tick (training slice, plots, patch), in ms.

With ``--browser`` the same comparison runs in the built site too (headless Chromium, the
Pyodide worker; ``worst_tick.measure`` opens a fresh page per measurement, times every tick
in the worker and presses Play and Pause): the heatmaps are switched off and the redraws
counted inside the worker, the iterations read from the cost plot's source.

Targets (issue 14): training with heatmaps at least 0.8 times as fast as without, at least
5 heatmap updates per second; no tick in the worker over ~100 ms (``bench/worst_tick.py``).
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worst_tick
from ui_throughput import measure

from layerlab.ui.plots import LabPlots

SPEED_RATIO_TARGET = 0.8
UPDATES_TARGET = 5.0
MODES = {"paced": True, "back to back": False}


def no_unit_maps(session):
    """Stands in for ``NetworkDiagram.unit_maps_steps``: no work, no maps."""
    return None
    yield  # a generator, like the one it replaces


def plots_for(heatmaps: bool) -> tuple[LabPlots, list[int]]:
    """The page's plots, with or without unit heatmaps, and a counter of heatmap redraws."""
    plots = LabPlots()
    diagram = plots.diagram
    if not heatmaps:
        diagram.unit_maps_steps = no_unit_maps
    redraws = [0]
    update_units = diagram.update_units

    def counted(session, maps) -> None:
        redraws[0] += maps is not None
        update_units(session, maps)

    diagram.update_units = counted
    return plots, redraws


def run(heatmaps: bool, paced: bool, seconds: float) -> dict:
    """One measurement of the default network: ``ui_throughput.measure``'s row plus the
    heatmap redraws per second."""
    plots, redraws = plots_for(heatmaps)
    row = measure({}, seconds, plots=plots, paced=paced)
    row["heatmap upd/s"] = redraws[0] / row["seconds"]
    return row


# Inside the worker, before Play: count the diagram's heatmap redraws, maybe switch them off.
WORKER_SETUP = """
import layerlab.ui.diagram as diagram

diagram.redraws = 0
_update_units = diagram.NetworkDiagram.update_units

def _counted(self, session, maps):
    diagram.redraws += maps is not None
    _update_units(self, session, maps)

def _no_unit_maps(self, session):
    return None
    yield

diagram.NetworkDiagram.update_units = _counted
if not HEATMAPS:
    diagram.NetworkDiagram.unit_maps_steps = _no_unit_maps
"""
WORKER_READ = "import layerlab.ui.diagram as diagram; diagram.redraws"


def browser_rows(seconds: float, repeats: int) -> dict[bool, list[dict]]:
    """The default network in the built site, heatmaps on and off in turn, ``repeats`` times:
    per setting, the rows of ``worst_tick.measure`` with the heatmap redraws added."""
    worst_tick.build.ensure_built("fast")
    runs: dict[bool, list[dict]] = {True: [], False: []}
    url_query = worst_tick.NETWORKS["default"] + worst_tick.ITERATIONS
    with (
        worst_tick.build.serving_in_background(worst_tick.build.SITE) as url,
        worst_tick.sync_playwright() as pw,
    ):
        for _ in range(repeats):
            for on, rows in runs.items():

                def prepare(page, on=on):
                    worker = page.workers[0]
                    code = WORKER_SETUP.replace("HEATMAPS", str(on))
                    worker.evaluate("(code) => { self.pyodide.runPython(code); }", code)
                    return lambda: {
                        "redraws": worker.evaluate(
                            "(code) => self.pyodide.runPython(code)", WORKER_READ
                        )
                    }

                rows.append(worst_tick.measure(pw, url + url_query, seconds, prepare))
                print(f"browser, heatmaps {'on' if on else 'off'}: done", file=sys.stderr)
    return runs


def print_browser(runs: dict[bool, list[dict]], seconds: float) -> None:
    """The browser's table: medians over pages, ticks pooled (as ``worst_tick`` does)."""
    print(f"\nbuilt site (Pyodide worker), {len(runs[True])} pages each, {seconds:g} s of Play")
    columns = ("it/s", "heatmap upd/s", "worst ms", "p95 ms", "median ms")
    print(f"{'heatmaps':<9} " + " ".join(f"{c:>13}" for c in columns))
    speed = {}
    for on, rows in runs.items():
        ticks = [1000 * tick for row in rows for tick in row["ticks"]]
        speed[on] = statistics.median(row["iterations"] / seconds for row in rows)
        cells = (
            speed[on],
            statistics.median(row["redraws"] / seconds for row in rows),
            max(ticks),
            worst_tick.percentile(ticks, 0.95),
            statistics.median(ticks),
        )
        print(f"{'on' if on else 'off':<9} " + " ".join(f"{c:>13.1f}" for c in cells))
    updates = statistics.median(row["redraws"] / seconds for row in runs[True])
    print(verdict("browser", speed[True] / speed[False], updates))


def verdict(label: str, ratio: float, updates: float) -> str:
    """One line: the speed ratio and the heatmap rate against their targets."""
    ok = ratio >= SPEED_RATIO_TARGET and updates >= UPDATES_TARGET
    return (
        f"{label}: speed with heatmaps / without = {ratio:.2f} (target >= "
        f"{SPEED_RATIO_TARGET}), {updates:.1f} heatmap updates/s (target >= "
        f"{UPDATES_TARGET:g}): {'OK' if ok else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (medians are quoted)")
    parser.add_argument("--browser", action="store_true", help="also in the built site")
    parser.add_argument("--browser-seconds", type=float, default=8.0, help="Play per page")
    parser.add_argument("--pages", type=int, default=3, help="browser pages per setting")
    args = parser.parse_args()
    runs: dict[tuple[str, bool], list[dict]] = {
        (mode, on): [] for mode in MODES for on in (True, False)
    }
    for _ in range(args.repeats):  # on and off in turn: a busy spell hits both
        for (mode, on), rows in runs.items():
            rows.append(run(on, MODES[mode], args.seconds))
    columns = ("it/s", "heatmap upd/s", "worst ms", "median ms")
    print(f"default network, {args.repeats} rounds of {args.seconds:g} s each; medians")
    print(f"{'ticks':<13} {'heatmaps':<9} " + " ".join(f"{c:>13}" for c in columns))
    medians = {}
    for (mode, on), rows in runs.items():
        medians[mode, on] = {c: statistics.median(row[c] for row in rows) for c in columns}
        cells = " ".join(f"{medians[mode, on][c]:>13.1f}" for c in columns)
        print(f"{mode:<13} {'on' if on else 'off':<9} {cells}")
    print()
    for mode in MODES:
        on, off = medians[mode, True], medians[mode, False]
        print(verdict(mode, on["it/s"] / off["it/s"], on["heatmap upd/s"]))
    if args.browser:
        print_browser(browser_rows(args.browser_seconds, args.pages), args.browser_seconds)


if __name__ == "__main__":
    main()
