"""Export a run as a standalone Python script that needs only NumPy.

The script is written from readable templates, not copied from this package: the seed's
steps (initialize, forward with ReLU / sigmoid, cost, backward, update) plus only what the
settings use (L2, dropout, mini-batches, momentum or Adam, learning-rate decay). Every
operation is the one the core performs, in the same order and with the same random draws,
so the script's costs and weights are bit for bit those of
``Trainer(X_train, Y_train, [n_x, *layer_sizes, 1], config)`` on the data the UI builds
(``layerlab.ui.data.make_lab_data``: generate, split with the data seed, standardize with
the training set's mean and std). ``tests/test_export.py`` runs exported scripts and holds
them to that: when the core's arithmetic changes, that test says which template to follow.

Settings use the URL names of the UI (``dataset``, ``n_points``, ``noise``, ``test_ratio``,
``data_seed``, ``lambd``, ``learning_rate``, ``optimizer``, ``init``, ``batch_size`` (0 =
full batch), ``keep_prob``, ``iterations``, ``weight_seed``; optionally ``decay_rate``,
``beta1``, ``beta2``, ``epsilon``). User text (a file name, a column name, labels) only
ever enters the script as a string literal.

A run that started from uploaded weights (``Trainer(..., params=given)``) is repeated with
``initial_params_file``: the script reads those weights from the file instead of drawing
them, and, like the trainer, draws nothing else for them from the weight seed.
"""

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence

import numpy as np

from .datasets import DATASETS, CsvData, make_dataset, train_test_split
from .training import TrainConfig
from .validation import check_count, check_layer_dims


@dataclasses.dataclass(frozen=True)
class CsvSource:
    """How the script reads an uploaded CSV the way the app read it.

    ``label_column`` is the 0-based column index (-1 = last) or, with a header, the
    column's name; ``label_map`` maps label text to 0/1 as given at upload (None: labels
    are 0/1 or true/false). The script matches ``label_map`` keys as exact text.
    ``class_counts`` (examples of class 0 and 1) tells whether a batch size covers the
    whole training set; it is needed with mini-batches.
    """

    file_name: str
    label_column: int | str = -1
    has_header: bool = True
    delimiter: str = ","
    label_map: Mapping[str, float] | None = None
    class_counts: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.label_column, str) and not self.has_header:
            raise ValueError(
                f"label column {self.label_column!r} is a name but the file has no header; "
                "give the column's index"
            )

    @classmethod
    def from_upload(
        cls,
        file_name: str,
        data: CsvData,
        label_column: int | str | None = None,
        label_map: Mapping[object, object] | None = None,
    ) -> "CsvSource":
        """The source of ``data``, what ``load_csv(text, label_column, ..., label_map)``
        returned for the file ``file_name``; ``label_column=None`` is the last column."""
        labels = None
        if label_map is not None:
            labels = {str(key).strip(): float(value) for key, value in label_map.items()}
        column = -1 if label_column is None else label_column
        counts = (int(np.sum(data.Y == 0.0)), int(np.sum(data.Y == 1.0)))
        return cls(file_name, column, data.has_header, data.delimiter, labels, counts)


def export_script(
    settings: Mapping[str, object],
    layer_sizes: Sequence[int],
    *,
    csv: CsvSource | None = None,
    print_every: int = 100,
    params_file: str | None = "params.npz",
    initial_params_file: str | None = None,
) -> str:
    """The text of a script that repeats the run ``settings`` describe, with plain NumPy.

    Parameters
    ----------
    settings : mapping
        The UI's settings by URL name (see the module docstring); ``hidden_layers`` is not
        read: pass the parsed sizes as ``layer_sizes``.
    layer_sizes : sequence of int
        Units per hidden layer, e.g. ``[8, 8]`` (``[]``: logistic regression).
    csv : CsvSource or None
        Read the data from this CSV file instead of generating ``settings["dataset"]``.
    print_every : int
        The script prints the cost every this many iterations (and at the last one).
    params_file : str or None
        Where the script saves the trained ``W1, b1, ...`` with ``np.savez``; None: not saved.
        If it names ``initial_params_file``, the script saves to ``trained_<name>`` instead.
    initial_params_file : str or None
        Start from the weights in this ``.npz`` or Layer Lab ``.json`` file (the run was
        ``Trainer(..., params=those weights)``) instead of initializing from the seed.

    Raises
    ------
    ValueError, TypeError
        For a missing or invalid setting, naming it.
    """
    _check_keys(settings, csv)
    config = train_config(settings)
    if config.batch_size and config.batch_size >= _training_examples(settings, csv):
        config = dataclasses.replace(config, batch_size=None)  # the app's full-batch update
    sizes = check_layer_dims([1, *layer_sizes, 1])[1:-1]
    print_every = check_count("print_every", print_every, low=1)
    if csv is None and settings["dataset"] not in DATASETS:
        valid = ", ".join(DATASETS)
        raise ValueError(f"unknown dataset {settings['dataset']!r}; use one of {valid}")
    initial = initial_params_file
    if initial is not None and not isinstance(initial, str):
        raise TypeError(f"initial_params_file must be a file name, got {type(initial).__name__}")
    if initial is not None and params_file == initial:  # never overwrite the starting weights
        folder, name = os.path.split(params_file)
        params_file = os.path.join(folder, "trained_" + name)
    stdlib = "".join(f"import {name}\n" for name, used in (("csv", csv), ("json", initial)) if used)
    head = [
        _HEADER.strip("\n"),
        (stdlib + "\n" if stdlib else "") + "import numpy as np",
        _settings_block(settings, sizes, config, csv, print_every, params_file, initial),
    ]
    body = [
        _data_block(settings, csv),
        _model_block(config, initial is not None),
        _train_block(config, initial is not None),
        _main_block(config),
    ]
    return "\n\n".join(head) + "\n\n\n" + "\n\n\n".join(body) + "\n"


