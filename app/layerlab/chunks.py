"""How much work a pass is, and how Layer Lab splits big passes so that none takes long.

The browser's page trains in the Web Worker that also answers its clicks: while a NumPy call
runs, Pause waits. So no piece of work may be big. Work is counted in multiply-adds (the
matrix products dominate); a piece of work is kept under ``UNIT_WORK`` by passing a batch
through the network ``chunk`` columns (examples) at a time. A mean over examples is a sum
over chunks, so the split changes nothing but the order of additions (see
``layerlab.steps``).

Chunk sizes depend on the sizes alone (layers, examples): never on time or on the device,
so a run, its link and its exported script split alike and agree bit for bit.
"""

from itertools import pairwise

import numpy as np

from .activations import RELU
from .network import Params, forward

# One piece of training work: 15-30 ms in the browser's worker on a busy 2-core machine
# (8 x 256 units train at ~0.35-0.7 G multiply-adds/s there; bench/worst_tick.py).
UNIT_WORK = 10_000_000
# An optimizer update, per parameter, in multiply-adds' worth of time (Adam: ~10 array
# operations; the elementwise ones cost about what a multiply-add in a matrix product does).
UPDATE_WORK = 10


def forward_work(layer_dims: list[int]) -> int:
    """Multiply-adds of one example's forward pass: ``Σ_l n_l n_{l-1}``."""
    return sum(n * n_prev for n_prev, n in pairwise(layer_dims))


def training_chunk(layer_dims: list[int]) -> int:
    """Examples per forward and backward pass in training: a pass is at most ``UNIT_WORK``
    (backward costs two forward passes: ``dW`` and ``dA``). At least 1."""
    return max(1, UNIT_WORK // (3 * forward_work(layer_dims)))


def forward_chunk(layer_dims: list[int]) -> int:
    """Examples per forward pass when only predicting: at most half a ``UNIT_WORK`` (the
    page's tick may run two such pieces after its training: predictions and picture).
    At least 1."""
    return max(1, UNIT_WORK // (2 * forward_work(layer_dims)))


def iteration_work(layer_dims: list[int], m: int, batch_size: int | None, m_val: int) -> int:
    """Multiply-adds of one training iteration (epoch) over ``m`` examples: the validation
    pass over ``m_val``, forward and backward passes, one update per batch."""
    n_params = sum(n * (n_prev + 1) for n_prev, n in pairwise(layer_dims))
    updates = 1 if batch_size is None else -(-m // batch_size)
    return forward_work(layer_dims) * (m_val + 3 * m) + UPDATE_WORK * n_params * updates


def probabilities_steps(X, params: Params, chunk: int, activation=RELU):
    """P(y = 1) ``(m,)`` of ``params`` on the columns of ``X (n_x, m)``, ``chunk`` at a time.

    A generator: it yields between chunks (a caller may pause there) and returns the array
    (``layerlab.steps.run_steps`` runs it through).
    """
    m = X.shape[1]
    probabilities = np.empty(m)  # (m,)
    for start in range(0, m, chunk):
        if start:
            yield  # between two chunks
        AL, _ = forward(X[:, start : start + chunk], params, activation=activation)
        probabilities[start : start + chunk] = AL[0]
    return probabilities


def unit_maps_steps(X, params: Params, chunk: int, drawn: list[int], activation=RELU):
    """What each unit computes on the columns of ``X (n_x, m)``, ``chunk`` at a time: per
    layer l = 1..L an array ``(drawn[l-1], m)`` of its first units' activations A (the
    output's: P(y = 1)).

    A generator like ``probabilities_steps``: it yields between chunks and returns the list.
    """
    m = X.shape[1]
    maps = [np.empty((n, m)) for n in drawn]  # per layer (n, m)
    for start in range(0, m, chunk):
        if start:
            yield  # between two chunks
        AL, caches = forward(X[:, start : start + chunk], params, activation=activation)
        layers = [cache.A_prev for cache in caches[1:]] + [np.asarray(AL)]  # A_1 .. A_L
        for shown, A in zip(maps, layers, strict=True):
            shown[:, start : start + chunk] = A[: shown.shape[0]]
    return maps
