"""The data the lab trains on: a generated 2-D dataset or the user's own, split,
standardized, plus a grid.

The network sees standardized inputs; the plots show the original coordinates, so the
decision-boundary grid is laid out in original coordinates and standardized with the same
scaler as the training points. Uploaded or hand-edited data (``X`` may have any number of
features) goes through the same split and standardization (``lab_data_from_arrays``).
"""

from dataclasses import dataclass

import numpy as np

from layerlab.datasets import Standardizer, make_dataset, train_test_split

# How far the plotted region extends beyond the data, as a fraction of the data's span.
MARGIN = 0.1


@dataclass(frozen=True)
class LabData:
    """A dataset ready for training and plotting (shapes as in the core: X (n_x, m), Y (1, m))."""

    X_train: np.ndarray  # (n_x, m_train) standardized: what the network is trained on
    Y_train: np.ndarray  # (1, m_train) of 0/1
    X_test: np.ndarray  # (n_x, m_test) standardized with the training set's scaler
    Y_test: np.ndarray  # (1, m_test)
    raw_train: np.ndarray  # (n_x, m_train) original coordinates: what the plot shows
    raw_test: np.ndarray  # (n_x, m_test)
    scaler: Standardizer
    extent: tuple[float, float, float, float]  # (x0, x1, y0, y1) of the plotted region
    X_all: np.ndarray  # (n_x, m) every example before the split, original coordinates
    Y_all: np.ndarray  # (1, m)

    @property
    def n_features(self) -> int:
        """``n_x``: 2 for the generated datasets, anything for uploaded ones."""
        return self.X_all.shape[0]

    def grid(self, resolution: int) -> np.ndarray:
        """Standardized inputs for a ``resolution x resolution`` grid over ``extent``.

        Column ``i * resolution + j`` is row ``i`` (y) and column ``j`` (x), so the network's
        output reshaped to ``(resolution, resolution)`` is an image with y going up.
        """
        x0, x1, y0, y1 = self.extent
        xs = np.linspace(x0, x1, resolution)
        ys = np.linspace(y0, y1, resolution)
        gx, gy = np.meshgrid(xs, ys)  # (resolution, resolution) each
        return self.scaler.transform(np.vstack([gx.ravel(), gy.ravel()]))  # (2, res**2)


def make_lab_data(
    dataset: str, n_points: int, noise: float, test_ratio: float, seed: int
) -> LabData:
    """Generate, split (same seed) and standardize a dataset from the core's registry."""
    X, Y = make_dataset(dataset, n=n_points, noise=noise, seed=seed)
    return lab_data_from_arrays(X, Y, test_ratio, seed)


def lab_data_from_arrays(X: np.ndarray, Y: np.ndarray, test_ratio: float, seed: int) -> LabData:
    """Split (``seed``) and standardize any ``X (n_x, m)``, ``Y (1, m)`` as the lab does.

    Raises ``ValueError`` (from the core) when the data cannot be split or standardized.
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
    return LabData(
        X_train=scaler.transform(raw_train),
        Y_train=Y_train,
        X_test=scaler.transform(raw_test),
        Y_test=Y_test,
        raw_train=raw_train,
        raw_test=raw_test,
        scaler=scaler,
        extent=extent,
        X_all=np.asarray(X, dtype=np.float64),
        Y_all=np.asarray(Y, dtype=np.float64),
    )
