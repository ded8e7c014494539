"""One run of the lab: the data, a network training on it, its progress, and what views read.

``TrainingSession`` owns the core's ``Trainer``; views never touch it. They read:

* the network: ``layer_dims``, ``architecture``, ``n_params``, ``weights()``, ``layer_table``;
* progress: ``iteration``, ``progress`` (of the iteration in progress), ``cost_history``,
  ``accuracy_history``, ``latest``, ``iterations_per_second``;
* predictions: ``probabilities`` on a grid (or ``probabilities_steps``, a chunk at a time),
  ``mistakes`` and ``test_probabilities`` (of the latest evaluated weights: ``evaluated``);
* the run's recipe: ``initial`` (the learning rate and λ it started with) and ``changes``.

The learning rate and λ may change while it trains (``change``). Each change at iteration
i > 0 is recorded as ``(i, name, value)``; a session made with recorded ``changes`` (a
link's, or a reset's) applies each one when training reaches its iteration, so the run
replays number for number.

No call does much work at once, whatever the network: ``advance`` trains in the trainer's
units (``Trainer.run_unit``) until its time is up, and the predictions the views show
(accuracies, mistakes) are computed a chunk at a time on a copy of the weights, then
recorded for the iteration they belong to (``busy`` while some are under way).
"""

import functools
import math
import time
from dataclasses import dataclass

import numpy as np

from layerlab import Trainer, forward, gradient_check
from layerlab.chunks import forward_chunk, probabilities_steps
from layerlab.ui.custom import CustomData
from layerlab.ui.data import LabData
from layerlab.ui.pending import Pending
from layerlab.ui.speed import SpeedMeter

LIVE = ("learning_rate", "lambd")  # what may change during a run (and is recorded)
GRADCHECK_MAX_PARAMS = 3000  # two forward passes per parameter
GRADCHECK_EXAMPLES = 64
GRADCHECK_PASS = 1e-6  # below: backprop and finite differences agree
GRADCHECK_FAIL = 1e-3  # above: something is wrong (between: borderline, e.g. ReLU kinks)
EVALUATION_MAX_SHARE = 0.1  # while training, at most this share of the time on predictions

Change = tuple[int, str, float]  # (iteration, setting name, value from then on)


