"""Finite-difference check of ``backward`` against ``compute_cost``."""

import numpy as np

from .activations import RELU
from .network import Params, backward, compute_cost, forward, layer_dims_of
from .validation import check_data, check_real


def gradient_check(
    params: Params,
    X,
    Y,
    lambd: float = 0.0,
    epsilon: float = 1e-7,
    *,
    lambd_l1: float = 0.0,
    activation=RELU,
) -> float:
    """Relative difference between backprop and centred finite differences.

    The cost is ``compute_cost`` with the L2 ``lambd`` and the L1 ``lambd_l1``; the hidden
    layers use ``activation`` (an ``Activation`` of ``layerlab.activations``).

    .. math:: d = \\frac{\\lVert g - g_{num} \\rVert}{\\lVert g \\rVert + \\lVert g_{num} \\rVert},
              \\quad g_{num,i} = \\frac{J(\\theta + \\varepsilon e_i)
              - J(\\theta - \\varepsilon e_i)}{2 \\varepsilon}

    Below about 1e-7 the gradients agree; above 1e-3 something is wrong. Use
    float64 data, no dropout, and points away from kinks (ReLU's and leaky ReLU's at Z = 0,
    L1's at W = 0). Costs 2 forward
    passes per parameter: keep the network small.
    """
    X, Y = check_data(X, Y, layer_dims_of(params)[0])
    lambd = check_real("lambd", lambd, low=0.0)
    lambd_l1 = check_real("lambd_l1", lambd_l1, low=0.0)
    epsilon = check_real("epsilon", epsilon, low=0.0, high=1e-2, low_open=True)

    AL, caches = forward(X, params, activation=activation)
    grads = backward(AL, Y, caches, lambd, lambd_l1=lambd_l1, activation=activation)
    analytic = np.concatenate([grads["d" + key].ravel() for key in params])

    def cost_at(perturbed: Params) -> float:
        AL = forward(X, perturbed, activation=activation)[0]
        return compute_cost(AL, Y, perturbed, lambd, lambd_l1=lambd_l1)

    numeric = np.empty_like(analytic)
    index = 0
    for key, value in params.items():
        for position in np.ndindex(value.shape):
            shifted = {name: array.copy() for name, array in params.items()}
            shifted[key][position] = value[position] + epsilon
            cost_plus = cost_at(shifted)
            shifted[key][position] = value[position] - epsilon
            cost_minus = cost_at(shifted)
            numeric[index] = (cost_plus - cost_minus) / (2 * epsilon)
            index += 1

    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)
