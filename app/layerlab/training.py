"""Training in steps: ``Trainer.step(k)`` advances k iterations and keeps its state,
so a UI can train in small slices; ``fit`` is a thin loop over it.

One iteration is one epoch: a pass over the whole training set. With full-batch
gradient descent (the seed) that is a single update.

Three things live in three places: the settings in ``TrainConfig``, the learned
weights in ``Trainer.params``, the progress in ``Trainer.history``.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .initializers import INITIALIZERS
from .network import (
    Params,
    Workspace,
    backward,
    compute_cost,
    forward,
    init_params,
    l2_cost,
)
from .optimizers import OPTIMIZERS
from .serialization import validate_params
from .validation import check_choice, check_count, check_data, check_layer_dims, check_real


class DivergenceError(ValueError):
    """The cost or the gradients stopped being finite; training cannot go on."""


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters. Defaults are the seed's: full-batch gradient descent, no L2, no dropout."""

    learning_rate: float = 0.0075  # α, the step size
    iterations: int = 3000  # budget of epochs (full-batch: updates)
    lambd: float = 0.0  # λ of the L2 penalty λ/(2m) Σ||W||²; 0 turns it off
    optimizer: str = "gd"  # key of OPTIMIZERS: "gd", "momentum", "adam"
    beta1: float = 0.9  # momentum's β, Adam's β1
    beta2: float = 0.999  # Adam's β2
    epsilon: float = 1e-8  # Adam's ε
    batch_size: int | None = None  # examples per mini-batch; None = the whole set
    keep_prob: float = 1.0  # dropout: chance to keep a hidden unit; 1 = no dropout
    decay_rate: float = 0.0  # learning rate α / (1 + decay_rate · epoch)
    init: str = "small"  # key of INITIALIZERS; "small" is the seed's randn·0.01
    seed: int | None = None  # seeds init, shuffling and dropout: same seed, same run
    patience: int | None = None  # early stopping: epochs without a better validation cost

    def __post_init__(self) -> None:
        check_real("learning_rate", self.learning_rate, low=0.0, low_open=True)
        check_count("iterations", self.iterations)
        check_real("lambd", self.lambd, low=0.0)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_real("beta1", self.beta1, low=0.0, high=1.0)
        check_real("beta2", self.beta2, low=0.0, high=1.0)
        check_real("epsilon", self.epsilon, low=0.0, low_open=True)
        if self.batch_size is not None:
            check_count("batch_size", self.batch_size, low=1)
        check_real("keep_prob", self.keep_prob, low=0.0, high=1.0, low_open=True)
        check_real("decay_rate", self.decay_rate, low=0.0)
        check_choice("init", self.init, INITIALIZERS)
        if self.seed is not None:
            check_count("seed", self.seed)
        if self.patience is not None:
            check_count("patience", self.patience, low=1)


@dataclass
class History:
    """Per-iteration record; index i holds the cost of the weights before update i."""

    iterations: list[int] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)  # training cost, L2 part included
    l2_costs: list[float] = field(default_factory=list)  # the L2 part alone
    val_costs: list[float] = field(default_factory=list)  # cross-entropy on the held-out set


@dataclass
class FitResult:
    """What ``fit`` returns: final weights and the run's history."""

    params: Params
    history: History
    stopped_early: bool = False
    best_iteration: int | None = None  # with early stopping: the iteration whose weights were kept

    @property
    def costs(self) -> list[float]:
        return self.history.costs

    @property
    def iterations(self) -> int:
        return len(self.history.costs)


