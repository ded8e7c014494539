"""Changes made to a run while it trains, recorded so that a link and a script replay it.

A change is ``(iteration, name, value)``: from ``iteration`` on, ``name`` is ``value``. The
name is a setting that acts at once (``"learning_rate"``, ``"lambd"``, ``"lambd_l1"``; from
iteration 1 on, before that it is the run's starting value), or one weight set by hand,
``"W2[3,1]"`` for ``W2[3, 1]`` (from iteration 0 on: a weight may be set before the first
update).
"""

import math
import re

from .settings import SETTINGS

LIVE_SETTINGS = ("learning_rate", "lambd", "lambd_l1")
MAX_WEIGHT = 100.0  # a weight typed by hand: |w| at most this
_WEIGHT = re.compile(r"W([1-9][0-9]{0,2})\[([0-9]{1,4}),([0-9]{1,4})\]")

Change = tuple[int, str, float]


def weight_name(layer: int, row: int, column: int) -> str:
    """The change name of ``W[layer][row, column]``: ``"W2[3,1]"``."""
    return f"W{layer}[{row},{column}]"


def weight_position(name: str) -> tuple[int, int, int] | None:
    """``(layer, row, column)`` of a weight's change name, or None for a setting's."""
    match = _WEIGHT.fullmatch(name)
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def check_weight(value: object) -> float:
    """A weight typed by hand as a float, or a ``ValueError`` saying what is allowed."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"a weight must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or abs(value) > MAX_WEIGHT:
        limit = f"{MAX_WEIGHT:g}"
        raise ValueError(f"a weight must be between -{limit} and {limit}, got {value!r}")
    return value


def check_change(
    iteration: int, name: str, value: object, layer_dims: list[int] | None = None
) -> Change:
    """The change, validated; ``ValueError`` naming what is wrong.

    ``layer_dims`` (``[n_x, n_1, ..., 1]``), when known, bounds a weight's position.
    """
    if not isinstance(iteration, int) or isinstance(iteration, bool) or iteration < 0:
        raise ValueError(f"a change's iteration must be a whole number >= 0, got {iteration!r}")
    position = weight_position(name)
    if position is not None:
        layer, row, column = position
        if layer_dims is not None and not (
            layer < len(layer_dims) and row < layer_dims[layer] and column < layer_dims[layer - 1]
        ):
            raise ValueError(f"{name} is not a weight of a network with layers {layer_dims}")
        return iteration, name, check_weight(value)
    if name not in LIVE_SETTINGS:
        raise ValueError(
            f"only {', '.join(LIVE_SETTINGS)} or a weight such as W2[3,1] can change during a "
            f"run, not {name!r}"
        )
    if iteration < 1:
        raise ValueError(f"a change of {name} at iteration 0 is its starting value: set {name}")
    return iteration, name, SETTINGS[name].check_domain(value)
