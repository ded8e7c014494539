"""The exported script, run by CPython in a temp dir, repeats the app's run bit for bit.

The oracle is the core itself: ``Trainer`` on the data the UI builds (``make_lab_data``, or
``load_csv`` split and standardized the same way). Costs, accuracies and saved weights must
be equal exactly, not approximately.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from layerlab import ACTIVATIONS, TrainConfig, Trainer, compute_cost, forward, init_params, predict
from layerlab.chunks import training_chunk
from layerlab.csvdata import load_csv
from layerlab.datasets import DATASETS, Standardizer, train_test_split
from layerlab.export import CsvSource, export_script
from layerlab.features import PLAIN, expand
from layerlab.serialization import params_from_npz_bytes, save_params
from layerlab.ui.data import make_lab_data

ROOT = Path(__file__).resolve().parent.parent
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")

BASE = {
    "dataset": "moons",
    "n_points": 120,
    "noise": 0.2,
    "test_ratio": 0.3,
    "data_seed": 3,
    "lambd": 0.0,
    "lambd_l1": 0.0,
    "learning_rate": 0.0075,
    "optimizer": "gd",
    "init": "small",
    "activation": "relu",
    "batch_size": 0,
    "keep_prob": 1.0,
    "iterations": 40,
    "weight_seed": 1,
}
PRINT_EVERY = 7


# -- the two runs ----------------------------------------------------------------------------
def app_run(settings, layer_sizes, X_train, Y_train, X_test, Y_test, params=None) -> Trainer:
    """The core's run for these settings, as the UI's LabState sets it up (from ``params``,
    as after loading weights, if given)."""
    config = TrainConfig(
        learning_rate=settings["learning_rate"],
        iterations=settings["iterations"],
        lambd=settings["lambd"],
        lambd_l1=settings["lambd_l1"],
        optimizer=settings["optimizer"],
        init=settings["init"],
        activation=settings["activation"],
        batch_size=settings["batch_size"] or None,
        keep_prob=settings["keep_prob"],
        decay_rate=settings.get("decay_rate", 0.0),
        seed=settings["weight_seed"],
    )
    dims = [X_train.shape[0], *layer_sizes, 1]
    trainer = Trainer(X_train, Y_train, dims, config, X_val=X_test, Y_val=Y_test, params=params)
    trainer.step(settings["iterations"])
    assert trainer.done
    return trainer


def run_script(script: str, directory: Path) -> dict:
    """Run the script with CPython in ``directory``; its printed numbers and saved weights."""
    path = directory / "run.py"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-I", str(path)], cwd=directory, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    printed = {"costs": {}}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(": ")
        if key.startswith("Cost after iteration "):
            printed["costs"][int(key.rsplit(" ", 1)[1])] = float(value)
        elif key in ("Final train cost", "Train accuracy", "Test cost", "Test accuracy"):
            printed[key] = float(value)
    printed["params"] = params_from_npz_bytes((directory / "params.npz").read_bytes())
    return printed


def accuracy(X, Y, params, activation=ACTIVATIONS["relu"]) -> float:
    """The app's accuracy: 1 - the share of misclassified examples."""
    return 1.0 - float((predict(X, params, activation)[0] != Y[0]).mean())


def assert_same_run(printed: dict, trainer: Trainer, X_test, Y_test, iterations: int) -> None:
    history, params = trainer.history, trainer.params
    expected = {i for i in range(iterations) if i % PRINT_EVERY == 0} | {iterations - 1}
    assert set(printed["costs"]) == expected
    for i, cost in printed["costs"].items():
        assert cost == history.costs[i], f"iteration {i}"
    assert set(printed["params"]) == set(params)
    for key, value in params.items():
        np.testing.assert_array_equal(printed["params"][key], value, err_msg=key)
    X, Y, g = trainer.X, trainer.Y, trainer.activation
    AL = forward(X, params, activation=g)[0]
    final = compute_cost(AL, Y, params, trainer.lambd, lambd_l1=trainer.lambd_l1)
    assert printed["Final train cost"] == final
    assert printed["Train accuracy"] == accuracy(X, Y, params, g)
    assert printed["Test cost"] == compute_cost(forward(X_test, params, activation=g)[0], Y_test)
    assert printed["Test accuracy"] == accuracy(X_test, Y_test, params, g)


