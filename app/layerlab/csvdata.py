"""Reading a CSV of numeric features and a two-class label (``load_csv`` -> ``CsvData``).

Shapes follow the rest of Layer Lab: ``X (n_x, m)``, one column per example, ``Y (1, m)``
of 0.0 / 1.0. Every rejection names the row and column and says how to fix the file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .csvlabels import cell_number, map_labels
from .validation import is_whole_number


@dataclass(frozen=True)
class CsvData:
    """A validated binary-classification table.

    Attributes
    ----------
    X : ndarray, shape (n_x, m), float64
    Y : ndarray, shape (1, m), float64 of 0.0 / 1.0
    feature_names : tuple of str, length n_x
    label_name : str
    classes : tuple of (str, str)
        The original label text mapped to 0 and to 1 (labels merged by
        ``label_map`` are joined with ``" / "``).
    has_header : bool
    delimiter : str
    """

    X: np.ndarray
    Y: np.ndarray
    feature_names: tuple[str, ...]
    label_name: str
    classes: tuple[str, str]
    has_header: bool = True
    delimiter: str = ","


def _detect_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])  # ties go to the comma (dict order)
    return best if counts[best] > 0 else ","


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} MB"
    return f"{size / 1e3:.1f} kB" if size >= 1_000 else f"{size} bytes"


def _decode(text: str | bytes, max_bytes: int) -> str:
    if isinstance(text, bytearray | memoryview):
        text = bytes(text)
    if isinstance(text, bytes):
        size = len(text)
    elif isinstance(text, str):
        size = len(text.encode("utf-8", errors="surrogatepass"))
    else:
        raise TypeError(f"CSV input must be str or bytes, got {type(text).__name__}")
    if size > max_bytes:
        raise ValueError(
            f"the file is {_human_size(size)} ({size:,} bytes), over the limit of "
            f"{_human_size(max_bytes)} ({max_bytes:,} bytes); use fewer rows or columns"
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"the file is not UTF-8 text (byte 0x{text[err.start]:02x} at position "
                f"{err.start}); save it as 'CSV UTF-8' from your spreadsheet"
            ) from None
    return text.removeprefix("\ufeff")


def load_csv(
    text: str | bytes,
    label_column: str | int | None = None,
    has_header: bool | None = None,
    label_map: Mapping[object, object] | None = None,
    max_bytes: int = 5_000_000,
    min_rows: int = 4,
) -> CsvData:
    """Parse a CSV of numeric feature columns and one two-class label column.

    Parameters
    ----------
    text : str or bytes
        File contents; bytes are decoded as UTF-8 (a BOM is fine). Comma,
        semicolon and tab delimiters are recognised from the first line.
    label_column : str, int or None
        Header name or 0-based index (negative counts from the end) of the
        label column; None means the last column.
    has_header : bool or None
        None detects a header: the first row is one if a feature cell in it
        is not a number.
    label_map : mapping or None
        Maps label text (or numbers) to 0/1, e.g. ``{"yes": 1, "no": 0}``.
        Without it only 0/1, 0.0/1.0 and true/false labels are accepted.
    max_bytes : int
        Size limit of the file.
    min_rows : int
        Fewest data rows accepted.

    Returns
    -------
    CsvData
        ``X`` (n_x, m) and ``Y`` (1, m) float64, plus names and classes.

    Raises
    ------
    ValueError
        With the 1-based row number as a spreadsheet shows it (the header is
        row 1) and the column, for every problem found in the file.
    """
    _check_csv_arguments(label_column, has_header, label_map, max_bytes, min_rows)
    text = _decode(text, max_bytes)
    if not text.strip():
        raise ValueError("the file is empty; it needs feature columns and a 0/1 label column")
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = _detect_delimiter(first_line)
    rows = _read_rows(text, delimiter)
    table = _layout(rows, label_column, has_header)
    X, labels = _parse_cells(table)  # X (n_x, m)
    m = len(labels)
    if m < min_rows:
        raise ValueError(
            f"the file has {m} data row{'s' if m != 1 else ''}; at least {min_rows} are needed"
        )
    Y, classes = map_labels(labels, table.data_rows, table.where(table.label_idx), label_map)
    return CsvData(
        X=X,
        Y=Y,
        feature_names=tuple(table.names[j] for j in table.feature_idx),
        label_name=table.names[table.label_idx],
        classes=classes,
        has_header=table.has_header,
        delimiter=delimiter,
    )


Row = tuple[int, list[str]]  # (spreadsheet row number, stripped cells)


def _check_csv_arguments(label_column, has_header, label_map, max_bytes, min_rows) -> None:
    """Raise for ``load_csv`` arguments of the wrong kind (not for the file's content)."""
    if not is_whole_number(max_bytes) or max_bytes < 1:
        raise ValueError(f"max_bytes={max_bytes!r} must be a positive integer")
    if not is_whole_number(min_rows) or min_rows < 1:
        raise ValueError(f"min_rows={min_rows!r} must be a positive integer")
    if has_header not in (None, True, False):
        raise TypeError(f"has_header must be True, False or None (detect), got {has_header!r}")
    if not (label_column is None or isinstance(label_column, str) or is_whole_number(label_column)):
        raise TypeError(
            f"label_column must be a column name, an index or None, got {label_column!r}"
        )
    if label_map is not None and not isinstance(label_map, Mapping):
        raise TypeError(f"label_map must be a dict like {{'yes': 1, 'no': 0}}, got {label_map!r}")


def _read_rows(text: str, delimiter: str) -> list[Row]:
    """The non-blank rows of the file, numbered as a spreadsheet shows them."""
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_no = 0
    try:
        for row_no, cells in enumerate(reader, start=1):
            stripped = [c.strip() for c in cells]
            if any(stripped):
                rows.append((row_no, stripped))
    except csv.Error as err:
        raise ValueError(f"row {row_no + 1}: cannot read this line as CSV ({err})") from None
    return rows


@dataclass(frozen=True)
class _Table:
    """The file's rows with the header and the label column resolved."""

    data_rows: list[Row]
    names: list[str]  # one per column: the header's, or "column j"
    has_header: bool
    label_idx: int
    first_no: int  # the row number of the first row, the one that sets the width
    n_cols: int

    @property
    def feature_idx(self) -> list[int]:
        return [j for j in range(self.n_cols) if j != self.label_idx]

    def where(self, j: int) -> str:
        """Column ``j`` as a message names it."""
        return f"column {j + 1} ({self.names[j]!r})" if self.has_header else f"column {j + 1}"


def _layout(rows: list[Row], label_column, has_header: bool | None) -> _Table:
    """Detect the header (unless given) and find the label column, by index or name."""
    first_no, first = rows[0]
    n_cols = len(first)
    if n_cols < 2:
        raise ValueError(
            f"row {first_no} has only 1 column; the file needs at least one feature column "
            "and a label column separated by commas"
        )
    # Resolve the label column: an index now (header detection needs it), a name later.
    label_idx: int | None = None
    index_ok = True
    if label_column is None:
        label_idx = n_cols - 1
    elif is_whole_number(label_column):
        index_ok = -n_cols <= label_column < n_cols
        label_idx = int(label_column) % n_cols if index_ok else n_cols - 1

    if has_header is None:
        if label_idx is None:  # label given by name: the first row must be a header
            has_header = label_column in first or any(c and cell_number(c) is None for c in first)
        else:
            has_header = any(
                c and cell_number(c) is None for j, c in enumerate(first) if j != label_idx
            )
    if has_header:
        names = [c if c else f"column {j + 1}" for j, c in enumerate(first)]
        data_rows = rows[1:]
    else:
        names = [f"column {j + 1}" for j in range(n_cols)]
        data_rows = rows

    if not index_ok:
        raise ValueError(
            f"unknown label column {label_column}: the file has {n_cols} columns, use an "
            f"index 0..{n_cols - 1} (or -1 for the last): "
            + ", ".join(f"{j}: {name!r}" for j, name in enumerate(names))
        )
    if label_idx is None:
        label_idx = _label_index_by_name(label_column, names, has_header)
    return _Table(data_rows, names, bool(has_header), label_idx, first_no, n_cols)


def _label_index_by_name(label_column: str, names: list[str], has_header: bool) -> int:
    """The index of the header cell named ``label_column``."""
    if not has_header:
        raise ValueError(
            f"unknown label column {label_column!r}: the file has no header row; "
            f"pass a column index 0..{len(names) - 1} instead"
        )
    matches = [j for j, name in enumerate(names) if name == label_column]
    if not matches:
        raise ValueError(
            f"unknown label column {label_column!r}; the columns are "
            f"{', '.join(repr(nm) for nm in names)}"
        )
    if len(matches) > 1:
        raise ValueError(
            f"label column {label_column!r} appears {len(matches)} times in the header "
            f"(columns {', '.join(str(j + 1) for j in matches)}); rename the duplicates"
        )
    return matches[0]


def _parse_cells(table: _Table) -> tuple[np.ndarray, list[str]]:
    """The feature values X (n_x, m) and the label texts, each cell checked."""
    feature_idx = table.feature_idx
    X = np.empty((len(feature_idx), len(table.data_rows)), dtype=np.float64)  # (n_x, m)
    labels: list[str] = []
    for i, (r, cells) in enumerate(table.data_rows):
        if len(cells) != table.n_cols:
            raise ValueError(
                f"row {r} has {len(cells)} cells but row {table.first_no} has {table.n_cols}; "
                "every row needs the same number of columns"
            )
        for k, j in enumerate(feature_idx):
            X[k, i] = _feature_value(cells[j], r, table.where(j))
        label = cells[table.label_idx]
        if not label:
            raise ValueError(
                f"row {r}, {table.where(table.label_idx)}: missing label (empty cell); "
                "fill it in or delete the row"
            )
        labels.append(label)
    return X, labels


def _feature_value(cell: str, row: int, column: str) -> float:
    """The number in a feature cell, or a ValueError naming the row and column."""
    if not cell:
        raise ValueError(
            f"row {row}, {column}: missing value (empty cell); fill it in or delete the row"
        )
    value = cell_number(cell)
    if value is None:
        raise ValueError(f"row {row}, {column}: {cell!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(
            f"row {row}, {column}: {cell!r} is not a finite number; "
            "NaN and infinity are not allowed, fill in a value or delete the row"
        )
    return value
