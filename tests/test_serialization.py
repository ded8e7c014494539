"""Params <-> .npz / JSON: bit-for-bit round trips, validation, and corrupt files."""

import io
import json
import zipfile

import numpy as np
import pytest

from layerlab import init_params
from layerlab.serialization import (
    load_params,
    params_from_json,
    params_from_npz_bytes,
    params_to_json,
    params_to_npz_bytes,
    save_params,
    validate_params,
)

# Floats that a lossy writer gets wrong: decimal fractions, extremes, subnormals, signed zero.
SPECIAL = [
    0.1,
    -0.0,
    1e-300,
    5e-324,  # smallest subnormal
    2.225073858507201e-308,  # largest subnormal
    2.2250738585072014e-308,  # smallest normal
    1.7976931348623157e308,
    np.nextafter(1.0, 2.0),
    1 / 3,
    np.pi,
    -123456789.123456789,
]


def make_params(layer_dims, seed=0, scale=1.0):
    """Random float64 params with the seed's layout, built without layerlab."""
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(layer_dims)):
        n, n_prev = layer_dims[layer], layer_dims[layer - 1]
        params[f"W{layer}"] = rng.standard_normal((n, n_prev)) * scale  # (n_l, n_{l-1})
        params[f"b{layer}"] = rng.standard_normal((n, 1)) * scale  # (n_l, 1)
    return params


def special_params():
    params = make_params([len(SPECIAL), 1])
    params["W1"][0] = SPECIAL
    params["b1"][0, 0] = 5e-324
    return params


def assert_bit_equal(a, b):
    assert list(a) == list(b)
    for key in a:
        assert b[key].dtype == np.float64
        assert b[key].shape == a[key].shape
        np.testing.assert_array_equal(a[key].view(np.uint64), b[key].view(np.uint64), err_msg=key)


ROUND_TRIP_CASES = [
    pytest.param(make_params([2, 1]), id="logistic"),
    pytest.param(make_params([3, 5, 4, 1], seed=1), id="3-layer"),
    pytest.param(make_params([20, 7, 5, 1], seed=2, scale=1e-3), id="small"),
    pytest.param(make_params([4, 8, 1], seed=3, scale=1e150), id="huge"),
    pytest.param(special_params(), id="special-values"),
]


@pytest.mark.parametrize("params", ROUND_TRIP_CASES)
def test_npz_round_trip_is_bit_for_bit(params):
    assert_bit_equal(params, params_from_npz_bytes(params_to_npz_bytes(params)))


@pytest.mark.parametrize("params", ROUND_TRIP_CASES)
def test_json_round_trip_is_bit_for_bit(params):
    assert_bit_equal(params, params_from_json(params_to_json(params)))


def test_round_trip_keeps_the_sign_of_zero_and_subnormals():
    back = params_from_json(params_to_json(special_params()))
    assert np.signbit(back["W1"][0, 1])
    assert back["W1"][0, 3] == 5e-324
    assert back["b1"][0, 0] > 0.0


@pytest.mark.parametrize("suffix", [".npz", ".json", ".NPZ", ".Json"])
def test_save_and_load_files(tmp_path, suffix):
    params = make_params([2, 3, 1], seed=4)
    path = tmp_path / f"model{suffix}"
    save_params(path, params)
    assert_bit_equal(params, load_params(path))
    assert_bit_equal(params, load_params(str(path)))


def test_json_layout_is_the_documented_one():
    params = make_params([2, 3, 1], seed=5)
    obj = json.loads(params_to_json(params))
    assert list(obj) == ["format", "version", "layer_dims", "W1", "b1", "W2", "b2"]
    assert obj["format"] == "layerlab-params"
    assert obj["version"] == 1
    assert obj["layer_dims"] == [2, 3, 1]
    assert obj["b1"] == params["b1"].tolist()
    assert np.array(obj["W2"]).shape == (1, 3)


def test_npz_is_readable_with_plain_numpy():
    params = make_params([2, 3, 1], seed=6)
    with np.load(io.BytesIO(params_to_npz_bytes(params)), allow_pickle=False) as archive:
        assert sorted(archive.files) == ["W1", "W2", "b1", "b2"]
        np.testing.assert_array_equal(archive["W1"], params["W1"])


def test_float32_and_non_contiguous_params_are_saved_as_float64():
    params = make_params([3, 2, 1], seed=7)
    params["W1"] = np.asfortranarray(params["W1"].astype(np.float32))
    back = params_from_npz_bytes(params_to_npz_bytes(params))
    assert back["W1"].dtype == np.float64
    np.testing.assert_array_equal(back["W1"], params["W1"].astype(np.float64))


def test_save_rejects_an_unknown_extension_and_writes_nothing(tmp_path):
    path = tmp_path / "model.txt"
    with pytest.raises(ValueError, match=r"\.npz or \.json"):
        save_params(path, make_params([2, 1]))
    assert not path.exists()
    with pytest.raises(ValueError, match=r"'\.pkl'"):
        load_params(tmp_path / "model.pkl")


# ---------------------------------------------------------------- validate_params


