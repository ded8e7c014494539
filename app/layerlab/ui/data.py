"""The data the lab trains on: a generated 2-D dataset or the user's own, split,
standardized, plus a grid.

The network sees standardized inputs; the plots show the original coordinates, so the
decision-boundary grid is laid out in original coordinates and standardized with the same
scaler as the training points. Uploaded or hand-edited data (``X`` may have any number of
features) goes through the same split and standardization (``lab_data_from_arrays``).

Two-column data (the plane the maps are drawn over) reaches the network as its input
``features`` (``layerlab.features``): ``expand`` of the standardized x1, x2, for the
training set, the test set and the grid alike (``inputs``). Data with other than two
columns ignores them: the network sees its standardized columns.
"""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from layerlab.datasets import Standardizer, make_dataset, train_test_split
from layerlab.features import FEATURES, PLAIN, expand, selected

# How far the plotted region extends beyond the data, as a fraction of the data's span.
MARGIN = 0.1


@dataclass(frozen=True)
class LabData:
    """A dataset ready for training and plotting (shapes as in the core: X (n_x, m), Y (1, m))."""

    X_train: np.ndarray  # (n_x, m_train) the network's inputs: standardized (and expanded)
    Y_train: np.ndarray  # (1, m_train) of 0/1
    X_test: np.ndarray  # (n_x, m_test) the same, with the training set's scaler
    Y_test: np.ndarray  # (1, m_test)
    raw_train: np.ndarray  # (n_x, m_train) original coordinates: what the plot shows
    raw_test: np.ndarray  # (n_x, m_test)
    scaler: Standardizer
    extent: tuple[float, float, float, float]  # (x0, x1, y0, y1) of the plotted region
    X_all: np.ndarray  # (n_x, m) every example before the split, original coordinates
    Y_all: np.ndarray  # (1, m)
    features: tuple[str, ...] = ()  # keys of FEATURES the network sees; () for other than 2-D

    @property
    def n_features(self) -> int:
        """The data's columns: 2 for the generated datasets, anything for uploaded ones."""
        return self.X_all.shape[0]

    @property
    def planar(self) -> bool:
        """Whether the data has two columns: a plane to draw maps over, features to choose."""
        return self.n_features == 2

    @property
    def n_inputs(self) -> int:
        """``n_x`` of the network: its input features (the columns for other than 2-D)."""
        return self.X_train.shape[0]

    @property
    def input_names(self) -> tuple[str, ...]:
        """What each input is: the features' labels (``x1²``), else ``x1``, ``x2``, ..."""
        if self.features:
            return tuple(FEATURES[key].label for key in self.features)
        return tuple(f"x{i + 1}" for i in range(self.n_inputs))

    def inputs(self, raw: np.ndarray) -> np.ndarray:
        """The network's input ``(n_x, m)`` for points ``raw (n_features, m)`` in original
        coordinates: standardized with the training set's scaler, then expanded."""
        return network_inputs(self.scaler.transform(raw), self.features)

    def with_features(self, names: Iterable[str]) -> "LabData":
        """The same examples and split with the input ``features`` ``names`` (ignored for
        data with other than two columns). Raises ``ValueError`` for unknown or no names."""
        names = selected(names)
        if not self.planar or names == self.features:
            return self
        return dataclasses.replace(
            self,
            X_train=network_inputs(self.scaler.transform(self.raw_train), names),
            X_test=network_inputs(self.scaler.transform(self.raw_test), names),
            features=names,
        )

    def grid(self, resolution: int) -> np.ndarray:
        """The network's inputs ``(n_x, resolution**2)`` for a ``resolution x resolution``
        grid over ``extent`` (standardized, then expanded like the training points).

        Column ``i * resolution + j`` is row ``i`` (y) and column ``j`` (x), so the network's
        output reshaped to ``(resolution, resolution)`` is an image with y going up.
        """
        x0, x1, y0, y1 = self.extent
        xs = np.linspace(x0, x1, resolution)
        ys = np.linspace(y0, y1, resolution)
        gx, gy = np.meshgrid(xs, ys)  # (resolution, resolution) each
        return self.inputs(np.vstack([gx.ravel(), gy.ravel()]))  # (n_x, res**2)


def make_lab_data(
    dataset: str,
    n_points: int,
    noise: float,
    test_ratio: float,
    seed: int,
    features: Iterable[str] = PLAIN,
) -> LabData:
    """Generate, split (same seed) and standardize a dataset from the core's registry; the
    network sees ``features`` of it."""
    X, Y = make_dataset(dataset, n=n_points, noise=noise, seed=seed)
    return lab_data_from_arrays(X, Y, test_ratio, seed, features)


def lab_data_from_arrays(
    X: np.ndarray, Y: np.ndarray, test_ratio: float, seed: int, features: Iterable[str] = PLAIN
) -> LabData:
    """Split (``seed``) and standardize any ``X (n_x, m)``, ``Y (1, m)`` as the lab does; with
    two columns the network sees ``features`` of them (else the columns themselves).

    Raises ``ValueError`` (from the core) when the data cannot be split or standardized, or
    for unknown features.
    """
    raw_train, Y_train, raw_test, Y_test = train_test_split(X, Y, test_ratio=test_ratio, seed=seed)
    scaler = Standardizer.fit(raw_train)
    plane = X[:2] if X.shape[0] >= 2 else np.vstack([X, np.zeros_like(X)])  # (2, m) plotted
    low, high = plane.min(axis=1), plane.max(axis=1)  # (2,) each
    pad = MARGIN * np.maximum(high - low, 1e-9)
    extent = (
        float(low[0] - pad[0]),
        float(high[0] + pad[0]),
        float(low[1] - pad[1]),
        float(high[1] + pad[1]),
    )
    names = selected(features) if X.shape[0] == 2 else ()
    return LabData(
        X_train=network_inputs(scaler.transform(raw_train), names),
        Y_train=Y_train,
        X_test=network_inputs(scaler.transform(raw_test), names),
        Y_test=Y_test,
        raw_train=raw_train,
        raw_test=raw_test,
        scaler=scaler,
        extent=extent,
        X_all=np.asarray(X, dtype=np.float64),
        Y_all=np.asarray(Y, dtype=np.float64),
        features=names,
    )


def network_inputs(Z: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """What the network sees of standardized points ``Z (n_features, m)``: ``expand(Z,
    names)``, or ``Z`` itself for the plain coordinates (the same values; the exported
    script, too, expands only other features) or data with other than two columns."""
    return Z if names in ((), PLAIN) else expand(Z, names)
