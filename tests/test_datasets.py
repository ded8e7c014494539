"""Datasets: generators against independent formulas, split, scaling, and a corpus of CSV files."""

import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons
from sklearn.preprocessing import StandardScaler

from layerlab.csvdata import CsvData, load_csv
from layerlab.datasets import DATASETS, Standardizer, make_dataset, train_test_split

NAMES = ["moons", "circles", "xor", "gaussians", "spiral", "flower"]


# ---------------------------------------------------------------- generators


def test_registry_keys_are_the_documented_names():
    assert list(DATASETS) == NAMES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [4, 5, 201])
def test_shapes_dtypes_labels_and_balance(name, n):
    X, Y = make_dataset(name, n=n, noise=0.3, seed=7)
    assert X.shape == (2, n)
    assert Y.shape == (1, n)
    assert X.dtype == np.float64
    assert Y.dtype == np.float64
    assert np.all(np.isfinite(X))
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert int((Y == 0).sum()) == n // 2
    assert int((Y == 1).sum()) == n - n // 2


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    X1, Y1 = make_dataset(name, n=50, noise=0.2, seed=3)
    X2, Y2 = make_dataset(name, n=50, noise=0.2, seed=3)
    X3, _ = make_dataset(name, n=50, noise=0.2, seed=4)
    assert np.array_equal(X1, X2)
    assert np.array_equal(Y1, Y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", NAMES)
def test_noise_moves_points(name):
    X0, _ = make_dataset(name, n=100, noise=0.0, seed=1)
    X1, _ = make_dataset(name, n=100, noise=0.5, seed=1)
    assert np.abs(X1 - X0).mean() > 0.1


@pytest.mark.parametrize("n", [10, 11])
def test_moons_noise_free_equals_scikit_learn(n):
    X, Y = make_dataset("moons", n=n, noise=0.0)
    X_ref, y_ref = make_moons(n_samples=n, shuffle=False, noise=None)
    np.testing.assert_allclose(X, X_ref.T, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(Y[0], y_ref)


def test_circles_noise_free_radii_and_scikit_learn():
    X, Y = make_dataset("circles", n=60, noise=0.0)
    radius = np.hypot(X[0], X[1])
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0, rtol=1e-14)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.5, rtol=1e-14)
    X_ref, y_ref = make_circles(n_samples=60, shuffle=False, noise=None, factor=0.5)
    np.testing.assert_allclose(X, X_ref.T, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(Y[0], y_ref)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xor_noise_free_labels_follow_the_quadrant(seed):
    X, Y = make_dataset("xor", n=400, noise=0.0, seed=seed)
    np.testing.assert_array_equal(Y[0], (X[0] * X[1] < 0).astype(float))
    assert np.all(np.abs(X) >= 0.1)
    assert np.all(np.abs(X) <= 1.0)
    # all four quadrants are used
    quadrants = {(bool(a), bool(b)) for a, b in zip(X[0] > 0, X[1] > 0, strict=True)}
    assert len(quadrants) == 4


def test_spiral_noise_free_arms_are_point_reflections():
    X, Y = make_dataset("spiral", n=200, noise=0.0)
    arm0, arm1 = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(arm1, -arm0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.hypot(*arm0), np.linspace(0.05, 1.0, 100), rtol=1e-14)


def test_gaussians_centres_and_spread():
    X, Y = make_dataset("gaussians", n=40_000, noise=0.3, seed=0)
    for label, centre in ((0.0, -1.0), (1.0, 1.0)):
        blob = X[:, Y[0] == label]
        np.testing.assert_allclose(blob.mean(axis=1), centre, atol=0.02)
        np.testing.assert_allclose(blob.std(axis=1), np.hypot(0.4, 0.3), rtol=0.03)


def _course_planar_dataset(rs):
    """deeplearning.ai's load_planar_dataset, verbatim but with ``rs`` for np.random."""
    m = 400
    N = int(m / 2)
    D = 2
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rs.randn(N) * 0.2
        r = a * np.sin(4 * t) + rs.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def test_flower_reproduces_the_course_dataset_exactly():
    X_ref, Y_ref = _course_planar_dataset(np.random.RandomState(1))
    X, Y = DATASETS["flower"](400, 0.2, np.random.RandomState(1))
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(Y, Y_ref)


def test_flower_formula_with_seeded_generator():
    n, noise, seed = 301, 0.35, 11
    rng = np.random.default_rng(seed)
    cols = []
    for j, nj in enumerate((150, 151)):
        t = np.linspace(j * 3.12, (j + 1) * 3.12, nj) + noise * rng.standard_normal(nj)
        r = 4 * np.sin(4 * t) + noise * rng.standard_normal(nj)
        cols.append(np.vstack([r * np.sin(t), r * np.cos(t)]))
    X, Y = make_dataset("flower", n=n, noise=noise, seed=seed)
    np.testing.assert_array_equal(X, np.hstack(cols))
    np.testing.assert_array_equal(Y[0], np.r_[np.zeros(150), np.ones(151)])


def test_flower_noise_free_points_lie_on_the_rose_curve():
    X, _ = make_dataset("flower", n=100, noise=0.0)
    t = np.r_[np.linspace(0, 3.12, 50), np.linspace(3.12, 6.24, 50)]
    np.testing.assert_allclose(np.hypot(X[0], X[1]), np.abs(4 * np.sin(4 * t)), atol=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"name": "blobs"}, ValueError, ["'blobs'", "'moons'", "'flower'"]),
        ({"name": 3}, TypeError, ["3", "'moons'"]),
        ({"n": 3}, ValueError, ["n=3", "[4, 100000]"]),
        ({"n": 100_001}, ValueError, ["100001", "[4, 100000]"]),
        ({"n": 20.5}, TypeError, ["20.5", "whole number"]),
        ({"n": True}, TypeError, ["True"]),
        ({"noise": -0.1}, ValueError, ["-0.1", "[0, 5.0]"]),
        ({"noise": float("nan")}, ValueError, ["nan"]),
        ({"noise": float("inf")}, ValueError, ["inf"]),
        ({"noise": 6}, ValueError, ["6", "[0, 5.0]"]),
        ({"noise": "0.2"}, TypeError, ["'0.2'"]),
        ({"seed": -1}, ValueError, ["seed=-1", ">= 0"]),
        ({"seed": 1.5}, TypeError, ["1.5"]),
    ],
)
def test_make_dataset_rejects_bad_arguments(kwargs, error, words):
    args = {"name": "moons", **kwargs}
    with pytest.raises(error) as info:
        make_dataset(**args)
    for word in words:
        assert word in str(info.value)


