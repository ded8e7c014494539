"""One run of the lab: the data, a network training on it, its progress, and what views read.

``TrainingSession`` owns the core's ``Trainer``; views never touch it. They read:

* the network: ``layer_dims``, ``architecture``, ``n_params``, ``weights()``, ``layer_table``;
* progress: ``iteration``, ``cost_history``, ``accuracy_history``, ``latest``;
* predictions: ``probabilities`` on a grid, ``mistakes``, ``test_probabilities``;
* the run's recipe: ``initial`` (the learning rate and λ it started with) and ``changes``.

The learning rate and λ may change while it trains (``change``). Each change at iteration
i > 0 is recorded as ``(i, name, value)``; a session made with recorded ``changes`` (a
link's, or a reset's) applies each one when training reaches its iteration, so the run
replays number for number.
"""

import functools
import math
import time
from dataclasses import dataclass

import numpy as np

from layerlab import Trainer, compute_cost, forward, gradient_check
from layerlab.edits import LIVE_SETTINGS, Change, check_weight, weight_name, weight_position
from layerlab.ui.custom import CustomData
from layerlab.ui.data import LabData

LIVE = LIVE_SETTINGS  # the settings that may change during a run (and are recorded)
GRADCHECK_MAX_PARAMS = 3000  # two forward passes per parameter
GRADCHECK_EXAMPLES = 64
GRADCHECK_PASS = 1e-6  # below: backprop and finite differences agree
GRADCHECK_FAIL = 1e-3  # above: something is wrong (between: borderline, e.g. ReLU kinks)

LN2 = math.log(2.0)  # the cross-entropy of predicting 1/2 for every example
STUCK = 1e-3  # a cost this close to ln 2 with flat predictions: the network learned nothing
FLAT = 1e-3  # predictions whose spread (std) is below this say the same for every input
CHANCE_MARGIN = 0.02  # a train accuracy within this of the larger class's share: chance


