"""Edit the data by hand: add a point where the map was clicked, or remove the nearest one.

The data changes, so the lab starts a fresh network from its seed on the edited data (the
user's own data from then on: the run stays one a script can repeat from the data file).
Only two-feature data has a plane to click on. No Panel import.
"""

import numpy as np

from layerlab.ui.custom import CustomData
from layerlab.ui.state import LabState


def add_point(state: LabState, x: float, y: float, label: int) -> None:
    """Add the example ``(x, y)`` of class ``label``."""
    if not _editable(state):
        return
    data = state.session.data
    X = np.hstack([data.X_all, [[float(x)], [float(y)]]])  # (2, m + 1)
    Y = np.hstack([data.Y_all, [[float(label)]]])  # (1, m + 1)
    _use_drawn(state, X, Y, f"Added a point of class {label}")


def remove_point(state: LabState, x: float, y: float) -> None:
    """Remove the example nearest to ``(x, y)`` on the plot."""
    if not _editable(state):
        return
    data = state.session.data
    X, Y = data.X_all, data.Y_all
    x0, x1, y0, y1 = data.extent
    scale = np.array([[x1 - x0], [y1 - y0]])  # (2, 1): distances as the square plot shows
    nearest = int(np.argmin(np.sum(((X - [[x], [y]]) / scale) ** 2, axis=0)))
    keep = np.arange(X.shape[1]) != nearest
    _use_drawn(state, X[:, keep], Y[:, keep], f"Removed a point of class {int(Y[0, nearest])}")


def _editable(state: LabState) -> bool:
    if state.session.data.n_features == 2:
        return True
    state.param.update(
        status="Points can be added by clicking only on two-feature data.",
        status_level="warning",
    )
    return False


def _use_drawn(state: LabState, X: np.ndarray, Y: np.ndarray, what: str) -> None:
    custom = state.session.custom
    names = custom.feature_names if custom else ("x1", "x2")
    classes = custom.classes if custom else ("0", "1")
    try:
        state.use_data(
            CustomData.drawn(X, Y, names, classes),
            what=f"{what} ({X.shape[1]} points; the link no longer holds them)",
        )
    except (TypeError, ValueError) as error:
        state.param.update(
            status=f"Could not change the points ({error}); kept the data.", status_level="error"
        )