def _check_keys(settings: Mapping[str, object], csv: CsvSource | None) -> None:
    required = ["learning_rate", "iterations", "lambd", "optimizer", "init", "batch_size"]
    required += ["keep_prob", "weight_seed", "test_ratio", "data_seed"]
    required += [] if csv else ["dataset", "n_points", "noise"]
    missing = [key for key in required if key not in settings]
    if missing:
        raise ValueError(f"settings lack {', '.join(missing)}; pass every setting of the UI")


def _training_examples(settings: Mapping[str, object], csv: CsvSource | None) -> int:
    """How many examples the app trains on: the training part of the split."""
    if csv is None:
        X, Y = make_dataset(
            settings["dataset"], settings["n_points"], settings["noise"], settings["data_seed"]
        )
    elif csv.class_counts is None:
        raise ValueError("with mini-batches, give CsvSource.class_counts (from_upload does)")
    else:
        Y = np.repeat([0.0, 1.0], csv.class_counts)[np.newaxis, :]  # (1, m)
        X = np.zeros((1, Y.shape[1]))
    return train_test_split(X, Y, settings["test_ratio"], settings["data_seed"])[1].shape[1]


def train_config(settings: Mapping[str, object], *, iterations: int | None = None) -> TrainConfig:
    """The core's config for a run described by link settings (it validates every value).

    ``batch_size`` 0 means the full batch and ``weight_seed`` seeds the run; ``iterations``
    overrides the settings' budget. The app and the exported script both take their config
    from here, so the script trains exactly as the app does.
    """
    optional = ("decay_rate", "beta1", "beta2", "epsilon")
    return TrainConfig(
        learning_rate=settings["learning_rate"],
        iterations=settings["iterations"] if iterations is None else iterations,
        lambd=settings["lambd"],
        optimizer=settings["optimizer"],
        init=settings["init"],
        batch_size=settings["batch_size"] or None,
        keep_prob=settings["keep_prob"],
        seed=settings["weight_seed"],
        **{key: settings[key] for key in optional if key in settings},
    )


def _section(title: str, parts: Sequence[str]) -> str:
    """A titled part of the script: the functions in ``parts``, two blank lines apart."""
    rule = f"# -- {title} ".ljust(92, "-")
    return rule + "\n\n\n" + "\n\n\n".join(part.strip("\n") for part in parts)


# -- the head: docstring and settings --------------------------------------------------------
_HEADER = '''
"""A Layer Lab run as a standalone script: an L-layer network in plain NumPy.

It repeats the app's run step by step: the same data (split and standardized as in the
app), the same initial weights, the same updates, so it reaches the same costs.
Needs only NumPy:  python this_file.py

Shapes: X (n_x, m), one column per example; Y (1, m) of 0/1;
W_l (n_l, n_{l-1}); b_l (n_l, 1); Z_l, A_l (n_l, m).
"""
'''


