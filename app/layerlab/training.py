"""Training in steps: ``Trainer.step(k)`` advances k iterations and keeps its state,
so a UI can train in small slices; ``fit`` is a thin loop over it.

One iteration is one epoch: a pass over the whole training set. With full-batch
gradient descent (the seed) that is a single update. An iteration too big to run at once
(``layerlab.chunks``) goes in pieces: ``Trainer.run_unit()`` does one unit of work (a whole
small iteration, or one piece of a big one) and a UI may stop in between.

Three things live in three places: the settings in ``TrainConfig``, the learned
weights in ``Trainer.params``, the progress in ``Trainer.history``.
"""

import copy as copying
import math
from collections.abc import Callable

import numpy as np

from .activations import ACTIVATIONS
from .chunks import UNIT_WORK, forward_chunk, iteration_work, training_chunk
from .config import TrainConfig
from .network import Params, Workspace, backward, compute_cost, forward, init_params
from .optimizers import make_optimizer
from .records import FitResult, History, UpdatePreview
from .regularization import penalty_cost
from .serialization import validate_params
from .settings import CONFIG_SETTINGS
from .steps import (
    DivergenceError,
    Dropout,
    gradient_update_steps,
    minibatch_epoch_steps,
    minibatches,
)
from .validation import check_count, check_data, check_layer_dims


class _LiveSetting:
    """A setting that may change between steps (``Trainer.learning_rate``, ...), checked by
    its declaration on every set; kept as ``_<name>`` on the trainer."""

    def __set_name__(self, owner, name: str) -> None:
        self.name, self.slot = name, "_" + name

    def __get__(self, trainer, owner=None):
        return self if trainer is None else getattr(trainer, self.slot)

    def __set__(self, trainer, value: float) -> None:
        setattr(trainer, self.slot, CONFIG_SETTINGS[self.name].check_domain(value))


