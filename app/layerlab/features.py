"""Input features of the 2-D datasets: what the network sees of a point (x1, x2).

The network's input need not be the two coordinates themselves: as in TensorFlow
Playground, it may be any selection of the functions in ``FEATURES`` (``x1``, ``x2``,
``x1²``, ``x2²``, ``x1·x2``, ``sin x1``, ``sin x2``). With ``x1²`` and ``x2²`` a network
without hidden layers separates circles; with ``x1·x2`` it separates xor.

Where they are computed: on the **standardized** coordinates (mean 0, std 1 over the
training set), and not standardized again. So ``x1`` and ``x2`` are exactly the inputs a
run without extra features gets, the squares and the product stay of order 1, and
``sin x1`` sees about one period over the data. The plane the maps are drawn over stays
the two coordinates; only the network's input changes:

    X (2, m)  standardized x1, x2  ->  expand(X, names)  ->  (n_features, m), the network's X

The same ``expand`` makes the training set, the test set, the decision map's grid and the
exported script's inputs. Imports only NumPy.
"""

from collections.abc import Iterable

import numpy as np


class Feature:
    """One input feature: its key (link text), its label and ``compute(X (2, m)) -> (m,)``."""

    __slots__ = ("compute", "label", "name")

    def __init__(self, name, label, compute) -> None:
        self.name = name  # the registry key, e.g. "x1x2"
        self.label = label  # how the page writes it, e.g. "x1·x2"
        self.compute = compute  # X (2, m) -> (m,)

    def __repr__(self) -> str:
        return f"Feature({self.name!r})"


def first(X: np.ndarray) -> np.ndarray:
    """x1: row 0 of ``X (2, m)``, shape (m,)."""
    return X[0]


def second(X: np.ndarray) -> np.ndarray:
    """x2: row 1 of ``X (2, m)``, shape (m,)."""
    return X[1]


def first_squared(X: np.ndarray) -> np.ndarray:
    """x1², shape (m,)."""
    return X[0] * X[0]


def second_squared(X: np.ndarray) -> np.ndarray:
    """x2², shape (m,)."""
    return X[1] * X[1]


def product(X: np.ndarray) -> np.ndarray:
    """x1·x2, shape (m,)."""
    return X[0] * X[1]


def sine_first(X: np.ndarray) -> np.ndarray:
    """sin x1, shape (m,)."""
    return np.sin(X[0])


def sine_second(X: np.ndarray) -> np.ndarray:
    """sin x2, shape (m,)."""
    return np.sin(X[1])


# The registry, in the order the network's input rows come: keys are link text.
FEATURES: dict[str, Feature] = {
    "x1": Feature("x1", "x1", first),
    "x2": Feature("x2", "x2", second),
    "x1sq": Feature("x1sq", "x1²", first_squared),
    "x2sq": Feature("x2sq", "x2²", second_squared),
    "x1x2": Feature("x1x2", "x1·x2", product),
    "sinx1": Feature("sinx1", "sin x1", sine_first),
    "sinx2": Feature("sinx2", "sin x2", sine_second),
}
PLAIN = ("x1", "x2")  # the default: the two coordinates themselves


def selected(names: Iterable[str]) -> tuple[str, ...]:
    """The features ``names`` picks, in registry order, each once.

    Raises ``ValueError`` naming unknown names (and the valid ones), or an empty selection.
    """
    if isinstance(names, str):
        raise TypeError(f"names must be a list of feature names, not the text {names!r}")
    names = list(names)
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        shown = ", ".join(repr(name) for name in unknown[:5])
        raise ValueError(f"unknown features {shown}; use some of {', '.join(FEATURES)}")
    if not names:
        raise ValueError(f"no features selected; pick at least one of {', '.join(FEATURES)}")
    return tuple(name for name in FEATURES if name in names)


def expand(X: np.ndarray, names: Iterable[str]) -> np.ndarray:
    """The network's input: the features ``names`` of each point of ``X``.

    Parameters
    ----------
    X : ndarray, shape (2, m)
        x1 (row 0) and x2 (row 1) of m points, standardized.
    names : iterable of str
        Keys of ``FEATURES``; order and repetitions do not matter.

    Returns
    -------
    ndarray, shape (n_features, m)
        One row per selected feature, in ``FEATURES`` order (``["x1", "x2"]`` gives a
        copy of ``X``).

    Raises
    ------
    ValueError
        For ``X`` not of shape (2, m), unknown names or none at all.
    """
    keys = selected(names)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(
            f"X must have shape (2, m): the coordinates x1 and x2 of m points, got {X.shape}; "
            "features are made from two-column data only"
        )
    out = np.empty((len(keys), X.shape[1]))  # (n_features, m)
    for row, key in enumerate(keys):
        out[row] = FEATURES[key].compute(X)
    return out