def _literal(value: object) -> str:
    """``value`` as Python source; strings in double quotes (JSON's escapes are Python's)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _constant(name: str, value: object, comment: str = "") -> str:
    line = f"{name} = {_literal(value)}"
    return f"{line}  # {comment}" if comment else line


def _settings_block(
    settings, sizes, config: TrainConfig, csv, print_every, params_file, initial
) -> str:
    lines = ["# -- settings, as in the app ".ljust(92, "-")]
    if csv:
        lines += [
            _constant("CSV_FILE", csv.file_name, "put the file next to this script"),
            _constant("LABEL_COLUMN", csv.label_column, "a name, or an index (-1: the last)"),
            _constant("HAS_HEADER", csv.has_header),
            _constant("DELIMITER", csv.delimiter),
        ]
        if csv.label_map is not None:
            lines.append(_constant("LABEL_MAP", dict(csv.label_map), "label text -> 0/1"))
    else:
        lines += [
            _constant("DATASET", settings["dataset"]),
            _constant("N_POINTS", int(settings["n_points"])),
            _constant("NOISE", float(settings["noise"]), "std of the jitter"),
        ]
    lines += [
        _constant("TEST_RATIO", float(settings["test_ratio"]), "share of examples held out"),
        _constant("DATA_SEED", int(settings["data_seed"]), _data_seed_comment(csv)),
        _constant("HIDDEN_LAYERS", sizes, "ReLU units per hidden layer; the output is 1 sigmoid"),
    ]
    if initial is None:
        lines.append(_constant("INIT", config.init))
    else:
        comment = "the weights this run started from: put the file next to this script"
        lines.append(_constant("INITIAL_PARAMS", initial, comment))
    if _uses_rng(config, initial):
        lines.append(_constant("WEIGHT_SEED", config.seed, _weight_seed_comment(config, initial)))
    lines += [
        _constant("LEARNING_RATE", config.learning_rate, "α"),
        _constant("ITERATIONS", config.iterations, "epochs: passes over the training set"),
    ]
    if config.decay_rate:
        lines.append(_constant("DECAY_RATE", config.decay_rate, "α / (1 + DECAY_RATE · epoch)"))
    if config.lambd:
        lines.append(_constant("LAMBD", config.lambd, "λ of the L2 penalty"))
    if config.keep_prob < 1.0:
        lines.append(_constant("KEEP_PROB", config.keep_prob, "dropout: chance to keep a unit"))
    if config.batch_size:
        lines.append(_constant("BATCH_SIZE", config.batch_size, "examples per update"))
    if config.optimizer in ("momentum", "adam"):
        lines.append(_constant("BETA1", config.beta1))
    if config.optimizer == "adam":
        lines += [_constant("BETA2", config.beta2), _constant("EPSILON", config.epsilon)]
    lines += [
        _constant("PRINT_EVERY", print_every),
        _constant("PARAMS_FILE", params_file, "the trained W1, b1, ... (None: not saved)"),
    ]
    return "\n".join(lines)


def _data_seed_comment(csv: CsvSource | None) -> str:
    return "seeds the train/test split" if csv else "seeds the data and the train/test split"


def _uses_rng(config: TrainConfig, initial: str | None) -> bool:
    """Whether the script draws random numbers in training (the data has its own seed)."""
    return initial is None or bool(config.batch_size) or config.keep_prob < 1.0


def _weight_seed_comment(config: TrainConfig, initial: str | None) -> str:
    uses = ["initial weights"] if initial is None else []
    if config.batch_size:
        uses.append("batch shuffles")
    if config.keep_prob < 1.0:
        uses.append("dropout masks")
    return "seeds the " + ", ".join(uses)


# -- data ------------------------------------------------------------------------------------
_CLASSES = """
def labels(n0, n1):
    \"\"\"Y (1, n0 + n1): n0 zeros, then n1 ones.\"\"\"
    return np.concatenate([np.zeros(n0), np.ones(n1)])[np.newaxis, :]
