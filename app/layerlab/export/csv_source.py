"""How an exported script reads an uploaded CSV the way the app read it: ``CsvSource``."""

import dataclasses
from collections.abc import Mapping

import numpy as np

from layerlab.csvdata import CsvData


@dataclasses.dataclass(frozen=True)
class CsvSource:
    """How the script reads an uploaded CSV the way the app read it.

    ``label_column`` is the 0-based column index (-1 = last) or, with a header, the
    column's name; ``label_map`` maps label text to 0/1 as given at upload (None: labels
    are 0/1 or true/false). The script matches ``label_map`` keys as exact text.
    ``class_counts`` (examples of class 0 and 1) tells whether a batch size covers the
    whole training set; it is needed with mini-batches. ``class_counts`` and ``n_features``
    (columns besides the label) tell whether the app splits a batch into chunks
    (``layerlab.chunks``); without them the script assumes it does not.
    """

    file_name: str
    label_column: int | str = -1
    has_header: bool = True
    delimiter: str = ","
    label_map: Mapping[str, float] | None = None
    class_counts: tuple[int, int] | None = None
    n_features: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.label_column, str) and not self.has_header:
            raise ValueError(
                f"label column {self.label_column!r} is a name but the file has no header; "
                "give the column's index"
            )

    @classmethod
    def from_upload(
        cls,
        file_name: str,
        data: CsvData,
        label_column: int | str | None = None,
        label_map: Mapping[object, object] | None = None,
    ) -> "CsvSource":
        """The source of ``data``, what ``load_csv(text, label_column, ..., label_map)``
        returned for the file ``file_name``; ``label_column=None`` is the last column."""
        labels = None
        if label_map is not None:
            labels = {str(key).strip(): float(value) for key, value in label_map.items()}
        column = -1 if label_column is None else label_column
        counts = (int(np.sum(data.Y == 0.0)), int(np.sum(data.Y == 1.0)))
        n_x = data.X.shape[0]
        return cls(file_name, column, data.has_header, data.delimiter, labels, counts, n_x)
