"""The seed's L-layer network: hidden layers (ReLU by default), a sigmoid output, cross-entropy.

Shape convention, used everywhere in Layer Lab::

    X    (n_x, m)        one column per example
    Y    (1, m)          labels 0/1
    W[l] (n_l, n_{l-1})  params["W1"], ..., params["WL"]
    b[l] (n_l, 1)
    Z[l], A[l] (n_l, m)  A[0] = X, A[L] = AL the predicted probabilities

Layers are numbered 1..L; ``layer_dims = [n_x, n_1, ..., n_L]`` with ``n_L = 1``.

``forward``, ``compute_cost``, ``backward`` and ``initialize`` are plain functions of NumPy
and of each other: the exported script copies them as they are (see ``layerlab.export``).
"""

import numpy as np

from .activations import RELU, sigmoid, softplus
from .initializers import INITIALIZERS
from .regularization import l1_cost, l1_gradient, l2_cost, l2_gradient
from .validation import check_choice, check_features, check_layer_dims, check_real

Params = dict[str, np.ndarray]


class LayerCache:
    """What layer l's forward pass keeps for its backward pass."""

    __slots__ = ("A_prev", "D", "W", "Z", "b")

    def __init__(self, A_prev, W, b, Z, D=None) -> None:
        self.A_prev = A_prev  # (n_{l-1}, m)
        self.W = W  # (n_l, n_{l-1})
        self.b = b  # (n_l, 1)
        self.Z = Z  # (n_l, m)
        self.D = D  # (n_l, m) mask the activations were multiplied by, or None


class Probabilities(np.ndarray):
    """The output AL (1, m) of ``forward``; it remembers its logits ``Z_L`` (1, m).

    Once σ(Z) rounds to exactly 0 or 1, AL alone no longer tells how wrong a
    prediction is; ``compute_cost`` reads the logits instead. Arithmetic on it
    gives plain arrays.
    """

    logits: np.ndarray | None

    def __array_finalize__(self, obj) -> None:
        self.logits = None

    def __array_wrap__(self, array, context=None, return_scalar=False):
        result = super().__array_wrap__(array, context, return_scalar)
        return result.view(np.ndarray) if isinstance(result, np.ndarray) else result


def init_params(layer_dims, init: str = "small", seed=None) -> Params:
    """Weights ``W_l = INITIALIZERS[init](n_l, n_{l-1})`` and zero biases ``b_l (n_l, 1)``.

    ``seed`` is an int, ``None`` (fresh entropy) or an ``np.random.Generator``.
    """
    dims = check_layer_dims(layer_dims)
    initializer = INITIALIZERS[check_choice("init", init, INITIALIZERS)]
    return initialize(dims, initializer, np.random.default_rng(seed))


def initialize(layer_dims: list[int], initializer, rng: np.random.Generator) -> Params:
    """``W_l = initializer(n_l, n_{l-1}, rng)`` layer by layer, and ``b_l = 0 (n_l, 1)``."""
    params: Params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = initializer(layer_dims[l], layer_dims[l - 1], rng)  # (n_l, n_{l-1})
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))  # (n_l, 1)
    return params


def layer_count(params: Params) -> int:
    """L, the number of layers with weights."""
    return len(params) // 2


def layer_dims_of(params: Params) -> list[int]:
    """``[n_x, n_1, ..., n_L]`` read off the weight shapes."""
    L = layer_count(params)
    return [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in range(1, L + 1)]


class Workspace:
    """Output arrays that ``forward`` and ``backward`` reuse from call to call.

    Without one, every call allocates its ``(n_l, m)`` arrays afresh; with one,
    the arithmetic is the same (both write through ``out=``) but the memory is
    reused: fresh memory costs page faults, on mid-sized networks more than the
    maths. ``Trainer`` keeps one. What a call given a workspace returns (the
    caches' ``Z`` and ``A``, ``AL.logits``, the ``dW`` grads) is overwritten by
    the next call given the same workspace.
    """

    def __init__(self) -> None:
        self._arrays: dict[tuple, np.ndarray] = {}

    def array(self, name: str, l: int, shape: tuple[int, ...]) -> np.ndarray:
        """The float64 array ``name`` of layer ``l`` with this shape (uninitialised)."""
        key = (name, l, shape)
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = np.empty(shape)
        return array