"""

_GENERATORS = {
    "moons": '''
def moons(n, noise, rng):
    """Two interleaving half circles: class 0 on top, class 1 below, jittered by noise."""
    n0, n1 = n // 2, n - n // 2
    t0 = np.linspace(0.0, np.pi, n0)  # (n0,)
    t1 = np.linspace(0.0, np.pi, n1)  # (n1,)
    x = np.concatenate([np.cos(t0), 1.0 - np.cos(t1)])  # (n,)
    y = np.concatenate([np.sin(t0), 1.0 - np.sin(t1) - 0.5])  # (n,)
    X = np.stack([x, y]) + noise * rng.standard_normal((2, n))  # (2, n)
    return X, labels(n0, n1)
''',
    "circles": '''
def circles(n, noise, rng):
    """Two concentric circles: class 0 on radius 1, class 1 on radius 0.5, jittered."""
    n0, n1 = n // 2, n - n // 2
    t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)  # (n0,)
    t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)  # (n1,)
    x = np.concatenate([np.cos(t0), 0.5 * np.cos(t1)])  # (n,)
    y = np.concatenate([np.sin(t0), 0.5 * np.sin(t1)])  # (n,)
    X = np.stack([x, y]) + noise * rng.standard_normal((2, n))  # (2, n)
    return X, labels(n0, n1)
''',
    "xor": '''
def xor(n, noise, rng):
    """Four quadrants: label 1 where exactly one coordinate is positive, then jitter."""
    n0, n1 = n // 2, n - n // 2
    Y = labels(n0, n1)  # (1, n)
    s1 = rng.choice([-1.0, 1.0], size=n)  # (n,) sign of x1
    s2 = np.where(Y[0] == 1.0, -s1, s1)  # (n,) class 1: signs differ
    mag = rng.uniform(0.1, 1.0, size=(2, n))  # (2, n)
    X = np.stack([s1, s2]) * mag + noise * rng.standard_normal((2, n))  # (2, n)
    return X, Y
''',
    "gaussians": '''
def gaussians(n, noise, rng):
    """Two blobs of std 0.4 around (-1, -1) (class 0) and (1, 1) (class 1), plus jitter."""
    n0, n1 = n // 2, n - n // 2
    Y = labels(n0, n1)  # (1, n)
    centres = 2.0 * Y - 1.0  # (1, n) -1 or +1
    X = centres + 0.4 * rng.standard_normal((2, n))  # (2, n)
    X = X + noise * rng.standard_normal((2, n))  # (2, n)
    return X, Y
''',
    "spiral": '''
def spiral(n, noise, rng):
    """Two interleaved spiral arms of 1.5 turns, class 1 rotated by pi, plus jitter."""
    n0, n1 = n // 2, n - n // 2
    arms = []
    for j, nj in enumerate((n0, n1)):
        r = np.linspace(0.05, 1.0, nj)  # (nj,)
        t = 3.0 * np.pi * r + j * np.pi  # (nj,)
        arms.append(np.stack([r * np.cos(t), r * np.sin(t)]))  # (2, nj)
    X = np.concatenate(arms, axis=1) + noise * rng.standard_normal((2, n))  # (2, n)
    return X, labels(n0, n1)
''',
    "flower": '''
def flower(n, noise, rng):
    """The course's planar "flower": r = 4 sin(4t), angle and radius jittered by noise."""
    n0, n1 = n // 2, n - n // 2
    petals = []
    for j, nj in enumerate((n0, n1)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, nj) + rng.standard_normal(nj) * noise  # (nj,)
        r = 4.0 * np.sin(4 * t) + rng.standard_normal(nj) * noise  # (nj,)
        petals.append(np.stack([r * np.sin(t), r * np.cos(t)]))  # (2, nj)
    return np.concatenate(petals, axis=1), labels(n0, n1)
''',
}

_MAKE_DATA = '''
def load_data():
    """X (2, N_POINTS), Y (1, N_POINTS): the dataset, generated from DATA_SEED."""
    rng = np.random.default_rng(DATA_SEED)
    return {name}(N_POINTS, NOISE, rng)
'''

_READ_CSV = '''
def load_data():
    """X (n_x, m), Y (1, m) from CSV_FILE: every column but the label is a feature."""
    with open(CSV_FILE, newline="", encoding="utf-8-sig") as file:
        rows = [[cell.strip() for cell in row] for row in csv.reader(file, delimiter=DELIMITER)]
    rows = [row for row in rows if any(row)]  # blank lines are skipped
{find_label}
    features = [j for j in range(len(rows[0])) if j != label]
    X = np.array([[float(row[j]) for row in rows] for j in features])  # (n_x, m)
    Y = np.array([[label_value(row[label]) for row in rows]])  # (1, m)
    return X, Y
'''

_NATURAL_LABEL = '''
def label_value(text):
    """A label as 0.0 or 1.0: a number, or true / false."""
    if text.lower() in ("true", "false"):
        return float(text.lower() == "true")
    return float(text)
'''

_MAPPED_LABEL = '''
def label_value(text):
    """A label as 0.0 or 1.0, through LABEL_MAP."""
    return LABEL_MAP[text]
'''

_SPLIT = (
    '''
