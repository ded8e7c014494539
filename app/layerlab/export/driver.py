"""The few lines of an exported script that are not the core's own code: its docstring, and
``train`` and ``main``, which call the copied functions with the run's settings.

No arithmetic lives here: ``train`` loops over iterations calling ``gradient_update`` (or
running ``gradient_update_steps`` or ``minibatch_epoch_steps`` through), ``main`` loads,
splits and standardizes the data (and makes its input features: ``FEATURES_LINE``) and
prints the results.
``layerlab.export.script`` fills in what depends on the settings.
"""

HEADER = '''"""A Layer Lab run as a standalone script: an L-layer network in plain NumPy.

It repeats the app's run step by step: the same data (split and standardized as in the
app), the same initial weights, the same updates, so it reaches the same costs. Its
functions are Layer Lab's own. Needs only NumPy:  python this_file.py

Shapes: X (n_x, m), one column per example; Y (1, m) of 0/1;
W_l (n_l, n_{l-1}); b_l (n_l, 1); Z_l, A_l (n_l, m).
"""'''

KIND = {
    False: "One full-batch update per iteration.",
    True: "Mini-batch updates, a new shuffle every epoch.",
}

TRAIN = '''def train(X, Y, layer_dims):
    """Train on (X, Y) for ITERATIONS {unit}s; return the params and every {unit}'s cost.

    {kind} The cost of {unit} i is that of the weights
    before its update{cost_doc}.
    """
{setup}
    costs = []
    for i in range(ITERATIONS):
{changes}{decay}        try:
{update}
        except DivergenceError as error:
            message = f"Training diverged at iteration {{i}} ({{error}}): lower LEARNING_RATE."
            raise SystemExit(message) from None
        costs.append(cost)
        if i % PRINT_EVERY == 0 or i == ITERATIONS - 1:
            print(f"Cost after iteration {{i}}: {{cost!r}}")
    return {returned}'''

FULL_BATCH_UPDATE = """            cost, _ = gradient_update(
                X, Y, params, optimizer, {rate}, {lambd}, masks={masks}, workspace=workspace
            )"""

# The same with keyword arguments for L1 or another activation ({extra}: one per line).
FULL_BATCH_UPDATE_MORE = """            cost, _ = gradient_update(
                X,
                Y,
                params,
                optimizer,
                {rate},
                {lambd},{extra}
                masks={masks},
                workspace=workspace,
            )"""

CHUNKED_UPDATE = """            cost, _ = run_steps(
                gradient_update_steps(
                    X,
                    Y,
                    params,
                    optimizer,
                    {rate},
                    {lambd},{extra}
                    chunk=CHUNK,
                    draw_masks={masks},
                    workspace=workspace,
                )
            )"""

MINIBATCH_UPDATE = """            cost, _ = run_steps(
                minibatch_epoch_steps(
                    X,
                    Y,
                    params,
                    optimizer,
                    {rate},
                    {lambd},
                    BATCH_SIZE,
                    rng,{extra}{chunk}
                    draw_masks={masks},
                    workspace=workspace,
                )
            )"""

FEATURES_LINE = """
    X_train, X_test = expand(X_train, INPUT_FEATURES), expand(X_test, INPUT_FEATURES)"""

MAIN = """def main():
    X, Y = load_data()
    split_rng = np.random.default_rng(DATA_SEED)
    X_train, Y_train, X_test, Y_test = stratified_split(X, Y, TEST_RATIO, split_rng)
    mean, std = standardization(X_train)  # the training set's: the test set is scaled alike
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std{features}
    layer_dims = [X_train.shape[0], *HIDDEN_LAYERS, 1]
    m_train, m_test = X_train.shape[1], X_test.shape[1]
    print(f"Layers {{layer_dims}}, {{m_train}} training and {{m_test}} test examples")
    {returned} = train(X_train, Y_train, layer_dims)  # _: every iteration's cost
    AL = forward(X_train, params{activation})[0]
    print(f"Final train cost: {{compute_cost(AL, Y_train{final_cost})!r}}")
    print(f"Train accuracy: {{accuracy(AL, Y_train)!r}}")
    if m_test:
        AL = forward(X_test, params{activation})[0]
        print(f"Test cost: {{compute_cost(AL, Y_test)!r}}")
        print(f"Test accuracy: {{accuracy(AL, Y_test)!r}}")
    if PARAMS_FILE:
        np.savez(PARAMS_FILE, **params)
        print(f"Saved {{', '.join(params)}} to {{PARAMS_FILE}}")


if __name__ == "__main__":
    main()"""