def check_generated(settings, layer_sizes, tmp_path) -> str:
    script = export_script(settings, layer_sizes, print_every=PRINT_EVERY)
    lab = make_lab_data(
        settings["dataset"],
        settings["n_points"],
        settings["noise"],
        settings["test_ratio"],
        settings["data_seed"],
        settings.get("features", PLAIN),
    )
    assert lab.X_train.shape[0] == len(settings.get("features", PLAIN))
    trainer = app_run(settings, layer_sizes, lab.X_train, lab.Y_train, lab.X_test, lab.Y_test)
    printed = run_script(script, tmp_path)
    assert_same_run(printed, trainer, lab.X_test, lab.Y_test, settings["iterations"])
    return script


# -- generated data --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "layer_sizes"),
    [
        pytest.param({}, [20, 7, 5], id="article-gd"),
        pytest.param({"optimizer": "momentum", "init": "xavier", "batch_size": 16}, [8], id="mom"),
        pytest.param(
            {"optimizer": "adam", "init": "he", "batch_size": 32, "keep_prob": 0.8, "lambd": 0.1},
            [8, 8],
            id="adam-minibatch-dropout-l2",
        ),
        pytest.param(
            {"init": "sqrt", "lambd": 0.3, "keep_prob": 0.5, "learning_rate": 0.1}, [6, 4], id="l2"
        ),
        pytest.param({"optimizer": "momentum", "decay_rate": 0.05}, [5], id="decay"),
        pytest.param({"batch_size": 2000, "optimizer": "adam"}, [4], id="batch-covers-all"),
        pytest.param({"learning_rate": 0.5, "lambd": 1.0}, [], id="logistic-regression"),
        pytest.param(
            {"dataset": "circles", "features": ("x1sq", "x2sq"), "learning_rate": 0.5},
            [],
            id="features-circles-logistic",
        ),
        pytest.param(
            {
                "dataset": "xor",
                "features": ("sinx2", "x1x2", "x1", "sinx1", "x2sq", "x1sq", "x2"),
                "optimizer": "adam",
                "init": "he",
                "batch_size": 16,
                "keep_prob": 0.9,
                "lambd": 0.05,
            },
            [6, 3],
            id="features-all-adam-minibatch",
        ),
        pytest.param(
            {
                "dataset": "circles",
                "features": ("x1", "x2", "x1sq", "x2sq"),
                "activation": "tanh",
                "init": "xavier",
                "lambd_l1": 0.05,
                "learning_rate": 0.3,
            },
            [4],
            id="features-tanh-l1",
        ),
    ],
)
def test_script_repeats_the_run(changes, layer_sizes, tmp_path):
    check_generated({**BASE, **changes}, layer_sizes, tmp_path)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(
    ("changes", "layer_sizes"),
    [
        pytest.param({"init": "xavier", "learning_rate": 0.3}, [6, 4], id="gd"),
        pytest.param({"lambd_l1": 0.05, "learning_rate": 0.3}, [6, 4], id="gd-l1"),
        pytest.param(
            {
                "optimizer": "adam",
                "batch_size": 16,
                "keep_prob": 0.8,
                "lambd": 0.1,
                "lambd_l1": 0.2,
            },
            [8, 8],
            id="adam-minibatch-dropout-l2-l1",
        ),
    ],
)
def test_script_repeats_every_activation_and_l1(activation, changes, layer_sizes, tmp_path):
    settings = {**BASE, "activation": activation, "init": "he", **changes}
    script = check_generated(settings, layer_sizes, tmp_path)
    assert ("ACTIVATION = " in script) == (activation != "relu")  # relu: the core's default
    assert ("LAMBD_L1 = " in script) == bool(settings["lambd_l1"])
    if activation != "relu":
        assert f"def {activation}_backward(" in script


@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_script_splits_big_batches_with_l1_and_another_activation(activation, tmp_path):
    settings = {**BASE, "iterations": 4, "n_points": 300, "init": "he", "optimizer": "adam"}
    settings |= {"activation": activation, "lambd_l1": 0.1, "lambd": 0.05}
    script = check_generated(settings, [256, 256], tmp_path)
    assert "CHUNK = " in script
    assert "lambd_l1=LAMBD_L1," in script