def split(X, Y, test_ratio, seed):
    """Shuffle the columns and split them, stratified: each class sends
    round(test_ratio * count) examples to the test set and keeps at least one."""
    rng = np.random.default_rng(seed)
    test_idx, train_idx = [], []
    for label in np.unique(Y[0]):
        idx = rng.permutation(np.flatnonzero(Y[0] == label))  # (count,)
        k = min(round(test_ratio * idx.size), idx.size - 1)
        test_idx.append(idx[:k])
        train_idx.append(idx[k:])
    train = rng.permutation(np.concatenate(train_idx))  # (m_train,)
    test = rng.permutation(np.concatenate(test_idx))  # (m_test,)
    return X[:, train], Y[:, train], X[:, test], Y[:, test]
''',
    '''
def standardize(X_train, X_test):
    """(X - mean) / std with the training set's per-feature mean and std (constant: std 1)."""
    constant = X_train.max(axis=1, keepdims=True) == X_train.min(axis=1, keepdims=True)
    mean = np.where(constant, X_train[:, :1], X_train.mean(axis=1, keepdims=True))  # (n_x, 1)
    std = np.where(constant, 1.0, X_train.std(axis=1, keepdims=True))  # (n_x, 1)
    return (X_train - mean) / std, (X_test - mean) / std
''',
)


def _find_label(csv: CsvSource) -> str:
    """Script lines that drop the header row, if any, and set ``label``, the column's index."""
    if isinstance(csv.label_column, str):
        return (
            "    label = rows[0].index(LABEL_COLUMN)  # the header names the label column\n"
            "    rows = rows[1:]"
        )
    index = "    label = LABEL_COLUMN % len(rows[0])"
    return "    rows = rows[1:]  # the header\n" + index if csv.has_header else index


def _data_block(settings: Mapping[str, object], csv: CsvSource | None) -> str:
    if csv:
        labels = _NATURAL_LABEL if csv.label_map is None else _MAPPED_LABEL
        parts = [_READ_CSV.format(find_label=_find_label(csv)), labels, *_SPLIT]
    else:
        name = settings["dataset"]
        parts = [_CLASSES, _GENERATORS[name], _MAKE_DATA.format(name=name), *_SPLIT]
    return _section("data", parts)


# -- model -----------------------------------------------------------------------------------
_INIT_LINES = {
    "small": ("randn(n_l, n_prev) · 0.01", "rng.standard_normal((n_l, n_prev)) * 0.01"),
    "he": (
        "randn(n_l, n_prev) · √(2 / n_prev) (He)",
        "rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / n_prev)",
    ),
    "xavier": (
        "randn(n_l, n_prev) · √(2 / (n_prev + n_l)) (Xavier)",
        "rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / (n_prev + n_l))",
    ),
    "sqrt": (
        "randn(n_l, n_prev) / √n_prev",
        "rng.standard_normal((n_l, n_prev)) / np.sqrt(n_prev)",
    ),
}

_INITIALIZE = '''
def initialize(layer_dims, rng):
    """W_l (n_l, n_prev) = {doc}; b_l (n_l, 1) = 0."""
    params = {{}}
    for l in range(1, len(layer_dims)):
        n_l, n_prev = layer_dims[l], layer_dims[l - 1]
        params[f"W{{l}}"] = {expression}
        params[f"b{{l}}"] = np.zeros((n_l, 1))
    return params
'''

_LOAD_PARAMS = '''
def load_params(path, layer_dims):
    """W_l (n_l, n_prev), b_l (n_l, 1) from a .npz file or a Layer Lab .json file."""
    try:
        if path.lower().endswith(".json"):
            with open(path, encoding="utf-8-sig") as file:
                stored = json.load(file)
            arrays = {key: stored[key] for key in stored if key[0] in "Wb"}
        else:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {key: stored[key] for key in stored.files}
    except FileNotFoundError:
        raise SystemExit(f"{path} not found: put the weights file next to this script.") from None
    params = {key: np.array(value, dtype=np.float64) for key, value in arrays.items()}
    expected = {}
    for l in range(1, len(layer_dims)):
        expected[f"W{l}"] = (layer_dims[l], layer_dims[l - 1])
        expected[f"b{l}"] = (layer_dims[l], 1)
    shapes = {key: value.shape for key, value in params.items()}
    if shapes != expected:
        raise SystemExit(
            f"The weights in {path} have shapes {shapes}, but layers {layer_dims} need "
            f"{expected}: set HIDDEN_LAYERS to the file's layers."
        )
    return {key: params[key] for key in expected}  # in the order W1, b1, W2, ...
'''

_ACTIVATIONS = (
    '''
def sigmoid(Z):
    """σ(Z) = 1 / (1 + e^-Z), computed as e^min(Z, 0) / (1 + e^-|Z|): it never overflows."""
    return np.exp(np.minimum(Z, 0.0)) / (1.0 + np.exp(-np.abs(Z)))