def _empty(workspace: Workspace | None, name: str, l: int, shape: tuple[int, ...]) -> np.ndarray:
    """A float64 array to write into: new, or the workspace's."""
    return np.empty(shape) if workspace is None else workspace.array(name, l, shape)


def _matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a @ b`` written into ``out``. With an inner size of 1 (``W_Lᵀ dZ_L``, or one
    input feature) that is an outer product, which BLAS does several times slower
    than a broadcast multiply."""
    if a.shape[1] == 1:
        return np.multiply(a, b, out=out)
    return np.matmul(a, b, out=out)


def _linear(W: np.ndarray, A_prev: np.ndarray, b: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``Z = W A_prev + b`` written into ``Z (n_l, m)``."""
    _matmul(W, A_prev, out=Z)
    Z += b
    return Z


def forward(
    X,
    params: Params,
    *,
    activation=RELU,
    masks: list[np.ndarray] | None = None,
    workspace: Workspace | None = None,
) -> tuple[Probabilities, list[LayerCache]]:
    """Forward pass: ``Z_l = W_l A_{l-1} + b_l``, ``A_l = g(Z_l)`` for l < L, sigmoid for l = L.

    ``activation`` is the hidden layers' ``g`` (an ``Activation``, ReLU by default).
    ``masks``, if given, holds one ``(n_l, m)`` array per hidden layer that multiplies its
    activations (training draws them to drop units at random; see ``layerlab.steps``).

    Returns ``AL (1, m)`` and one ``LayerCache`` per layer.
    """
    L = layer_count(params)
    X = np.asarray(X)
    m = X.shape[1]
    caches: list[LayerCache] = []
    A = X  # (n_x, m)
    for l in range(1, L):
        W, b = params[f"W{l}"], params[f"b{l}"]
        shape = (W.shape[0], m)
        Z = _linear(W, A, b, _empty(workspace, "Z", l, shape))  # (n_l, m)
        A_next = activation.forward(Z, out=_empty(workspace, "A", l, shape))  # (n_l, m)
        D = None if masks is None else masks[l - 1]  # (n_l, m)
        if D is not None:
            A_next *= D
        caches.append(LayerCache(A, W, b, Z, D))
        A = A_next
    W, b = params[f"W{L}"], params[f"b{L}"]
    ZL = _linear(W, A, b, _empty(workspace, "Z", L, (1, m)))  # (1, m)
    caches.append(LayerCache(A, W, b, ZL, None))
    AL = sigmoid(ZL).view(Probabilities)
    AL.logits = ZL
    return AL, caches


def compute_cost(
    AL,
    Y,
    params: Params | None = None,
    lambd: float = 0.0,
    *,
    lambd_l1: float = 0.0,
    m: int | None = None,
) -> float:
    """Cross-entropy ``J = -(1/m) Σ [Y log AL + (1-Y) log(1-AL)]``, plus
    ``λ/(2m) Σ_l ||W_l||_F²`` (L2) and ``λ₁/m Σ_l Σ|W_l|`` (L1) when ``params`` are given.

    From the logits Z of ``forward``'s output it is computed as
    ``mean(log(1 + e^Z) - Y Z)``, exact and finite for any finite Z.
    ``m`` is the number of examples the mean is over: by default Y's columns; for a chunk
    of a larger batch, the batch's size (then the chunks' costs add up to the batch's).
    """
    Y = np.asarray(Y, dtype=np.float64)
    AL_shape = np.shape(AL)
    if AL_shape != Y.shape:
        raise ValueError(f"AL has shape {AL_shape} but Y has shape {Y.shape}; both must be (1, m)")
    m = Y.shape[1] if m is None else m
    logits = getattr(AL, "logits", None)
    if logits is not None:
        losses = softplus(logits) - Y * logits  # (1, m)
    else:
        losses = _cross_entropy_from_probabilities(np.asarray(AL, dtype=np.float64), Y)
    cost = float(losses.sum()) / m
    if params is not None and lambd:
        cost += l2_cost(params, lambd, m)
    if params is not None and lambd_l1:
        cost += l1_cost(params, lambd_l1, m)
    return cost