@pytest.mark.parametrize(
    ("changes", "layer_sizes"),
    [
        pytest.param(
            {"n_points": 400, "optimizer": "adam", "init": "he", "keep_prob": 0.8, "lambd": 0.1},
            [256, 256],
            id="full-batch-dropout-l2",
        ),
        pytest.param(
            {"n_points": 300, "optimizer": "momentum", "init": "he", "batch_size": 64},
            [256, 256],
            id="minibatch",
        ),
        pytest.param(
            {"n_points": 400, "features": ("x1", "x2", "x1x2", "sinx1", "sinx2")},
            [256, 256],
            id="features-full-batch",
        ),
    ],
)
def test_script_splits_big_batches_as_the_app_does(changes, layer_sizes, tmp_path):
    """A big network's batches go through in chunks (``layerlab.chunks``): the script takes
    the same chunks, so its sums are added in the same order and its numbers are the same."""
    settings = {**BASE, "iterations": 8, **changes}
    n_x = len(settings.get("features", PLAIN))
    chunk = training_chunk([n_x, *layer_sizes, 1])
    assert chunk < min(settings["batch_size"] or 1000, 0.7 * settings["n_points"])
    script = check_generated(settings, layer_sizes, tmp_path)
    assert f"CHUNK = {chunk}  #" in script
    small = export_script({**BASE, "n_points": 2000, "batch_size": 0}, [8, 8])
    assert "CHUNK" not in small
    assert "run_steps" not in small  # the seed's plain update: nothing to run through


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_dataset(dataset, tmp_path):
    settings = {**BASE, "dataset": dataset, "n_points": 101, "noise": 0.35, "data_seed": 11}
    check_generated(
        {**settings, "optimizer": "adam", "init": "he", "learning_rate": 0.01}, [8, 8], tmp_path
    )


# -- from uploaded weights ------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["npz", "json"])
@pytest.mark.parametrize(
    ("changes", "layer_sizes"),
    [
        pytest.param({}, [6, 3], id="full-batch-gd"),
        pytest.param(
            {"optimizer": "adam", "init": "he", "batch_size": 16, "keep_prob": 0.8, "lambd": 0.1},
            [8, 4],
            id="adam-minibatch-dropout",
        ),
    ],
)
def test_script_starts_from_given_weights(changes, layer_sizes, kind, tmp_path):
    settings = {**BASE, **changes}
    keys = ("dataset", "n_points", "noise", "test_ratio", "data_seed")
    lab = make_lab_data(*(settings[key] for key in keys))
    dims = [2, *layer_sizes, 1]
    given = init_params(dims, "xavier", seed=123)  # not what the seed would draw
    given["b1"] += 0.1 * np.arange(layer_sizes[0])[:, np.newaxis]
    name = f"start weights.{kind}"
    save_params(tmp_path / name, given)
    script = export_script(settings, layer_sizes, print_every=PRINT_EVERY, initial_params_file=name)
    assert f'INITIAL_PARAMS = "{name}"' in script
    assert "def initialize(" not in script
    assert ("WEIGHT_SEED" in script) == bool(changes)  # used by shuffles and dropout only
    trainer = app_run(
        settings, layer_sizes, lab.X_train, lab.Y_train, lab.X_test, lab.Y_test, given
    )
    if not changes:  # full batch, no dropout: the first cost is that of the given weights
        assert trainer.history.costs[0] == compute_cost(forward(lab.X_train, given)[0], lab.Y_train)
    printed = run_script(script, tmp_path)
    assert_same_run(printed, trainer, lab.X_test, lab.Y_test, settings["iterations"])
    assert run_script(script, tmp_path)["costs"] == printed["costs"]  # the start file is intact


def test_given_weights_of_other_layers_stop_the_script_with_a_message(tmp_path):
    save_params(tmp_path / "w.npz", init_params([2, 5, 1], seed=0))
    script = export_script(BASE, [4], initial_params_file="w.npz")
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "set HIDDEN_LAYERS to the file's layers" in result.stderr
    (tmp_path / "w.npz").unlink()
    result = subprocess.run(
        [sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "w.npz not found: put the weights file next to this script" in result.stderr


def test_given_weights_are_only_code_when_used():
    plain = export_script(BASE, [4])
    assert "INITIAL_PARAMS" not in plain
    assert "load_params" not in plain
    name = 'w.json"); import os #'
    script = export_script(BASE, [4], csv=CsvSource("x.csv"), initial_params_file=name)
    tree = ast.parse(script)
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert assigned["INITIAL_PARAMS"] == name
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert [alias.name for node in imports for alias in node.names] == ["csv", "json", "numpy"]
    same = export_script(BASE, [4], params_file="w.npz", initial_params_file="w.npz")
    assert 'PARAMS_FILE = "trained_w.npz"' in same


# -- uploaded CSV ----------------------------------------------------------------------------
def csv_text(rows: int, seed: int, label) -> str:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 3)).round(4)
    lines = ["height,width,depth,label"]
    lines += [f"{a},{b},{c},{label(a + b > 0)}" for a, b, c in X]
    return "\n".join(lines) + "\n"


