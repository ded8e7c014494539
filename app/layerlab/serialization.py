"""Save and load parameters as ``.npz`` or JSON, with an exact float64 round trip.

The layout is the seed's (and the course's) dict::

    {"W1": (n1, n0), "b1": (n1, 1), ..., "WL": (1, n_{L-1}), "bL": (1, 1)}

``.npz`` holds exactly those arrays, so ``np.load(path)["W1"]`` works in a
notebook. JSON looks like::

    {"format": "layerlab-params", "version": 1, "layer_dims": [2, 4, 1],
     "W1": [[...], ...], "b1": [[0.0], ...], ...}

Floats are written with Python's ``repr``, the shortest text that parses back
to the same float64, so both formats reload bit for bit. Every loader checks
the result with :func:`validate_params` and turns a corrupt file into a
``ValueError`` saying what is wrong.
"""

from __future__ import annotations

import io
import json
import math
import numbers
import os
import re
import zipfile
from collections.abc import Mapping

import numpy as np

Params = dict[str, np.ndarray]

FORMAT = "layerlab-params"
VERSION = 1
MAX_VALUES = 50_000_000  # refuse archives declaring more float64 values than this (400 MB)

_KEY = re.compile(r"([Wb])([1-9][0-9]*)")


def validate_params(params: Mapping[str, object]) -> list[int]:
    """Check a params dict and return its ``layer_dims``.

    Parameters
    ----------
    params : mapping
        ``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": (1, n_{L-1}), "bL": (1, 1)}``,
        keys W1..WL and b1..bL with no gaps and nothing else, 2-D float
        arrays, all finite, the last layer a single unit.

    Returns
    -------
    list of int
        ``[n0, n1, ..., nL]`` with ``nL == 1``.

    Raises
    ------
    TypeError, ValueError
        Naming the bad key or shape and what was expected.
    """
    if not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a dict like {{'W1': ..., 'b1': ...}}, got {type(params).__name__}"
        )
    if not params:
        raise ValueError("params is empty; expected keys W1, b1, ..., WL, bL")
    layers: set[int] = set()
    for key in params:
        match = _KEY.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(
                f"unexpected key {key!r} in params; expected only W1, b1, ..., WL, bL "
                "(the weights and biases of each layer)"
            )
        layers.add(int(match.group(2)))
    L = max(layers)
    for layer in range(1, L + 1):
        for name in (f"W{layer}", f"b{layer}"):
            if name not in params:
                raise ValueError(
                    f"params has layers up to {L} but is missing {name!r}; "
                    f"expected W1..W{L} and b1..b{L} with no gaps"
                )

    dims: list[int] = []
    for layer in range(1, L + 1):
        for name in (f"W{layer}", f"b{layer}"):
            value = params[name]
            if not isinstance(value, np.ndarray):
                raise TypeError(f"{name} must be a NumPy array, got {type(value).__name__}")
            if not np.issubdtype(value.dtype, np.floating):
                raise TypeError(
                    f"{name} must be a float array, got dtype {value.dtype}; "
                    f"use {name}.astype(np.float64)"
                )
            if value.ndim != 2:
                raise ValueError(
                    f"{name} must be 2-D, got shape {value.shape}"
                    + ("; biases are columns, use b.reshape(-1, 1)" if name[0] == "b" else "")
                )
        W, b = params[f"W{layer}"], params[f"b{layer}"]
        if layer == 1:
            if W.shape[1] < 1:
                raise ValueError(f"W1 has shape {W.shape}; it needs at least one input column")
            dims.append(W.shape[1])
        if W.shape[0] < 1 or W.shape[1] != dims[-1]:
            raise ValueError(
                f"W{layer} has shape {W.shape}; expected ({max(W.shape[0], 1)}, {dims[-1]}) "
                f"since layer {layer - 1} has {dims[-1]} units"
            )
        if b.shape != (W.shape[0], 1):
            raise ValueError(
                f"b{layer} has shape {b.shape}; expected ({W.shape[0]}, 1) to match W{layer} "
                f"{W.shape}"
            )
        dims.append(W.shape[0])
        for name, value in ((f"W{layer}", W), (f"b{layer}", b)):
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{name} contains NaN or inf; only finite values are allowed")
    if dims[-1] != 1:
        raise ValueError(
            f"W{L} has {dims[-1]} output units; the last layer of a binary classifier "
            "must have exactly 1"
        )
    return dims


