"""The λ sweep: the same network trained at several L2 λ, to see over- and under-fitting.

Every λ of the grid starts from the same initial weights (one seed) and trains on the same
data for the same number of iterations, so λ is the only difference between two points.
Each point is the final weights' cross-entropy (without the penalty, so that train and
test compare like for like) and accuracy on the training and the test examples: a small
λ fits the training set and may lose on the test set (variance), a large one fits neither
(bias).

``Sweep`` does the work in small units (``run_unit``: a few iterations, at most
``layerlab.chunks.UNIT_WORK`` multiply-adds, or one piece of a big one, or a chunk of the
final evaluation) so that a page can run it a slice at a time and stay responsive;
``sweep`` runs it all and returns the points (for a notebook); ``to_csv`` writes them.
"""

import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np

from .chunks import UNIT_WORK, forward_chunk, iteration_work
from .config import TrainConfig
from .network import compute_cost, forward
from .setting import number_text, parse_number, quoted
from .settings import SETTINGS
from .steps import DivergenceError
from .training import Trainer
from .validation import check_data, check_layer_dims

MAX_LAMBD = SETTINGS["lambd"].high  # the grid's largest λ: the λ control's maximum
MAX_POINTS = 20  # λ values in one sweep
MAX_GRID_CHARS = 400  # a grid's text
SMALLEST_LAMBD = 1e-3  # the default grid's first λ after 0
GRID_EXAMPLE = "0, 0.01, 0.1, 1"
CSV_COLUMNS = (
    "lambd",
    "train_cost",
    "test_cost",
    "train_accuracy",
    "test_accuracy",
    "iterations",
    "diverged",
)


class SweepPoint(NamedTuple):
    """One λ's final weights on the data (NaN where there is nothing to measure: no test
    examples, or training diverged)."""

    lambd: float
    train_cost: float  # cross-entropy on the training examples, without the penalty
    test_cost: float  # cross-entropy on the test examples
    train_accuracy: float  # share of training examples classified right
    test_accuracy: float
    iterations: int  # iterations trained (fewer if it stopped early or diverged)
    diverged: bool = False


def default_grid(high: float = MAX_LAMBD) -> list[float]:
    """0, then 1 and 3 times the powers of ten from ``SMALLEST_LAMBD`` up to ``high``
    (which ends the grid): ``[0, 0.001, 0.003, 0.01, ..., 3, 10]``."""
    grid = [0.0]
    exponent = round(math.log10(SMALLEST_LAMBD))
    while True:
        for mantissa in (1, 3):
            value = float(f"{mantissa}e{exponent}")  # exactly the decimal, not 3 * 0.001
            if value >= high:
                return [*grid, float(high)]
            grid.append(value)
        exponent += 1


def parse_grid(text: str, high: float = MAX_LAMBD) -> list[float]:
    """The λ values written in ``text`` (``"0, 0.01, 0.1, 1"``: commas or spaces between),
    sorted, each once. Plain decimals only, each in ``[0, high]``, at most ``MAX_POINTS``.

    Raises ``ValueError`` naming the bad value and the fix.
    """
    if not isinstance(text, str):
        raise ValueError(f"the λ grid must be text such as {GRID_EXAMPLE!r}, not {quoted(text)}")
    if len(text) > MAX_GRID_CHARS:
        raise ValueError(
            f"the λ grid is too long ({len(text):,} characters, at most {MAX_GRID_CHARS}): "
            f"write at most {MAX_POINTS} values such as {GRID_EXAMPLE!r}"
        )
    words = text.replace(",", " ").split()
    values = []
    for word in words:
        try:
            values.append(parse_number(word))
        except ValueError as error:
            raise ValueError(
                f"the λ grid has {quoted(word)}, which {error}: write plain numbers "
                f"separated by commas, such as {GRID_EXAMPLE!r}"
            ) from None
    return check_grid(values, high)


def check_grid(values, high: float = MAX_LAMBD) -> list[float]:
    """``values`` as a grid: sorted, each once, each a finite number in ``[0, high]``, at
    most ``MAX_POINTS`` of them. Raises ``ValueError`` naming the bad value and the fix."""
    grid = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
            raise ValueError(f"the λ grid has {quoted(value)}, not a number")
        if not math.isfinite(value):
            raise ValueError(f"the λ grid has {value}, not a finite number: leave it out")
        if value < 0:
            raise ValueError(f"the λ grid has {value:g}, below 0: λ is 0 (no penalty) or more")
        if value > high:
            raise ValueError(
                f"the λ grid has {value:g}, above the maximum {number_text(high)}: lower it"
            )
        grid.add(float(value) + 0.0)  # -0.0 is 0
    if not grid:
        raise ValueError(f"the λ grid is empty: write values such as {GRID_EXAMPLE!r}")
    if len(grid) > MAX_POINTS:
        raise ValueError(f"the λ grid has {len(grid)} values, at most {MAX_POINTS}: leave some out")
    return sorted(grid)


def format_grid(values) -> str:
    """The grid as ``parse_grid`` reads it back exactly: ``"0, 0.001, 0.1"``."""
    return ", ".join(number_text(float(value)) for value in values)