def test_make_dataset_accepts_numpy_integers_and_bounds():
    X, _ = make_dataset("xor", n=np.int64(4), noise=np.float64(5.0), seed=np.int32(2))
    assert X.shape == (2, 4)


# ---------------------------------------------------------------- split


def _ids(m, n_pos):
    """X whose first row is the column index; Y with n_pos ones at the end."""
    X = np.vstack([np.arange(m, dtype=float), np.arange(m, dtype=float) ** 2])  # (2, m)
    Y = (np.arange(m) >= m - n_pos).astype(float)[np.newaxis, :]  # (1, m)
    return X, Y


@pytest.mark.parametrize(("m", "n_pos", "ratio"), [(100, 50, 0.2), (101, 30, 0.25), (10, 3, 0.5)])
def test_split_is_a_stratified_partition(m, n_pos, ratio):
    X, Y = _ids(m, n_pos)
    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test_ratio=ratio, seed=5)
    ids = np.concatenate([X_tr[0], X_te[0]])
    np.testing.assert_array_equal(np.sort(ids), np.arange(m))  # disjoint and complete
    for Xs, Ys in ((X_tr, Y_tr), (X_te, Y_te)):  # columns travel together
        np.testing.assert_array_equal(Xs[1], Xs[0] ** 2)
        np.testing.assert_array_equal(Ys[0], (Xs[0] >= m - n_pos).astype(float))
    assert int(Y_te.sum()) == round(ratio * n_pos)
    assert int((Y_te == 0).sum()) == round(ratio * (m - n_pos))


def test_split_shuffles_reproducibly():
    X, Y = _ids(60, 30)
    a = train_test_split(X, Y, 0.3, seed=1)
    b = train_test_split(X, Y, 0.3, seed=1)
    c = train_test_split(X, Y, 0.3, seed=2)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[2], c[2])
    assert not np.array_equal(np.sort(a[2][0]), a[2][0])  # not in input order