class Trainer:
    """Trains a network on ``X (n_x, m)``, ``Y (1, m)`` a few iterations at a time.

    ``learning_rate`` and ``lambd`` may be changed between steps. Give ``params``
    to continue from existing weights instead of initialising new ones.
    """

    def __init__(
        self,
        X,
        Y,
        layer_dims,
        config: TrainConfig | None = None,
        *,
        X_val=None,
        Y_val=None,
        params: Params | None = None,
    ) -> None:
        self.config = config if config is not None else TrainConfig()
        self.layer_dims = check_layer_dims(layer_dims)
        self.X, self.Y = check_data(X, Y, self.layer_dims[0])
        if (X_val is None) != (Y_val is None):
            raise ValueError("give both X_val and Y_val, or neither")
        self.X_val, self.Y_val = (
            (None, None) if X_val is None else check_data(X_val, Y_val, self.layer_dims[0])
        )
        if self.config.patience is not None and self.X_val is None:
            raise ValueError("early stopping (patience) needs a validation set: pass X_val, Y_val")
        self._rng = np.random.default_rng(self.config.seed)
        self.params = self._initial_params(params)
        self._optimizer = OPTIMIZERS[self.config.optimizer](self.config)
        self.learning_rate = self.config.learning_rate
        self.lambd = self.config.lambd
        self.iteration = 0
        self.history = History()
        # The last update's grads; their dW arrays live in the workspace and are
        # overwritten by the next step (copy them to keep them).
        self.last_grads: Params | None = None
        self._workspace = Workspace()  # forward/backward buffers, reused every step
        self.stopped_early = False
        self.best_iteration: int | None = None
        self._best_val_cost = math.inf
        self._best_params: Params | None = None

    def _initial_params(self, params: Params | None) -> Params:
        if params is None:
            return init_params(self.layer_dims, self.config.init, self._rng)
        dims = validate_params(params)
        if dims != self.layer_dims:
            raise ValueError(f"the given params are for layers {dims}, not {self.layer_dims}")
        return {key: np.array(value, dtype=np.float64) for key, value in params.items()}

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_real("learning_rate", value, low=0.0, low_open=True)

    @property
    def lambd(self) -> float:
        return self._lambd

    @lambd.setter
    def lambd(self, value: float) -> None:
        self._lambd = check_real("lambd", value, low=0.0)

    @property
    def done(self) -> bool:
        return self.stopped_early or self.iteration >= self.config.iterations

    def step(self, k: int = 1) -> list[float]:
        """Advance up to ``k`` iterations (fewer if the budget ends); return their costs."""
        k = check_count("k", k)
        costs = []
        # Overflow is reported as a DivergenceError below, not as NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(k):
                if self.done:
                    break
                costs.append(self._run_epoch())
        return costs

    def _run_epoch(self) -> float:
        m = self.Y.shape[1]
        learning_rate = self._learning_rate / (1.0 + self.config.decay_rate * self.iteration)
        val_cost = self._track_validation() if self.X_val is not None else None
        l2_part = l2_cost(self.params, self._lambd, m) if self._lambd else 0.0
        batch_size = self.config.batch_size
        if batch_size is None or batch_size >= m:  # full batch: the L2 part is this update's
            cost = self._update(self.X, self.Y, self._lambd, learning_rate, l2_part)
        else:
            cost = 0.0
            for X, Y in self._minibatches(batch_size):
                m_batch = Y.shape[1]
                # λ scaled by the batch's share keeps the penalty gradient at (λ/m) W.
                batch_cost = self._update(X, Y, self._lambd * m_batch / m, learning_rate)
                cost += batch_cost * m_batch / m
        self._record(cost, l2_part, val_cost)
        return cost

    def _update(
        self, X, Y, lambd: float, learning_rate: float, l2_part: float | None = None
    ) -> float:
        """One forward, backward and optimiser update on a batch; returns its cost
        (before the update). ``l2_part`` is the batch's L2 cost if already known.

        Full batch, this is the plain loop (forward, compute_cost, backward,
        update_params) operation for operation, so ``fit`` equals it bit for bit.
        """
        workspace = self._workspace
        keep_prob = self.config.keep_prob
        AL, caches = forward(
            X, self.params, keep_prob=keep_prob, rng=self._rng, workspace=workspace
        )
        if l2_part is None:
            cost = compute_cost(AL, Y, self.params, lambd)
        else:  # the same sum compute_cost(AL, Y, params, λ) forms
            cost = compute_cost(AL, Y) + l2_part
        grads = backward(AL, Y, caches, lambd, workspace=workspace)
        self._check_finite(cost, grads, learning_rate)
        self._optimizer.update(self.params, grads, learning_rate)
        self.last_grads = grads
        return cost

    def _minibatches(self, size: int):
        """Yield ``(X (n_x, size), Y (1, size))`` (the last may be smaller), reshuffled
        every epoch."""
        order = self._rng.permutation(self.Y.shape[1])
        for start in range(0, len(order), size):
            chosen = order[start : start + size]
            yield self.X[:, chosen], self.Y[:, chosen]

    def _track_validation(self) -> float:
        """Cross-entropy of the current weights on the held-out set; keeps a copy of the best."""
        AL, _ = forward(self.X_val, self.params)
        val_cost = compute_cost(AL, self.Y_val)
        if val_cost < self._best_val_cost:
            self._best_val_cost = val_cost
            self.best_iteration = self.iteration
            self._best_params = {key: value.copy() for key, value in self.params.items()}
        return val_cost

    def _check_finite(self, cost: float, grads: Params, learning_rate: float) -> None:
        # Σ g² is NaN or inf as soon as one entry is: one dot product per array, no copies.
        squares = sum(map(np.vdot, grads.values(), grads.values()))
        if math.isfinite(cost) and math.isfinite(squares):
            return
        raise DivergenceError(
            f"training diverged at iteration {self.iteration}: the cost became {cost}. "
            f"Lower the learning rate (now {learning_rate:g}), add L2 (λ) or use a smaller "
            f"initialisation, then reset."
        )

    def _record(self, cost: float, l2_part: float, val_cost: float | None) -> None:
        history = self.history
        history.iterations.append(self.iteration)
        history.costs.append(cost)
        history.l2_costs.append(l2_part)
        if val_cost is not None:
            history.val_costs.append(val_cost)
        self.iteration += 1
        patience = self.config.patience
        if patience is not None and self.iteration - self.best_iteration > patience:
            self.params = self._best_params
            self.stopped_early = True


