"""Training in steps: ``Trainer.step(k)`` advances k iterations and keeps its state,
so a UI can train in small slices; ``fit`` is a thin loop over it.

One iteration is one epoch: a pass over the whole training set. With full-batch
gradient descent (the seed) that is a single update.

Three things live in three places: the settings in ``TrainConfig``, the learned
weights in ``Trainer.params``, the progress in ``Trainer.history``.
"""

import copy as copying
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields

import numpy as np

from .network import Params, Workspace, backward, compute_cost, forward, init_params
from .optimizers import make_optimizer
from .regularization import l2_cost
from .serialization import validate_params
from .settings import CONFIG_SETTINGS, SETTINGS
from .steps import DivergenceError, Dropout, gradient_update, minibatch_epoch, minibatches
from .validation import check_count, check_data, check_layer_dims


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters. Defaults are the seed's: full-batch gradient descent, no L2, no dropout.

    Each field is checked against its declaration in ``layerlab.settings`` (its domain: what
    the core accepts, a superset of what the app's controls offer).
    """

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
        for spec in fields(self):
            CONFIG_SETTINGS[spec.name].check_domain(getattr(self, spec.name))

    @classmethod
    def from_settings(cls, settings: Mapping[str, object], **overrides) -> "TrainConfig":
        """The config of a run the app's settings describe (by setting name, as in a link).

        Each value goes through its declaration (``batch_size`` 0 is the full batch,
        ``weight_seed`` is ``seed``); the settings scripts alone know (``decay_rate``,
        ``beta1``, ...) are optional. ``overrides`` are config fields (``iterations=...``).
        """
        needed = [name for name, s in SETTINGS.items() if s.config_field and s.group]
        missing = [name for name in needed if name not in settings]
        if missing:
            raise ValueError(f"settings lack {', '.join(missing)}; pass every setting of the app")
        values = {
            s.config_field: s.config_value(settings[name])
            for name, s in SETTINGS.items()
            if s.config_field and name in settings
        }
        return cls(**{**values, **overrides})


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


@dataclass
class UpdatePreview:
    """The next update of a ``Trainer``, worked out on a copy of it (``preview_update``).

    Arrays have the shapes of the network module: ``X (n_x, m)``, ``caches[l-1]`` holds
    ``A_prev``, ``W``, ``b``, ``Z`` of layer l, ``trace`` the ``dZ_l`` and ``dA_{l-1}`` of
    the backward pass, ``grads`` the ``dW_l`` and ``db_l``.
    """

    iteration: int
    X: np.ndarray  # (n_x, m) the examples of this update (a mini-batch, or all)
    Y: np.ndarray  # (1, m)
    batches: int  # updates in this iteration (epoch): this is the first
    masks: list | None  # dropout's masks, if any
    caches: list  # forward's, per layer
    AL: np.ndarray  # (1, m)
    cost: float  # with its L2 part
    trace: dict  # backward's dZ_l and dA_{l-1}
    grads: Params
    learning_rate: float  # as this update uses it (decay applied)
    lambd: float  # as this update uses it (a mini-batch's share of λ)
    params_before: Params
    params_after: Params


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
        self._optimizer = make_optimizer(self.config)
        keep_prob = self.config.keep_prob
        self._draw_masks = Dropout(self.layer_dims, keep_prob, self._rng) if keep_prob < 1 else None
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
        self._learning_rate = CONFIG_SETTINGS["learning_rate"].check_domain(value)

    @property
    def lambd(self) -> float:
        return self._lambd

    @lambd.setter
    def lambd(self, value: float) -> None:
        self._lambd = CONFIG_SETTINGS["lambd"].check_domain(value)

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

    def preview_update(self) -> UpdatePreview:
        """The next update worked out step by step on a copy of this trainer (this one does
        not change): the same examples, masks, forward, cost, backward and optimizer step as
        ``step(1)`` will do (with mini-batches: the epoch's first update)."""
        copy = _copy(self)
        m = copy.Y.shape[1]
        learning_rate = copy._learning_rate / (1.0 + copy.config.decay_rate * copy.iteration)
        batch_size = copy.config.batch_size
        if batch_size is None or batch_size >= m:
            X, Y, lambd, batches = copy.X, copy.Y, copy._lambd, 1
        else:
            X, Y = next(minibatches(copy.X, copy.Y, batch_size, copy._rng))
            lambd, batches = copy._lambd * Y.shape[1] / m, -(-m // batch_size)
        masks = None if copy._draw_masks is None else copy._draw_masks(Y.shape[1])
        before = {key: value.copy() for key, value in copy.params.items()}  # kept as they were
        AL, caches = forward(X, before, masks=masks)
        cost = compute_cost(AL, Y, before, lambd)
        trace: dict = {}
        grads = backward(AL, Y, caches, lambd, trace=trace)
        copy._optimizer.update(copy.params, grads, learning_rate)
        return UpdatePreview(
            iteration=copy.iteration,
            X=X,
            Y=Y,
            batches=batches,
            masks=masks,
            caches=caches,
            AL=np.asarray(AL),
            cost=cost,
            trace=trace,
            grads=grads,
            learning_rate=learning_rate,
            lambd=lambd,
            params_before=before,
            params_after=copy.params,
        )

    def _run_epoch(self) -> float:
        m = self.Y.shape[1]
        learning_rate = self._learning_rate / (1.0 + self.config.decay_rate * self.iteration)
        val_cost = self._track_validation() if self.X_val is not None else None
        l2_part = l2_cost(self.params, self._lambd, m) if self._lambd else 0.0
        batch_size = self.config.batch_size
        try:
            if batch_size is None or batch_size >= m:  # full batch: a single update
                masks = None if self._draw_masks is None else self._draw_masks(m)
                cost, grads = gradient_update(
                    self.X,
                    self.Y,
                    self.params,
                    self._optimizer,
                    learning_rate,
                    self._lambd,
                    masks=masks,
                    workspace=self._workspace,
                )
            else:
                cost, grads = minibatch_epoch(
                    self.X,
                    self.Y,
                    self.params,
                    self._optimizer,
                    learning_rate,
                    self._lambd,
                    batch_size,
                    self._rng,
                    draw_masks=self._draw_masks,
                    workspace=self._workspace,
                )
        except DivergenceError as error:
            raise DivergenceError(
                f"training diverged at iteration {self.iteration}: {error}. "
                f"Lower the learning rate (now {learning_rate:g}), add L2 (λ) or use a smaller "
                f"initialisation, then reset."
            ) from None
        self.last_grads = grads
        self._record(cost, l2_part, val_cost)
        return cost

    def _track_validation(self) -> float:
        """Cross-entropy of the current weights on the held-out set; keeps a copy of the best."""
        AL, _ = forward(self.X_val, self.params)
        val_cost = compute_cost(AL, self.Y_val)
        if val_cost < self._best_val_cost:
            self._best_val_cost = val_cost
            self.best_iteration = self.iteration
            self._best_params = {key: value.copy() for key, value in self.params.items()}
        return val_cost

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


def _copy(trainer: Trainer) -> Trainer:
    """A deep copy of ``trainer``: its weights, optimizer state and random stream."""
    return copying.deepcopy(trainer)
