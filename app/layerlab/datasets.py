"""Toy 2-D datasets, train/test split and standardization (CSV files: ``csvdata``).

Shapes follow the rest of Layer Lab: examples are columns.

    X (n_x, m)   float64 features, one column per example
    Y (1, m)     float64 labels, each 0.0 or 1.0

Every generator in :data:`DATASETS` has the signature ``(n, noise, rng) -> (X, Y)``
with ``X`` of shape (2, n). ``noise`` is the standard deviation of Gaussian
jitter in data units (for ``"flower"`` it jitters the angle and radius, as in
the course). Randomness only comes from ``rng``; :func:`make_dataset` builds it
from a seed, so the same seed gives the same arrays bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .validation import is_real_number, is_whole_number

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]

N_MIN, N_MAX = 4, 100_000
NOISE_MAX = 5.0
TEST_RATIO_MAX = 0.9


def _class_sizes(n: int) -> tuple[int, int]:
    """Split ``n`` examples into two classes, class 0 gets the smaller half."""
    return n // 2, n - n // 2


def _labels(n0: int, n1: int) -> np.ndarray:
    return np.concatenate([np.zeros(n0), np.ones(n1)])[np.newaxis, :]  # (1, n0 + n1)


# ---------------------------------------------------------------- generators


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons`` layout, unshuffled).

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc
    ``(1 - cos t, 1/2 - sin t)``, ``t`` evenly spaced in [0, pi].

    Returns
    -------
    X : ndarray, shape (2, n)
    Y : ndarray, shape (1, n)
    """
    n0, n1 = _class_sizes(n)
    t0 = np.linspace(0.0, np.pi, n0)  # (n0,)
    t1 = np.linspace(0.0, np.pi, n1)  # (n1,)
    x = np.concatenate([np.cos(t0), 1.0 - np.cos(t1)])  # (n,)
    y = np.concatenate([np.sin(t0), 1.0 - np.sin(t1) - 0.5])  # (n,)
    X = np.stack([x, y]) + noise * rng.standard_normal((2, n))  # (2, n)
    return X, _labels(n0, n1)


def circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 on radius 1, class 1 on radius 0.5.

    Angles are evenly spaced in [0, 2 pi) (scikit-learn's ``make_circles`` with
    ``factor=0.5``, unshuffled), then Gaussian jitter of std ``noise`` is added.

    Returns
    -------
    X : ndarray, shape (2, n)
    Y : ndarray, shape (1, n)
    """
    n0, n1 = _class_sizes(n)
    t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)  # (n0,)
    t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)  # (n1,)
    x = np.concatenate([np.cos(t0), 0.5 * np.cos(t1)])  # (n,)
    y = np.concatenate([np.sin(t0), 0.5 * np.sin(t1)])  # (n,)
    X = np.stack([x, y]) + noise * rng.standard_normal((2, n))  # (2, n)
    return X, _labels(n0, n1)


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four quadrants: label 1 where exactly one coordinate is positive.

    Noise-free points have ``|x1|, |x2|`` uniform in [0.1, 1] (a margin around
    the axes), so their label is ``x1 * x2 < 0``. Jitter of std ``noise`` is
    added afterwards, so noisy points may cross an axis and keep their label.

    Returns
    -------
    X : ndarray, shape (2, n)
    Y : ndarray, shape (1, n)
    """
    n0, n1 = _class_sizes(n)
    Y = _labels(n0, n1)  # (1, n)
    s1 = rng.choice([-1.0, 1.0], size=n)  # (n,) sign of x1
    s2 = np.where(Y[0] == 1.0, -s1, s1)  # (n,) class 1: signs differ
    mag = rng.uniform(0.1, 1.0, size=(2, n))  # (2, n)
    X = np.stack([s1, s2]) * mag + noise * rng.standard_normal((2, n))  # (2, n)
    return X, Y


def gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs of std 0.4 centred at (-1, -1) (class 0) and (1, 1) (class 1).

    ``noise`` adds extra jitter on top, so the total per-axis variance is
    ``0.4**2 + noise**2``.

    Returns
    -------
    X : ndarray, shape (2, n)
    Y : ndarray, shape (1, n)
    """
    n0, n1 = _class_sizes(n)
    Y = _labels(n0, n1)  # (1, n)
    centres = 2.0 * Y - 1.0  # (1, n) -1 or +1, broadcast over both axes
    X = centres + 0.4 * rng.standard_normal((2, n))  # (2, n)
    X = X + noise * rng.standard_normal((2, n))  # (2, n)
    return X, Y


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms, 1.5 turns each, radius growing from 0.05 to 1.

    Class 1 is class 0 rotated by pi: for even ``n`` and no noise, its points
    are exactly the negated class-0 points.

    Returns
    -------
    X : ndarray, shape (2, n)
    Y : ndarray, shape (1, n)
    """
    n0, n1 = _class_sizes(n)
    arms = []
    for j, nj in enumerate((n0, n1)):
        r = np.linspace(0.05, 1.0, nj)  # (nj,)
        t = 3.0 * np.pi * r + j * np.pi  # (nj,)
        arms.append(np.stack([r * np.cos(t), r * np.sin(t)]))  # (2, nj)
    X = np.concatenate(arms, axis=1) + noise * rng.standard_normal((2, n))  # (2, n)
    return X, _labels(n0, n1)


def flower(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The deeplearning.ai course's planar "flower" (``load_planar_dataset``).

    For class ``j`` with ``N`` points::

        t = linspace(j*3.12, (j+1)*3.12, N) + randn(N)*noise
        r = a*sin(4t) + randn(N)*noise          # a = 4
        X_j = [r sin t, r cos t]

    The course uses ``n=400, noise=0.2`` and the global RNG after
    ``np.random.seed(1)``; passing ``rng=np.random.RandomState(1)`` here
    reproduces its arrays exactly (only ``rng.standard_normal`` is used).

    Returns
    -------
    X : ndarray, shape (2, n)
    Y : ndarray, shape (1, n)
    """
    a = 4.0
    n0, n1 = _class_sizes(n)
    petals = []
    for j, nj in enumerate((n0, n1)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, nj) + rng.standard_normal(nj) * noise  # (nj,)
        r = a * np.sin(4 * t) + rng.standard_normal(nj) * noise  # (nj,)
        petals.append(np.stack([r * np.sin(t), r * np.cos(t)]))  # (2, nj)
    return np.concatenate(petals, axis=1), _labels(n0, n1)


DATASETS: dict[str, Generator] = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "gaussians": gaussians,
    "spiral": spiral,
    "flower": flower,
}


# ---------------------------------------------------------------- generating


def make_dataset(
    name: str, n: int = 200, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Generate a named 2-D toy dataset.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    n : int
        Number of examples, in [4, 100_000]; the classes get ``n // 2`` and
        ``n - n // 2`` examples.
    noise : float
        Standard deviation of the jitter, in [0, 5].
    seed : int
        Non-negative seed for ``np.random.default_rng``.

    Returns
    -------
    X : ndarray, shape (2, n), float64
    Y : ndarray, shape (1, n), float64 of 0.0 / 1.0
    """
    valid = ", ".join(repr(k) for k in DATASETS)
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a string, got {name!r}; use one of {valid}")
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; use one of {valid}")
    if not is_whole_number(n):
        raise TypeError(
            f"n must be an integer, got {n!r}; use a whole number in [{N_MIN}, {N_MAX}]"
        )
    if not N_MIN <= n <= N_MAX:
        raise ValueError(f"n={n} is out of range; use a number of points in [{N_MIN}, {N_MAX}]")
    if not is_real_number(noise):
        raise TypeError(f"noise must be a number, got {noise!r}; use a value in [0, {NOISE_MAX}]")
    if not (math.isfinite(noise) and 0.0 <= noise <= NOISE_MAX):
        raise ValueError(f"noise={noise!r} is out of range; use a value in [0, {NOISE_MAX}]")
    if not is_whole_number(seed):
        raise TypeError(f"seed must be an integer, got {seed!r}; use a whole number >= 0")
    if seed < 0:
        raise ValueError(f"seed={seed} is negative; use a whole number >= 0")
    rng = np.random.default_rng(int(seed))
    X, Y = DATASETS[name](int(n), float(noise), rng)
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(Y, dtype=np.float64)


# ---------------------------------------------------------------- split and scaling


def _check_xy(X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    Y = np.asarray(Y)
    for label, arr in (("X", X), ("Y", Y)):
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{label} must be a numeric array, got dtype {arr.dtype}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_x, m), got shape {X.shape}; use X.reshape(n_x, m)")
    if Y.ndim != 2 or Y.shape[0] != 1:
        raise ValueError(f"Y must have shape (1, m), got {Y.shape}; use Y.reshape(1, -1)")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} examples (columns) but Y has {Y.shape[1]}; they must match"
        )
    return X, Y


