"""The input features (``layerlab.features``): hand-worked values, order, errors."""

import numpy as np
import pytest

from layerlab.features import FEATURES, PLAIN, expand, selected

# Three points (x1, x2): (0, 0.5), (1, -1), (-2, 3).
X = np.array([[0.0, 1.0, -2.0], [0.5, -1.0, 3.0]])  # (2, 3)


def test_expand_by_hand():
    names = ["sinx2", "x1x2", "x1", "x2sq", "x1sq", "x2", "sinx1"]  # any order
    expected = np.array(
        [
            [0.0, 1.0, -2.0],  # x1
            [0.5, -1.0, 3.0],  # x2
            [0.0, 1.0, 4.0],  # x1²
            [0.25, 1.0, 9.0],  # x2²
            [0.0, -1.0, -6.0],  # x1·x2
            [0.0, 0.8414709848078965, -0.9092974268256817],  # sin x1
            [0.479425538604203, -0.8414709848078965, 0.1411200080598672],  # sin x2
        ]
    )
    np.testing.assert_allclose(expand(X, names), expected, rtol=1e-15, atol=0)


def test_a_selection_comes_in_registry_order_each_once():
    out = expand(X, ["x1x2", "x1", "x1x2"])
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out, [[0.0, 1.0, -2.0], [0.0, -1.0, -6.0]])
    assert selected(["sinx1", "x2", "sinx1"]) == ("x2", "sinx1")


def test_the_plain_features_are_the_coordinates_bit_for_bit():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((2, 50))
    out = expand(Z, PLAIN)
    assert np.array_equal(out, Z)
    out[0, 0] = 99.0  # a copy: the input stays
    assert Z[0, 0] != 99.0


def test_labels_and_keys_are_link_safe():
    assert list(FEATURES) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]
    assert all(key.isascii() and key.isalnum() for key in FEATURES)
    assert [f.label for f in FEATURES.values()][2:5] == ["x1²", "x2²", "x1·x2"]


@pytest.mark.parametrize(
    ("X", "names", "message"),
    [
        (X, ["x3", "x1", "<b>"], r"unknown features 'x3', '<b>'; use some of x1, x2, x1sq"),
        (X, [], r"no features selected; pick at least one of x1, x2"),
        (np.zeros((3, 4)), PLAIN, r"X must have shape \(2, m\).*got \(3, 4\)"),
        (np.zeros(4), PLAIN, r"X must have shape \(2, m\).*got \(4,\)"),
    ],
)
def test_errors_name_the_value_and_the_fix(X, names, message):
    with pytest.raises(ValueError, match=message):
        expand(X, names)


def test_text_is_not_a_list_of_names():
    with pytest.raises(TypeError, match="list of feature names"):
        expand(X, "x1,x2")
