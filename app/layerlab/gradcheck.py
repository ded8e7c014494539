"""Finite-difference check of ``backward`` against ``compute_cost``."""

import numpy as np

from .network import Params, backward, compute_cost, forward, layer_dims_of
from .validation import check_data, check_real


def gradient_check(params: Params, X, Y, lambd: float = 0.0, epsilon: float = 1e-7) -> float:
    """Relative difference between backprop and centred finite differences.

    .. math:: d = \\frac{\\lVert g - g_{num} \\rVert}{\\lVert g \\rVert + \\lVert g_{num} \\rVert},
              \\quad g_{num,i} = \\frac{J(\\theta + \\varepsilon e_i)
              - J(\\theta - \\varepsilon e_i)}{2 \\varepsilon}

    Below about 1e-7 the gradients agree; above 1e-3 something is wrong. Use
    float64 data, no dropout, and points away from ReLU kinks. Costs 2 forward
    passes per parameter: keep the network small.
    """
    X, Y = check_data(X, Y, layer_dims_of(params)[0])
    lambd = check_real("lambd", lambd, low=0.0)
    epsilon = check_real("epsilon", epsilon, low=0.0, high=1e-2, low_open=True)

    AL, caches = forward(X, params)
    grads = backward(AL, Y, caches, lambd)
    analytic = np.concatenate([grads["d" + key].ravel() for key in params])

    def cost_at(perturbed: Params) -> float:
        return compute_cost(forward(X, perturbed)[0], Y, perturbed, lambd)

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