def train_test_split(
    X: np.ndarray, Y: np.ndarray, test_ratio: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split the columns of ``X`` and ``Y``, stratified by label.

    Each class sends ``round(test_ratio * count)`` examples to the test set but
    always keeps at least one for training.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    Y : ndarray, shape (1, m)
    test_ratio : float
        Fraction held out, in [0, 0.9]. 0 gives an empty test set.
    seed : int
        Non-negative seed for ``np.random.default_rng``.

    Returns
    -------
    X_tr : ndarray, shape (n_x, m_tr)
    Y_tr : ndarray, shape (1, m_tr)
    X_te : ndarray, shape (n_x, m_te), ``m_te`` may be 0
    Y_te : ndarray, shape (1, m_te)
    """
    X, Y = _check_xy(X, Y)
    if X.shape[1] < 1:
        raise ValueError("X has no examples (0 columns); need at least 1 to split")
    valid = f"use a value in [0, {TEST_RATIO_MAX}]"
    if not is_real_number(test_ratio):
        raise TypeError(f"test_ratio must be a number, got {test_ratio!r}; {valid}")
    if not (math.isfinite(test_ratio) and 0.0 <= test_ratio <= TEST_RATIO_MAX):
        raise ValueError(f"test_ratio={test_ratio!r} is out of range; {valid}")
    if not is_whole_number(seed) or seed < 0:
        raise ValueError(f"seed={seed!r} is not a non-negative integer; use a whole number >= 0")
    return stratified_split(X, Y, test_ratio, np.random.default_rng(int(seed)))


def stratified_split(X, Y, test_ratio: float, rng: np.random.Generator) -> tuple:
    """Shuffle the columns of ``X (n_x, m)``, ``Y (1, m)`` and split them, stratified: each
    class sends ``round(test_ratio * count)`` examples to the test set and keeps at least
    one. Returns ``X_train, Y_train, X_test, Y_test``."""
    test_idx, train_idx = [], []
    for label in np.unique(Y[0]):
        idx = rng.permutation(np.flatnonzero(Y[0] == label))  # (count,)
        k = min(round(test_ratio * idx.size), idx.size - 1)
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    train = rng.permutation(np.concatenate(train_idx))  # (m_train,)
    test = rng.permutation(np.concatenate(test_idx))  # (m_test,)
    return X[:, train], Y[:, train], X[:, test], Y[:, test]


def standardization(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature ``mean (n_x, 1)`` and population ``std (n_x, 1)`` of ``X (n_x, m)``, so that
    ``(X - mean) / std`` has mean 0 and std 1; a constant feature gets std 1 (it maps to 0)."""
    constant = X.max(axis=1, keepdims=True) == X.min(axis=1, keepdims=True)  # (n_x, 1)
    mean = np.where(constant, X[:, :1], X.mean(axis=1, keepdims=True))  # (n_x, 1)
    std = np.where(constant, 1.0, X.std(axis=1, keepdims=True))  # (n_x, 1)
    return mean, std


@dataclass(frozen=True)
class Standardizer:
    """Per-feature affine scaling ``(X - mean) / std`` fitted on training data.

    Attributes
    ----------
    mean : ndarray, shape (n_x, 1)
    std : ndarray, shape (n_x, 1)
        Population std; 1.0 for constant features so they map to 0.
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardizer:
        """Fit on ``X`` of shape (n_x, m), m >= 1, all values finite."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] < 1:
            raise ValueError(f"X must be 2-D (n_x, m) with m >= 1, got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf; remove or fill those values before fitting")
        mean, std = standardization(X)
        return cls(mean=mean, std=std)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return ``(X - mean) / std``, shape (n_x, m)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] != self.mean.shape[0]:
            raise ValueError(
                f"X must have shape ({self.mean.shape[0]}, m) like the data the scaler was "
                f"fitted on, got {X.shape}"
            )
        return (X - self.mean) / self.std  # (n_x, m)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Map standardized ``Z`` (n_x, m) back to the original units."""
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim != 2 or Z.shape[0] != self.mean.shape[0]:
            raise ValueError(f"Z must have shape ({self.mean.shape[0]}, m), got {Z.shape}")
        return Z * self.std + self.mean  # (n_x, m)
