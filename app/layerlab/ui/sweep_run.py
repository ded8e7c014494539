"""The λ sweep of the page's network, run a slice per tick: the state behind the "λ sweep"
view (no Panel).

``SweepRun`` starts a core ``layerlab.sweep.Sweep`` of the current settings and data: each
λ of the grid (``ViewState.sweep_grid``) trains the current network from the same initial
weights (the weight seed) for the run's Iterations setting. It reuses that setting rather
than asking for another number: a point is then exactly where Reset and Play would end with
that λ, which the page's own curves can confirm. ``LabState.tick`` gives it a share of each
tick (``tick``: ``Pending`` drives the sweep's units of work until the share is spent), so
points appear as they finish and the page keeps answering; ``cancel`` stops
it between two units.

A sweep answers for the settings it started with: when a setting that changes training (all
but λ itself and the speed) or the data changes meanwhile, it stops and says so; the points
so far stay (and go into the CSV).
"""

import math
import time

import numpy as np
import param

from layerlab.config import TrainConfig
from layerlab.settings import SETTINGS, UI_SETTINGS
from layerlab.sweep import Sweep, SweepPoint, format_grid, to_csv
from layerlab.ui.numbers import percent
from layerlab.ui.pending import Pending
from layerlab.ui.state import LabState
from layerlab.ui.viewstate import ViewState

# Settings a sweep does not depend on: λ is what it varies, the speed only paces Play.
IGNORED = ("lambd", "steps_per_tick")
WATCHED = [name for name in UI_SETTINGS if name not in IGNORED]


class SweepRun(param.Parameterized):
    """One page's λ sweep: the points so far, what it is doing, Run and Cancel."""

    status = param.String(default="", doc="What the sweep is doing or did.")
    status_level = param.Selector(
        default="info", objects=["info", "success", "warning", "error"], doc="Tone of status."
    )
    running = param.Boolean(default=False, doc="Whether a sweep is under way.")
    version = param.Integer(default=0, bounds=(0, None), doc="Bumped on every change to show.")

    def __init__(self, state: LabState, views: ViewState) -> None:
        super().__init__()
        self._state, self._views = state, views
        self.points: list[SweepPoint] = []  # of the last sweep started, in λ order
        self.grid: list[float] = []  # its λ values
        self.iterations = 0  # its iterations per λ
        self._sweep: Sweep | None = None  # the sweep under way
        self._work: Pending | None = None  # its units of work, a share of each tick
        self._inputs: tuple | None = None  # (config, data) it runs on
        state.sweep = self  # LabState.tick runs it
        state.param.watch(self._on_change, [*WATCHED, "generation"])
        self.status = "Run sweep trains the network once per λ and plots where each ends."

    @property
    def busy(self) -> bool:
        """Whether a sweep has work left (``LabState.busy`` asks)."""
        return self._sweep is not None

    @property
    def progress(self) -> float:
        """The share of the sweep done, in [0, 1]."""
        return 1.0 if self._sweep is None else self._sweep.progress

    def start(self) -> None:
        """Sweep the grid with the current settings and data (a running sweep starts over)."""
        state = self._state
        config, data = self._config(), state.session.data
        try:
            sweep = Sweep(
                data.X_train,
                data.Y_train,
                state.session.layer_dims,
                config,
                self._views.sweep_grid,
                X_test=data.X_test,
                Y_test=data.Y_test,
            )
        except ValueError as error:
            self._say("error", f"Could not start the sweep: {error}.")
            return
        self._sweep, self._inputs = sweep, (config, data)
        self._work = Pending(self._units(sweep))
        self.points, self.grid, self.iterations = [], list(sweep.grid), config.iterations
        self.running = True
        self._say(
            "info",
            f"Sweeping {len(self.grid)} values of λ ({format_grid(self.grid)}), "
            f"{config.iterations} {state.session.unit}s each from the same initial weights "
            f"(weight seed {config.seed})…",
        )
        state.version += 1  # the page ticks while there is work

    def cancel(self, reason: str = "Cancelled") -> None:
        """Stop the sweep; the points so far stay."""
        if self._sweep is None:
            return
        self._stop()
        done = len(self.points)
        self._say(
            "warning",
            f"{reason}: the sweep stopped after {done} of {len(self.grid)} values of λ"
            + (" (their points stay; Download CSV has them)." if done else "."),
        )

    def tick(self, budget_s: float) -> None:
        """Units of the sweep until ``budget_s`` seconds are nearly spent (at least one)."""
        try:
            done = self._work.run(time.perf_counter() + budget_s)
        except ValueError as error:  # nothing the core should raise; said, never swallowed
            self._stop()
            self._say("error", f"The sweep stopped: {error}")
            return
        if done:
            self._stop()
            self._say(*self._summary())
        else:
            self.version += 1

    def csv(self) -> str:
        """The points so far as CSV (``layerlab.sweep.to_csv``)."""
        return to_csv(self.points)

    def _units(self, sweep: Sweep):
        """``sweep``'s units of work as a generator for ``Pending``: it yields after each,
        and each point a unit finishes joins ``points``."""
        while True:
            point = sweep.run_unit()
            if sweep.done:
                return
            if point is not None:
                self.points.append(point)
            yield

    def _stop(self) -> None:
        self._sweep = self._work = self._inputs = None
        self.running = False
        self.version += 1

    def _summary(self) -> tuple[str, str]:
        done = f"Done: {len(self.points)} values of λ, {self.iterations} iterations each."
        measured = [p for p in self.points if not math.isnan(p.test_cost)]
        diverged = [p.lambd for p in self.points if p.diverged]
        if diverged:
            return "warning", f"{done} Training diverged at λ = {format_grid(diverged)}."
        if not measured:
            return "success", done
        best = min(measured, key=lambda point: point.test_cost)
        return "success", (
            f"{done} Lowest test cost {best.test_cost:.4f} at λ = {best.lambd:g} "
            f"(test accuracy {percent(best.test_accuracy)})."
        )

    def _config(self) -> TrainConfig:
        """The run the settings describe, λ aside: what each point trains with."""
        state = self._state
        values = {name: getattr(state, name) for name in UI_SETTINGS}
        return TrainConfig.from_settings(values, iterations=state.iterations, lambd=0.0)

    def _on_change(self, *events) -> None:
        """Stop a sweep whose settings or data are no longer the page's."""
        if self._sweep is None or self._same_inputs():
            return
        names = sorted({event.name for event in events} - {"generation"})
        what = ", ".join(SETTINGS[name].label for name in names) or "The data"
        self.cancel(f"{what} changed")
        self.status += " Run sweep again for the new settings."

    def _same_inputs(self) -> bool:
        config, data = self._inputs
        now = self._state.session.data
        same_data = now is data or all(
            np.array_equal(getattr(now, name), getattr(data, name))
            for name in ("X_train", "Y_train", "X_test", "Y_test")
        )
        return same_data and self._config() == config

    def _say(self, level: str, text: str) -> None:
        self.param.update(status=text, status_level=level)