def check_csv(text: str, file_name: str, load_options: dict, tmp_path, **settings) -> str:
    settings = {**BASE, "optimizer": "adam", "batch_size": 16, **settings}
    data = load_csv(text, **load_options)
    X_tr, Y_tr, X_te, Y_te = train_test_split(
        data.X, data.Y, test_ratio=settings["test_ratio"], seed=settings["data_seed"]
    )
    scaler = Standardizer.fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    source = CsvSource.from_upload(
        file_name,
        data,
        label_column=load_options.get("label_column", -1),
        label_map=load_options.get("label_map"),
    )
    script = export_script(settings, [6], csv=source, print_every=PRINT_EVERY)
    (tmp_path / file_name).write_text(text, encoding="utf-8")
    trainer = app_run(settings, [6], X_tr, Y_tr, X_te, Y_te)
    assert_same_run(run_script(script, tmp_path), trainer, X_te, Y_te, settings["iterations"])
    return script


def test_csv_with_header_and_01_labels(tmp_path):
    check_csv(csv_text(90, 0, int), "my data.csv", {}, tmp_path)


def test_csv_semicolons_no_header_label_first_true_false(tmp_path):
    rows = [line.split(",") for line in csv_text(60, 1, str).splitlines()[1:]]
    text = "\n".join(";".join([r[3], *r[:3]]) for r in rows) + "\n"
    check_csv(text, "flags.csv", {"label_column": 0}, tmp_path, keep_prob=0.7)


def test_csv_label_column_by_name_in_the_middle(tmp_path):
    rows = [line.split(",") for line in csv_text(50, 3, int).splitlines()]
    text = "\n".join(",".join([r[0], r[3], r[1], r[2]]) for r in rows) + "\n\n"
    script = check_csv(text, "named.csv", {"label_column": "label"}, tmp_path, batch_size=0)
    assert 'LABEL_COLUMN = "label"' in script


def test_csv_batch_covering_the_training_set_is_full_batch(tmp_path):
    script = check_csv(csv_text(40, 4, int), "small.csv", {}, tmp_path, batch_size=500)
    assert "minibatches" not in script


def test_a_label_name_needs_a_header():
    with pytest.raises(ValueError, match="no header"):
        CsvSource("x.csv", label_column="label", has_header=False)


def test_csv_minibatches_need_the_class_counts():
    with pytest.raises(ValueError, match="class_counts"):
        export_script({**BASE, "batch_size": 8}, [4], csv=CsvSource("x.csv"))


def test_csv_with_label_map(tmp_path):
    text = csv_text(70, 2, lambda positive: "yes" if positive else "no")
    options = {"label_map": {"yes": 1, "no": 0}}
    script = check_csv(text, "survey.csv", options, tmp_path, lambd=0.2)
    assert 'LABEL_MAP = {"yes": 1.0, "no": 0.0}' in script


def test_hostile_file_name_stays_a_string_literal():
    name = 'x.csv"); import os; os.system("echo hi") #\n'
    script = export_script(BASE, [4], csv=CsvSource(name))
    tree = ast.parse(script)
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert assigned["CSV_FILE"] == name
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert sorted(alias.name for node in imports for alias in node.names) == ["csv", "numpy"]


# -- what the script contains ----------------------------------------------------------------
def test_only_what_the_settings_use_is_emitted():
    seed_script = export_script(BASE, [20, 7, 5])
    for absent in ("BATCH_SIZE", "KEEP_PROB", "LAMBD", "BETA1", "DECAY_RATE", "csv", "dropout"):
        assert absent not in seed_script
    assert "def moons(" in seed_script
    assert "def circles(" not in seed_script
    assert "* 0.01" in seed_script
    full = export_script(
        {**BASE, "optimizer": "adam", "batch_size": 8, "keep_prob": 0.9, "lambd": 0.1}, [4]
    )
    for present in ("BATCH_SIZE = 8", "KEEP_PROB = 0.9", "LAMBD = 0.1", "BETA2", "EPSILON"):
        assert present in full


def test_imports_only_numpy():
    tree = ast.parse(export_script({**BASE, "optimizer": "momentum"}, [3]))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert [alias.name for node in imports for alias in node.names] == ["numpy"]


