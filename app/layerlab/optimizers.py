"""Optimisers: small objects with explicit state and one verb, ``update``.

``update(params, grads, learning_rate)`` changes ``params`` in place; each
array keeps its shape (``W_l (n_l, n_{l-1})``, ``b_l (n_l, 1)``).
"""

import numpy as np

from .network import Params


class GradientDescent:
    """The seed's rule: ``θ -= α dθ``."""

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        for key, value in params.items():
            value -= learning_rate * grads["d" + key]


class Momentum:
    """``v = β v + (1 - β) dθ``; ``θ -= α v`` (velocities start at zero)."""

    def __init__(self, beta: float = 0.9) -> None:
        self.beta = beta
        self.velocity: Params = {}

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        for key, value in params.items():
            v = self.velocity.setdefault(key, np.zeros_like(value))
            v *= self.beta
            v += (1.0 - self.beta) * grads["d" + key]
            value -= learning_rate * v


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction; ``t`` counts updates from 1.

    ``m = β1 m + (1-β1) g``, ``v = β2 v + (1-β2) g²``,
    ``θ -= α (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)``.
    """

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8) -> None:
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.t = 0
        self.first: Params = {}
        self.second: Params = {}

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for key, value in params.items():
            g = grads["d" + key]
            m = self.first.setdefault(key, np.zeros_like(value))
            v = self.second.setdefault(key, np.zeros_like(value))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * np.square(g)
            value -= learning_rate * (m / correction1) / (np.sqrt(v / correction2) + self.epsilon)


OPTIMIZERS = {
    "gd": lambda config: GradientDescent(),
    "momentum": lambda config: Momentum(config.beta1),
    "adam": lambda config: Adam(config.beta1, config.beta2, config.epsilon),
}
