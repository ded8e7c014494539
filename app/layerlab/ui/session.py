"""One run of the lab: the data, a network training on it, its progress, and what views read.

``TrainingSession`` owns the core's ``Trainer``; views never touch it. They read:

* the network: ``layer_dims``, ``activation``, ``architecture``, ``n_params``, ``weights()``,
  ``layer_table``;
* progress: ``iteration``, ``progress`` (of the iteration in progress), ``cost_history``,
  ``accuracy_history``, ``latest``, ``iterations_per_second``;
* predictions: ``probabilities`` on a grid (or ``probabilities_steps``, a chunk at a time),
  what each unit computes (``unit_maps``, ``unit_maps_steps``); ``evaluation()``,
  ``mistakes``, ``test_probabilities`` and ``diagnosis`` (of the latest evaluated weights);
* the next update, worked out step by step: ``preview_update``;
* the run's recipe: ``initial`` (the learning rate, λ and λ₁ it started with) and ``changes``.

The learning rate, λ and λ₁ may change while it trains (``change``), and a weight may be set by
hand (``set_weight``). Each change at iteration i > 0 is recorded as ``(i, name, value)``;
a session made with recorded ``changes`` (a link's, or a reset's) applies each one when
training reaches its iteration, so the run replays number for number.

No call does much work at once, whatever the network: ``advance`` trains in the trainer's
units (``Trainer.run_unit``) until its time is up, and the predictions the views show
(accuracies, mistakes) are computed a chunk at a time on a copy of the weights, then
recorded for the iteration they belong to (``busy`` while some are under way).
"""

import functools
import math
import time

import numpy as np

from layerlab import Trainer, forward
from layerlab.chunks import forward_chunk, probabilities_steps, unit_maps_steps
from layerlab.edits import LIVE_SETTINGS, Change, check_weight, weight_name, weight_position
from layerlab.steps import run_steps
from layerlab.ui.change_log import ChangeLog
from layerlab.ui.custom import CustomData
from layerlab.ui.data import LabData
from layerlab.ui.evaluations import Evaluations
from layerlab.ui.health import Evaluation, diagnosis
from layerlab.ui.layer_table import layer_rows
from layerlab.ui.speed import SpeedMeter

LIVE = LIVE_SETTINGS  # the settings that may change during a run (and are recorded)


def _quiet_overflow(method):
    """Silence NumPy's overflow warnings in ``method``.

    Overflow on the way to NaN/inf is expected: the trainer reports it as divergence, and
    the last finite weights it keeps may still overflow on the plot's grid.
    """

    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return method(*args, **kwargs)

    return quiet