def test_split_with_zero_ratio_gives_an_empty_test_set():
    X, Y = _ids(12, 6)
    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test_ratio=0.0)
    assert X_tr.shape == (2, 12)
    assert Y_tr.shape == (1, 12)
    assert X_te.shape == (2, 0)
    assert Y_te.shape == (1, 0)


def test_split_keeps_a_training_example_of_each_class():
    X, Y = _ids(4, 1)
    _, Y_tr, _, Y_te = train_test_split(X, Y, test_ratio=0.9)
    assert set(Y_tr[0]) == {0.0, 1.0}
    assert Y_te.shape == (1, 2)  # round(0.9 * 3) = 3 capped to 2; the single 1 stays


@pytest.mark.parametrize(
    ("X", "Y", "ratio", "error", "word"),
    [
        (np.zeros((2, 5)), np.zeros((1, 5)), -0.1, ValueError, "-0.1"),
        (np.zeros((2, 5)), np.zeros((1, 5)), 0.95, ValueError, "0.95"),
        (np.zeros((2, 5)), np.zeros((1, 5)), float("nan"), ValueError, "nan"),
        (np.zeros((2, 5)), np.zeros((1, 5)), "0.2", TypeError, "'0.2'"),
        (np.zeros(5), np.zeros((1, 5)), 0.2, ValueError, "(5,)"),
        (np.zeros((2, 5)), np.zeros(5), 0.2, ValueError, "(1, m)"),
        (np.zeros((2, 5)), np.zeros((1, 4)), 0.2, ValueError, "4"),
        (np.zeros((2, 0)), np.zeros((1, 0)), 0.2, ValueError, "no examples"),
    ],
)
def test_split_rejects_bad_input(X, Y, ratio, error, word):
    with pytest.raises(error, match=None) as info:
        train_test_split(X, Y, test_ratio=ratio)
    assert word in str(info.value)


# ---------------------------------------------------------------- standardizer


def test_standardizer_matches_scikit_learn():
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.5, size=(4, 50)) * np.array([[1.0], [10.0], [0.01], [1e3]])
    scaler = Standardizer.fit(X)
    assert scaler.mean.shape == (4, 1)
    assert scaler.std.shape == (4, 1)
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z, StandardScaler().fit_transform(X.T).T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Z.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-12)


def test_standardizer_constant_feature_maps_to_zero():
    X = np.array([[0.1] * 7, [1.0, 2, 3, 4, 5, 6, 7]])
    scaler = Standardizer.fit(X)
    assert scaler.std[0, 0] == 1.0
    np.testing.assert_array_equal(scaler.transform(X)[0], 0.0)
    np.testing.assert_allclose(scaler.transform(np.array([[1.1], [4.0]]))[:, 0], [1.0, 0.0])