def test_validate_params_returns_layer_dims():
    assert validate_params(make_params([5, 4, 3, 1])) == [5, 4, 3, 1]
    assert validate_params(make_params([7, 1])) == [7, 1]


def _without(params, key):
    return {k: v for k, v in params.items() if k != key}


def _with(params, **changes):
    return {**params, **changes}


P = make_params([3, 4, 1])
BAD_PARAMS = [
    ({}, ValueError, ["empty"]),
    (_without(P, "b2"), ValueError, ["'b2'", "missing"]),
    (_without(P, "W1"), ValueError, ["'W1'", "missing"]),
    (_with(P, W4=np.zeros((1, 1)), b4=np.zeros((1, 1))), ValueError, ["'W3'", "gaps"]),
    (_with(P, lr=np.zeros((1, 1))), ValueError, ["'lr'", "W1, b1"]),
    (_with(P, W0=np.zeros((1, 1))), ValueError, ["'W0'"]),
    (_with(P, b1=np.zeros(4)), ValueError, ["b1", "(4,)", "reshape(-1, 1)"]),
    (_with(P, b1=np.zeros((4, 2))), ValueError, ["b1", "(4, 2)", "(4, 1)"]),
    (_with(P, b1=np.zeros((3, 1))), ValueError, ["b1", "(3, 1)", "(4, 1)"]),
    (_with(P, W2=np.zeros((1, 5))), ValueError, ["W2", "(1, 5)", "(1, 4)"]),
    (_with(P, W1=np.zeros((4, 3, 1))), ValueError, ["W1", "2-D"]),
    (_with(P, W1=np.zeros((4, 0)), W2=np.zeros((1, 4))), ValueError, ["W1", "(4, 0)"]),
    (
        _with(P, W2=np.zeros((2, 4)), b2=np.zeros((2, 1))),
        ValueError,
        ["W2", "2 output units", "exactly 1"],
    ),
    (_with(P, W2=np.array([[0.0, np.nan, 0.0, 0.0]])), ValueError, ["W2", "NaN"]),
    (_with(P, b1=np.array([[0.0], [np.inf], [0.0], [0.0]])), ValueError, ["b1", "inf"]),
    (_with(P, W1=np.zeros((4, 3), dtype=np.int64)), TypeError, ["W1", "int64", "astype"]),
    (_with(P, b2=[[0.0]]), TypeError, ["b2", "list"]),
    ([("W1", np.zeros((1, 1)))], TypeError, ["list"]),
]


@pytest.mark.parametrize(("params", "error", "words"), BAD_PARAMS)
def test_validate_params_names_the_problem(params, error, words):
    with pytest.raises(error) as info:
        validate_params(params)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"


def test_savers_refuse_invalid_params():
    bad = _with(P, W1=np.full((4, 3), np.nan))
    with pytest.raises(ValueError, match="W1"):
        params_to_npz_bytes(bad)
    with pytest.raises(ValueError, match="W1"):
        params_to_json(bad)


# ---------------------------------------------------------------- hand-written JSON


def test_minimal_hand_written_json_loads():
    text = '{"W1": [[1, -2.5], [0.25, 3]], "b1": [[0], [1e-3]], "W2": [[2, 0.5]], "b2": [[-1]]}'
    params = params_from_json(text)
    assert list(params) == ["W1", "b1", "W2", "b2"]
    np.testing.assert_array_equal(params["W1"], [[1.0, -2.5], [0.25, 3.0]])
    np.testing.assert_array_equal(params["b1"], [[0.0], [0.001]])
    assert params["b2"].dtype == np.float64
    assert params["b2"].shape == (1, 1)


def test_json_bytes_with_bom_and_full_header_load():
    text = '{"format": "layerlab-params", "version": 1, "layer_dims": [1, 1], '
    text += '"b1": [[0.5]], "W1": [[2.0]]}'
    params = params_from_json(text.encode("utf-8-sig"))
    assert list(params) == ["W1", "b1"]
    assert params["W1"][0, 0] == 2.0


BAD_JSON = [
    ('{"W1": [[1, 2]], "b1": [[0]]', ["not valid JSON", "line 1"]),
    ("", ["not valid JSON"]),
    ("[[1, 2]]", ["object", "list"]),
    ('{"W1": [[NaN, 2]], "b1": [[0]]}', ["NaN"]),
    ('{"W1": [[Infinity, 2]], "b1": [[0]]}', ["Infinity"]),
    ('{"W1": [[1e999, 2]], "b1": [[0]]}', ["W1", "inf"]),
    ('{"W1": [[1, "2"]], "b1": [[0]]}', ["W1[0][1]", "'2'", "number"]),
    ('{"W1": [[1, true]], "b1": [[0]]}', ["W1[0][1]", "True"]),
    ('{"W1": [[1, null]], "b1": [[0]]}', ["W1[0][1]", "None"]),
    ('{"W1": [[1, 2]], "b1": [0]}', ["b1", "2-D", "[[0.0], [0.0]]"]),
    ('{"W1": [[1, 2], [3]], "b1": [[0], [0]]}', ["W1", "different lengths"]),
    ('{"W1": [[[1], [2]]], "b1": [[0]]}', ["W1[0][0]", "[1]"]),
    ('{"W1": 3, "b1": [[0]]}', ["W1", "int"]),
    ('{"W1": [[1, 2]]}', ["'b1'", "missing"]),
    ('{"W1": [[1, 2]], "b1": [[0]], "W2": [[1]]}', ["'b2'", "missing"]),
    ('{"W1": [[1, 2]], "b1": [[0]], "lr": 0.1}', ["'lr'"]),
    ('{"W1": [[1, 2], [3, 4]], "b1": [[0], [0]]}', ["2 output units"]),
    ('{"format": "keras", "W1": [[1, 2]], "b1": [[0]]}', ["'keras'", "layerlab-params"]),
    ('{"version": 2, "W1": [[1, 2]], "b1": [[0]]}', ["version is 2", "newer"]),
    ('{"layer_dims": [3, 1], "W1": [[1, 2]], "b1": [[0]]}', ["[3, 1]", "[2, 1]"]),
    ("[" * 100_000 + "]" * 100_000, ["nested"]),
]


