"""What the network diagram's per-unit heatmaps cost: training speed with them on and off.

    .venv/bin/python bench/heatmaps.py [--seconds 3] [--repeats 5]

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

Targets (issue 14): training with heatmaps at least 0.8 times as fast as without, at least
5 heatmap updates per second. ``bench/worst_tick.py`` measures the ticks in the browser.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (medians are quoted)")
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
        ratio = medians[mode, True]["it/s"] / medians[mode, False]["it/s"]
        updates = medians[mode, True]["heatmap upd/s"]
        ok = ratio >= SPEED_RATIO_TARGET and updates >= UPDATES_TARGET
        print(
            f"{mode}: speed with heatmaps / without = {ratio:.2f} (target >= "
            f"{SPEED_RATIO_TARGET}), {updates:.1f} heatmap updates/s (target >= "
            f"{UPDATES_TARGET:g}): {'OK' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
