"""One training update and one pass over mini-batches, as plain functions of NumPy.

``Trainer`` runs them, and the exported script copies them as they are (only those its
settings use), so the two train alike, operation for operation:

* ``gradient_update``: forward, cost, backward, a finiteness check, the optimizer's update;
* ``gradient_update_steps``: the same update with its passes split into column chunks;
* ``minibatch_epoch_steps``: a new random order of the examples, one update per batch;
* ``Dropout``: inverted dropout's masks for one forward pass.

The ``*_steps`` functions are generators: they ``yield`` between pieces of work (a chunk, a
batch), places where a caller may pause. The app's page does, so that a big network never
keeps it from answering a click (``layerlab.chunks``); a script runs them through with
``run_steps``.
"""

import numpy as np

from .activations import RELU
from .network import Params, Workspace, backward, compute_cost, forward, layer_count
from .regularization import l1_cost, l1_gradient, l2_cost, l2_gradient


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
    lambd_l1: float = 0.0,
    activation=RELU,
    masks: list[np.ndarray] | None = None,
    workspace: Workspace | None = None,
) -> tuple[float, Params]:
    """One update of ``params`` (in place) on the examples ``X (n_x, m)``, ``Y (1, m)``.

    Forward (``masks``: see ``forward``), the cost with its L2 and L1 parts, backward, then
    ``optimizer.update``. Returns the cost of the weights *before* the update and the
    gradients. If the cost or a gradient is not finite, raises ``DivergenceError`` and
    leaves ``params`` as they were.
    """
    AL, caches = forward(X, params, activation=activation, masks=masks, workspace=workspace)
    cost = compute_cost(AL, Y, params, lambd, lambd_l1=lambd_l1)
    grads = backward(
        AL, Y, caches, lambd, lambd_l1=lambd_l1, activation=activation, workspace=workspace
    )
    check_finite(cost, grads)
    optimizer.update(params, grads, learning_rate)
    return cost, grads


def gradient_update_steps(
    X,
    Y,
    params: Params,
    optimizer,
    learning_rate: float,
    lambd: float = 0.0,
    *,
    lambd_l1: float = 0.0,
    chunk: int | None = None,
    activation=RELU,
    draw_masks=None,
    workspace: Workspace | None = None,
):
    """``gradient_update`` on ``X (n_x, m)``, ``Y (1, m)``, its forward and backward passes
    over column chunks of at most ``chunk`` examples (None: all at once).

    A generator: it yields between chunks and returns ``(cost, grads)``. The cost and the
    gradients are means over the m examples, so they are sums over the chunks: each chunk's
    part is divided by m (not by its own size), and the L2 and L1 terms are added once, at
    the end.
    Only the order of the additions differs from one pass. ``draw_masks(m_chunk)``, if
    given (a ``Dropout``), draws each chunk's masks. With a single chunk (m <= chunk) this
    is ``gradient_update`` itself.
    """
    m = Y.shape[1]
    if chunk is None or m <= chunk:
        masks = None if draw_masks is None else draw_masks(m)
        return gradient_update(
            X,
            Y,
            params,
            optimizer,
            learning_rate,
            lambd,
            lambd_l1=lambd_l1,
            activation=activation,
            masks=masks,
            workspace=workspace,
        )
    cost, total = 0.0, None
    for start in range(0, m, chunk):
        if start:
            yield  # between two chunks
        X_chunk, Y_chunk = X[:, start : start + chunk], Y[:, start : start + chunk]
        masks = None if draw_masks is None else draw_masks(Y_chunk.shape[1])
        AL, caches = forward(
            X_chunk, params, activation=activation, masks=masks, workspace=workspace
        )
        part = compute_cost(AL, Y_chunk, m=m)  # this chunk's share of the mean
        grads = backward(AL, Y_chunk, caches, activation=activation, workspace=workspace, m=m)
        cost += part
        if total is None:  # copies: the next chunk's backward pass reuses the workspace's arrays
            total = {key: value.copy() for key, value in grads.items()}
        else:
            for key, value in grads.items():
                total[key] += value
    if lambd:
        cost += l2_cost(params, lambd, m)
        for l in range(1, layer_count(params) + 1):
            total[f"dW{l}"] += l2_gradient(params[f"W{l}"], lambd, m)
    if lambd_l1:
        cost += l1_cost(params, lambd_l1, m)
        for l in range(1, layer_count(params) + 1):
            total[f"dW{l}"] += l1_gradient(params[f"W{l}"], lambd_l1, m)
    check_finite(cost, total)
    optimizer.update(params, total, learning_rate)
    return cost, total


def minibatches(X, Y, batch_size: int, rng: np.random.Generator):
    """Yield ``(X (n_x, batch_size), Y (1, batch_size))`` in a new random order (the last
    batch may be smaller)."""
    order = rng.permutation(Y.shape[1])
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        yield X[:, chosen], Y[:, chosen]


def minibatch_epoch_steps(
    X,
    Y,
    params: Params,
    optimizer,
    learning_rate: float,
    lambd: float,
    batch_size: int,
    rng: np.random.Generator,
    *,
    lambd_l1: float = 0.0,
    chunk: int | None = None,
    activation=RELU,
    draw_masks=None,
    workspace: Workspace | None = None,
):
    """One pass over ``X (n_x, m)``, ``Y (1, m)``: one ``gradient_update_steps`` per
    mini-batch (in chunks of ``chunk`` examples if a batch is bigger).

    A generator: it yields between batches (and chunks) and returns the epoch's cost, the
    mean of its batches' costs weighted by their sizes, and the last update's gradients.
    ``draw_masks(m)``, if given (a ``Dropout``), gives the masks of each pass.
    """
    m = Y.shape[1]
    cost = 0.0
    for number, (X_batch, Y_batch) in enumerate(minibatches(X, Y, batch_size, rng)):
        if number:
            yield  # between two batches
        m_batch = Y_batch.shape[1]
        # λ and λ₁ scaled by the batch's share keep the penalty gradients at (λ/m) W and
        # (λ₁/m) sign(W).
        batch_cost, grads = yield from gradient_update_steps(
            X_batch,
            Y_batch,
            params,
            optimizer,
            learning_rate,
            lambd * m_batch / m,
            lambd_l1=lambd_l1 * m_batch / m,
            chunk=chunk,
            activation=activation,
            draw_masks=draw_masks,
            workspace=workspace,
        )
        cost += batch_cost * m_batch / m
    return cost, grads


def run_steps(steps):
    """Run a generator of work (``gradient_update_steps``, ``minibatch_epoch_steps``) to its
    end; return what it returns."""
    while True:
        try:
            next(steps)
        except StopIteration as end:
            return end.value
