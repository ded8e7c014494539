"""Ready-made experiments: the settings each one applies, and what to watch once it runs.

Keys are ``LabState`` settings; ``LabState.apply_preset(name)`` applies them (and
``?preset=name`` in a link, through the URL state). ``"article"`` is the seed's exact setup.
"""

_TRAINING_DEFAULTS = {
    "features": ("x1", "x2"),
    "init": "he",
    "activation": "relu",
    "optimizer": "adam",
    "lambd": 0.0,
    "lambd_l1": 0.0,
    "learning_rate": 0.01,
    "batch_size": 0,
    "keep_prob": 1.0,
}
# Ready-made experiments: settings to apply, and what to watch once Play is pressed.
PRESETS = {
    "recommended": {
        "dataset": "moons",
        "n_points": 300,
        "noise": 0.2,
        "test_ratio": 0.3,
        "hidden_layers": "8, 8",
        **_TRAINING_DEFAULTS,
        "iterations": 2000,
    },
    # The article's L-layer model: layers [n_x, 20, 7, 5, 1], randn·0.01, plain full-batch
    # gradient descent at α = 0.0075 for 3000 iterations, ReLU, no regularization.
    "article": {
        "features": ("x1", "x2"),
        "hidden_layers": "20, 7, 5",
        "init": "small",
        "activation": "relu",
        "optimizer": "gd",
        "lambd": 0.0,
        "lambd_l1": 0.0,
        "learning_rate": 0.0075,
        "batch_size": 0,
        "keep_prob": 1.0,
        "iterations": 3000,
    },
    "overfitting": {
        "dataset": "moons",
        "n_points": 80,
        "noise": 0.35,
        "test_ratio": 0.3,
        "hidden_layers": "64, 64, 64",
        **_TRAINING_DEFAULTS,
        "iterations": 3000,
    },
    "depth": {
        "dataset": "spiral",
        "n_points": 300,
        "noise": 0.05,
        "test_ratio": 0.3,
        "hidden_layers": "16, 16, 16",
        **_TRAINING_DEFAULTS,
        "iterations": 3000,
    },
}
PRESET_NOTES = {
    "recommended": "Recommended: a small ReLU network with He init and Adam. "
    "Press Play: it learns the moons within a second.",
    "article": "As in the article: layers 20, 7, 5, randn·0.01, gradient descent at α = 0.0075, "
    "full batch, no λ, no dropout. Press Play: on 2-D data the cost sits at 0.693 and ‖dW‖ in "
    "the table is ~1e-6, the gradients vanish. Switch Initialization to He and compare.",
    "overfitting": "Overfitting: 80 noisy points, a 64-64-64 network. Press Play: the train cost "
    "goes to 0 while the test cost climbs. Then raise λ to 1 and watch the boundary smooth.",
    "depth": "Depth: the spiral with 16-16-16 units. Press Play, then set Hidden layers to 'none' "
    "(logistic regression) or '4' and compare the boundary.",
}