def _ordered(params: Mapping[str, np.ndarray], L: int) -> Params:
    """Params as float64 arrays in the order W1, b1, W2, b2, ..."""
    return {
        name: np.ascontiguousarray(params[name], dtype=np.float64)
        for layer in range(1, L + 1)
        for name in (f"W{layer}", f"b{layer}")
    }


# ---------------------------------------------------------------- .npz


def params_to_npz_bytes(params: Mapping[str, np.ndarray]) -> bytes:
    """Serialize params to the bytes of an ``.npz`` archive (one float64 ``.npy`` per key)."""
    dims = validate_params(params)
    buffer = io.BytesIO()
    np.savez(buffer, **_ordered(params, len(dims) - 1))
    return buffer.getvalue()


def _check_npz_members(data: bytes) -> None:
    """Read only the ``.npy`` headers: right names, float 2-D arrays, bounded size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as err:  # untrusted bytes: BadZipFile, NotImplementedError, OSError, ...
        raise ValueError(
            "this is not a valid .npz file (not a zip archive, or truncated or damaged: "
            f"{err}); load a file saved by Layer Lab or by np.savez"
        ) from None
    total = 0
    with archive:
        for info in archive.infolist():
            name = info.filename
            if not name.endswith(".npy") or _KEY.fullmatch(name[:-4]) is None:
                raise ValueError(
                    f"unexpected entry {name!r} in the .npz; expected only W1, b1, ..., WL, bL"
                )
            try:
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                    else:
                        raise ValueError(f"unsupported .npy format version {version}")
            except Exception as err:  # untrusted bytes: any parse failure is a corrupt file
                raise ValueError(f"{name[:-4]} in the .npz is unreadable ({err})") from None
            if dtype.kind != "f" or len(shape) != 2:
                raise ValueError(
                    f"{name[:-4]} in the .npz is a {len(shape)}-D {dtype} array; "
                    "expected a 2-D float array"
                )
            total += math.prod(shape)
            if total > MAX_VALUES:
                raise ValueError(
                    f"the .npz declares more than {MAX_VALUES:,} values; too large to load"
                )


def params_from_npz_bytes(data: bytes) -> Params:
    """Load params from the bytes of an ``.npz`` archive and validate them.

    Returns
    -------
    dict
        ``{"W1": (n1, n0), "b1": (n1, 1), ...}``, float64 arrays.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"expected the bytes of an .npz file, got {type(data).__name__}")
    _check_npz_members(data)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            params = {key: archive[key] for key in archive.files}
    except Exception as err:  # untrusted bytes: any parse failure is a corrupt file
        raise ValueError(f"the .npz file is corrupt or truncated ({err})") from None
    dims = validate_params(params)
    return _ordered(params, len(dims) - 1)


# ---------------------------------------------------------------- JSON


def params_to_json(params: Mapping[str, np.ndarray]) -> str:
    """Serialize params to JSON text, one key per line, floats exact.

    ``json.dumps`` writes a float with ``float.__repr__``, the shortest decimal
    that reads back as the same float64, so :func:`params_from_json` restores
    the arrays bit for bit.
    """
    dims = validate_params(params)
    lines = [
        f'"format": {json.dumps(FORMAT)}',
        f'"version": {VERSION}',
        f'"layer_dims": {json.dumps(dims)}',
    ]
    for name, value in _ordered(params, len(dims) - 1).items():
        lines.append(f'"{name}": {json.dumps(value.tolist(), allow_nan=False)}')
    return "{\n  " + ",\n  ".join(lines) + "\n}\n"


def _reject_constant(name: str) -> float:
    raise ValueError(f"the JSON contains {name}; only finite numbers are allowed in params")


