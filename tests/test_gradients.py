"""Hand-written gradients against numeric differences and autodiff."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from references import BY_NAME, CASES, case_id, sample_inputs, smooth_inputs


def function(name):
    return getattr(keras_acts.activations, name)


def vjp(f, x, dy):
    """The vector-Jacobian product; ``dy`` may be a function of the output's
    shape (glu's output is half its input)."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    if callable(dy):
        dy = dy(tuple(y.shape))
    grad = tape.gradient(
        y, x, output_gradients=tf.constant(dy, x.dtype),
        unconnected_gradients=tf.UnconnectedGradients.ZERO,
    )
    return grad.numpy()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradient_matches_numeric_differences_float64(case):
    name, params = case
    reference = BY_NAME[name]
    x = smooth_inputs(reference, params)
    if reference.surrogate(x, **params) is not None:
        pytest.skip("a surrogate gradient by design: test_surrogate_gradient")
    f = lambda t: function(name)(t, **params)  # noqa: E731
    if reference.axis:  # a full Jacobian: each output depends on its whole slice
        theoretical, numerical = tf.test.compute_gradient(f, [tf.constant(x)], delta=1e-6)
        theoretical, numerical = theoretical[0], numerical[0]
    else:  # element-wise: the Jacobian is diagonal, all its entries in one pass
        delta = 1e-6
        numerical = (f(tf.constant(x + delta)) - f(tf.constant(x - delta))).numpy() / (2 * delta)
        theoretical = vjp(f, x, np.ones_like(x))
    np.testing.assert_allclose(theoretical, numerical, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradient_matches_autodiff_of_plain_formula(case):
    name, params = case
    reference = BY_NAME[name]
    x = smooth_inputs(reference, params)
    rng = np.random.default_rng(2)
    dy = rng.normal(size=function(name)(x, **params).shape)
    ours = vjp(lambda t: function(name)(t, **params), x, dy)
    expected = reference.surrogate(x, **params)
    if expected is None:
        expected = vjp(lambda t: reference.plain(t, **params), x, dy)
    else:
        expected = expected * dy
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-12)


def keras_accepts(name, params):
    accepted = inspect.signature(getattr(keras.activations, name)).parameters
    return set(params) <= set(accepted)


KERAS_CASES = [c for c in CASES if hasattr(keras.activations, c[0]) and keras_accepts(*c)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", KERAS_CASES, ids=case_id)
def test_gradient_at_kinks_follows_tensorflow_native_gradient(case, dtype):
    name, params = case
    reference = BY_NAME[name]
    if name == "softmax" and isinstance(params.get("axis"), tuple):
        pytest.skip("Keras's tuple-axis softmax mishandles axes")
    if dtype in reference.keras_values_wrong_in or (
        dtype == "float64" and "float32" in reference.keras_values_wrong_in
    ):
        pytest.skip(f"Keras's {name} is wrong; gradients checked against references")
    kinks = [k for k in reference.kinks(**params)]
    x = sample_inputs(reference, extremes=False)
    if not reference.axis:
        x = np.concatenate([x, kinks, np.nextafter(kinks, np.inf), np.nextafter(kinks, -np.inf)])
    if reference.keras_gradient_wrong_at:
        x = x[~np.isin(x, reference.keras_gradient_wrong_at)]
    x = x.astype(dtype)
    dy = lambda shape: np.ones(shape, dtype)  # noqa: E731
    ours = vjp(lambda t: function(name)(t, **params), x, dy)
    expected = reference.surrogate(x.astype(np.float64), **params)
    if expected is None:
        expected = vjp(lambda t: getattr(keras.activations, name)(t, **params), x, dy)
    atol = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=atol)


def test_relu_and_leaky_relu_kink_conventions():
    x = np.zeros(1)
    assert vjp(keras_acts.activations.relu, x, np.ones(1))[0] == 0.0
    slope = vjp(lambda t: keras_acts.activations.leaky_relu(t, negative_slope=0.3), x, np.ones(1))
    np.testing.assert_allclose(slope, [0.3])


def test_step_gradient_is_zero_without_straight_through():
    x = np.linspace(-2, 2, 9)
    np.testing.assert_array_equal(vjp(keras_acts.activations.step, x, np.ones(9)), 0.0)


def test_surrogate_gradient_is_the_clipped_straight_through_estimator():
    x = np.array([-3.0, -2.0, -1.5, -1.0, 0.0, 0.5, 1.0, 1.01])
    got = vjp(lambda t: keras_acts.activations.step(t, threshold=-1.0, straight_through=True), x, 2 * np.ones(8))
    np.testing.assert_array_equal(got, [0, 2, 2, 2, 2, 0, 0, 0])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradient_at_extremes_is_finite(case):
    """No overflow in the backward pass wherever the true gradient fits float32.

    The float64 gradient (checked against references above) tells where it
    does: exponential's gradient at 100 does not.
    """
    name, params = case
    reference = BY_NAME[name]
    points = [-1e4, -100.0, 100.0, 1e4]
    x = np.array([points] if reference.axis else points)
    exact = vjp(lambda t: function(name)(t, **params), x, np.ones)
    got = vjp(lambda t: function(name)(t, **params), x.astype(np.float32), np.ones)
    representable = np.abs(exact) < np.finfo(np.float32).max
    assert representable.any() or name == "exponential"
    assert np.isfinite(got[representable]).all(), got