''',
    '''
def relu(Z):
    """max(Z, 0) as a new array."""
    return np.maximum(Z, 0.0)
''',
)

_FORWARD = '''
def forward(X, params):
    """Z_l = W_l A_(l-1) + b_l; ReLU on the hidden layers, sigmoid on the output.

    Returns AL (1, m), the output's logits ZL (1, m) and per layer (A_prev, W, Z).
    """
    L = len(params) // 2
    caches = []
    A = X  # (n_x, m)
    for l in range(1, L):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = W @ A + b  # (n_l, m)
        caches.append((A, W, Z))
        A = relu(Z)
    W, b = params[f"W{L}"], params[f"b{L}"]
    ZL = W @ A + b  # (1, m)
    caches.append((A, W, ZL))
    return sigmoid(ZL), ZL, caches
'''

_FORWARD_DROPOUT = '''
def forward(X, params, keep_prob=1.0, rng=None):
    """Z_l = W_l A_(l-1) + b_l; ReLU on the hidden layers, sigmoid on the output.

    With keep_prob < 1 (training), inverted dropout: each hidden unit is kept with
    probability keep_prob and scaled by 1 / keep_prob; the mask D is drawn from rng.
    Returns AL (1, m), the output's logits ZL (1, m) and per layer (A_prev, W, Z, D).
    """
    L = len(params) // 2
    caches = []
    A = X  # (n_x, m)
    for l in range(1, L):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = W @ A + b  # (n_l, m)
        A_next = relu(Z)
        D = None
        if keep_prob < 1.0:
            D = (rng.random(Z.shape) < keep_prob) / keep_prob  # (n_l, m) of 0 and 1/keep_prob
            A_next *= D
        caches.append((A, W, Z, D))
        A = A_next
    W, b = params[f"W{L}"], params[f"b{L}"]
    ZL = W @ A + b  # (1, m)
    caches.append((A, W, ZL, None))
    return sigmoid(ZL), ZL, caches
'''

_SOFTPLUS = '''
def softplus(Z):
    """log(1 + e^Z), computed as max(Z, 0) + log(1 + e^-|Z|): it never overflows."""
    losses = np.log1p(np.exp(-np.abs(Z)))
    losses += np.maximum(Z, 0.0)
    return losses
'''

_COST = '''
def compute_cost(ZL, Y):
    """Cross-entropy -mean(Y log AL + (1 - Y) log(1 - AL)), from the logits:
    mean(log(1 + e^Z) - Y Z), exact and finite."""
    m = Y.shape[1]
    losses = softplus(ZL) - Y * ZL  # (1, m)
    return float(np.sum(losses)) / m
'''

_COST_L2 = '''
def compute_cost(ZL, Y, params=None, lambd=0.0):
    """Cross-entropy -mean(Y log AL + (1 - Y) log(1 - AL)), from the logits:
    mean(log(1 + e^Z) - Y Z), plus the L2 penalty λ/(2m) Σ_l ||W_l||² if params are given."""
    m = Y.shape[1]
    losses = softplus(ZL) - Y * ZL  # (1, m)
    cost = float(np.sum(losses)) / m
    if params is not None and lambd:
        L = len(params) // 2
        squares = sum(float(np.vdot(params[f"W{l}"], params[f"W{l}"])) for l in range(1, L + 1))
        cost += lambd / (2 * m) * squares
    return cost
'''

_BACKWARD = '''
def backward(AL, Y, caches{lambd_arg}):
    """Gradients, starting from dZ_L = AL - Y (sigmoid and cross-entropy together):

    dW_l = dZ_l A_(l-1)ᵀ / m{l2_doc}, db_l = Σ dZ_l / m,
    dZ_(l-1) = W_lᵀ dZ_l · relu'(Z_(l-1)).
    """
    L = len(caches)
    m = AL.shape[1]
    grads = {{}}
    dZ_m = (AL - Y) / m  # (1, m): dZ_L / m, the 1/m of the mean applied once, here
    for l in range(L, 0, -1):
        A_prev, W = caches[l - 1][:2]
        dW = dZ_m @ A_prev.T  # (n_l, n_(l-1)){l2_code}
        grads[f"dW{{l}}"] = dW
        grads[f"db{{l}}"] = dZ_m.sum(axis=1, keepdims=True)  # (n_l, 1)
        if l > 1:
            dA_prev = W.T @ dZ_m  # (n_(l-1), m){dropout_code}
            Z_prev = caches[l - 2][2]
            dZ_m = dA_prev * (Z_prev > 0.0)  # relu' is 1 where Z > 0, else 0
    return grads
