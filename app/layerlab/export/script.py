"""Export a run as a standalone Python script that needs only NumPy.

The script is made of the core's own code: the functions and classes ``Trainer`` runs to
generate or read the data, split and standardize it (and make its input features:
``layerlab.features.expand``), initialize, go forward and backward and
update (``layerlab.export.bundle`` copies their source, only those the settings use), plus a
few lines that call them with the run's settings (``train`` and ``main``). The settings are
written as constants named and commented from their declarations (``layerlab.settings``).
So the script's costs and weights are bit for bit those of
``Trainer(X_train, Y_train, [n_x, *layer_sizes, 1], config)`` on the data the UI builds
(``layerlab.ui.data.make_lab_data``: generate, split with the data seed, standardize with
the training set's mean and std); ``tests/test_export.py`` runs exported scripts and holds
them to that.

A batch the app splits into chunks (a big network: ``layerlab.chunks``) is split alike in
the script (``CHUNK``), so the sums are added in the same order.

``changes`` are what changed during the app's run, ``(iteration, name, value)`` (the
learning rate, λ and λ₁, which act at once, and weights set by hand: ``layerlab.edits``): the
script applies each at the start of that iteration, as the app did. A run that started
from uploaded weights (``Trainer(..., params=given)``) is repeated with
``initial_params_file``: the script reads those weights from the file instead of drawing
them, and, like the trainer, draws nothing else for them from the weight seed. User text
(a file name, a column name, labels) only ever enters the script as a string literal.
"""

import dataclasses
import os
from collections.abc import Mapping, Sequence

from layerlab.chunks import training_chunk
from layerlab.config import TrainConfig
from layerlab.datasets import DATASETS, make_dataset, train_test_split
from layerlab.edits import check_change, weight_position
from layerlab.export.bundle import Bundle
from layerlab.export.csv_source import CsvSource
from layerlab.export.driver import HEADER
from layerlab.export.run_code import RunCode
from layerlab.features import PLAIN
from layerlab.settings import SETTINGS
from layerlab.validation import check_count, check_layer_dims


def export_script(
    settings: Mapping[str, object],
    layer_sizes: Sequence[int],
    *,
    csv: CsvSource | None = None,
    print_every: int = 100,
    params_file: str | None = "params.npz",
    initial_params_file: str | None = None,
    changes: Sequence[tuple[int, str, float]] = (),
) -> str:
    """The text of a script that repeats the run ``settings`` describe, with plain NumPy.

    Parameters
    ----------
    settings : mapping
        The app's settings by name (``layerlab.settings.SETTINGS``); ``hidden_layers`` is not
        read: pass the parsed sizes as ``layer_sizes``. ``decay_rate``, ``beta1``, ``beta2``
        and ``epsilon`` are optional.
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
    changes : sequence of (iteration, name, value)
        The learning rate, λ and λ₁ as changed during the run: from ``iteration`` on, ``name``
        (``"learning_rate"``, ``"lambd"`` or ``"lambd_l1"``) is ``value``.

    Raises
    ------
    ValueError, TypeError
        For a missing or invalid setting or change, naming it.
    """
    data_keys = ["test_ratio", "data_seed"] + ([] if csv else ["dataset", "n_points", "noise"])
    missing = [key for key in data_keys if key not in settings]
    if missing:
        raise ValueError(f"settings lack {', '.join(missing)}; pass every setting of the app")
    config = TrainConfig.from_settings(settings)
    features = _features(settings, csv)
    if config.batch_size and config.batch_size >= _training_examples(settings, csv):
        config = dataclasses.replace(config, batch_size=None)  # the app's full-batch update
    sizes = check_layer_dims([1, *layer_sizes, 1])[1:-1]
    chunk = _chunk(settings, csv, sizes, config.batch_size, len(features) or None)
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
    checked = _checked_changes(changes, config.iterations)
    run = RunCode(settings, config, csv, initial, *checked, chunk, features)
    bundle = Bundle()
    body = [
        _section("data", run.data(bundle)),
        _section("model", run.model(bundle)),
        _section("training", run.training(bundle)),
        _section("run", run.main(bundle)),
    ]
    head = [
        HEADER,
        "\n".join(bundle.import_lines()),
        run.constants(sizes, print_every, params_file),
    ]
    return "\n\n".join(head) + "\n\n\n" + "\n\n\n".join(body) + "\n"


def _checked_changes(changes, iterations: int) -> tuple[dict, dict]:
    """The valid changes (``layerlab.edits.check_change``), as the script writes them:
    ``{iteration: {setting: value}}`` and ``{iteration: [(key, row, column, value)]}``."""
    settings: dict[int, dict[str, float]] = {}
    weights: dict[int, list[tuple[str, int, int, float]]] = {}
    for change in changes:
        iteration, name, value = check_change(*change)
        check_count("change iteration", iteration, high=max(iterations, 1))
        position = weight_position(name)
        if position is None:
            settings.setdefault(iteration, {})[name] = value
        else:
            layer, row, column = position
            weights.setdefault(iteration, []).append((f"W{layer}", row, column, value))
    return dict(sorted(settings.items())), dict(sorted(weights.items()))


def _features(settings: Mapping[str, object], csv: CsvSource | None) -> tuple[str, ...]:
    """The input features the network sees (``layerlab.features``), or () for the plain
    coordinates and for data with other than two columns (which has none)."""
    if csv is not None and csv.n_features not in (None, 2):
        return ()
    features = SETTINGS["features"].check_domain(settings.get("features", PLAIN))
    return () if features == PLAIN else features


def _training_examples(settings: Mapping[str, object], csv: CsvSource | None) -> int:
    """How many examples the app trains on: the training part of the split."""
    if csv is None:
        X, Y = make_dataset(
            settings["dataset"], settings["n_points"], settings["noise"], settings["data_seed"]
        )
        return train_test_split(X, Y, settings["test_ratio"], settings["data_seed"])[1].shape[1]
    if csv.class_counts is None:
        raise ValueError("with mini-batches, give CsvSource.class_counts (from_upload does)")
    test_ratio = settings["test_ratio"]
    return sum(n - min(round(test_ratio * n), n - 1) for n in csv.class_counts if n)


def _chunk(
    settings, csv: CsvSource | None, sizes: list[int], batch_size: int | None, n_x: int | None
):
    """The app's examples per forward and backward pass if it splits a batch, else None.

    As ``Trainer.chunk``: from the layer sizes alone (``n_x`` inputs, None: the data's
    columns); used only when a batch is bigger.
    """
    if csv is not None and (csv.n_features is None or csv.class_counts is None):
        return None  # not known: assume no batch is split
    n_x = n_x or (2 if csv is None else csv.n_features)
    m = _training_examples(settings, csv)
    chunk = training_chunk([n_x, *sizes, 1])
    return chunk if chunk < min(batch_size or m, m) else None


def _section(title: str, parts: Sequence[str]) -> str:
    """A titled part of the script: its definitions, two blank lines apart."""
    rule = f"# -- {title} ".ljust(92, "-")
    return rule + "\n\n\n" + "\n\n\n".join(part.strip("\n") for part in parts)
