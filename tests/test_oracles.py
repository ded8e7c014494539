"""The core against independent implementations, in float64: scikit-learn's
``MLPClassifier`` and PyTorch autograd.

Both use the same L2 convention as Layer Lab, so they must agree to rounding:

- scikit-learn adds ``0.5 * alpha * Σ||W||² / n_samples`` to the loss and
  ``alpha * W / n_samples`` to the weight gradients (``_backprop`` and
  ``_compute_loss_grad``), i.e. ``λ/(2m) Σ||W||²`` and ``(λ/m) W`` with
  ``alpha = λ``; biases are not penalised there either.
- the PyTorch cost below is written from scratch: ``binary_cross_entropy_with_logits``
  (mean over examples) plus ``λ/(2m) Σ||W||²`` and ``λ₁/m Σ|W|``, with torch's own hidden
  activations (``relu``, ``leaky_relu`` with slope 0.01, ``tanh``, ``sigmoid``),
  differentiated by autograd.

These packages are in the ``test`` extra, so CI runs every test here; the
``importorskip`` only keeps the file honest on a machine without them.
"""

import numpy as np
import pytest

from layerlab import ACTIVATIONS, backward, compute_cost, fit, forward, init_params, update_params


def make_problem(layer_dims, m, seed):
    """``X (n_x, m)``, ``Y (1, m)`` with both classes, and He-initialised params.

    Biases are made nonzero so that they are checked too; random data keeps
    every ReLU away from its kink.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((layer_dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    params = init_params(layer_dims, "he", seed)
    for key in params:
        if key.startswith("b"):
            params[key] = 0.1 * rng.standard_normal(params[key].shape)
    return X, Y, params


def relative_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """``||actual - expected|| / ||expected||`` (or the plain norm if expected is 0)."""
    scale = np.linalg.norm(expected)
    return float(np.linalg.norm(actual - expected) / (scale if scale else 1.0))


# ----------------------------------------------------------------------------------------
# scikit-learn: one full-batch SGD step
# ----------------------------------------------------------------------------------------


@pytest.fixture
def MLPClassifier():
    return pytest.importorskip("sklearn.neural_network").MLPClassifier


def sklearn_one_step(MLPClassifier, X, Y, params, learning_rate, lambd):
    """One full-batch, momentum-free SGD step of MLPClassifier from ``params``.

    Returns the updated params in Layer Lab's layout and the loss sklearn
    computed before the update. sklearn stores ``coefs_[l-1] = W_lᵀ`` and
    ``intercepts_[l-1] = b_l`` as a flat vector.
    """
    L = len(params) // 2
    m = X.shape[1]
    model = MLPClassifier(
        hidden_layer_sizes=[params[f"W{l}"].shape[0] for l in range(1, L)],
        activation="relu",
        solver="sgd",
        batch_size=m,
        learning_rate="constant",
        learning_rate_init=learning_rate,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=lambd,
        max_iter=1,
        shuffle=False,
        random_state=0,
    )
    XT, y = X.T, Y.ravel()
    # partial_fit runs exactly one epoch and warns about nothing. The first call only
    # allocates the network (and takes a step from sklearn's own random weights).
    model.partial_fit(XT, y, classes=[0.0, 1.0])
    for l in range(1, L + 1):  # in place: sklearn's optimizer holds these very arrays
        model.coefs_[l - 1][...] = params[f"W{l}"].T
        model.intercepts_[l - 1][...] = params[f"b{l}"].ravel()
    model.partial_fit(XT, y)
    updated = {}
    for l in range(1, L + 1):
        updated[f"W{l}"] = model.coefs_[l - 1].T
        updated[f"b{l}"] = model.intercepts_[l - 1].reshape(-1, 1)
    return updated, model.loss_


@pytest.mark.parametrize(
    ("layer_dims", "lambd"),
    [
        ([3, 1], 0.0),
        ([4, 5, 1], 0.0),
        ([4, 5, 1], 0.7),
        ([5, 7, 3, 1], 0.3),
        ([6, 4, 4, 4, 2, 1], 2.0),
    ],
)
def test_one_sgd_step_matches_sklearn(MLPClassifier, layer_dims, lambd):
    X, Y, params = make_problem(layer_dims, m=37, seed=len(layer_dims))
    learning_rate = 0.1
    AL, caches = forward(X, params)
    ours = update_params(params, backward(AL, Y, caches, lambd), learning_rate)
    theirs, their_loss = sklearn_one_step(MLPClassifier, X, Y, params, learning_rate, lambd)
    for key in params:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-12, atol=1e-13, err_msg=key)
    # The step moved the weights by far more than the tolerance: the test can fail.
    assert max(np.abs(ours[k] - params[k]).max() for k in params) > 1e-4
    assert compute_cost(AL, Y, params, lambd) == pytest.approx(their_loss, rel=1e-12)


# ----------------------------------------------------------------------------------------
# PyTorch: autograd gradients and torch.optim.Adam
# ----------------------------------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def torch_activation(torch, name):
    """torch's own function for each of Layer Lab's hidden activations."""
    return {
        "relu": torch.relu,
        "leaky_relu": lambda Z: torch.nn.functional.leaky_relu(Z, negative_slope=0.01),
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
    }[name]


def torch_cost(torch, X, Y, weights, lambd, lambd_l1=0.0, activation="relu"):
    """The cost from scratch: BCE-with-logits (a log-sigmoid form) + ``λ/(2m) Σ||W||²``
    + ``λ₁/m Σ|W|``.

    ``weights`` is the list ``[W1, b1, ..., WL, bL]`` of float64 tensors.
    """
    m = X.shape[1]
    A = X
    L = len(weights) // 2
    g = torch_activation(torch, activation)
    for l in range(L):
        Z = weights[2 * l] @ A + weights[2 * l + 1]
        A = g(Z) if l < L - 1 else Z
    cross_entropy = torch.nn.functional.binary_cross_entropy_with_logits(A, Y)
    squares = sum(torch.sum(weights[2 * l] ** 2) for l in range(L))
    absolutes = sum(torch.sum(torch.abs(weights[2 * l])) for l in range(L))
    return cross_entropy + lambd / (2 * m) * squares + lambd_l1 / m * absolutes


def as_tensors(torch, params):
    """Leaf float64 tensors ``[W1, b1, ..., WL, bL]`` copied from ``params``."""
    return [torch.tensor(params[key], dtype=torch.float64, requires_grad=True) for key in params]


@pytest.mark.parametrize(
    ("layer_dims", "m", "lambd"),
    [
        ([3, 1], 20, 0.0),
        ([2, 8, 8, 1], 50, 0.0),
        ([2, 8, 8, 1], 50, 0.5),
        ([7, 16, 1], 33, 1.0),
        ([12, 20, 7, 5, 1], 64, 0.1),
        ([5, 3, 3, 3, 3, 1], 40, 3.0),
    ],
)
def test_gradients_match_torch_autograd(torch, layer_dims, m, lambd):
    X, Y, params = make_problem(layer_dims, m, seed=m)
    AL, caches = forward(X, params)
    grads = backward(AL, Y, caches, lambd)

    weights = as_tensors(torch, params)
    cost = torch_cost(torch, torch.from_numpy(X), torch.from_numpy(Y), weights, lambd)
    cost.backward()

    assert compute_cost(AL, Y, params, lambd) == pytest.approx(cost.item(), rel=1e-13)
    for key, weight in zip(params, weights, strict=True):
        expected = weight.grad.numpy()
        assert np.linalg.norm(expected) > 1e-6, key  # a zero gradient would prove nothing
        assert relative_error(grads["d" + key], expected) < 1e-12, key


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(
    ("layer_dims", "m", "lambd", "lambd_l1"),
    [
        ([3, 4, 1], 20, 0.0, 0.0),
        ([2, 8, 8, 1], 50, 0.0, 0.3),
        ([7, 16, 1], 33, 0.5, 0.2),
        ([12, 20, 7, 5, 1], 64, 0.1, 1.0),
        ([5, 3, 3, 3, 3, 1], 40, 0.0, 0.0),
    ],
)
def test_every_activation_and_l1_match_torch_autograd(
    torch, activation, layer_dims, m, lambd, lambd_l1
):
    X, Y, params = make_problem(layer_dims, m, seed=m)
    g = ACTIVATIONS[activation]
    AL, caches = forward(X, params, activation=g)
    grads = backward(AL, Y, caches, lambd, lambd_l1=lambd_l1, activation=g)

    weights = as_tensors(torch, params)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    cost = torch_cost(torch, Xt, Yt, weights, lambd, lambd_l1, activation)
    cost.backward()

    ours = compute_cost(AL, Y, params, lambd, lambd_l1=lambd_l1)
    assert abs(ours - cost.item()) <= 1e-9 * abs(cost.item())
    for key, weight in zip(params, weights, strict=True):
        expected = weight.grad.numpy()
        assert np.linalg.norm(expected) > 1e-6, key  # a zero gradient would prove nothing
        assert relative_error(grads["d" + key], expected) <= 1e-9, key
    # The activation matters: another one's gradients differ far beyond the tolerance.
    other = ACTIVATIONS["tanh" if activation != "tanh" else "relu"]
    AL_other, caches_other = forward(X, params, activation=other)
    grads_other = backward(AL_other, Y, caches_other, lambd, lambd_l1=lambd_l1, activation=other)
    assert relative_error(grads_other["dW1"], weights[0].grad.numpy()) > 1e-3


@pytest.mark.parametrize(("activation", "lambd_l1"), [("tanh", 0.2), ("leaky_relu", 0.5)])
def test_minibatch_adam_with_l1_matches_torch(torch, activation, lambd_l1):
    """Mini-batches scale λ₁ by the batch's share, so each update's L1 gradient is
    (λ₁/m) sign(W) with m the whole training set's size, as in torch with that penalty."""
    layer_dims, m, batch_size, learning_rate, seed = [3, 6, 4, 1], 40, 16, 0.01, 2
    X, Y, _ = make_problem(layer_dims, m, seed)
    result = fit(
        X,
        Y,
        layer_dims,
        learning_rate,
        3,
        0.0,
        "he",
        seed,
        lambd_l1=lambd_l1,
        activation=activation,
        optimizer="adam",
        batch_size=batch_size,
    )
    weights = as_tensors(torch, init_params(layer_dims, "he", seed))
    adam = torch.optim.Adam(weights, lr=learning_rate, betas=(0.9, 0.999), eps=1e-8)
    rng = np.random.default_rng(seed)
    init_params(layer_dims, "he", rng)  # the trainer's stream: weights first, then shuffles
    g = torch_activation(torch, activation)
    for _ in range(3):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            chosen = order[start : start + batch_size]
            Xb, Yb = torch.from_numpy(X[:, chosen]), torch.from_numpy(Y[:, chosen])
            adam.zero_grad()
            A = Xb
            for l in range(len(layer_dims) - 1):
                Z = weights[2 * l] @ A + weights[2 * l + 1]
                A = g(Z) if l < len(layer_dims) - 2 else Z
            share = Yb.shape[1] / m  # this batch's part of the mean, and of λ₁/m Σ|W|
            absolutes = sum(torch.sum(torch.abs(weights[2 * l])) for l in range(len(weights) // 2))
            cross_entropy = torch.nn.functional.binary_cross_entropy_with_logits(A, Yb)
            (cross_entropy + lambd_l1 * share / Yb.shape[1] * absolutes).backward()
            adam.step()
    for key, weight in zip(result.params, weights, strict=True):
        np.testing.assert_allclose(
            result.params[key], weight.detach().numpy(), rtol=1e-9, atol=1e-11, err_msg=key
        )


@pytest.mark.parametrize(("layer_dims", "lambd"), [([2, 8, 8, 1], 0.0), ([4, 6, 3, 1], 0.4)])
def test_adam_matches_torch_optim_adam(torch, layer_dims, lambd):
    m, steps, learning_rate, seed = 45, 6, 0.01, 5
    X, Y, _ = make_problem(layer_dims, m, seed)
    result = fit(X, Y, layer_dims, learning_rate, steps, lambd, "he", seed, optimizer="adam")

    weights = as_tensors(torch, init_params(layer_dims, "he", seed))
    adam = torch.optim.Adam(weights, lr=learning_rate, betas=(0.9, 0.999), eps=1e-8)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    torch_costs = []
    for _ in range(steps):
        adam.zero_grad()
        cost = torch_cost(torch, Xt, Yt, weights, lambd)
        cost.backward()
        adam.step()
        torch_costs.append(cost.item())

    np.testing.assert_allclose(result.costs, torch_costs, rtol=1e-12)
    for key, weight in zip(result.params, weights, strict=True):
        np.testing.assert_allclose(
            result.params[key], weight.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=key
        )
    # Adam moves each live weight by about the learning rate per step, far beyond the tolerance.
    initial = init_params(layer_dims, "he", seed)
    assert all(np.abs(result.params[k] - initial[k]).max() > 1e-3 for k in initial)


def torch_features(torch, X, names):
    """The input features written again, in torch, from ``X (2, m)``: an independent
    ``layerlab.features.expand``."""
    x1, x2 = X[0], X[1]
    made = {
        "x1": x1,
        "x2": x2,
        "x1sq": x1**2,
        "x2sq": x2**2,
        "x1x2": x1 * x2,
        "sinx1": torch.sin(x1),
        "sinx2": torch.sin(x2),
    }
    return torch.stack([made[name] for name in made if name in names])


@pytest.mark.parametrize(
    ("names", "hidden", "lambd"),
    [
        (("x1sq", "x2sq"), [], 0.0),
        (("x1", "x2", "x1sq", "x2sq"), [8], 0.3),
        (("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"), [8, 4], 0.1),
    ],
)
def test_a_feature_network_matches_torch_autograd_and_finite_differences(
    torch, names, hidden, lambd
):
    """Cost and gradients of a network on features of the standardized coordinates, against
    torch computing the features itself, and against centred finite differences."""
    from layerlab import gradient_check
    from layerlab.features import expand
    from layerlab.ui.data import make_lab_data

    data = make_lab_data("circles", 60, 0.1, 0.0, 4)  # the standardized x1, x2: (2, 60)
    X = expand(data.X_train, names)
    Y = data.Y_train
    layer_dims = [len(names), *hidden, 1]
    _, _, params = make_problem(layer_dims, 1, seed=len(names))
    AL, caches = forward(X, params)
    grads = backward(AL, Y, caches, lambd)

    weights = as_tensors(torch, params)
    Xt = torch_features(torch, torch.from_numpy(data.X_train), names)
    cost = torch_cost(torch, Xt, torch.from_numpy(Y), weights, lambd)
    cost.backward()

    assert abs(compute_cost(AL, Y, params, lambd) - cost.item()) <= 1e-9
    for key, weight in zip(params, weights, strict=True):
        expected = weight.grad.numpy()
        assert np.linalg.norm(expected) > 1e-6, key
        assert np.abs(grads["d" + key] - expected).max() <= 1e-9, key
    assert params["W1"].shape == (layer_dims[1], len(names))
    assert gradient_check(params, X, Y, lambd=lambd) < 1e-7
