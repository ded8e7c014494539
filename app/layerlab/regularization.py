"""Weight penalties, each cost beside its gradient (a matched pair). Biases are not penalised.

``params`` holds ``W1, b1, ..., WL, bL`` with ``W_l (n_l, n_{l-1})``; ``m`` is the number of
examples the cost is a mean over.
"""

import numpy as np


def l2_cost(params: dict, lambd: float, m: int) -> float:
    """``λ/(2m) Σ_l ||W_l||_F²`` (each ``||W||²`` as a dot product: no squared copy)."""
    squares = sum(
        float(np.vdot(params[f"W{l}"], params[f"W{l}"])) for l in range(1, len(params) // 2 + 1)
    )
    return lambd / (2 * m) * squares


def l2_gradient(W: np.ndarray, lambd: float, m: int) -> np.ndarray:
    """``∂/∂W [λ/(2m) ||W||_F²] = (λ/m) W``, shape of ``W``."""
    return (lambd / m) * W