'''

_L2_GRADIENT = """
        if lambd:
            dW += (lambd / m) * W  # the gradient of the L2 penalty (biases are not penalized)"""

_DROPOUT_GRADIENT = """
            D_prev = caches[l - 2][3]
            if D_prev is not None:
                dA_prev *= D_prev  # the units dropped in forward get no gradient"""

_UPDATES = {
    "gd": '''
def update(params, grads, learning_rate):
    """Gradient descent: θ -= α dθ."""
    for key, value in params.items():
        value -= learning_rate * grads["d" + key]
''',
    "momentum": '''
def update(params, grads, learning_rate, velocity):
    """Momentum: v = β v + (1 - β) dθ; θ -= α v."""
    for key, value in params.items():
        v = velocity[key]
        v *= BETA1
        v += (1.0 - BETA1) * grads["d" + key]
        value -= learning_rate * v
''',
    "adam": '''
def update(params, grads, learning_rate, moments, t):
    """Adam: m = β1 m + (1 - β1) g, v = β2 v + (1 - β2) g², with bias correction at step t:
    θ -= α (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + ε)."""
    correction1 = 1.0 - BETA1**t
    correction2 = 1.0 - BETA2**t
    for key, value in params.items():
        g = grads["d" + key]
        m, v = moments[key]
        m *= BETA1
        m += (1.0 - BETA1) * g
        v *= BETA2
        v += (1.0 - BETA2) * np.square(g)
        value -= learning_rate * (m / correction1) / (np.sqrt(v / correction2) + EPSILON)
''',
}


def _model_block(config: TrainConfig, given_params: bool) -> str:
    doc, expression = _INIT_LINES[config.init]
    l2 = bool(config.lambd)
    dropout = config.keep_prob < 1.0
    backward = _BACKWARD.format(
        lambd_arg=", lambd=0.0" if l2 else "",
        l2_doc=" (+ (λ/m) W_l)" if l2 else "",
        l2_code=_L2_GRADIENT if l2 else "",
        dropout_code=_DROPOUT_GRADIENT if dropout else "",
    )
    parts = [
        _LOAD_PARAMS if given_params else _INITIALIZE.format(doc=doc, expression=expression),
        *_ACTIVATIONS,
        _FORWARD_DROPOUT if dropout else _FORWARD,
        _SOFTPLUS,
        _COST_L2 if l2 else _COST,
        backward,
        _UPDATES[config.optimizer],
    ]
    return _section("model", parts)


# -- training --------------------------------------------------------------------------------
_MINIBATCHES = '''
def minibatches(X, Y, batch_size, rng):
    """The examples in a new random order, cut into batches of batch_size (the last may be
    smaller)."""
    m = Y.shape[1]
    order = rng.permutation(m)
    chosen = [order[start : start + batch_size] for start in range(0, m, batch_size)]
    return [(X[:, batch], Y[:, batch]) for batch in chosen]
'''

_TRAIN = '''
def train(X, Y, layer_dims):
    """Train on (X, Y) for ITERATIONS {unit}s; return the params and every {unit}'s cost.

    {kind}.
    The cost of {unit} i is that of the weights before its update{cost_doc}.
    """
{start}{optimizer_state}
    costs = []
    for i in range(ITERATIONS):{decay}{body}
        costs.append(cost)
        if i % PRINT_EVERY == 0 or i == ITERATIONS - 1:
            print(f"Cost after iteration {{i}}: {{cost!r}}")
    return params, costs