@pytest.mark.parametrize(
    "settings",
    [
        BASE,
        {**BASE, "optimizer": "adam", "batch_size": 8, "keep_prob": 0.9, "lambd": 0.1},
        {**BASE, "optimizer": "momentum", "decay_rate": 0.1, "init": "xavier"},
    ],
)
@pytest.mark.parametrize("initial", [None, "w.npz"])
def test_script_is_ruff_clean(settings, initial, tmp_path):
    if RUFF is None:
        pytest.fail("ruff is not installed; pip install -e '.[dev]'")
    path = tmp_path / "run.py"
    path.write_text(export_script(settings, [8, 8], initial_params_file=initial), encoding="utf-8")
    config = ["--no-cache", "--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [RUFF, *command, *config, str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "layer_sizes", "match"),
    [
        ({**BASE, "dataset": "mnist"}, [4], "unknown dataset 'mnist'"),
        ({k: v for k, v in BASE.items() if k != "weight_seed"}, [4], "weight_seed"),
        ({**BASE, "learning_rate": -1.0}, [4], "learning_rate"),
        ({**BASE, "optimizer": "sgd"}, [4], "optimizer"),
        (BASE, [8, 0], "layer_dims"),
    ],
)
def test_bad_settings_are_named(settings, layer_sizes, match):
    with pytest.raises(ValueError, match=match):
        export_script(settings, layer_sizes)


def test_print_every_must_be_positive():
    with pytest.raises(ValueError, match="print_every"):
        export_script(BASE, [4], print_every=0)


# -- settings changed during the run ----------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "settings"),
    [
        pytest.param([(5, "lambd", 0.2)], {}, id="lambd-full-batch"),
        pytest.param(
            [(4, "lambd_l1", 0.3), (9, "lambd", 0.1), (12, "lambd_l1", 0.0)],
            {"activation": "tanh"},
            id="l1-and-lambd-full-batch-tanh",
        ),
        pytest.param(
            [(2, "lambd_l1", 0.5), (7, "learning_rate", 0.02)],
            {"optimizer": "adam", "batch_size": 16, "lambd_l1": 0.1, "activation": "leaky_relu"},
            id="l1-minibatch-leaky",
        ),
        pytest.param(
            [(3, "learning_rate", 0.05), (10, "lambd", 0.5), (10, "learning_rate", 0.01)],
            {"optimizer": "adam", "batch_size": 16, "keep_prob": 0.8, "decay_rate": 0.01},
            id="both-minibatch-dropout-decay",
        ),
    ],
)
def test_script_repeats_changes_made_during_the_run(changes, settings, tmp_path):
    settings = {**BASE, "init": "he", **settings}
    script = export_script(settings, [6, 4], print_every=PRINT_EVERY, changes=changes)
    assert "CHANGES = {" in script
    keys = ("dataset", "n_points", "noise", "test_ratio", "data_seed")
    lab = make_lab_data(*(settings[key] for key in keys))
    config = TrainConfig.from_settings(settings)
    trainer = Trainer(
        lab.X_train, lab.Y_train, [2, 6, 4, 1], config, X_val=lab.X_test, Y_val=lab.Y_test
    )
    for iteration, name, value in [*changes, (settings["iterations"], "", None)]:
        trainer.step(iteration - trainer.iteration)
        if name:
            setattr(trainer, name, value)
    assert trainer.done
    assert_same_run(run_script(script, tmp_path), trainer, lab.X_test, lab.Y_test, 40)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ([(5, "optimizer", "gd")], "only learning_rate, lambd, lambd_l1"),
        ([(5, "activation", "tanh")], "only learning_rate, lambd, lambd_l1"),
        ([(5, "lambd_l1", -1.0)], "lambd_l1 = -1.0 is out of range"),
        ([(0, "lambd", 0.1)], "at iteration 0 is its starting value"),
        ([(3, "W2[0,9]", 1e9)], "a weight must be between -100 and 100"),
        ([(5, "lambd", -1.0)], "lambd = -1.0 is out of range"),
    ],
)
def test_bad_changes_are_named(changes, match):
    with pytest.raises(ValueError, match=match):
        export_script(BASE, [4], changes=changes)


