"""From a CSV's label texts to the classes 0 and 1 (``map_labels``), and what a number in
a cell is (``cell_number``): the labels' part of ``layerlab.csvdata``."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .validation import is_real_number

_NATURAL_LABELS = {"true": 1.0, "false": 0.0}


def cell_number(cell: str) -> float | None:
    """Parse a numeric cell; None if it is not a number (NaN/inf do parse)."""
    if "_" in cell:  # float() accepts "1_000"; a spreadsheet would not
        return None
    try:
        return float(cell)
    except ValueError:
        return None


def _natural_label(label: str) -> float | None:
    """0.0 / 1.0 for labels that mean 0 or 1 on their own, else None."""
    value = cell_number(label)
    if value is None:
        value = _NATURAL_LABELS.get(label.lower())
    return value if value in (0.0, 1.0) else None


def _label_sort_key(label: str) -> tuple[int, float, str]:
    value = cell_number(label)
    return (0, value, "") if value is not None and math.isfinite(value) else (1, 0.0, label)


def map_labels(
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
        if not (is_real_number(value) or isinstance(value, bool)) or value not in (0, 1):
            raise ValueError(
                f"label_map[{key!r}] = {value!r}; every label must map to 0 or 1, "
                "e.g. label_map={'yes': 1, 'no': 0}"
            )
        targets[str(key).strip()] = float(value)
    numeric_targets = {cell_number(k): v for k, v in targets.items() if cell_number(k) is not None}
    mapping: dict[str, float] = {}
    for s in distinct:
        if s in targets:
            mapping[s] = targets[s]
        elif cell_number(s) is not None and cell_number(s) in numeric_targets:
            mapping[s] = numeric_targets[cell_number(s)]
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
