"""What training keeps and returns: the per-iteration ``History``, ``fit``'s ``FitResult``,
and ``UpdatePreview``, the next update worked out on a copy of a trainer."""

from dataclasses import dataclass, field

import numpy as np

from .network import Params


@dataclass
class History:
    """Per-iteration record; index i holds the cost of the weights before update i."""

    iterations: list[int] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)  # training cost, penalties included
    l2_costs: list[float] = field(default_factory=list)  # the penalties alone: L2 + L1 parts
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
    cost: float  # with its L2 and L1 parts
    trace: dict  # backward's dZ_l and dA_{l-1}
    grads: Params
    learning_rate: float  # as this update uses it (decay applied)
    lambd: float  # as this update uses it (a mini-batch's share of λ)
    lambd_l1: float  # as this update uses it (a mini-batch's share of λ₁)
    activation: str  # the hidden layers' (a key of ACTIVATIONS)
    params_before: Params
    params_after: Params
