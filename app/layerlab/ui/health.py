"""How good the current weights are, and whether the network collapsed.

``evaluation_steps`` evaluates a copy of the weights on all the data (no dropout) a chunk
of examples at a time, so that even the largest network's evaluation never keeps the page
from answering a click (``layerlab.chunks``); ``diagnosis`` reads an ``Evaluation`` and says
what went wrong, with the likely fix.
"""

import math
from dataclasses import dataclass

import numpy as np

from layerlab import compute_cost, forward
from layerlab.activations import RELU
from layerlab.regularization import l1_cost, l2_cost

LN2 = math.log(2.0)  # the cross-entropy of predicting 1/2 for every example
STUCK = 1e-3  # a cost this close to ln 2 with flat predictions: the network learned nothing
FLAT = 1e-3  # predictions whose spread (std) is below this say the same for every input
CHANCE_MARGIN = 0.02  # a train accuracy within this of the larger class's share: chance


@dataclass(frozen=True)
class Evaluation:
    """Some weights on the whole data (no dropout): what the readout and the marks show."""

    key: tuple  # what it was made of: (iteration, λ, λ₁, weights edited so far)
    train: np.ndarray  # (m_train,) P(y = 1)
    test: np.ndarray  # (m_test,)
    train_cost: float  # J with λ and λ₁, as the exported script prints it at the end
    test_cost: float | None  # cross-entropy on the held-out examples (None: there are none)
    wrong_train: np.ndarray  # (m_train,) booleans: misclassified
    wrong_test: np.ndarray  # (m_test,)
    # per hidden layer (n_l,): ReLU units no example switches on; None for the other
    # activations, whose units are never dead in that sense (their gradient is never all 0)
    dead_masks: list[np.ndarray] | None

    @property
    def iteration(self) -> int:
        return self.key[0]

    @property
    def spread(self) -> float:
        """Standard deviation of P(y = 1) over the training examples."""
        return float(np.std(self.train))

    @property
    def dead_units(self) -> list[int] | None:
        """Per hidden layer, how many of its units are dead (None: not ReLU units)."""
        if self.dead_masks is None:
            return None
        return [int(mask.sum()) for mask in self.dead_masks]

    def accuracy(self, wrong: np.ndarray) -> float | None:
        return 1.0 - float(wrong.mean()) if wrong.size else None


def evaluation_steps(
    data,
    params: dict,
    lambd: float,
    chunk: int,
    key: tuple,
    *,
    lambd_l1: float = 0.0,
    activation=RELU,
):
    """Evaluate ``params`` on ``data``'s training and test examples, ``chunk`` at a time,
    with the hidden layers' ``activation``; the train cost includes the L2 ``lambd`` and
    the L1 ``lambd_l1`` parts.

    A generator: it yields between chunks (of the training examples, then the test ones)
    and returns an ``Evaluation``. The costs are means over examples, so they are sums over
    the chunks (each part divided by the whole count); when the data fits one chunk they
    are exactly ``compute_cost``'s. ``params`` must not change meanwhile (pass a copy).
    """
    sets = [(data.X_train, data.Y_train), (data.X_test, data.Y_test)]  # one after the other
    sizes = [Y.shape[1] for _, Y in sets]
    probabilities = [np.empty(m) for m in sizes]  # (m_train,), (m_test,)
    costs = [0.0, 0.0]
    alive = None  # per hidden layer (n_l,): switched on by some training example
    for start in range(0, sum(sizes), chunk):
        if start:
            yield  # between two chunks
        offset = 0
        for index, ((X, Y), m) in enumerate(zip(sets, sizes, strict=True)):
            low, high = max(start - offset, 0), min(start + chunk - offset, m)
            offset += m
            if low >= high:
                continue
            AL, caches = forward(X[:, low:high], params, activation=activation)  # (1, high - low)
            costs[index] += compute_cost(AL, Y[:, low:high], m=m)  # its share of the mean
            probabilities[index][low:high] = np.asarray(AL)[0]
            if index == 0 and activation.name == "relu":  # judged on the training examples
                on = [np.any(cache.Z > 0.0, axis=1) for cache in caches[:-1]]
                alive = on if alive is None else [a | b for a, b in zip(alive, on, strict=True)]
    results = [
        (p, cost if m else None, (p > 0.5) != Y[0])
        for p, cost, m, (_, Y) in zip(probabilities, costs, sizes, sets, strict=True)
    ]
    (train, train_cost, wrong_train), (test, test_cost, wrong_test) = results
    if lambd:  # added as compute_cost adds them
        train_cost += l2_cost(params, lambd, data.Y_train.shape[1])
    if lambd_l1:
        train_cost += l1_cost(params, lambd_l1, data.Y_train.shape[1])
    hidden = len(params) // 2 - 1
    dead = [~mask for mask in alive] if alive is not None else [np.zeros(0, bool)] * hidden
    if activation.name != "relu":
        dead = None  # only ReLU units die
    return Evaluation(key, train, test, train_cost, test_cost, wrong_train, wrong_test, dead)


def diagnosis(evaluation: Evaluation, labels: np.ndarray, layer_sizes, learning_rate) -> str:
    """What went wrong, if the evaluated network collapsed, with the likely fix ("" if
    nothing). ``labels`` are the training labels ``(m_train,)``.

    Collapsed: a hidden layer whose ReLU units are all dead (the output is then constant)
    or most of the network's units dead (ReLU only: other units never die, their
    ``dead_masks`` is None); the cost stuck at ln 2 with flat predictions (nothing was
    learned: vanishing gradients); one class predicted for every example; or an accuracy
    no better than always answering the larger class.
    """
    fix = f"Lower the learning rate (now {learning_rate:g}) and Reset, or try He initialization."
    dead_units = evaluation.dead_units
    if dead_units is not None:
        for layer, (dead, units) in enumerate(zip(dead_units, layer_sizes, strict=True), 1):
            if dead == units:
                return (
                    f"all {units} ReLU units of layer {layer} are dead (no example switches "
                    f"them on), so the network answers the same for every input. {fix}"
                )
        dead, units = sum(dead_units), sum(layer_sizes)
        if units and dead > units / 2:
            return f"{dead} of its {units} ReLU units are dead (never switched on). {fix}"
    if abs(evaluation.train_cost - LN2) < STUCK and evaluation.spread < FLAT:
        return (
            "the cost is stuck at ln 2 = 0.6931: the network predicts about 50% for every "
            "input, its gradients vanished. Try He initialization (the weights start too "
            "small for this depth) or a larger learning rate, then Reset."
        )
    ones = labels == 1.0  # (m,)
    predicted = ~evaluation.wrong_train == ones  # (m,): right about a 1, or wrong on a 0
    if ones.any() and not ones.all() and (predicted.all() or not predicted.any()):
        label = 1 if predicted.all() else 0
        return (
            f"the network predicts class {label} for every training example. Lower the "
            f"learning rate or add hidden units, then Reset."
        )
    majority = max(ones.mean(), 1.0 - ones.mean())
    if evaluation.accuracy(evaluation.wrong_train) <= majority + CHANCE_MARGIN:
        return (
            f"its train accuracy is no better than always answering the larger class "
            f"({majority:.0%}). {fix} A deeper or wider network may also be needed."
        )
    return ""
