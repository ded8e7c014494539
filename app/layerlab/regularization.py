"""Weight penalties, each cost beside its gradient (a matched pair): L2 and L1, which may be
on at once. Biases are not penalised.

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


def l1_cost(params: dict, lambd_l1: float, m: int) -> float:
    """``λ₁/m Σ_l Σ|W_l|`` (the sum of absolute weights; biases excluded)."""
    sums = sum(float(np.abs(params[f"W{l}"]).sum()) for l in range(1, len(params) // 2 + 1))
    return lambd_l1 / m * sums


def l1_gradient(W: np.ndarray, lambd_l1: float, m: int) -> np.ndarray:
    """``∂/∂W [λ₁/m Σ|W|] = (λ₁/m) sign(W)``, shape of ``W`` (0 at W = 0, the kink)."""
    return (lambd_l1 / m) * np.sign(W)


def penalty_cost(params: dict, lambd: float, lambd_l1: float, m: int) -> float:
    """The regularization part of the cost: ``l2_cost`` plus ``l1_cost``, each when on."""
    cost = l2_cost(params, lambd, m) if lambd else 0.0
    if lambd_l1:
        cost += l1_cost(params, lambd_l1, m)
    return cost