class Sweep:
    """Trains a network on ``X (n_x, m)``, ``Y (1, m)`` once per λ of ``grid``, a unit of
    work at a time (``run_unit``), and measures each final network.

    ``config`` is the run's (its ``lambd`` is replaced by each grid value; its
    ``iterations`` is each λ's budget; its ``seed`` must be given: every λ starts from the
    same weights). ``X_test``, ``Y_test`` are the held-out examples the test columns
    measure (and early stopping watches, if the config has ``patience``).
    """

    def __init__(
        self,
        X,
        Y,
        layer_dims,
        config: TrainConfig,
        grid,
        *,
        X_test=None,
        Y_test=None,
    ) -> None:
        if config.seed is None:
            raise ValueError(
                "a sweep needs a seed (config.seed) so that every λ starts from the same weights"
            )
        self.config = config
        self.grid = parse_grid(grid) if isinstance(grid, str) else check_grid(grid)
        self.layer_dims = check_layer_dims(layer_dims)
        self.X, self.Y = check_data(X, Y, self.layer_dims[0])
        if (X_test is None) != (Y_test is None):
            raise ValueError("give both X_test and Y_test, or neither")
        n_x = self.layer_dims[0]
        if X_test is None or np.shape(X_test)[-1] == 0:  # no test examples: NaN test columns
            self.X_test, self.Y_test = np.zeros((n_x, 0)), np.zeros((1, 0))
        else:
            self.X_test, self.Y_test = check_data(X_test, Y_test, n_x)
        self.points: list[SweepPoint] = []
        self.trainer: Trainer | None = None  # the λ training now
        m = self.Y.shape[1]
        m_val = self.Y_test.shape[1] if config.patience else 0  # early stopping's pass
        batch_size = config.batch_size if config.batch_size and config.batch_size < m else None
        work = iteration_work(self.layer_dims, m, batch_size, m_val)
        self._per_unit = max(1, UNIT_WORK // work)  # small iterations: this many per unit
        self._steps = self._all_steps()
        self.done = False

    @property
    def progress(self) -> float:
        """The share of the sweep done, in [0, 1]."""
        if self.done:
            return 1.0
        trainer = self.trainer
        current = 0.0 if trainer is None else trainer.iteration / self.config.iterations
        return (len(self.points) + min(current, 1.0)) / len(self.grid)

    @property
    def current(self) -> float | None:
        """The λ in progress (None when done)."""
        return None if self.done else self.grid[len(self.points)]

    def run_unit(self) -> SweepPoint | None:
        """Do one unit of work; return the point it finished, if any (None when done)."""
        if self.done:
            return None
        try:
            return next(self._steps)
        except StopIteration:
            self.done, self.trainer = True, None
            return None

    def run(self) -> list[SweepPoint]:
        """Run the rest of the sweep; return all its points."""
        while not self.done:
            self.run_unit()
        return list(self.points)

    def _all_steps(self):
        """The sweep as a generator of units of work; it yields each point as it is made."""
        for lambd in self.grid:
            config = replace(self.config, lambd=lambd)
            held_out = config.patience is not None and self.Y_test.shape[1] > 0
            X_val, Y_val = (self.X_test, self.Y_test) if held_out else (None, None)
            trainer = Trainer(self.X, self.Y, self.layer_dims, config, X_val=X_val, Y_val=Y_val)
            self.trainer = trainer
            try:
                while not trainer.done:
                    if trainer.in_pieces:
                        trainer.run_unit()
                    else:
                        trainer.step(self._per_unit)
                    yield None
            except DivergenceError:
                point = SweepPoint(lambd, *[math.nan] * 4, trainer.iteration, diverged=True)
            else:
                point = yield from self._measure(lambd, trainer)
            self.points.append(point)
            self.trainer = None
            yield point

    def _measure(self, lambd: float, trainer: Trainer):
        """The final weights' cross-entropy and accuracy on the training and the test
        examples, a chunk of examples at a time (a generator: it yields between chunks)."""
        params, chunk = trainer.params, forward_chunk(self.layer_dims)
        results = []
        for X, Y in ((self.X, self.Y), (self.X_test, self.Y_test)):
            m = Y.shape[1]
            cost, right = 0.0, 0
            for start in range(0, m, chunk):
                AL, _ = forward(X[:, start : start + chunk], params, activation=trainer.activation)
                part = Y[:, start : start + chunk]
                cost += compute_cost(AL, part, m=m)  # its share of the mean
                right += int(np.count_nonzero((AL > 0.5) == part))
                yield None
            results += [cost, right / m] if m else [math.nan, math.nan]
        (train_cost, train_accuracy, test_cost, test_accuracy) = results
        return SweepPoint(
            lambd, train_cost, test_cost, train_accuracy, test_accuracy, trainer.iteration
        )


def sweep(
    X,
    Y,
    layer_dims,
    grid=None,
    *,
    X_test=None,
    Y_test=None,
    config: TrainConfig | None = None,
    **config_fields,
) -> list[SweepPoint]:
    """Train ``layer_dims`` at every λ of ``grid`` (default: ``default_grid()``) from the
    same initial weights and return a ``SweepPoint`` per λ, in increasing λ.

    The run is ``config`` (default ``TrainConfig(seed=0)``) with ``config_fields`` replaced
    (``iterations=500, learning_rate=0.1, seed=3``): each λ trains that many iterations.
    ``X_test``, ``Y_test`` give the test columns (NaN without them).

    >>> points = sweep(X, Y, [2, 8, 1], [0, 0.1, 1], X_test=Xt, Y_test=Yt, iterations=500)
    """
    config = replace(config if config is not None else TrainConfig(seed=0), **config_fields)
    grid = default_grid() if grid is None else grid
    return Sweep(X, Y, layer_dims, config, grid, X_test=X_test, Y_test=Y_test).run()


def to_csv(points) -> str:
    """The points as CSV text: a header, then a row per λ; numbers in their shortest exact
    form (reading them gives back the same floats), NaN as an empty field."""

    def cell(value) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int):
            return str(value)
        return "" if math.isnan(value) else repr(float(value))

    rows = [",".join(CSV_COLUMNS)]
    rows += [",".join(cell(value) for value in point) for point in points]
    return "\n".join(rows) + "\n"
