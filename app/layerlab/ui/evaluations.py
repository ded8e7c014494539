"""The session's predictions over time: the latest evaluated weights, the evaluation under
way (a chunk at a time, ``Pending``), and the accuracies per evaluated iteration.

An evaluation is of a copy of the trainer's weights, keyed by what it depends on (the
iteration, λ, λ₁ and how many weights were set by hand). While training, a big network's
evaluations are rationed: the next may start when the last one's time is
``EVALUATION_MAX_SHARE`` of the time since it started.
"""

import time

from layerlab.chunks import forward_chunk
from layerlab.ui.health import Evaluation, evaluation_steps
from layerlab.ui.pending import Pending

EVALUATION_MAX_SHARE = 0.1  # while training, at most this share of the time on predictions


class Evaluations:
    """Of ``trainer``'s weights on ``data``: ``latest`` (None before the first), the one
    ``under_way``, and ``accuracy`` lists."""

    def __init__(self, data, trainer) -> None:
        self.data, self.trainer = data, trainer
        self.edits = 0  # weights set by hand so far: the weights changed within an iteration
        self.latest: Evaluation | None = None
        self.accuracy: dict[str, list] = {"iteration": [], "train": [], "test": []}
        self._pending: Pending | None = None
        self._due = 0.0  # perf_counter time after which training may start another

    @property
    def under_way(self) -> bool:
        return self._pending is not None

    @property
    def key(self) -> tuple:
        """What the current weights' evaluation depends on."""
        trainer = self.trainer
        return (trainer.iteration, trainer.lambd, trainer.lambd_l1, self.edits)

    @property
    def busy(self) -> bool:
        """Whether one is under way or one is needed and may start (between iterations)."""
        return self.under_way or (self.needed(self.key) and not self.trainer.in_progress)

    @property
    def is_due(self) -> bool:
        """Small evaluations (one chunk) are always due; big ones are rationed."""
        data, layer_dims = self.data, self.trainer.layer_dims
        m = data.X_train.shape[1] + data.X_test.shape[1]
        return self.due(small=forward_chunk(layer_dims) >= m)

    def begin(self) -> None:
        """Start evaluating a copy of the weights as they are now."""
        trainer = self.trainer
        steps = evaluation_steps(
            self.data,
            {key: value.copy() for key, value in trainer.params.items()},
            trainer.lambd,
            forward_chunk(trainer.layer_dims),
            self.key,
            lambd_l1=trainer.lambd_l1,
            activation=trainer.activation,
        )
        self.start(steps)

    def evaluate(self, deadline: float) -> None:
        """Work on the predictions until ``deadline`` (at least one chunk); start them for
        the current weights when none are under way, between iterations only (training
        starts them as an iteration ends, before the next one changes them)."""
        if not self.under_way:
            if not self.needed(self.key) or self.trainer.in_progress:
                return
            self.begin()
        self.work(deadline)

    def current(self) -> Evaluation | None:
        """The latest, brought up to date first when that is one chunk of work (a small
        network: always); a big network's is the latest the ticks finished."""
        if self.stale(self.key) and not self.trainer.in_progress:
            self.evaluate(time.perf_counter())  # at least one chunk
        return self.latest

    def stale(self, key: tuple) -> bool:
        """Whether the latest was made of other weights than ``key`` says (``Evaluation.key``)."""
        return self.latest is None or self.latest.key != key

    def needed(self, key: tuple) -> bool:
        """Whether the views wait for one: an iteration without accuracies yet, or the
        readout's cost changed (λ, λ₁, a weight set by hand)."""
        return self.accuracy["iteration"][-1:] != [key[0]] or self.stale(key)

    def due(self, small: bool) -> bool:
        """Small evaluations (one chunk) are always due; big ones are rationed."""
        return small or time.perf_counter() >= self._due

    def start(self, steps) -> None:
        """Begin one: ``steps`` is ``health.evaluation_steps(...)``, a generator."""
        self._pending = Pending(steps)

    def work(self, deadline: float) -> None:
        """Work on the one under way until ``deadline`` (at least one chunk); record it when
        done."""
        if self._pending.run(deadline):
            self._record(self._pending.result)
            seconds = self._pending.seconds
            self._due = time.perf_counter() + seconds / EVALUATION_MAX_SHARE - seconds
            self._pending = None

    def accuracy_history(self, start: int = 0) -> dict[str, list]:
        """Train and test accuracy of the weights at each recorded iteration, from ``start``."""
        return {
            "iteration": self.accuracy["iteration"][start:],
            "train_accuracy": self.accuracy["train"][start:],
            "test_accuracy": self.accuracy["test"][start:],
        }

    def _record(self, evaluation: Evaluation) -> None:
        """The latest; its accuracies at most once per iteration."""
        self.latest = evaluation
        if self.accuracy["iteration"][-1:] == [evaluation.iteration]:
            return
        self.accuracy["iteration"].append(evaluation.iteration)
        self.accuracy["train"].append(evaluation.accuracy(evaluation.wrong_train))
        self.accuracy["test"].append(evaluation.accuracy(evaluation.wrong_test))
