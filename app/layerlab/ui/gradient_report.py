"""The gradient check as the page reports it: backprop against finite differences on a few
training examples, with a verdict (pass, borderline, fail) and what was checked."""

from layerlab import ACTIVATIONS, gradient_check

GRADCHECK_MAX_PARAMS = 3000  # two forward passes per parameter
GRADCHECK_EXAMPLES = 64
GRADCHECK_PASS = 1e-6  # below: backprop and finite differences agree
GRADCHECK_FAIL = 1e-3  # above: something is wrong (between: borderline, e.g. ReLU kinks)


def gradient_report(session, lambd: float, lambd_l1: float = 0.0) -> dict:
    """Check a ``TrainingSession``'s current weights on its first ``GRADCHECK_EXAMPLES``
    training examples (no dropout) with its hidden activation and the penalties ``lambd``
    (L2) and ``lambd_l1`` (L1).

    Returns ``verdict`` ("pass", "borderline", "fail" or "skipped": too many parameters),
    ``difference`` (the relative difference, unless skipped) and a ``note`` for people.
    """
    params, activation = session.weights(), ACTIVATIONS[session.activation]
    X, Y, iteration = session.data.X_train, session.data.Y_train, session.iteration
    n_params = sum(value.size for value in params.values())
    if n_params > GRADCHECK_MAX_PARAMS:
        return {
            "verdict": "skipped",
            "note": f"{n_params} parameters is too many to check quickly "
            f"(the check needs two forward passes per parameter): use a network with "
            f"at most {GRADCHECK_MAX_PARAMS}.",
        }
    X, Y = X[:, :GRADCHECK_EXAMPLES], Y[:, :GRADCHECK_EXAMPLES]
    difference = gradient_check(params, X, Y, lambd=lambd, lambd_l1=lambd_l1, activation=activation)
    if difference < GRADCHECK_PASS:
        verdict = "pass"
    elif difference < GRADCHECK_FAIL:
        verdict = "borderline"
    else:
        verdict = "fail"
    return {
        "verdict": verdict,
        "difference": difference,
        "note": f"at iteration {iteration}, {activation.name}, λ = {lambd:g}, "
        f"λ₁ = {lambd_l1:g}, {X.shape[1]} training examples, no dropout",
    }