@pytest.mark.parametrize("dropout", [1.0, 0.7])
@pytest.mark.parametrize("batch_size", [0, 16])
@pytest.mark.parametrize(
    "changes",
    [
        (),
        ((3, "lambd", 0.1), (5, "learning_rate", 0.02)),
        ((3, "lambd", 0.1), (4, "lambd_l1", 0.2), (5, "learning_rate", 0.02)),
    ],
)
@pytest.mark.parametrize(("activation", "lambd_l1"), [("relu", 0.0), ("leaky_relu", 0.1)])
def test_every_variant_of_the_script_is_ruff_clean(
    dropout, batch_size, changes, activation, lambd_l1, tmp_path
):
    settings = {**BASE, "keep_prob": dropout, "batch_size": batch_size, "optimizer": "adam"}
    settings |= {"activation": activation, "lambd_l1": lambd_l1}
    path = tmp_path / "run.py"
    path.write_text(export_script(settings, [8], changes=changes), encoding="utf-8")
    config = ["--no-cache", "--config", str(ROOT / "pyproject.toml")]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [RUFF, *command, *config, str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_script_is_made_of_the_cores_own_code():
    """Every function and class the script defines besides its driver is the core's, as
    written in its module (so a core change cannot leave the script behind)."""
    import inspect

    from layerlab import network, steps

    script = export_script({**BASE, "optimizer": "adam", "batch_size": 8, "keep_prob": 0.9}, [4])
    for function in (network.forward, network.backward, network.compute_cost, steps.Dropout):
        assert inspect.getsource(function) in script
    tree = ast.parse(script)
    defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert len(defined) == len(set(defined))  # each definition once


def test_script_repeats_weights_set_by_hand(tmp_path):
    settings = {**BASE, "optimizer": "adam", "init": "he", "batch_size": 16, "lambd": 0.1}
    changes = [(0, "W1[2,1]", 1.5), (4, "W2[0,3]", -0.25), (4, "lambd", 0.3), (9, "W1[0,0]", 0)]
    script = export_script(settings, [4], print_every=PRINT_EVERY, changes=changes)
    assert 'WEIGHT_EDITS = {0: [("W1", 2, 1, 1.5)]' in script
    lab = make_lab_data(*(settings[key] for key in ("dataset", "n_points", "noise")), 0.3, 3)
    config = TrainConfig.from_settings(settings)
    trainer = Trainer(
        lab.X_train, lab.Y_train, [2, 4, 1], config, X_val=lab.X_test, Y_val=lab.Y_test
    )
    for iteration, name, value in [*changes, (settings["iterations"], "", None)]:
        trainer.step(iteration - trainer.iteration)
        if name.startswith("W"):
            key, rest = name.split("[")
            row, column = (int(part) for part in rest.rstrip("]").split(","))
            trainer.params[key][row, column] = value
        elif name:
            setattr(trainer, name, value)
    assert_same_run(run_script(script, tmp_path), trainer, lab.X_test, lab.Y_test, 40)


def test_features_are_only_code_when_chosen():
    """The plain coordinates need no feature code; others copy the core's ``expand`` and
    its registry, and a script for other features computes other numbers."""
    plain = export_script({**BASE, "features": ("x2", "x1")}, [4])
    assert plain == export_script(BASE, [4])
    assert "expand" not in plain
    script = export_script({**BASE, "features": ("x1x2", "x1")}, [4])
    assert 'INPUT_FEATURES = ["x1", "x1x2"]  #' in script
    assert "def expand(" in script
    assert "def product(" in script
    with pytest.raises(ValueError, match="unknown 'x3'"):
        export_script({**BASE, "features": ("x3",)}, [4])


def test_csv_of_two_columns_gets_features_and_others_ignore_them(tmp_path):
    text = (
        "\n".join(
            line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1]
            for line in csv_text(80, 5, int).splitlines()
        )
        + "\n"
    )
    features = ("x1", "x2", "x1sq", "x1x2")
    data = load_csv(text)
    assert data.X.shape[0] == 2
    X_tr, Y_tr, X_te, Y_te = train_test_split(data.X, data.Y, test_ratio=0.3, seed=3)
    scaler = Standardizer.fit(X_tr)
    X_tr, X_te = (expand(scaler.transform(X), features) for X in (X_tr, X_te))
    settings = {**BASE, "optimizer": "adam", "features": features}
    source = CsvSource.from_upload("two.csv", data)
    script = export_script(settings, [6], csv=source, print_every=PRINT_EVERY)
    (tmp_path / "two.csv").write_text(text, encoding="utf-8")
    trainer = app_run(settings, [6], X_tr, Y_tr, X_te, Y_te)
    assert trainer.params["W1"].shape == (6, 4)
    assert_same_run(run_script(script, tmp_path), trainer, X_te, Y_te, settings["iterations"])
    three = CsvSource.from_upload("three.csv", load_csv(csv_text(80, 5, int)))
    assert "expand" not in export_script(settings, [6], csv=three)
