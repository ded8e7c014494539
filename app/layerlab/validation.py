"""Checks at the API boundary. Each raises ``ValueError`` or ``TypeError`` whose
message names the bad value and says how to fix it."""

import math
import numbers
from collections.abc import Mapping

import numpy as np


def is_whole_number(value: object) -> bool:
    """True for ints (and NumPy integers), not for bools."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real_number(value: object) -> bool:
    """True for real numbers (ints, floats, NumPy scalars), not for bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_layer_dims(layer_dims) -> list[int]:
    """Return ``layer_dims`` as a list of ints ``[n_x, n_1, ..., 1]`` or raise."""
    if isinstance(layer_dims, str | bytes) or not hasattr(layer_dims, "__iter__"):
        raise TypeError(
            f"layer_dims must be a list of layer widths such as [2, 8, 8, 1], got {layer_dims!r}"
        )
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(
            f"layer_dims needs at least an input and an output width, e.g. [2, 1], got {dims!r}"
        )
    for index, width in enumerate(dims):
        if isinstance(width, bool) or not isinstance(width, numbers.Integral):
            raise TypeError(
                f"layer_dims[{index}] = {width!r} is not a whole number; "
                f"widths are positive integers such as 8"
            )
        if width <= 0:
            raise ValueError(f"layer_dims[{index}] = {width} must be a positive number of units")
    if dims[-1] != 1:
        raise ValueError(
            f"the last layer must have 1 unit for binary classification, got {dims[-1]} "
            f"(layer_dims = {dims}); end layer_dims with 1"
        )
    return [int(width) for width in dims]


def check_data(X, Y, n_x: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``X (n_x, m)`` and ``Y (1, m)`` as float64 arrays, or raise."""
    X = check_features(X, n_x)
    Y = _as_float_matrix(Y, "Y")
    if Y.shape[0] != 1:
        raise ValueError(f"Y must be (1, m), got shape {Y.shape}")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(
            f"Y has {Y.shape[1]} labels but X has {X.shape[1]} examples (columns); they must match"
        )
    bad = ~((Y == 0) | (Y == 1))
    if bad.any():
        raise ValueError(
            f"Y must contain only 0 and 1, found {float(Y[bad][0])!r}; map the two classes to 0/1"
        )
    return X, Y


def check_features(X, n_x: int | None = None) -> np.ndarray:
    """Return ``X (n_x, m)`` as a finite float64 array with at least one example, or raise."""
    X = _as_float_matrix(X, "X")
    if X.shape[1] == 0:
        raise ValueError("X has no examples (shape (n_x, 0)); give at least one column")
    if n_x is not None and X.shape[0] != n_x:
        raise ValueError(
            f"X has {X.shape[0]} rows (features) but layer_dims[0] = {n_x}; "
            f"X must be (n_x, m) with one column per example, or set layer_dims[0] = "
            f"{X.shape[0]}"
        )
    return X


def _as_float_matrix(array, name: str) -> np.ndarray:
    """``array`` as a 2-D finite float64 array, or raise naming ``name``."""
    if isinstance(array, str | bytes):
        raise TypeError(f"{name} must be a numeric 2-D array, got a string")
    try:
        matrix = np.asarray(array, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be a numeric 2-D array ({error})") from None
    if matrix.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D, got {matrix.ndim}-D with shape {matrix.shape}; "
            f"reshape it, e.g. {name}.reshape(1, -1) for a single row"
        )
    if not np.isfinite(matrix).all():
        row, col = np.argwhere(~np.isfinite(matrix))[0]
        raise ValueError(
            f"{name} contains a non-finite value {matrix[row, col]} at [{row}, {col}]; "
            f"remove or impute missing values"
        )
    return matrix


def check_real(
    name: str, value, *, low: float, high: float = math.inf, low_open: bool = False
) -> float:
    """Return ``value`` as a float in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    below = value <= low if low_open else value < low
    if not math.isfinite(value) or below or value > high:
        bracket = "(" if low_open else "["
        upper = "∞)" if math.isinf(high) else f"{high:g}]"
        raise ValueError(
            f"{name} = {value!r} is out of range; use a value in {bracket}{low:g}, {upper}"
        )
    return value


def check_count(name: str, value, *, low: int = 0, high: int | None = None) -> int:
    """Return ``value`` as an int ``>= low`` (and ``<= high`` if given)."""
    if not is_whole_number(value):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name} = {value} is too small; use a whole number >= {low}")
    if high is not None and value > high:
        raise ValueError(f"{name} = {value} is too large; use a whole number <= {high}")
    return int(value)


def check_choice(name: str, value, registry: Mapping) -> str:
    """Return ``value`` if it is a key of ``registry``."""
    if value not in registry:
        choices = ", ".join(repr(key) for key in registry)
        raise ValueError(f"unknown {name} {value!r}; choose one of {choices}")
    return value