class TrainingSession:
    """A network training on ``data``; progress and predictions for the views."""

    def __init__(
        self,
        data: LabData,
        layer_sizes: list[int],
        config,
        *,
        custom: CustomData | None = None,
        params: dict | None = None,
        params_file: str | None = None,
        changes: list[Change] = (),
    ) -> None:
        self.data = data
        self.layer_sizes = list(layer_sizes)
        self.custom = custom  # the user's own data it trains on, or None: generated data
        self.params_file = params_file if params is not None else None  # weights it began with
        self.trainer = Trainer(
            data.X_train,
            data.Y_train,
            self.layer_dims,
            config,
            X_val=data.X_test,
            Y_val=data.Y_test,
            params=params,
        )
        self.initial = {name: getattr(config, name) for name in LIVE}
        self._log = ChangeLog(changes)
        self._evaluations = Evaluations(data, self.trainer)  # the latest predictions, ...
        self._apply_due_changes()  # weights set by hand before the first update
        self._speed = SpeedMeter()
        # Loaded weights are evaluated at once (the page says how good they are); fresh ones
        # a chunk now and the rest in the next ticks.
        self._evaluations.evaluate(math.inf if params is not None else time.perf_counter())

    @property
    def changes(self) -> list[Change]:
        """The run's recorded changes ``(iteration, name, value)``, sorted."""
        return self._log.changes

    # -- the network ----------------------------------------------------------------------
    @property
    def layer_dims(self) -> list[int]:
        """``[n_x, n_1, ..., 1]``."""
        return [self.data.n_inputs, *self.layer_sizes, 1]

    @property
    def input_names(self) -> tuple[str, ...]:
        """What each of the network's inputs is: a feature (``x1²``) or a CSV column's name."""
        if self.custom is not None and not self.data.planar:
            return self.custom.feature_names
        return self.data.input_names

    @property
    def activation(self) -> str:
        """The hidden layers' activation, a key of ``layerlab.activations.ACTIVATIONS``."""
        return self.trainer.activation.name

    @property
    def n_params(self) -> int:
        """Number of weights and biases."""
        return sum(value.size for value in self.trainer.params.values())

    @property
    def architecture(self) -> str:
        """The network in words, e.g. ``2 → 8 → 8 → 1 (105 parameters)``."""
        return f"{' → '.join(str(n) for n in self.layer_dims)} ({self.n_params} parameters)"

    def weights(self) -> dict[str, np.ndarray]:
        """``W1, b1, ...`` as read-only views (they change as it trains)."""
        views = {}
        for key, value in self.trainer.params.items():
            views[key] = value.view()
            views[key].flags.writeable = False
        return views

    def layer_table(self, batch_size: int) -> list[dict]:
        """Per layer: shapes of W, b, Z, A for this batch size (0: all), #params, ‖W‖, ‖dW‖
        and (hidden layers) how many ReLU units are dead: off for every training example
        (None until the weights were evaluated, and for other activations: their units do
        not die)."""
        m = self.data.X_train.shape[1]
        m_batch = min(batch_size, m) if batch_size else m
        evaluation = self.evaluation()
        dead = [] if evaluation is None else evaluation.dead_units or []  # per hidden layer
        trainer = self.trainer
        return layer_rows(
            self.layer_dims, trainer.params, trainer.last_grads, self.activation, m_batch, dead
        )

    # -- progress -------------------------------------------------------------------------
    @property
    def iteration(self) -> int:
        """Iterations (epochs) trained so far."""
        return self.trainer.iteration

    @property
    def progress(self) -> float:
        """The share of the iteration in progress done, in [0, 1) (0 between iterations)."""
        return self.trainer.progress

    @property
    def in_pieces(self) -> bool:
        """Whether an iteration is too big to run at once, so it runs in pieces
        (``layerlab.chunks``)."""
        return self.trainer.in_pieces

    @property
    def iterations_per_second(self) -> float | None:
        """How fast it trained lately on this device (None until measured)."""
        return self._speed.rate

    @property
    def busy(self) -> bool:
        """Whether predictions of the weights are still to be computed for the views."""
        return self._evaluations.busy

    def live_value(self, name: str) -> float:
        """The learning rate, λ or λ₁ in use now."""
        return getattr(self.trainer, name)

    def cost_history(self, start: int = 0, stop: int | None = None) -> dict[str, list]:
        """Per iteration in ``[start, stop)``: the train cost (penalties included), the
        regularization part alone (``l2_cost``: the L2 and L1 parts) and the test
        cross-entropy, each of the weights before that iteration's update."""
        history, span = self.trainer.history, slice(start, stop)
        return {
            "iteration": history.iterations[span],
            "train_cost": history.costs[span],
            "l2_cost": history.l2_costs[span],
            "test_cost": history.val_costs[span],
        }

    def accuracy_history(self, start: int = 0) -> dict[str, list]:
        """Train and test accuracy of the weights at each recorded iteration, from ``start``."""
        return self._evaluations.accuracy_history(start)

    @property
    def minibatch(self) -> bool:
        """Whether an iteration is an epoch of several updates (mini-batches)."""
        batch_size = self.trainer.config.batch_size
        return batch_size is not None and batch_size < self.data.X_train.shape[1]

    @property
    def unit(self) -> str:
        """What one step of training is called: "epoch" with mini-batches, else "iteration"."""
        return "epoch" if self.minibatch else "iteration"

    def latest(self) -> dict[str, float | int | None]:
        """The last entries of the histories: iteration, last costs (of the weights before
        the last update, as the curves show them), the latest accuracies."""
        history = self.trainer.history
        last = {"iteration": self.iteration}
        for key, values in (
            ("train_cost", history.costs),
            ("l2_cost", history.l2_costs),
            ("test_cost", history.val_costs),
            ("train_accuracy", self._evaluations.accuracy["train"]),
            ("test_accuracy", self._evaluations.accuracy["test"]),
        ):
            last[key] = values[-1] if values else None
        return last

    # -- predictions ----------------------------------------------------------------------
    @_quiet_overflow
    def probabilities(self, resolution: int) -> np.ndarray:
        """Predicted P(y=1) on a ``(resolution, resolution)`` grid over the data's extent."""
        grid = self.data.grid(resolution)  # (2, res**2)
        AL, _ = forward(grid, self.trainer.params, activation=self.trainer.activation)
        return np.asarray(AL).reshape(resolution, resolution)

    def probabilities_steps(self, resolution: int):
        """``probabilities(resolution)`` of the weights as they are now, a chunk at a time:
        a generator that yields between chunks and returns the ``(res, res)`` grid (drive it
        with ``Pending``; the weights are copied, training may go on meanwhile)."""
        params = self._weights_now()
        grid = self.data.grid(resolution)  # (n_x, res**2)
        chunk, activation = forward_chunk(self.layer_dims), self.trainer.activation
        image = yield from probabilities_steps(grid, params, chunk, activation)
        return image.reshape(resolution, resolution)

    def unit_maps_steps(self, resolution: int, drawn: list[int]):
        """What each unit computes over the plane, a chunk of the grid at a time: a generator
        that yields between chunks and returns, per layer l = 1..L, an array
        ``(drawn[l-1], resolution, resolution)`` of its first units' activations A on the
        decision map's grid (the output: P(y = 1)). The weights are copied."""
        grid = self.data.grid(resolution)  # (n_x, res**2)
        chunk, activation = forward_chunk(self.layer_dims), self.trainer.activation
        maps = yield from unit_maps_steps(grid, self._weights_now(), chunk, drawn, activation)
        return [shown.reshape(-1, resolution, resolution) for shown in maps]

    @_quiet_overflow
    def unit_maps(self, resolution: int, drawn: list[int]) -> list[np.ndarray]:
        """``unit_maps_steps`` all at once."""
        return run_steps(self.unit_maps_steps(resolution, drawn))

    def evaluation(self) -> Evaluation | None:
        """The latest evaluated weights on all the data (None before the first evaluation).

        Stale ones are brought up to date first when that is one chunk of work (a small
        network: always); a big network's is the latest the ticks finished.
        """
        return self._evaluations.current()

    def mistakes(self) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks ``(m_train,)`` and ``(m_test,)`` of misclassified points, by the
        latest evaluated weights (none before the first evaluation)."""
        data, evaluation = self.data, self.evaluation()
        if evaluation is None:
            return np.zeros(data.Y_train.shape[1], bool), np.zeros(data.Y_test.shape[1], bool)
        return evaluation.wrong_train, evaluation.wrong_test

    def diagnosis(self) -> str:
        """What went wrong, if the network collapsed, with the likely fix ("" if nothing or
        not evaluated yet): ``layerlab.ui.health.diagnosis``."""
        evaluation = self.evaluation()
        if evaluation is None:
            return ""
        labels = self.data.Y_train[0]
        return diagnosis(evaluation, labels, self.layer_sizes, self.trainer.learning_rate)

    def test_probabilities(self) -> np.ndarray | None:
        """P(y=1) ``(m_test,)`` of the test examples (the training set if none is held out),
        by the latest evaluated weights; None before the first evaluation."""
        evaluation = self.evaluation()
        if evaluation is None:
            return None
        return evaluation.test if self.data.X_test.shape[1] else evaluation.train

    def test_labels(self) -> np.ndarray:
        """Labels ``(m_test,)`` matching ``test_probabilities``."""
        Y = self.data.Y_test if self.data.Y_test.shape[1] else self.data.Y_train
        return Y[0]

    def preview_update(self):
        """The next update worked out on a copy (``Trainer.preview_update``): nothing here
        changes; ``advance(1)`` then does exactly that update (the whole epoch with
        mini-batches)."""
        return self.trainer.preview_update()

    # -- verbs ----------------------------------------------------------------------------
    @_quiet_overflow
    def advance(self, k: int, budget_s: float = math.inf) -> tuple[int, list[Change]]:
        """Train until ``k`` more iterations are done or ``budget_s`` seconds are nearly
        spent, then work on the views' predictions within the same time.

        Training goes in the trainer's units (a whole small iteration, a piece of a big
        one), at least one when ``k`` > 0; it stops before a unit that would end after the
        budget, judged by the last one. An iteration in progress is finished first and
        counts as one. Recorded changes due at an iteration are applied just before it.
        Returns how many iterations finished and the changes applied. Raises
        ``DivergenceError`` (the core's) when the cost stops being finite; what ran before
        is recorded either way.
        """
        trainer = self.trainer
        deadline = time.perf_counter() + budget_s
        finished, applied = 0, []
        try:
            while finished < k and not trainer.done:
                if not trainer.in_progress:
                    applied += self._apply_due_changes()
                start = time.perf_counter()
                if trainer.run_unit() is not None:
                    finished += 1
                    evaluations = self._evaluations
                    if trainer.in_pieces and not evaluations.under_way and evaluations.is_due:
                        evaluations.begin()  # these weights: the next unit changes them
                now = time.perf_counter()
                if now + (now - start) > deadline:
                    break
        finally:
            if k:
                self._speed.record(time.perf_counter(), self.iteration + self.progress)
            evaluations = self._evaluations
            if not k or evaluations.under_way or evaluations.is_due:
                evaluations.evaluate(deadline)
        return finished, applied

    def change(self, name: str, value: float) -> None:
        """Use ``value`` for ``name`` (the learning rate, λ or λ₁) from the next iteration on
        (between iterations: from now on), and record it.

        Later recorded changes of the same setting no longer apply: the run took another
        turn. Before the first iteration this is the run's starting value.
        """
        iteration = self._next_iteration
        setattr(self.trainer, name, value)
        if iteration == 0:
            self._log.forget_from(name, 0)
            self.initial[name] = value
        else:
            self._log.record(iteration, name, value)

    def set_weight(self, layer: int, row: int, column: int, value: object) -> float:
        """Set ``W[layer][row, column]`` by hand and record it; returns the value. Between
        iterations it acts now; during a big one, from the next (as a change of λ does).

        Raises ``ValueError`` (and changes nothing) for a position the network does not
        have or a value that is not a finite number within ``±MAX_WEIGHT``.
        """
        W = self.trainer.params.get(f"W{layer}")
        if W is None or not (0 <= row < W.shape[0] and 0 <= column < W.shape[1]):
            raise ValueError(f"the network has no weight W{layer}[{row}, {column}]")
        value = check_weight(value)
        iteration = self._next_iteration
        self._log.record(iteration, weight_name(layer, row, column), value)
        if iteration == self.iteration:
            self._set(layer, row, column, value)
        return value

    @property
    def _next_iteration(self) -> int:
        """The iteration a change made now acts from: the next one to start."""
        return self.iteration + (1 if self.trainer.in_progress else 0)

    def _set(self, layer: int, row: int, column: int, value: float) -> None:
        self.trainer.params[f"W{layer}"][row, column] = value
        self._evaluations.edits += 1  # the weights changed: evaluate them again

    # -- internals ------------------------------------------------------------------------
    def _apply_due_changes(self) -> list[Change]:
        due = self._log.due(self.iteration)
        for _, name, value in due:
            position = weight_position(name)
            if position is None:
                setattr(self.trainer, name, value)
            else:
                self._set(*position, value)
        return due

    def _weights_now(self) -> dict[str, np.ndarray]:
        return {key: value.copy() for key, value in self.trainer.params.items()}
