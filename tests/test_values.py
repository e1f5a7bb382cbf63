"""Forward values against the float64 NumPy references, in every precision."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import keras_acts
from references import BY_NAME, CASES, REFERENCES, case_id, sample_inputs

# dtype -> (rtol, atol) against the float64 reference on the same inputs.
TOLERANCES = {
    "float64": (1e-12, 1e-300),
    "float32": (2e-6, 1e-7),
    "float16": (2e-3, 2e-3),
    "bfloat16": (1.6e-2, 1.6e-2),
}


def function(name):
    return getattr(keras_acts.activations, name)


def assert_matches_reference(name, params, x, dtype):
    reference = BY_NAME[name]
    got = function(name)(tf.constant(x, dtype=dtype), **params)
    assert got.dtype == dtype
    expected = reference.numpy(np.asarray(tf.cast(tf.constant(x, dtype), tf.float64)), **params)
    # Rounded to the dtype: a true value beyond its range is inf there too.
    expected = tf.cast(tf.cast(expected, dtype), tf.float64).numpy()
    rtol, atol = TOLERANCES[dtype]
    np.testing.assert_allclose(
        tf.cast(got, tf.float64).numpy(), expected, rtol=rtol, atol=atol, equal_nan=True
    )


def test_every_catalog_activation_has_a_reference():
    ours = {spec.name for spec in keras_acts.catalog() if spec.package == "keras_acts"}
    assert ours == set(BY_NAME)


@pytest.mark.parametrize("dtype", list(TOLERANCES))
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_values_match_numpy_reference(case, dtype):
    name, params = case
    reference = BY_NAME[name]
    x = sample_inputs(reference)
    if dtype == "float16":
        x = np.clip(x, -6e4, 6e4) if not reference.axis else x
    assert_matches_reference(name, params, x, dtype)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_extremes_reach_the_limit_not_nan(case):
    name, params = case
    reference = BY_NAME[name]
    if reference.axis:
        pytest.skip("normalizers: see test_softmax_limits_at_infinity")
    x = np.array([-np.inf, -1e4, -100.0, 100.0, 1e4, np.inf], np.float32)
    got = function(name)(x, **params).numpy()
    assert not np.isnan(got).any(), got
    expected = reference.numpy(x.astype(np.float64), **params)
    with np.errstate(over="ignore"):
        expected = expected.astype(np.float32)  # exp(100) is inf in float32, truly
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=np.finfo(np.float32).tiny)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_nan_propagates(case):
    name, params = case
    reference = BY_NAME[name]
    x = np.array([[np.nan, 1.0, -1.0, 0.5]] if reference.axis else [np.nan, 1.0], np.float32)
    got = function(name)(x, **params).numpy()
    assert np.isnan(got.flat[0])


def test_softmax_limits_at_infinity():
    softmax = keras_acts.activations.softmax
    got = softmax(tf.constant([[np.inf, 0.0, -1.0], [np.inf, np.inf, 0.0], [-np.inf, 0.0, 0.0]]))
    np.testing.assert_array_equal(
        got.numpy(), [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]
    )
    np.testing.assert_allclose(softmax(tf.constant([1e4, -1e4, 0.0])).numpy(), [1.0, 0.0, 0.0])


def test_softmax_nan_poisons_only_its_slice():
    got = keras_acts.activations.softmax(tf.constant([[np.nan, 0.0], [1.0, 1.0]])).numpy()
    assert np.isnan(got[0]).all()
    np.testing.assert_array_equal(got[1], [0.5, 0.5])


@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_softmax_repairs_only_its_non_finite_slices_in_any_rank(mode):
    # The native kernel's non-finite slices are found and redone among
    # finite ones, wherever they sit in a rank-3 batch.
    x = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
    x[0, 1, 2] = np.inf
    x[1, 3, :] = -np.inf
    x[2, 0, 4] = np.nan
    f = keras_acts.activations.softmax
    if mode != "eager":
        f = tf.function(f, jit_compile=mode == "xla")
    got = f(tf.constant(x)).numpy()
    expected = np.exp(x - x.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    expected[0, 1] = [0, 0, 1, 0, 0]
    expected[1, 3] = 0.2
    expected[2, 0] = np.nan
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_float64_parameters_stay_float64():
    # Keras's leaky_relu rounds the slope through float32: drift ~1e-8.
    x = np.linspace(-3.0, 3.0, 13)
    got = keras_acts.activations.leaky_relu(tf.constant(x), negative_slope=0.1).numpy()
    np.testing.assert_array_equal(got, np.where(x > 0, x, 0.1 * x))
    got = keras_acts.activations.relu(tf.constant(x), negative_slope=0.1, max_value=2.2).numpy()
    np.testing.assert_array_equal(got, np.clip(np.maximum(x, 0), 0, 2.2) - 0.1 * np.maximum(-x, 0))


# Integer inputs follow Keras's built-in of the same name, or are refused
# (tests/test_input_policy.py): those computed in floatx are checked here.
FLOATX_FOR_INTEGERS = ("leaky_relu", "tanh", "exponential")


@pytest.mark.parametrize(
    "case", [c for c in CASES if c[0] in FLOATX_FOR_INTEGERS], ids=case_id
)
def test_integer_inputs_compute_in_floatx(case):
    name, params = case
    x = np.array([[-2, -1, 0, 3]] if BY_NAME[name].axis else [-2, -1, 0, 3], np.int32)
    got = function(name)(x, **params)
    assert got.dtype == keras.config.floatx()
    assert_matches_reference(name, params, x.astype(np.float32), "float32")


@pytest.mark.parametrize("name", [r.name for r in REFERENCES if not r.axis])
@settings(max_examples=8, deadline=None)
@given(
    x=hnp.arrays(
        np.float32,
        st.integers(1, 40),
        elements=st.floats(-1e5, 1e5, width=32, allow_subnormal=False),
    )
)
def test_property_elementwise_float32(name, x):
    for params in BY_NAME[name].param_sets:
        assert_matches_reference(name, params, x, "float32")


@settings(max_examples=8, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 6)),
        elements=st.floats(-700, 700, allow_subnormal=False),
    ),
    axis=st.sampled_from([-1, 0, (0, 1), None]),
)
def test_property_softmax_is_a_distribution(x, axis):
    y = keras_acts.activations.softmax(tf.constant(x), axis=axis).numpy()
    np.testing.assert_allclose(y, BY_NAME["softmax"].numpy(x, axis=axis), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-12)


def keras_accepts(name, params):
    accepted = inspect.signature(getattr(keras.activations, name)).parameters
    return set(params) <= set(accepted)


KERAS_CASES = [
    c for c in CASES if hasattr(keras.activations, c[0]) and keras_accepts(*c)
]


@pytest.mark.parametrize("case", KERAS_CASES, ids=case_id)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_drop_in_values_equal_keras(case, dtype):
    name, params = case
    if dtype in BY_NAME[name].keras_values_wrong_in:
        pytest.skip(f"Keras's {name} is wrong in {dtype}; checked against NumPy")
    if name == "softmax" and isinstance(params.get("axis"), tuple):
        pytest.skip("Keras's tuple-axis softmax mishandles axes; checked against NumPy")
    x = tf.constant(sample_inputs(BY_NAME[name], extremes=False), dtype)
    ours = function(name)(x, **params)
    theirs = getattr(keras.activations, name)(x, **params)
    rtol = 1e-6 if dtype == "float32" else 1e-3
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", sorted({c[0] for c in KERAS_CASES}))
def test_drop_in_signature_equals_keras(name):
    ours = inspect.signature(function(name)).parameters
    theirs = inspect.signature(getattr(keras.activations, name)).parameters
    assert [(n, p.default) for n, p in ours.items()][: len(theirs)] == [
        (n, p.default) for n, p in theirs.items()
    ]
    extra = list(ours.values())[len(theirs):]
    assert all(p.default is not inspect.Parameter.empty for p in extra)