@dataclass(frozen=True)
class Evaluation:
    """The current weights on the whole data (no dropout): what the readout and marks show."""

    key: tuple[int, float]  # (iteration, λ) it was made at
    train_cost: float  # J with the current λ, as the exported script prints it at the end
    test_cost: float | None  # cross-entropy on the held-out examples (None: there are none)
    wrong_train: np.ndarray  # (m_train,) booleans: misclassified
    wrong_test: np.ndarray  # (m_test,)
    spread: float  # std of P(y=1) over the training examples
    dead_masks: list[np.ndarray]  # per hidden layer (n_l,): ReLU units no example switches on

    @property
    def dead_units(self) -> list[int]:
        """Per hidden layer, how many of its units are dead."""
        return [int(mask.sum()) for mask in self.dead_masks]

    def accuracy(self, wrong: np.ndarray) -> float | None:
        return 1.0 - float(wrong.mean()) if wrong.size else None


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
        self._apply_due_changes()  # weights set by hand before the first update
        self._accuracy: dict[str, list] = {"iteration": [], "train": [], "test": []}
        self._evaluation: Evaluation | None = None
        self._record_accuracy()

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
        """Per layer: shapes of W, b, Z, A for this batch size (0: all), #params, ‖W‖, ‖dW‖
        and (hidden layers) how many ReLU units are dead: off for every training example."""
        m = self.data.X_train.shape[1]
        m_batch = min(batch_size, m) if batch_size else m
        grads, params = self.trainer.last_grads, self.trainer.params
        dead = self.evaluation().dead_units  # per hidden layer
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
                    "dead": dead[l - 1] if l <= len(dead) else None,
                }
            )
        return rows

    # -- progress -------------------------------------------------------------------------
    @property
    def iteration(self) -> int:
        """Iterations (epochs) trained so far."""
        return self.trainer.iteration

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
        the last update, as the curves show them), current accuracies."""
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

    def mistakes(self) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks ``(m_train,)`` and ``(m_test,)`` of misclassified points."""
        evaluation = self.evaluation()
        return evaluation.wrong_train, evaluation.wrong_test

    @_quiet_overflow
    def evaluation(self) -> Evaluation:
        """The current weights evaluated on all the data (computed once per iteration)."""
        key = (self.iteration, self.trainer.lambd)
        if self._evaluation is not None and self._evaluation.key == key:
            return self._evaluation
        data, params, lambd = self.data, self.trainer.params, self.trainer.lambd
        AL, caches = forward(data.X_train, params)  # (1, m_train)
        train_cost = compute_cost(AL, data.Y_train, params, lambd)
        test_cost, wrong_test = None, np.zeros(0, dtype=bool)
        if data.X_test.shape[1]:
            AL_test, _ = forward(data.X_test, params)  # (1, m_test)
            test_cost = compute_cost(AL_test, data.Y_test)
            wrong_test = (np.asarray(AL_test) > 0.5)[0] != data.Y_test[0]
        self._evaluation = Evaluation(
            key=key,
            train_cost=train_cost,
            test_cost=test_cost,
            wrong_train=(np.asarray(AL) > 0.5)[0] != data.Y_train[0],
            wrong_test=wrong_test,
            spread=float(np.std(AL)),
            dead_masks=[np.all(cache.Z <= 0.0, axis=1) for cache in caches[:-1]],
        )
        return self._evaluation

    def diagnosis(self) -> str:
        """What went wrong, if the network collapsed, with the likely fix ("" if nothing).

        Collapsed: a hidden layer whose ReLU units are all dead (the output is then constant)
        or most of the network's units dead; the cost stuck at ln 2 with flat predictions
        (nothing was learned: vanishing gradients); one class predicted for every example;
        or an accuracy no better than always answering the larger class.
        """
        evaluation = self.evaluation()
        alpha = self.trainer.learning_rate
        fix = f"Lower the learning rate (now {alpha:g}) and Reset, or try He initialization."
        layers = zip(evaluation.dead_units, self.layer_sizes, strict=True)
        for layer, (dead, units) in enumerate(layers, start=1):
            if dead == units:
                return (
                    f"all {units} ReLU units of layer {layer} are dead (no example switches "
                    f"them on), so the network answers the same for every input. {fix}"
                )
        dead, units = sum(evaluation.dead_units), sum(self.layer_sizes)
        if units and dead > units / 2:
            return f"{dead} of its {units} ReLU units are dead (never switched on). {fix}"
        if abs(evaluation.train_cost - LN2) < STUCK and evaluation.spread < FLAT:
            return (
                "the cost is stuck at ln 2 = 0.6931: the network predicts about 50% for every "
                "input, its gradients vanished. Try He initialization (the weights start too "
                "small for this depth) or a larger learning rate, then Reset."
            )
        labels = self.data.Y_train[0] == 1.0  # (m,)
        predicted = ~evaluation.wrong_train == labels  # (m,): right about a 1, or wrong on a 0
        if labels.any() and not labels.all() and (predicted.all() or not predicted.any()):
            label = 1 if predicted.all() else 0
            return (
                f"the network predicts class {label} for every training example. Lower the "
                f"learning rate or add hidden units, then Reset."
            )
        majority = max(labels.mean(), 1.0 - labels.mean())
        if evaluation.accuracy(evaluation.wrong_train) <= majority + CHANCE_MARGIN:
            return (
                f"its train accuracy is no better than always answering the larger class "
                f"({majority:.0%}). {fix} A deeper or wider network may also be needed."
            )
        return ""

    @_quiet_overflow
    def unit_maps(self, resolution: int, drawn: list[int]) -> list[np.ndarray]:
        """What each unit computes over the plane: per layer l = 1..L an array
        ``(drawn[l-1], resolution, resolution)`` of its first units' activations A on the
        decision map's grid (the output: P(y = 1))."""
        AL, caches = forward(self.data.grid(resolution), self.trainer.params)
        layers = [cache.A_prev for cache in caches[1:]] + [np.asarray(AL)]  # A_1 .. A_L
        return [
            A[:n].reshape(n, resolution, resolution) for A, n in zip(layers, drawn, strict=True)
        ]

    @_quiet_overflow
    def test_probabilities(self) -> np.ndarray:
        """P(y=1) ``(m_test,)`` of the test examples (the training set if none is held out)."""
        X = self.data.X_test if self.data.X_test.shape[1] else self.data.X_train
        AL, _ = forward(X, self.trainer.params)  # (1, m)
        return np.asarray(AL)[0]

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
        """Train up to ``k`` iterations, stopping early once ``budget_s`` seconds are spent.

        Recorded changes due at an iteration are applied just before it. Returns how many
        iterations ran and the changes applied. Raises ``DivergenceError`` (the core's) when
        the cost stops being finite; what ran before is recorded either way.
        """
        start, steps, applied = time.perf_counter(), 0, []
        try:
            while steps < k:
                applied += self._apply_due_changes()
                self.trainer.step(1)
                steps += 1
                if time.perf_counter() - start > budget_s:
                    break
        finally:
            self._record_accuracy()
        return steps, applied

    def change(self, name: str, value: float) -> None:
        """Use ``value`` for ``name`` (the learning rate or λ) from now on, and record it.

        Later recorded changes of the same setting no longer apply: the run took another
        turn. Before the first iteration this is the run's starting value.
        """
        iteration = self.iteration
        setattr(self.trainer, name, value)
        self._forget_later(name)
        if iteration == 0:
            self.initial[name] = value
        else:
            self._record(iteration, name, value)

    def set_weight(self, layer: int, row: int, column: int, value: object) -> float:
        """Set ``W[layer][row, column]`` by hand, now, and record it; returns the value.

        Raises ``ValueError`` (and changes nothing) for a position the network does not
        have or a value that is not a finite number within ``±MAX_WEIGHT``.
        """
        W = self.trainer.params.get(f"W{layer}")
        if W is None or not (0 <= row < W.shape[0] and 0 <= column < W.shape[1]):
            raise ValueError(f"the network has no weight W{layer}[{row}, {column}]")
        value = check_weight(value)
        name = weight_name(layer, row, column)
        W[row, column] = value
        self._evaluation = None  # the weights changed within the iteration
        self._forget_later(name)
        self._record(self.iteration, name, value)
        return value

    def _forget_later(self, name: str) -> None:
        self.changes = [c for c in self.changes if c[1] != name or c[0] < self.iteration]

    def _record(self, iteration: int, name: str, value: float) -> None:
        self.changes = sorted([*self.changes, (iteration, name, value)])

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
            position = weight_position(name)
            if position is None:
                setattr(self.trainer, name, value)
            else:
                layer, row, column = position
                self.trainer.params[f"W{layer}"][row, column] = value
                self._evaluation = None
        return due

    def _record_accuracy(self) -> None:
        """Accuracies of the current weights, at most once per iteration."""
        if self._accuracy["iteration"][-1:] == [self.iteration]:
            return
        evaluation = self.evaluation()
        self._accuracy["iteration"].append(self.iteration)
        self._accuracy["train"].append(evaluation.accuracy(evaluation.wrong_train))
        self._accuracy["test"].append(evaluation.accuracy(evaluation.wrong_test))