@pytest.mark.parametrize(("text", "words"), BAD_JSON)
def test_bad_json_raises_a_plain_value_error(text, words):
    with pytest.raises(ValueError) as info:  # noqa: PT011 (the words are checked below)
        params_from_json(text)
    assert not isinstance(info.value, json.JSONDecodeError)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"


def test_json_that_is_not_utf8_is_a_value_error():
    with pytest.raises(ValueError, match="UTF-8"):
        params_from_json(b'{"W1": [[1\xff]]}')


# ---------------------------------------------------------------- corrupt .npz


def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


GOOD_NPZ = params_to_npz_bytes(make_params([3, 2, 1], seed=8))


def _single_npy():
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((2, 1)))
    return buffer.getvalue()


def _zip_with(name, payload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, payload)
    return buffer.getvalue()


BAD_NPZ = [
    (b"", ["not a valid .npz"]),
    (b"hello, world", ["not a valid .npz"]),
    (GOOD_NPZ[: len(GOOD_NPZ) // 2], ["not a valid .npz"]),
    (_single_npy(), ["not a valid .npz"]),
    (b'{"W1": [[1.0]], "b1": [[0.0]]}', ["not a valid .npz"]),
    (_npz(W1=np.zeros((1, 2)), b1=np.zeros((1, 1)), lr=np.zeros(1)), ["'lr.npy'"]),
    (_npz(W1=np.zeros((1, 2), dtype=np.int32), b1=np.zeros((1, 1))), ["W1", "int32", "float"]),
    (_npz(W1=np.zeros((1, 2)), b1=np.zeros(1)), ["b1", "1-D"]),
    (_npz(W1=np.array([[1.0, np.nan]]), b1=np.zeros((1, 1))), ["W1", "NaN"]),
    (_npz(W1=np.zeros((1, 2))), ["'b1'", "missing"]),
    (_npz(W1=np.array([[None, 1]], dtype=object), b1=np.zeros((1, 1))), ["W1", "object"]),
    (_zip_with("W1.npy", b"not an npy file"), ["W1", "unreadable"]),
    (_zip_with("W1.npy", _single_npy()[:60]), ["W1"]),
]


@pytest.mark.parametrize(("data", "words"), BAD_NPZ)
def test_corrupt_npz_raises_a_plain_value_error(data, words):
    with pytest.raises(ValueError) as info:  # noqa: PT011 (the words are checked below)
        params_from_npz_bytes(data)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {info.value}"


@pytest.mark.parametrize("seed", range(5))
def test_damaged_npz_bytes_never_leak_a_raw_exception(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        data = bytearray(GOOD_NPZ)
        for pos in rng.integers(0, len(data), size=3):
            data[pos] ^= int(rng.integers(1, 256))
        try:
            params = params_from_npz_bytes(bytes(data))
        except ValueError:
            continue
        assert validate_params(params) == [3, 2, 1]


def test_npz_declaring_a_huge_array_is_refused_before_reading(monkeypatch):
    import layerlab.serialization as serialization

    monkeypatch.setattr(serialization, "MAX_VALUES", 5)
    with pytest.raises(ValueError, match="too large"):
        params_from_npz_bytes(GOOD_NPZ)


def test_loaders_reject_wrong_input_types():
    with pytest.raises(TypeError):
        params_from_npz_bytes("W1")
    with pytest.raises(TypeError):
        params_from_json({"W1": [[1.0]]})


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, '{"W1": ' * 5_000, '{"W1": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}'],
    ids=["deep-array", "deep-object", "just-too-deep"],
)
def test_deeply_nested_json_is_refused_before_parsing(text):
    with pytest.raises(ValueError, match="nested more than 16 levels"):
        params_from_json(text)


def test_brackets_inside_strings_do_not_count_as_nesting():
    params = init_params([2, 3, 1], seed=0)
    text = params_to_json(params).replace('"format": "', '"format": "[[[[[[[[[[[[[[[[[[[[\\"')
    with pytest.raises(ValueError, match="format"):  # read to the end: the format is checked
        params_from_json(text)