def test_standardizer_rejects_wrong_shapes_and_nan():
    scaler = Standardizer.fit(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, m\)"):
        scaler.transform(np.ones((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        Standardizer.fit(np.array([[1.0, np.nan]]))


# ---------------------------------------------------------------- CSV: good files


GOOD = "x1,x2,label\n1,2,0\n3,4.5,1\n-5,6e-1,0\n7,8,1\n"


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [
        (GOOD, {}),
        (GOOD + "\n\n   \n", {}),  # blank trailing lines
        (GOOD.replace("\n", "\r\n"), {}),  # Windows line endings
        (GOOD.replace(",", ";"), {}),
        (GOOD.replace(",", "\t"), {}),
        ("\ufeff" + GOOD, {}),  # BOM in a str
        (GOOD.encode("utf-8-sig"), {}),  # BOM in bytes
        (GOOD.replace("\n1,2,0", '\n"1", 2 ,"0"'), {}),  # quotes and spaces
        ("label,x1,x2\n0,1,2\n1,3,4.5\n0,-5,6e-1\n1,7,8\n", {"label_column": "label"}),
        ("label,x1,x2\n0,1,2\n1,3,4.5\n0,-5,6e-1\n1,7,8\n", {"label_column": 0}),
        ("x1,label,x2\n1,0,2\n3,1,4.5\n-5,0,6e-1\n7,1,8\n", {"label_column": -2}),
        (GOOD.replace(",0\n", ",false\n").replace(",1\n", ",TRUE\n"), {}),
        (GOOD.replace(",0\n", ",0.0\n").replace(",1\n", ",1.0\n"), {}),
        (
            GOOD.replace(",0\n", ",no\n").replace(",1\n", ",yes\n"),
            {"label_map": {"yes": 1, "no": 0}},
        ),
        (GOOD.replace(",0\n", ",2\n"), {"label_map": {2: 0, 1: 1}}),
        (GOOD.replace(",0\n", ",-1\n").replace(",1\n", ",1.0\n"), {"label_map": {-1: 0, 1: 1}}),
    ],
)
def test_load_csv_good_files(text, kwargs):
    data = load_csv(text, **kwargs)
    assert isinstance(data, CsvData)
    np.testing.assert_array_equal(data.X, [[1.0, 3.0, -5.0, 7.0], [2.0, 4.5, 0.6, 8.0]])
    np.testing.assert_array_equal(data.Y, [[0.0, 1.0, 0.0, 1.0]])
    assert data.X.dtype == np.float64
    assert data.Y.dtype == np.float64
    assert data.feature_names == ("x1", "x2")
    assert data.label_name == "label"
    assert data.has_header


def test_load_csv_without_header():
    data = load_csv("1,2,1\n3,4,0\n5,6,1\n7,8,0\n")
    assert not data.has_header
    assert data.feature_names == ("column 1", "column 2")
    assert data.label_name == "column 3"
    np.testing.assert_array_equal(data.X, [[1, 3, 5, 7], [2, 4, 6, 8]])
    np.testing.assert_array_equal(data.Y, [[1, 0, 1, 0]])
    assert data.classes == ("0", "1")


def test_forced_header_uses_the_numeric_first_row_as_names():
    data = load_csv("10,20,30\n1,2,1\n3,4,0\n5,6,1\n7,8,0\n", has_header=True)
    assert data.feature_names == ("10", "20")
    assert data.X.shape == (2, 4)


def test_headerless_text_labels_are_not_a_header():
    text = "1,2,dog\n3,4,cat\n5,6,dog\n7,8,cat\n"
    data = load_csv(text, label_map={"cat": 0, "dog": 1})
    assert not data.has_header
    np.testing.assert_array_equal(data.Y, [[1, 0, 1, 0]])
    assert data.classes == ("cat", "dog")


def test_label_map_can_merge_labels_and_classes_keep_the_text():
    text = "a,b,kind\n1,2,cat\n3,4,dog\n5,6,kitten\n7,8,dog\n"
    data = load_csv(text, label_map={"cat": 0, "kitten": 0, "dog": 1})
    np.testing.assert_array_equal(data.Y, [[0, 1, 0, 1]])
    assert data.classes == ("cat / kitten", "dog")


def test_many_columns_and_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 300))
    Y = (X[0] > 0).astype(int)
    lines = ["f0,f1,f2,f3,f4,y"] + [
        ",".join([*(repr(v) for v in X[:, i].tolist()), str(Y[i])]) for i in range(300)
    ]
    data = load_csv("\n".join(lines))
    np.testing.assert_array_equal(data.X, X)  # repr round-trips exactly
    np.testing.assert_array_equal(data.Y[0], Y)
    assert data.feature_names == ("f0", "f1", "f2", "f3", "f4")


# ---------------------------------------------------------------- CSV: the corpus of bad files


