"""One iteration, step by step: the stages the "Step through" view walks (no Panel).

``stages(preview, optimizer)`` turns the trainer's own next update (``UpdatePreview``) into a
list of ``Stage``: the data, forward layer by layer, the cost, backward layer by layer, the
update. Each stage names its matrices the way the seed writes them, ``W2 (4, 5)``,
``A1 (5, m)`` (the examples' count written as m, and said once), with the equation beside.
"""

from dataclasses import dataclass, field

import numpy as np

from layerlab.ui.numbers import number

UPDATE_RULES = {
    "gd": "W[l] ← W[l] − α dW[l],  b[l] ← b[l] − α db[l]",
    "momentum": "v ← β₁ v + (1 − β₁) dθ;  θ ← θ − α v   (θ: each W[l], b[l])",
    "adam": "m ← β₁ m + (1 − β₁) dθ;  v ← β₂ v + (1 − β₂) dθ²;  "
    "θ ← θ − α m̂ / (√v̂ + ε)   (θ: each W[l], b[l]; m̂, v̂ bias-corrected)",
}
G = {"relu": "relu", "leaky_relu": "leaky_relu", "tanh": "tanh", "sigmoid": "σ"}  # g as written


@dataclass(frozen=True)
class Matrix:
    """A matrix to show: its name as the seed writes it, its shape, its values."""

    name: str  # "W2", "A1", "dZ3"
    values: np.ndarray  # 2-D
    examples: bool = False  # the second dimension is the examples: written as m

    @property
    def label(self) -> str:
        rows, columns = self.values.shape
        return f"{self.name} ({rows}, {'m' if self.examples else columns})"


@dataclass(frozen=True)
class Stage:
    """One step of the walk: a title, its equation, the matrices it makes or uses."""

    title: str
    equation: str
    matrices: list[Matrix] = field(default_factory=list)
    note: str = ""


def stages(preview, optimizer: str) -> list[Stage]:
    """The walk through one update: data, forward (per layer), cost, backward, update."""
    L = len(preview.caches)
    m = preview.X.shape[1]
    batch = (
        f"m = {m} examples: the whole training set."
        if preview.batches == 1
        else f"m = {m} examples: the first of this epoch's {preview.batches} mini-batches "
        "(finishing the walk trains the whole epoch, as Step does)."
    )
    walk = [
        Stage(
            "The data",
            "A[0] = X, one column per example; Y holds their labels (0 or 1).",
            [Matrix("A0 = X", preview.X, True), Matrix("Y", preview.Y, True)],
            batch,
        )
    ]
    for l, cache in enumerate(preview.caches, start=1):
        A = preview.caches[l].A_prev if l < L else preview.AL
        g = "σ" if l == L else G[preview.activation]
        dropout = "" if l == L or preview.masks is None else " · D[l] (dropout's mask)"
        walk.append(
            Stage(
                f"Forward, layer {l}",
                f"Z[{l}] = W[{l}] A[{l - 1}] + b[{l}];  A[{l}] = {g}(Z[{l}]){dropout}",
                [
                    Matrix(f"W{l}", cache.W),
                    Matrix(f"A{l - 1}", cache.A_prev, True),
                    Matrix(f"b{l}", cache.b),
                    Matrix(f"Z{l}", cache.Z, True),
                    Matrix(f"A{l}", A, True),
                ],
            )
        )
    l2 = f" + λ/(2m) Σ‖W[l]‖² (λ = {number(preview.lambd)})" if preview.lambd else ""
    l1 = f" + (λ₁/m) Σ|W[l]| (λ₁ = {number(preview.lambd_l1)})" if preview.lambd_l1 else ""
    cross_entropy = f"−(1/m) Σ [Y log A[{L}] + (1 − Y) log(1 − A[{L}])]"
    walk.append(
        Stage(
            "The cost",
            f"J = {cross_entropy}{l2}{l1} = {number(preview.cost)}",
            [Matrix(f"A{L}", preview.AL, True), Matrix("Y", preview.Y, True)],
        )
    )
    for l in range(L, 0, -1):
        start = f"dZ[{L}] = A[{L}] − Y;  " if l == L else ""
        l2 = f" + (λ/m) W[{l}]" if preview.lambd else ""
        l2 += f" + (λ₁/m) sign(W[{l}])" if preview.lambd_l1 else ""
        g = G[preview.activation]
        below = (
            f";  dA[{l - 1}] = W[{l}]ᵀ dZ[{l}];  dZ[{l - 1}] = dA[{l - 1}] · {g}′(Z[{l - 1}])"
            if l > 1
            else ""
        )
        matrices = [
            Matrix(f"dZ{l}", preview.trace[f"dZ{l}"], True),
            Matrix(f"dW{l}", preview.grads[f"dW{l}"]),
            Matrix(f"db{l}", preview.grads[f"db{l}"]),
        ]
        if l > 1:
            matrices.append(Matrix(f"dA{l - 1}", preview.trace[f"dA{l - 1}"], True))
        walk.append(
            Stage(
                f"Backward, layer {l}",
                f"{start}dW[{l}] = dZ[{l}] A[{l - 1}]ᵀ / m{l2};  db[{l}] = Σ dZ[{l}] / m{below}",
                matrices,
            )
        )
    walk.append(
        Stage(
            "The update",
            UPDATE_RULES[optimizer] + f"   (α = {number(preview.learning_rate)})",
            [Matrix(f"W{l}", preview.params_after[f"W{l}"]) for l in range(1, L + 1)],
            "The weights after the update. Finishing the walk makes it: the network then is "
            "exactly as after one Step.",
        )
    )
    big = any(
        matrix.values.shape[0] > 40 or matrix.values.shape[1] > 60
        for stage in walk
        for matrix in stage.matrices
    )
    if big:
        walk[0] = Stage(
            walk[0].title,
            walk[0].equation,
            walk[0].matrices,
            walk[0].note + " Big matrices show their first 40 rows and 60 columns.",
        )
    return walk