@dataclass(frozen=True)
class Evaluation:
    """P(y = 1) of the weights after ``iteration`` iterations, on each example."""

    iteration: int
    train: np.ndarray  # (m_train,)
    test: np.ndarray  # (m_test,)


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
        self.changes: list[Change] = sorted(changes)
        self._accuracy: dict[str, list] = {"iteration": [], "train": [], "test": []}
        self.evaluated: Evaluation | None = None  # the latest predictions, once there are any
        self._evaluation: Pending | None = None  # predictions under way
        self._evaluation_due = 0.0  # perf_counter time after which training may start more
        self._speed = SpeedMeter()
        # Loaded weights are evaluated at once (the page says how good they are); fresh ones
        # a chunk now and the rest in the next ticks.
        self._evaluate(math.inf if params is not None else time.perf_counter())

    # -- the network ----------------------------------------------------------------------
    @property
    def layer_dims(self) -> list[int]:
        """``[n_x, n_1, ..., 1]``."""
        return [self.data.n_features, *self.layer_sizes, 1]

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
        """Per layer: shapes of W, b, Z, A for this batch size (0: all), #params, ‖W‖, ‖dW‖."""
        m = self.data.X_train.shape[1]
        m_batch = min(batch_size, m) if batch_size else m
        grads, params = self.trainer.last_grads, self.trainer.params
        rows = []
        for l, units in enumerate(self.layer_dims[1:], start=1):
            W, b = params[f"W{l}"], params[f"b{l}"]
            rows.append(
                {
                    "layer": l,
                    "activation": "sigmoid" if l == len(self.layer_dims) - 1 else "relu",
                    "W": W.shape,
                    "b": b.shape,
                    "Z": (units, m_batch),
                    "params": W.size + b.size,
                    "norm_W": float(np.linalg.norm(W)),
                    "norm_dW": None if grads is None else float(np.linalg.norm(grads[f"dW{l}"])),
                }
            )
        return rows

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
    def iterations_per_second(self) -> float | None:
        """How fast it trained lately on this device (None until measured)."""
        return self._speed.rate

    @property
    def busy(self) -> bool:
        """Whether predictions of the weights are still to be computed for the views."""
        startable = self._needs_evaluation and not self.trainer.in_progress
        return self._evaluation is not None or startable

    def live_value(self, name: str) -> float:
        """The learning rate or λ in use now."""
        return getattr(self.trainer, name)

    def cost_history(self, start: int = 0, stop: int | None = None) -> dict[str, list]:
        """Per iteration in ``[start, stop)``: the train cost (L2 part included), the L2 part
        alone and the test cross-entropy, each of the weights before that iteration's update."""
        history, span = self.trainer.history, slice(start, stop)
        return {
            "iteration": history.iterations[span],
            "train_cost": history.costs[span],
            "l2_cost": history.l2_costs[span],
            "test_cost": history.val_costs[span],
        }

    def accuracy_history(self, start: int = 0) -> dict[str, list]:
        """Train and test accuracy of the weights at each recorded iteration, from ``start``."""
        return {
            "iteration": self._accuracy["iteration"][start:],
            "train_accuracy": self._accuracy["train"][start:],
            "test_accuracy": self._accuracy["test"][start:],
        }

    def latest(self) -> dict[str, float | int | None]:
        """The readout: iteration, last costs, current accuracies."""
        history = self.trainer.history
        last = {"iteration": self.iteration}
        for key, values in (
            ("train_cost", history.costs),
            ("l2_cost", history.l2_costs),
            ("test_cost", history.val_costs),
            ("train_accuracy", self._accuracy["train"]),
            ("test_accuracy", self._accuracy["test"]),
        ):
            last[key] = values[-1] if values else None
        return last

    # -- predictions ----------------------------------------------------------------------
    @_quiet_overflow
    def probabilities(self, resolution: int) -> np.ndarray:
        """Predicted P(y=1) on a ``(resolution, resolution)`` grid over the data's extent."""
        AL, _ = forward(self.data.grid(resolution), self.trainer.params)  # (1, res**2)
        return np.asarray(AL).reshape(resolution, resolution)

    def probabilities_steps(self, resolution: int):
        """``probabilities(resolution)`` of the weights as they are now, a chunk at a time:
        a generator that yields between chunks and returns the ``(res, res)`` grid (drive it
        with ``Pending``; the weights are copied, training may go on meanwhile)."""
        params = self._weights_now()
        grid = self.data.grid(resolution)  # (2, res**2)
        image = yield from probabilities_steps(grid, params, forward_chunk(self.layer_dims))
        return image.reshape(resolution, resolution)

    def mistakes(self) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks ``(m_train,)`` and ``(m_test,)`` of misclassified points, by the
        latest evaluated weights (none before the first evaluation)."""
        data, evaluated = self.data, self.evaluated
        if evaluated is None:
            return np.zeros(data.Y_train.shape[1], bool), np.zeros(data.Y_test.shape[1], bool)
        return (evaluated.train > 0.5) != data.Y_train[0], (evaluated.test > 0.5) != data.Y_test[0]

    def test_probabilities(self) -> np.ndarray | None:
        """P(y=1) ``(m_test,)`` of the test examples (the training set if none is held out),
        by the latest evaluated weights; None before the first evaluation."""
        evaluated = self.evaluated
        if evaluated is None:
            return None
        return evaluated.test if self.data.X_test.shape[1] else evaluated.train

    def test_labels(self) -> np.ndarray:
        """Labels ``(m_test,)`` matching ``test_probabilities``."""
        Y = self.data.Y_test if self.data.Y_test.shape[1] else self.data.Y_train
        return Y[0]

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
                    if trainer.in_pieces and self._evaluation is None and self._evaluation_is_due:
                        self._start_evaluation()  # these weights: the next unit changes them
                now = time.perf_counter()
                if now + (now - start) > deadline:
                    break
        finally:
            if k:
                self._speed.record(time.perf_counter(), self.iteration + self.progress)
            if not k or self._evaluation is not None or self._evaluation_is_due:
                self._evaluate(deadline)
        return finished, applied

    def change(self, name: str, value: float) -> None:
        """Use ``value`` for ``name`` (the learning rate or λ) from the next iteration on
        (between iterations: from now on), and record it.

        Later recorded changes of the same setting no longer apply: the run took another
        turn. Before the first iteration this is the run's starting value.
        """
        iteration = self.iteration + (1 if self.trainer.in_progress else 0)
        setattr(self.trainer, name, value)
        self.changes = [c for c in self.changes if c[1] != name or c[0] < iteration]
        if iteration == 0:
            self.initial[name] = value
        else:
            self.changes.append((iteration, name, value))
            self.changes.sort()

    def gradient_check(self, lambd: float) -> dict:
        """Backprop against finite differences on the current weights (no dropout)."""
        if self.n_params > GRADCHECK_MAX_PARAMS:
            return {
                "verdict": "skipped",
                "note": f"{self.n_params} parameters is too many to check quickly "
                f"(the check needs two forward passes per parameter): use a network with "
                f"at most {GRADCHECK_MAX_PARAMS}.",
            }
        X = self.data.X_train[:, :GRADCHECK_EXAMPLES]
        Y = self.data.Y_train[:, :GRADCHECK_EXAMPLES]
        difference = gradient_check(self.trainer.params, X, Y, lambd=lambd)
        if difference < GRADCHECK_PASS:
            verdict = "pass"
        elif difference < GRADCHECK_FAIL:
            verdict = "borderline"
        else:
            verdict = "fail"
        return {
            "verdict": verdict,
            "difference": difference,
            "note": f"at iteration {self.iteration}, λ = {lambd:g}, "
            f"{X.shape[1]} training examples, no dropout",
        }

    # -- internals ------------------------------------------------------------------------
    def _apply_due_changes(self) -> list[Change]:
        due = [c for c in self.changes if c[0] == self.iteration]
        for _, name, value in due:
            setattr(self.trainer, name, value)
        return due

    @property
    def _needs_evaluation(self) -> bool:
        return self._accuracy["iteration"][-1:] != [self.iteration]

    def _weights_now(self) -> dict[str, np.ndarray]:
        return {key: value.copy() for key, value in self.trainer.params.items()}

    def _start_evaluation(self) -> None:
        self._evaluation = Pending(self._evaluation_steps(self._weights_now(), self.iteration))

    def _evaluation_steps(self, params: dict, iteration: int):
        """The predictions of ``params`` on the training and test examples, a chunk at a
        time (a generator that yields between chunks; returns an ``Evaluation``)."""
        data = self.data
        X = np.hstack([data.X_train, data.X_test])  # (n_x, m_train + m_test)
        p = yield from probabilities_steps(X, params, forward_chunk(self.layer_dims))
        m_train = data.X_train.shape[1]
        return Evaluation(iteration, p[:m_train], p[m_train:])

    @property
    def _evaluation_is_due(self) -> bool:
        """Small predictions (one chunk) are always due; big ones are rationed."""
        m = self.data.X_train.shape[1] + self.data.X_test.shape[1]
        small = forward_chunk(self.layer_dims) >= m
        return small or time.perf_counter() >= self._evaluation_due

    def _evaluate(self, deadline: float) -> None:
        """Work on the views' predictions until ``deadline`` (at least one chunk); start
        them for the current weights when none are under way, between iterations only
        (``advance`` starts them as an iteration ends, before the next one changes them)."""
        if self._evaluation is None:
            if not self._needs_evaluation or self.trainer.in_progress:
                return
            self._start_evaluation()
        if self._evaluation.run(deadline):
            self._record_accuracy(self._evaluation.result)
            # While training, big ones come when this one's time is EVALUATION_MAX_SHARE of
            # the time since.
            seconds = self._evaluation.seconds
            self._evaluation_due = time.perf_counter() + seconds / EVALUATION_MAX_SHARE - seconds
            self._evaluation = None

    def _record_accuracy(self, evaluation: Evaluation) -> None:
        """Accuracies of the evaluated weights, at most once per iteration."""
        self.evaluated = evaluation
        if self._accuracy["iteration"][-1:] == [evaluation.iteration]:
            return
        wrong_train, wrong_test = self.mistakes()
        self._accuracy["iteration"].append(evaluation.iteration)
        for key, wrong in (("train", wrong_train), ("test", wrong_test)):
            self._accuracy[key].append(1.0 - float(wrong.mean()) if wrong.size else None)
