"""Optimisers: small objects with explicit state and one verb, ``update``.

``update(params, grads, learning_rate)`` changes ``params`` in place; each
array keeps its shape (``W_l (n_l, n_{l-1})``, ``b_l (n_l, 1)``). Each class's
constructor takes ``TrainConfig`` fields by name (``make_optimizer``).
"""

import inspect

import numpy as np

from .network import Params


class GradientDescent:
    """The seed's rule: ``θ -= α dθ``."""

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        for key, value in params.items():
            value -= learning_rate * grads["d" + key]


class Momentum:
    """``v = β₁ v + (1 - β₁) dθ``; ``θ -= α v`` (velocities start at zero)."""

    def __init__(self, beta1: float = 0.9) -> None:
        self.beta1 = beta1
        self.velocity: Params = {}

    def update(self, params: Params, grads: Params, learning_rate: float) -> None:
        for key, value in params.items():
            v = self.velocity.get(key)
            if v is None:  # (not setdefault: that would allocate zeros on every update)
                v = self.velocity[key] = np.zeros_like(value)
            v *= self.beta1
            v += (1.0 - self.beta1) * grads["d" + key]
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
            if key not in self.first:  # (not setdefault: it would allocate on every update)
                self.first[key], self.second[key] = np.zeros_like(value), np.zeros_like(value)
            m, v = self.first[key], self.second[key]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * np.square(g)
            value -= learning_rate * (m / correction1) / (np.sqrt(v / correction2) + self.epsilon)


OPTIMIZERS: dict[str, type] = {
    "gd": GradientDescent,
    "momentum": Momentum,
    "adam": Adam,
}


def optimizer_arguments(name: str) -> list[str]:
    """The ``TrainConfig`` fields ``OPTIMIZERS[name]`` is made from, in order (``beta1``, ...)."""
    return list(inspect.signature(OPTIMIZERS[name]).parameters)


def make_optimizer(config):
    """A fresh ``OPTIMIZERS[config.optimizer]`` with its settings taken from ``config``."""
    name = config.optimizer
    return OPTIMIZERS[name](*(getattr(config, field) for field in optimizer_arguments(name)))