'''

_FULL_BATCH_BODY = """
        AL, ZL, caches = forward(X, params{dropout_args})
        cost = compute_cost(ZL, Y{l2_args})
        grads = backward(AL, Y, caches{lambd_arg})
        if not np.isfinite(cost):
            raise SystemExit(f"Training diverged at iteration {{i}}: lower LEARNING_RATE.")
        {update}"""

_MINIBATCH_BODY = """
        cost = 0.0
        for X_batch, Y_batch in minibatches(X, Y, BATCH_SIZE, rng):
            m_batch = Y_batch.shape[1]{batch_lambd}
            AL, ZL, caches = forward(X_batch, params{dropout_args})
            batch_cost = compute_cost(ZL, Y_batch{l2_args})
            grads = backward(AL, Y_batch, caches{lambd_arg})
            if not np.isfinite(batch_cost):
                raise SystemExit(f"Training diverged at iteration {{i}}: lower LEARNING_RATE.")
            {update}
            cost += batch_cost * m_batch / m  # weighted by the batch's share of the epoch"""

_OPTIMIZER_STATE = {
    "gd": "",
    "momentum": "\n    velocity = {key: np.zeros_like(value) for key, value in params.items()}",
    "adam": (
        "\n    moments = {key: (np.zeros_like(value), np.zeros_like(value))"
        " for key, value in params.items()}\n    t = 0  # Adam's update count"
    ),
}

_UPDATE_CALLS = {
    "gd": "update(params, grads, {rate})",
    "momentum": "update(params, grads, {rate}, velocity)",
    "adam": "t += 1\n{indent}update(params, grads, {rate}, moments, t)",
}


_START = """
    rng = np.random.default_rng(WEIGHT_SEED)  # the one random stream: see WEIGHT_SEED
    params = initialize(layer_dims, rng)"""

_START_GIVEN = """{rng}
    params = load_params(INITIAL_PARAMS, layer_dims)  # nothing drawn from a random stream"""


def _train_block(config: TrainConfig, given_params: bool) -> str:
    minibatch = bool(config.batch_size)
    dropout = config.keep_prob < 1.0
    lambd = ("lambd" if minibatch else "LAMBD") if config.lambd else ""
    update = _UPDATE_CALLS[config.optimizer].format(
        rate="learning_rate" if config.decay_rate else "LEARNING_RATE",
        indent=" " * (12 if minibatch else 8),
    )
    body = (_MINIBATCH_BODY if minibatch else _FULL_BATCH_BODY).format(
        batch_lambd="\n            lambd = LAMBD * m_batch / m  # penalty gradient: (λ/m) W"
        if lambd
        else "",
        dropout_args=", KEEP_PROB, rng" if dropout else "",
        l2_args=f", params, {lambd}" if lambd else "",
        lambd_arg=f", {lambd}" if lambd else "",
        update=update,
    )
    rng = "\n    rng = np.random.default_rng(WEIGHT_SEED)  # see WEIGHT_SEED"
    start = _START_GIVEN.format(rng=rng if _uses_rng(config, "given") else "")
    train = _TRAIN.format(
        start=(start if given_params else _START).strip("\n"),
        unit="epoch" if minibatch else "iteration",
        kind="Mini-batch updates, a new shuffle every epoch"
        if minibatch
        else "One full-batch update per iteration",
        cost_doc=", the mean of its batches' costs" if minibatch else "",
        optimizer_state=_OPTIMIZER_STATE[config.optimizer]
        + ("\n    m = Y.shape[1]" if minibatch else ""),
        decay="\n        learning_rate = LEARNING_RATE / (1.0 + DECAY_RATE * i)"
        if config.decay_rate
        else "",
        body=body,
    )
    return _section("training", [_MINIBATCHES, train] if minibatch else [train])


# -- run -------------------------------------------------------------------------------------
_MAIN = (
    '''
def accuracy(X, Y, params):
    """Share of examples whose prediction (AL > 0.5) matches the label."""
    AL = forward(X, params)[0]
    return 1.0 - float(np.mean((AL > 0.5) != Y))
''',
    """
def main():
    X, Y = load_data()
    X_train, Y_train, X_test, Y_test = split(X, Y, TEST_RATIO, DATA_SEED)
    X_train, X_test = standardize(X_train, X_test)
    layer_dims = [X_train.shape[0], *HIDDEN_LAYERS, 1]
    m_train, m_test = X_train.shape[1], X_test.shape[1]
    print(f"Layers {{layer_dims}}, {{m_train}} training and {{m_test}} test examples")
    params, _ = train(X_train, Y_train, layer_dims)  # _: the cost of every epoch
    ZL = forward(X_train, params)[1]
    print(f"Final train cost: {{compute_cost(ZL, Y_train{final_cost_args})!r}}")
    print(f"Train accuracy: {{accuracy(X_train, Y_train, params)!r}}")
    if X_test.shape[1]:
        print(f"Test cost: {{compute_cost(forward(X_test, params)[1], Y_test)!r}}")
        print(f"Test accuracy: {{accuracy(X_test, Y_test, params)!r}}")
    if PARAMS_FILE:
        np.savez(PARAMS_FILE, **params)
        print(f"Saved {{', '.join(params)}} to {{PARAMS_FILE}}")


if __name__ == "__main__":
    main()
""",
)


def _main_block(config: TrainConfig) -> str:
    accuracy, main = _MAIN
    final_cost_args = ", params, LAMBD" if config.lambd else ""
    return _section("run", [accuracy, main.format(final_cost_args=final_cost_args)])
