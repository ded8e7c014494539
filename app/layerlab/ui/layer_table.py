"""The shapes table's rows: per layer, the shapes of W, b, Z and A, the parameter count, the
norms of W and dW and how many units are dead (the seed's advice: check the shapes)."""

import numpy as np


def layer_rows(
    layer_dims: list[int],
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray] | None,
    activation: str,
    m_batch: int,
    dead: list[int],
) -> list[dict]:
    """One row per layer l = 1..L of a network ``layer_dims`` whose batches have ``m_batch``
    examples. ``grads`` are the last update's (None before the first); ``dead`` has per
    hidden layer how many units are off for every training example (shorter, or empty,
    when not known: those rows say None)."""
    rows = []
    for l, units in enumerate(layer_dims[1:], start=1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        rows.append(
            {
                "layer": l,
                "activation": "sigmoid" if l == len(layer_dims) - 1 else activation,
                "W": W.shape,
                "b": b.shape,
                "Z": (units, m_batch),
                "params": W.size + b.size,
                "norm_W": float(np.linalg.norm(W)),
                "norm_dW": None if grads is None else float(np.linalg.norm(grads[f"dW{l}"])),
                "dead": dead[l - 1] if l <= len(dead) else None,
            }
        )
    return rows
