"""Weight initialisations: each maps ``(n_l, n_prev, rng)`` to ``W_l (n_l, n_prev)``.

Biases always start at zero, ``b_l (n_l, 1)``.
"""

from collections.abc import Callable

import numpy as np

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]


def small(n_l: int, n_prev: int, rng: np.random.Generator) -> np.ndarray:
    """The seed's initialisation: ``randn(n_l, n_prev) * 0.01``."""
    return rng.standard_normal((n_l, n_prev)) * 0.01


def he(n_l: int, n_prev: int, rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015), for ReLU layers: ``randn * sqrt(2 / n_prev)``."""
    return rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / n_prev)


def xavier(n_l: int, n_prev: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010), normal form: ``randn * sqrt(2 / (n_prev + n_l))``."""
    return rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / (n_prev + n_l))


def sqrt_fan_in(n_l: int, n_prev: int, rng: np.random.Generator) -> np.ndarray:
    """The course's deep-network fix: ``randn / sqrt(n_prev)``."""
    return rng.standard_normal((n_l, n_prev)) / np.sqrt(n_prev)


INITIALIZERS: dict[str, Initializer] = {
    "small": small,
    "he": he,
    "xavier": xavier,
    "sqrt": sqrt_fan_in,
}