BAD = [
    ("", {}, ["empty"]),
    ("\n\n  \n", {}, ["empty"]),
    ("a,b,c\n1,2,0\n3,4,1,9\n5,6,0\n7,8,1\n", {}, ["row 3", "4 cells", "3"]),
    ("a,b,c\n1,2,0\n3,4\n5,6,0\n7,8,1\n", {}, ["row 3", "2 cells"]),
    ("a,b,c\n1,2,0\n3,4,1\n5,six,0\n7,8,1\n", {}, ["row 4", "column 2", "'b'", "'six'"]),
    ("a,b,c\n1,2,0\n3,4,1\n5,,0\n7,8,1\n", {}, ["row 4", "column 2", "'b'", "missing"]),
    ("a,b,c\n1,2,0\n\n3,4,1\n5,x,0\n7,8,1\n", {}, ["row 5", "'x'"]),  # blank lines count
    ("a,b,c\n1,2,0\n3,4,1\nNaN,6,0\n7,8,1\n", {}, ["row 4", "column 1", "'a'", "NaN"]),
    ("a,b,c\n1,2,0\n3,inf,1\n5,6,0\n7,8,1\n", {}, ["row 3", "'b'", "'inf'", "finite"]),
    ("a,b,c\n1,2,0\n3,-Infinity,1\n5,6,0\n7,8,1\n", {}, ["row 3", "'-Infinity'"]),
    ("a,b,c\n1,1_000,0\n3,4,1\n5,6,0\n7,8,1\n", {}, ["row 2", "'1_000'"]),
    ("a,b,c\n1,2,0\n3,4,\n5,6,0\n7,8,1\n", {}, ["row 3", "column 3", "'c'", "missing label"]),
    ("1,2,0\n3,4,1\n5,x,0\n7,8,1\n", {}, ["row 3", "column 2", "'x'"]),  # no header
    ("a,b,c\n1,2,0\n3,4,1\n5,6,0\n", {}, ["3 data rows", "at least 4"]),
    ("a,b,c\n1,2,0\n3,4,1\n", {"min_rows": 3}, ["2 data rows", "at least 3"]),
    ("a,b,c\n", {}, ["0 data rows"]),
    ("a,b,c\n1,2,1\n3,4,1\n5,6,1\n7,8,1\n", {}, ["one class", "'1'"]),
    ("a,b,c\n1,2,0\n3,4,1\n5,6,2\n7,8,1\n", {}, ["more than two", "'0', '1', '2'", "label_map"]),
    (
        "a,b,c\n1,2,cat\n3,4,dog\n5,6,cow\n7,8,eel\n",
        {},
        ["'c'", "4 labels", "'cat', 'cow', 'dog', 'eel'"],
    ),
    ("a,b,c\n1,2,yes\n3,4,no\n5,6,yes\n7,8,no\n", {}, ["'no', 'yes'", "label_map={'no': 0"]),
    ("a,b,c\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n", {}, ["'cat', 'dog'", "label_map="]),
    ("a,b,c\n1,2,1\n3,4,2\n5,6,1\n7,8,2\n", {}, ["'1', '2'", "label_map="]),
    ("a,b,c\n1,2,-1\n3,4,1\n5,6,-1\n7,8,1\n", {}, ["'-1', '1'", "label_map="]),
    (
        "a,b,c\n1,2,yes\n3,4,no\n5,6,maybe\n7,8,no\n",
        {"label_map": {"yes": 1, "no": 0}},
        ["row 4", "'maybe'"],
    ),
    (
        "a,b,c\n1,2,yes\n3,4,no\n5,6,yes\n7,8,no\n",
        {"label_map": {"yes": 2, "no": 0}},
        ["2", "0 or 1"],
    ),
    ("a,b,c\n1,2,yes\n3,4,no\n5,6,yes\n7,8,no\n", {"label_map": {"yes": 1, "no": 1}}, ["both"]),
    ("a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", {"label_column": "y"}, ["'y'", "'a', 'b', 'c'"]),
    ("a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n", {"label_column": 3}, ["3", "0..2", "'c'"]),
    ("1,2,0\n3,4,1\n5,6,0\n7,8,1\n", {"label_column": "c"}, ["'c'", "no header", "index"]),
    ("a\n1\n0\n1\n0\n", {}, ["1 column", "label"]),
    ("a,b,c\n" + "1,2,0\n" * 10, {"max_bytes": 20}, ["66 bytes", "20 bytes", "limit"]),
    (b"a,b,c\n1,2,0\n\xff\xfe,4,1\n", {}, ["UTF-8", "0xff"]),
]


@pytest.mark.parametrize(("text", "kwargs", "words"), BAD)
def test_load_csv_bad_files_name_the_problem(text, kwargs, words):
    with pytest.raises(ValueError) as info:  # noqa: PT011 (the words are checked below)
        load_csv(text, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


@pytest.mark.parametrize(
    "kwargs",
    [{"label_column": 1.5}, {"has_header": "yes"}, {"label_map": [("yes", 1)]}],
)
def test_load_csv_bad_argument_types(kwargs):
    with pytest.raises(TypeError):
        load_csv(GOOD, **kwargs)


def test_load_csv_rejects_non_text():
    with pytest.raises(TypeError, match="str or bytes"):
        load_csv(123)
