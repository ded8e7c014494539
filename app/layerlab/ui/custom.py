"""The user's own data: an uploaded CSV, or a dataset edited by clicking on the plot.

``CustomData`` holds every example before the split (the lab splits and standardizes it
with the data seed and test share, like generated data). ``csv`` says how the exported
script reads the data back: the uploaded file itself, or ``DATA_FILE_NAME`` that the page
offers for download (``to_csv_text``) once points were added or removed by hand.
"""

from dataclasses import dataclass

import numpy as np

from layerlab.csvdata import CsvData
from layerlab.export import CsvSource

DATA_FILE_NAME = "layerlab_data.csv"


@dataclass(frozen=True)
class CustomData:
    """Examples the user brought or drew: X (n_x, m), Y (1, m) of 0/1."""

    X: np.ndarray  # (n_x, m) original coordinates
    Y: np.ndarray  # (1, m)
    name: str  # shown in the status: the file name, or "your points"
    feature_names: tuple[str, ...]
    classes: tuple[str, str]  # what 0 and 1 stand for
    csv: CsvSource  # how a script reads this data back

    @classmethod
    def from_csv(
        cls,
        file_name: str,
        data: CsvData,
        label_column: int | str | None = None,
        label_map: dict | None = None,
    ) -> "CustomData":
        """An uploaded file as ``load_csv`` read it (with these arguments)."""
        source = CsvSource.from_upload(file_name, data, label_column, label_map)
        return cls(data.X, data.Y, file_name, data.feature_names, data.classes, source)

    @classmethod
    def drawn(
        cls, X: np.ndarray, Y: np.ndarray, feature_names=("x1", "x2"), classes=("0", "1")
    ) -> "CustomData":
        """Points edited by hand: the script reads them from ``DATA_FILE_NAME``."""
        counts = (int(np.sum(Y == 0.0)), int(np.sum(Y == 1.0)))
        source = CsvSource(DATA_FILE_NAME, -1, True, ",", None, counts, X.shape[0])
        return cls(X, Y, "your points", tuple(feature_names), tuple(classes), source)


def to_csv_text(X: np.ndarray, Y: np.ndarray, feature_names=("x1", "x2")) -> str:
    """``X (n_x, m)`` and ``Y (1, m)`` as a CSV with a header and the label last.

    Numbers are written with ``repr`` (the shortest exact form), so reading the file back
    gives bit-identical values and the exported script repeats the run exactly.
    """
    header = ",".join([*(_cell(name) for name in feature_names), "label"])
    rows = (
        ",".join([*(repr(float(v)) for v in X[:, i]), str(int(Y[0, i]))]) for i in range(X.shape[1])
    )
    return "\n".join([header, *rows]) + "\n"


def _cell(name: str) -> str:
    """A header cell: quoted when it holds a comma or a quote."""
    return '"' + name.replace('"', '""') + '"' if any(c in name for c in ',"\n') else name
