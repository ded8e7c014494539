"""Toy 2-D datasets, train/test split, standardization and CSV loading.

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

import csv
import io
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]

N_MIN, N_MAX = 4, 100_000
NOISE_MAX = 5.0


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


# ---------------------------------------------------------------- validation helpers


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


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
    if not _is_int(n):
        raise TypeError(
            f"n must be an integer, got {n!r}; use a whole number in [{N_MIN}, {N_MAX}]"
        )
    if not N_MIN <= n <= N_MAX:
        raise ValueError(f"n={n} is out of range; use a number of points in [{N_MIN}, {N_MAX}]")
    if not _is_real(noise):
        raise TypeError(f"noise must be a number, got {noise!r}; use a value in [0, {NOISE_MAX}]")
    if not (math.isfinite(noise) and 0.0 <= noise <= NOISE_MAX):
        raise ValueError(f"noise={noise!r} is out of range; use a value in [0, {NOISE_MAX}]")
    if not _is_int(seed):
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
    if not _is_real(test_ratio):
        raise TypeError(f"test_ratio must be a number, got {test_ratio!r}; use a value in [0, 0.9]")
    if not (math.isfinite(test_ratio) and 0.0 <= test_ratio <= 0.9):
        raise ValueError(f"test_ratio={test_ratio!r} is out of range; use a value in [0, 0.9]")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed={seed!r} is not a non-negative integer; use a whole number >= 0")
    rng = np.random.default_rng(int(seed))
    test_idx, train_idx = [], []
    for label in np.unique(Y[0]):
        idx = rng.permutation(np.flatnonzero(Y[0] == label))  # (count,)
        k = min(round(test_ratio * idx.size), idx.size - 1)
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    tr = rng.permutation(np.concatenate(train_idx))  # (m_tr,)
    te = rng.permutation(np.concatenate(test_idx))  # (m_te,)
    return X[:, tr], Y[:, tr], X[:, te], Y[:, te]


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
        constant = X.max(axis=1, keepdims=True) == X.min(axis=1, keepdims=True)  # (n_x, 1)
        mean = np.where(constant, X[:, :1], X.mean(axis=1, keepdims=True))  # (n_x, 1)
        std = np.where(constant, 1.0, X.std(axis=1, keepdims=True))  # (n_x, 1)
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


# ---------------------------------------------------------------- CSV


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


_NATURAL_LABELS = {"true": 1.0, "false": 0.0}


def _number(cell: str) -> float | None:
    """Parse a numeric cell; None if it is not a number (NaN/inf do parse)."""
    if "_" in cell:  # float() accepts "1_000"; a spreadsheet would not
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _natural_label(label: str) -> float | None:
    """0.0 / 1.0 for labels that mean 0 or 1 on their own, else None."""
    value = _number(label)
    if value is None:
        value = _NATURAL_LABELS.get(label.lower())
    return value if value in (0.0, 1.0) else None


def _label_sort_key(label: str) -> tuple[int, float, str]:
    value = _number(label)
    return (0, value, "") if value is not None and math.isfinite(value) else (1, 0.0, label)


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
    Y, classes = _map_labels(labels, table.data_rows, table.where(table.label_idx), label_map)
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
    if not _is_int(max_bytes) or max_bytes < 1:
        raise ValueError(f"max_bytes={max_bytes!r} must be a positive integer")
    if not _is_int(min_rows) or min_rows < 1:
        raise ValueError(f"min_rows={min_rows!r} must be a positive integer")
    if has_header not in (None, True, False):
        raise TypeError(f"has_header must be True, False or None (detect), got {has_header!r}")
    if label_column is not None and not isinstance(label_column, str) and not _is_int(label_column):
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
    elif _is_int(label_column):
        index_ok = -n_cols <= label_column < n_cols
        label_idx = int(label_column) % n_cols if index_ok else n_cols - 1

    if has_header is None:
        if label_idx is None:  # label given by name: the first row must be a header
            has_header = label_column in first or any(c and _number(c) is None for c in first)
        else:
            has_header = any(
                c and _number(c) is None for j, c in enumerate(first) if j != label_idx
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
    value = _number(cell)
    if value is None:
        raise ValueError(f"row {row}, {column}: {cell!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(
            f"row {row}, {column}: {cell!r} is not a finite number; "
            "NaN and infinity are not allowed, fill in a value or delete the row"
        )
    return value


def _map_labels(
    labels: list[str],
    data_rows: list[tuple[int, list[str]]],
    column: str,
    label_map: Mapping[object, object] | None,
) -> tuple[np.ndarray, tuple[str, str]]:
    """Map label text to 0/1; returns Y (1, m) and the class names for 0 and 1."""
    distinct = list(dict.fromkeys(labels))  # in order of first appearance
    if label_map is not None:
        mapping = _apply_label_map(distinct, labels, data_rows, column, label_map)
    else:
        natural = {s: _natural_label(s) for s in distinct}
        by_value = set(natural.values())
        if None not in by_value and len(by_value) == 2:
            mapping = natural
        elif len(distinct) == 1 or (None not in by_value and len(by_value) == 1):
            raise ValueError(
                f"{column}: only one class, every label is {distinct[0]!r}; "
                "the data needs examples of two classes"
            )
        else:
            ordered = sorted(distinct, key=_label_sort_key)
            shown = ", ".join(repr(s) for s in ordered[:10])
            if len(ordered) > 10:
                shown += f", ... ({len(ordered)} in all)"
            if len(distinct) > 2:
                raise ValueError(
                    f"{column}: more than two classes, found {len(ordered)} labels: {shown}; "
                    "Layer Lab does binary classification: keep two classes or merge them "
                    "with label_map, e.g. label_map={"
                    + f"{ordered[0]!r}: 0, {ordered[1]!r}: 1"
                    + ", ...}"
                )
            raise ValueError(
                f"{column}: labels must be 0/1 but found the two labels {shown}; "
                f"map them with label_map={{{ordered[0]!r}: 0, {ordered[1]!r}: 1}}"
            )
    Y = np.array([mapping[s] for s in labels], dtype=np.float64)[np.newaxis, :]  # (1, m)
    classes = tuple(" / ".join(s for s in distinct if mapping[s] == c) for c in (0.0, 1.0))
    return Y, classes  # type: ignore[return-value]


def _apply_label_map(
    distinct: list[str],
    labels: list[str],
    data_rows: list[tuple[int, list[str]]],
    column: str,
    label_map: Mapping[object, object],
) -> dict[str, float]:
    targets: dict[str, float] = {}
    for key, value in label_map.items():
        if not (_is_real(value) or isinstance(value, bool)) or value not in (0, 1):
            raise ValueError(
                f"label_map[{key!r}] = {value!r}; every label must map to 0 or 1, "
                "e.g. label_map={'yes': 1, 'no': 0}"
            )
        targets[str(key).strip()] = float(value)
    numeric_targets = {_number(k): v for k, v in targets.items() if _number(k) is not None}
    mapping: dict[str, float] = {}
    for s in distinct:
        if s in targets:
            mapping[s] = targets[s]
        elif _number(s) is not None and _number(s) in numeric_targets:
            mapping[s] = numeric_targets[_number(s)]
        else:
            r = data_rows[labels.index(s)][0]
            raise ValueError(
                f"row {r}, {column}: label {s!r} is not in label_map "
                f"(which maps {', '.join(repr(k) for k in label_map)}); add it to label_map"
            )
    if len(set(mapping.values())) < 2:
        only = next(iter(mapping.values()))
        raise ValueError(
            f"{column}: after label_map every label is {only:g}; "
            "the data needs examples of both class 0 and class 1"
        )
    return mapping
