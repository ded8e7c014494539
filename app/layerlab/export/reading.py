"""Plain functions an exported script uses to read its inputs: a CSV table, a weights file.

They are copied into the script as they are (``layerlab.export.bundle``), so they use only
the standard library and NumPy, and stop the script with a message when a file is missing
or does not fit. Tests run them directly, and run the scripts made of them.
"""

import csv
import json

import numpy as np


def read_table(path, label_column, has_header, delimiter, label_map=None):
    """X (n_x, m), Y (1, m) from a CSV file: every column but the label is a feature.

    ``label_column`` is a header name or an index (-1: the last); blank lines are skipped;
    labels go through ``label_value``. The app reads an uploaded file the same way.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = [[cell.strip() for cell in row] for row in csv.reader(file, delimiter=delimiter)]
    except FileNotFoundError:
        raise SystemExit(f"{path} not found: put the data file next to this script.") from None
    rows = [row for row in rows if any(row)]
    if isinstance(label_column, str):
        label = rows[0].index(label_column)  # the header names the label column
    else:
        label = label_column % len(rows[0])
    if has_header:
        rows = rows[1:]
    features = [j for j in range(len(rows[0])) if j != label]
    X = np.array([[float(row[j]) for row in rows] for j in features])  # (n_x, m)
    Y = np.array([[label_value(row[label], label_map) for row in rows]])  # (1, m)
    return X, Y


def label_value(text, label_map=None):
    """A label as 0.0 or 1.0: through ``label_map`` if given, else a number or true / false."""
    if label_map is not None:
        return label_map[text]
    if text.lower() in ("true", "false"):
        return float(text.lower() == "true")
    return float(text)


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