def _matrix(name: str, value: object) -> np.ndarray:
    """A JSON list of equal-length rows of numbers -> float64 array (rows, cols)."""
    example = "[[0.0], [0.0]]" if name[0] == "b" else "[[0.1, -0.2], [0.3, 0.4]]"
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ValueError(
            f"{name} must be a list of rows (a 2-D nested list such as {example}), "
            f"got {type(value).__name__}" + (" of numbers (1-D)" if isinstance(value, list) else "")
        )
    widths = {len(row) for row in value}
    if len(widths) > 1:
        raise ValueError(f"{name} has rows of different lengths {sorted(widths)}; rows must match")
    for i, row in enumerate(value):
        for j, x in enumerate(row):
            if isinstance(x, bool) or not isinstance(x, numbers.Real):
                raise ValueError(f"{name}[{i}][{j}] is {x!r}; expected a number")
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        raise ValueError(f"{name} contains an integer too large for float64") from None
    return array.reshape(len(value), widths.pop() if widths else 0)


MAX_JSON_DEPTH = 16  # a params file nests 3 deep ({"W1": [[...]]}); a hostile one 100,000
_JSON_NESTING = re.compile(r'[\[\]{}]|"(?:[^"\\]|\\.)*"')  # brackets, and strings to skip


def _check_nesting(text: str) -> None:
    """Refuse JSON nested deeper than ``MAX_JSON_DEPTH`` before parsing it: Python's parser
    recurses once per level, and in the browser's WebAssembly a deep enough file kills the
    worker before Python can raise ``RecursionError``."""
    depth = 0
    for match in _JSON_NESTING.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(
                    f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep; a weights "
                    'file is {"W1": [[...]], "b1": [[...]], ...}'
                )
        elif token in "]}":
            depth -= 1


def params_from_json(text: str | bytes) -> Params:
    """Load params from JSON text (see :func:`params_to_json`) and validate them.

    ``format``, ``version`` and ``layer_dims`` are optional, so a hand-written
    ``{"W1": [[...]], "b1": [[...]], ...}`` loads too; when present they are checked.

    Returns
    -------
    dict
        ``{"W1": (n1, n0), "b1": (n1, 1), ...}``, float64 arrays.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the JSON file is not UTF-8 text") from None
    if not isinstance(text, str):
        raise TypeError(f"expected JSON text, got {type(text).__name__}")
    _check_nesting(text)
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"the file is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise ValueError("the JSON is nested too deeply to be a params file") from None
    if not isinstance(obj, dict):
        raise ValueError(
            f"the JSON must be an object like {{'W1': [[...]], 'b1': [[...]], ...}}, "
            f"got a {type(obj).__name__}"
        )
    fmt = obj.pop("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"format is {fmt!r}; expected {FORMAT!r}")
    version = obj.pop("version", VERSION)
    if version != VERSION or isinstance(version, bool):
        raise ValueError(
            f"version is {version!r}; this Layer Lab reads version {VERSION} (a newer Layer Lab "
            "may have written this file)"
        )
    declared = obj.pop("layer_dims", None)
    for key in obj:
        if _KEY.fullmatch(key) is None:
            raise ValueError(
                f"unexpected key {key!r} in the JSON; expected format, version, layer_dims "
                "and W1, b1, ..., WL, bL"
            )
    params = {key: _matrix(key, value) for key, value in obj.items()}
    dims = validate_params(params)
    if declared is not None and declared != dims:
        raise ValueError(
            f"layer_dims says {declared!r} but the arrays have layer_dims {dims}; "
            "fix layer_dims or remove it"
        )
    return _ordered(params, len(dims) - 1)


# ---------------------------------------------------------------- files


def _suffix(path: str | os.PathLike[str]) -> str:
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix not in (".npz", ".json"):
        raise ValueError(
            f"cannot tell the format of {os.fspath(path)!r} from its extension {suffix!r}; "
            "use a path ending in .npz or .json"
        )
    return suffix


def save_params(path: str | os.PathLike[str], params: Mapping[str, np.ndarray]) -> None:
    """Write params to ``path``; ``.npz`` or ``.json`` chosen by the extension."""
    if _suffix(path) == ".npz":
        data = params_to_npz_bytes(params)
        with open(path, "wb") as f:
            f.write(data)
    else:
        text = params_to_json(params)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def load_params(path: str | os.PathLike[str]) -> Params:
    """Read params from ``path`` (``.npz`` or ``.json`` by extension) and validate them."""
    suffix = _suffix(path)
    with open(path, "rb") as f:
        data = f.read()
    return params_from_npz_bytes(data) if suffix == ".npz" else params_from_json(data)
