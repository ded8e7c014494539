"""One training update and one pass over mini-batches, as plain functions of NumPy.

``Trainer`` runs them, and the exported script copies them as they are (only those its
settings use), so the two train alike, operation for operation:

* ``gradient_update``: forward, cost, backward, a finiteness check, the optimizer's update;
* ``minibatch_epoch``: a new random order of the examples, one update per batch;
* ``Dropout``: inverted dropout's masks for one forward pass.
"""

import numpy as np

from .activations import RELU
from .network import Params, Workspace, backward, compute_cost, forward


class DivergenceError(ValueError):
    """The cost or the gradients stopped being finite; training cannot go on."""


class Dropout:
    """Inverted dropout on the hidden layers of a network with ``layer_dims``.

    ``Dropout(...)(m)`` draws the masks of one forward pass over ``m`` examples: per hidden
    layer an ``(n_l, m)`` array of 0 (the unit is dropped, with probability
    ``1 - keep_prob``) and ``1 / keep_prob`` (kept, and scaled so that the layer's expected
    output does not change). Masks come from ``rng``, layer by layer.
    """

    def __init__(self, layer_dims: list[int], keep_prob: float, rng: np.random.Generator):
        self.hidden = layer_dims[1:-1]  # n_1, ..., n_{L-1}
        self.keep_prob = keep_prob
        self.rng = rng

    def __call__(self, m: int) -> list[np.ndarray]:
        return [(self.rng.random((n, m)) < self.keep_prob) / self.keep_prob for n in self.hidden]


def check_finite(cost: float, grads: Params) -> None:
    """Raise ``DivergenceError`` if the cost or any gradient is NaN or infinite."""
    # Σ g² is NaN or inf as soon as one entry is: one dot product per array, no copies.
    squares = sum(map(np.vdot, grads.values(), grads.values()))
    if not (np.isfinite(cost) and np.isfinite(squares)):
        raise DivergenceError(f"the cost became {cost:.6g}")


def gradient_update(
    X,
    Y,
    params: Params,
    optimizer,
    learning_rate: float,
    lambd: float = 0.0,
    *,
    activation=RELU,
    masks: list[np.ndarray] | None = None,
    workspace: Workspace | None = None,
) -> tuple[float, Params]:
    """One update of ``params`` (in place) on the examples ``X (n_x, m)``, ``Y (1, m)``.

    Forward (``masks``: see ``forward``), the cost with its L2 part, backward, then
    ``optimizer.update``. Returns the cost of the weights *before* the update and the
    gradients. If the cost or a gradient is not finite, raises ``DivergenceError`` and
    leaves ``params`` as they were.
    """
    AL, caches = forward(X, params, activation=activation, masks=masks, workspace=workspace)
    cost = compute_cost(AL, Y, params, lambd)
    grads = backward(AL, Y, caches, lambd, activation=activation, workspace=workspace)
    check_finite(cost, grads)
    optimizer.update(params, grads, learning_rate)
    return cost, grads


def minibatches(X, Y, batch_size: int, rng: np.random.Generator):
    """Yield ``(X (n_x, batch_size), Y (1, batch_size))`` in a new random order (the last
    batch may be smaller)."""
    order = rng.permutation(Y.shape[1])
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield X[:, chosen], Y[:, chosen]


def minibatch_epoch(
    X,
    Y,
    params: Params,
    optimizer,
    learning_rate: float,
    lambd: float,
    batch_size: int,
    rng: np.random.Generator,
    *,
    activation=RELU,
    draw_masks=None,
    workspace: Workspace | None = None,
) -> tuple[float, Params]:
    """One pass over ``X (n_x, m)``, ``Y (1, m)``: one ``gradient_update`` per mini-batch.

    ``draw_masks(m_batch)``, if given (a ``Dropout``), gives each batch's masks. Returns the
    epoch's cost, the mean of its batches' costs weighted by their sizes, and the last
    update's gradients.
    """
    m = Y.shape[1]
    cost = 0.0
    for X_batch, Y_batch in minibatches(X, Y, batch_size, rng):
        m_batch = Y_batch.shape[1]
        masks = None if draw_masks is None else draw_masks(m_batch)
        # λ scaled by the batch's share keeps the penalty gradient at (λ/m) W.
        batch_cost, grads = gradient_update(
            X_batch,
            Y_batch,
            params,
            optimizer,
            learning_rate,
            lambd * m_batch / m,
            activation=activation,
            masks=masks,
            workspace=workspace,
        )
        cost += batch_cost * m_batch / m
    return cost, grads