def fit(
    X,
    Y,
    layer_dims,
    learning_rate: float = 0.0075,
    iterations: int = 3000,
    lambd: float = 0.0,
    init: str = "small",
    seed: int | None = None,
    *,
    optimizer: str = "gd",
    batch_size: int | None = None,
    keep_prob: float = 1.0,
    decay_rate: float = 0.0,
    X_val=None,
    Y_val=None,
    patience: int | None = None,
    callback: Callable[[Trainer], object] | None = None,
    callback_every: int = 100,
    **optimizer_settings,
) -> FitResult:
    """Train from scratch and return the final weights and history.

    With the defaults this is the seed's loop: ``init_params``, then
    ``iterations`` times forward, cost, backward and ``update_params``.
    ``callback(trainer)`` runs every ``callback_every`` iterations and at the end.
    ``optimizer_settings`` are ``beta1``, ``beta2``, ``epsilon``. With ``patience``,
    training stops when the validation cost has not improved for that many
    iterations, and the best weights are returned.
    """
    config = TrainConfig(
        learning_rate=learning_rate,
        iterations=iterations,
        lambd=lambd,
        optimizer=optimizer,
        batch_size=batch_size,
        keep_prob=keep_prob,
        decay_rate=decay_rate,
        init=init,
        seed=seed,
        patience=patience,
        **optimizer_settings,
    )
    callback_every = check_count("callback_every", callback_every, low=1)
    trainer = Trainer(X, Y, layer_dims, config, X_val=X_val, Y_val=Y_val)
    while not trainer.done:
        trainer.step(min(callback_every, config.iterations - trainer.iteration))
        if callback is not None:
            callback(trainer)
    return FitResult(trainer.params, trainer.history, trainer.stopped_early, trainer.best_iteration)