def _cross_entropy_from_probabilities(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Per-example loss (1, m) for a plain probability array; log(0) becomes a large finite loss."""
    tiny = np.finfo(np.float64).tiny
    return -(Y * np.log(np.maximum(AL, tiny)) + (1.0 - Y) * np.log(np.maximum(1.0 - AL, tiny)))


def backward(
    AL,
    Y,
    caches: list[LayerCache],
    lambd: float = 0.0,
    *,
    lambd_l1: float = 0.0,
    activation=RELU,
    workspace: Workspace | None = None,
    m: int | None = None,
    trace: dict | None = None,
) -> Params:
    """Backward pass from ``dZ_L = AL - Y`` (sigmoid + cross-entropy, no division by AL).

    Per layer: ``dW_l = dZ_l A_{l-1}ᵀ / m (+ λ/m W_l) (+ λ₁/m sign(W_l))``,
    ``db_l = Σ_m dZ_l / m``, ``dA_{l-1} = W_lᵀ dZ_l``, ``dZ_{l-1} = dA_{l-1} · g'(Z_{l-1})``
    (times the layer's
    mask if forward had one; ``activation`` is the ``g`` forward used). dA_0 is never
    computed. The code carries ``dZ_l / m``, the gradient of the mean, so the 1/m is
    applied once, at the top. ``m`` is AL's number of columns unless given: a chunk of a
    larger batch passes the batch's size, and the chunks' gradients add up to the batch's.
    Given a ``trace`` dict, it also keeps each ``dZ_l (n_l, m)`` and ``dA_{l-1} (n_{l-1}, m)``
    there (as ``"dZ2"``, ``"dA1"``: for showing them).

    Returns ``{"dW1": (n_1, n_0), "db1": (n_1, 1), ..., "dWL", "dbL"}``.
    """
    L = len(caches)
    m = AL.shape[1] if m is None else m
    grads: Params = {}
    dZ_m = (np.asarray(AL) - Y) / m  # (1, m): dZ_L / m
    for l in range(L, 0, -1):
        if trace is not None:
            trace[f"dZ{l}"] = dZ_m * m
        A_prev, W = caches[l - 1].A_prev, caches[l - 1].W
        dW = _matmul(dZ_m, A_prev.T, out=_empty(workspace, "dW", l, W.shape))  # (n_l, n_{l-1})
        if lambd:
            dW += l2_gradient(W, lambd, m)
        if lambd_l1:
            dW += l1_gradient(W, lambd_l1, m)
        grads[f"dW{l}"] = dW
        grads[f"db{l}"] = dZ_m.sum(axis=1, keepdims=True)  # (n_l, 1)
        if l > 1:
            below = caches[l - 2]
            dA_prev = _matmul(W.T, dZ_m, out=_empty(workspace, "dZ", l - 1, below.Z.shape))
            if trace is not None:
                trace[f"dA{l - 1}"] = dA_prev * m
            if below.D is not None:
                dA_prev *= below.D
            dZ_m = activation.backward(dA_prev, below.Z, out=dA_prev)  # (n_{l-1}, m)
    return {key: grads[key] for l in range(1, L + 1) for key in (f"dW{l}", f"db{l}")}


def update_params(params: Params, grads: Params, learning_rate: float) -> Params:
    """One gradient-descent step: ``W -= α dW``, ``b -= α db``. Returns a new dict."""
    learning_rate = check_real("learning_rate", learning_rate, low=0.0, low_open=True)
    new: Params = {}
    for key, value in params.items():
        gradient = grads.get("d" + key)
        if gradient is None or gradient.shape != value.shape:
            got = None if gradient is None else gradient.shape
            raise ValueError(f"grads['d{key}'] should have shape {value.shape}, got {got}")
        new[key] = value - learning_rate * gradient
    return new


def accuracy(AL, Y) -> float:
    """Share of examples whose prediction (``AL > 0.5``) matches the label ``Y (1, m)``."""
    return 1.0 - float(np.mean((AL > 0.5) != Y))


def predict_proba(X, params: Params, activation=RELU) -> np.ndarray:
    """AL (1, m): the predicted probability of class 1."""
    AL, _ = forward(check_features(X, layer_dims_of(params)[0]), params, activation=activation)
    return AL.view(np.ndarray)


def predict(X, params: Params, activation=RELU) -> np.ndarray:
    """Class predictions (1, m) as ints 0/1: ``AL > 0.5``."""
    return (predict_proba(X, params, activation) > 0.5).astype(np.int64)