class Trainer:
    """Trains a network on ``X (n_x, m)``, ``Y (1, m)`` a few iterations at a time.

    ``learning_rate``, ``lambd`` and ``lambd_l1`` may be changed between steps (an iteration
    in progress keeps the values it started with). Give ``params`` to continue from existing
    weights instead of initialising new ones.

    Batches bigger than ``chunk`` examples go through the network ``chunk`` columns at a
    time (``layerlab.chunks.training_chunk``: it depends on the layer sizes alone).
    """

    learning_rate = _LiveSetting()
    lambd = _LiveSetting()
    lambd_l1 = _LiveSetting()

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
        self.lambd_l1 = self.config.lambd_l1
        self.activation = ACTIVATIONS[self.config.activation]  # the hidden layers' g
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
        self.chunk = training_chunk(self.layer_dims)  # examples per forward/backward pass
        self._val_chunk = forward_chunk(self.layer_dims)
        m, batch_size = self.Y.shape[1], self.config.batch_size
        if batch_size is not None and batch_size >= m:
            batch_size = None  # one batch of all: the full batch
        self._batch_size = batch_size  # examples per update; None for the full batch
        m_val = 0 if self.Y_val is None else self.Y_val.shape[1]
        # Small iterations run whole; big ones piece by piece (see run_unit).
        self._whole_iterations = iteration_work(self.layer_dims, m, batch_size, m_val) <= UNIT_WORK
        self._iteration = None  # the iteration in progress: a generator of pieces, or None
        self._pieces_done = 0
        self._pieces = self._count_pieces(m, batch_size, m_val)

    def _initial_params(self, params: Params | None) -> Params:
        if params is None:
            return init_params(self.layer_dims, self.config.init, self._rng)
        dims = validate_params(params)
        if dims != self.layer_dims:
            raise ValueError(f"the given params are for layers {dims}, not {self.layer_dims}")
        return {key: np.array(value, dtype=np.float64) for key, value in params.items()}

    @property
    def done(self) -> bool:
        return self.stopped_early or self.iteration >= self.config.iterations

    @property
    def in_progress(self) -> bool:
        """Whether an iteration has started and not finished (``iteration`` counts finished)."""
        return self._iteration is not None

    @property
    def in_pieces(self) -> bool:
        """Whether iterations are too big to run at once, so ``run_unit`` does a piece."""
        return not self._whole_iterations

    @property
    def progress(self) -> float:
        """The share of the iteration in progress done so far, in [0, 1) (0 when none is)."""
        return self._pieces_done / self._pieces if self._iteration is not None else 0.0

    def step(self, k: int = 1) -> list[float]:
        """Advance up to ``k`` iterations (fewer if the budget ends); return their costs.

        An iteration in progress is finished first, and counts as one.
        """
        k = check_count("k", k)
        costs = []
        # Overflow is reported as a DivergenceError, not as NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            while len(costs) < k and not self.done:
                cost = self._run_unit()
                if cost is not None:
                    costs.append(cost)
        return costs

    def preview_update(self) -> UpdatePreview:
        """The next update worked out step by step on a copy of this trainer (this one does
        not change): the same examples, masks, forward, cost, backward and optimizer step as
        ``step(1)`` will do (with mini-batches: the epoch's first update)."""
        copy = _copy(self)
        m = copy.Y.shape[1]
        learning_rate = copy._learning_rate / (1.0 + copy.config.decay_rate * copy.iteration)
        batch_size = copy.config.batch_size
        lambd, lambd_l1 = copy._lambd, copy._lambd_l1
        if batch_size is None or batch_size >= m:
            X, Y, batches = copy.X, copy.Y, 1
        else:
            X, Y = next(minibatches(copy.X, copy.Y, batch_size, copy._rng))
            batches = -(-m // batch_size)
            # as minibatch_epoch_steps scales them: by the batch's share
            lambd, lambd_l1 = lambd * Y.shape[1] / m, lambd_l1 * Y.shape[1] / m
        masks = None if copy._draw_masks is None else copy._draw_masks(Y.shape[1])
        before = {key: value.copy() for key, value in copy.params.items()}  # kept as they were
        activation = copy.activation
        AL, caches = forward(X, before, activation=activation, masks=masks)
        cost = compute_cost(AL, Y, before, lambd, lambd_l1=lambd_l1)
        trace: dict = {}
        grads = backward(
            AL, Y, caches, lambd, lambd_l1=lambd_l1, activation=activation, trace=trace
        )
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
            lambd_l1=lambd_l1,
            activation=activation.name,
            params_before=before,
            params_after=copy.params,
        )

    def run_unit(self) -> float | None:
        """Do one unit of work and return the cost of the iteration it finished, if any.

        A unit is a whole iteration when that is small (``layerlab.chunks.UNIT_WORK``
        multiply-adds or less), else one piece of it: a chunk of the validation pass, a
        chunk's forward and backward pass, or a mini-batch's update. Between units the
        weights may be read but nothing may be changed except ``learning_rate``, ``lambd``
        and ``lambd_l1`` (which act from the next iteration). Does nothing when ``done``.
        """
        if self.done:
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            return self._run_unit()

    def _run_unit(self) -> float | None:
        if self._iteration is None:
            self._iteration, self._pieces_done = self._iteration_steps(), 0
        try:
            if self._whole_iterations:
                for _ in self._iteration:  # a small iteration: all its pieces at once
                    pass
            else:
                next(self._iteration)
                self._pieces_done += 1
                return None
        except StopIteration:
            pass  # that was the last piece
        except Exception:
            self._iteration = None  # a diverged iteration is abandoned
            raise
        self._iteration = None
        return self.history.costs[-1]  # the iteration recorded itself

    def _iteration_steps(self):
        """One iteration as a generator of pieces of work (it yields between them); records
        the iteration and returns its cost."""
        m = self.Y.shape[1]
        learning_rate = self._learning_rate / (1.0 + self.config.decay_rate * self.iteration)
        lambd, lambd_l1 = self._lambd, self._lambd_l1
        val_cost = None
        if self.X_val is not None:
            val_cost = yield from self._validation_steps()
            if not self._whole_iterations:
                yield  # between the validation pass and training
        penalty = penalty_cost(self.params, lambd, lambd_l1, m) if lambd or lambd_l1 else 0.0
        batch_size = self._batch_size
        try:
            if batch_size is None:  # full batch: a single update
                cost, grads = yield from gradient_update_steps(
                    self.X,
                    self.Y,
                    self.params,
                    self._optimizer,
                    learning_rate,
                    lambd,
                    lambd_l1=lambd_l1,
                    chunk=self.chunk,
                    activation=self.activation,
                    draw_masks=self._draw_masks,
                    workspace=self._workspace,
                )
            else:
                cost, grads = yield from minibatch_epoch_steps(
                    self.X,
                    self.Y,
                    self.params,
                    self._optimizer,
                    learning_rate,
                    lambd,
                    batch_size,
                    self._rng,
                    lambd_l1=lambd_l1,
                    chunk=self.chunk,
                    activation=self.activation,
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
        self._record(cost, penalty, val_cost)
        return cost

    def _count_pieces(self, m: int, batch_size: int | None, m_val: int) -> int:
        """Pieces of work (see ``run_unit``) in one iteration: sizes alone decide them."""

        def chunks(n: int, chunk: int) -> int:
            return -(-n // chunk)

        if batch_size is None:
            pieces = chunks(m, self.chunk)
        else:
            full, rest = divmod(m, batch_size)
            pieces = full * chunks(batch_size, self.chunk) + (
                chunks(rest, self.chunk) if rest else 0
            )
        return pieces + chunks(m_val, self._val_chunk)

    def _validation_steps(self):
        """Cross-entropy of the current weights on the held-out set, in chunks (a generator
        that yields between them); keeps a copy of the best weights."""
        m_val, chunk = self.Y_val.shape[1], self._val_chunk
        val_cost = None
        for start in range(0, m_val, chunk):
            if start:
                yield  # between two chunks
            AL, _ = forward(
                self.X_val[:, start : start + chunk], self.params, activation=self.activation
            )
            part = compute_cost(AL, self.Y_val[:, start : start + chunk], m=m_val)
            val_cost = part if val_cost is None else val_cost + part
        if val_cost < self._best_val_cost:
            self._best_val_cost = val_cost
            self.best_iteration = self.iteration
            self._best_params = {key: value.copy() for key, value in self.params.items()}
        return val_cost

    def _record(self, cost: float, penalty: float, val_cost: float | None) -> None:
        history = self.history
        history.iterations.append(self.iteration)
        history.costs.append(cost)
        history.l2_costs.append(penalty)
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
    lambd_l1: float = 0.0,
    activation: str = "relu",
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
        lambd_l1=lambd_l1,
        activation=activation,
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
    """A deep copy of ``trainer``: its weights, optimizer state and random stream (an
    iteration in progress is not copied: the copy starts its next one afresh)."""
    return copying.deepcopy(trainer, {id(trainer._iteration): None})
