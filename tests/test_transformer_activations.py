"""swiglu, geglu, reglu, relu_squared and star_relu: what the shared table
(tests/references_*.py, over which every other module runs) cannot test.

The gate's half and its convention against glu's, other axes and ranks, what
each backward keeps, half-type gradients against float64, relu_squared's
slope from its output, and StarReLU's two learned scalars."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts

A = keras_acts.activations
L = keras_acts.layers
GATED = ("swiglu", "geglu", "reglu")
NEW = GATED + ("relu_squared", "star_relu")


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _gelu(v, approximate=False):
    if approximate:  # 0.5 (1 + tanh(z)) as sigmoid(2 z): no cancellation below 0
        return v * _sigmoid(2.0 * math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3))
    return 0.5 * v * np.vectorize(math.erfc)(-v / math.sqrt(2.0))


GATES = {
    "swiglu": lambda v: v * _sigmoid(v),
    "geglu": _gelu,
    "reglu": lambda v: np.maximum(v, 0.0),
}


def vjp(f, x, dy):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return y, tape.gradient(y, x, output_gradients=tf.cast(dy, y.dtype))


# -- the gate is the first half; glu's is the second ----------------------------


@pytest.mark.parametrize("name", GATED)
def test_the_gate_is_the_first_half(name):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 5, 3)) * 2.0
    got = getattr(A, name)(tf.constant(np.concatenate([a, b], axis=-1))).numpy()
    np.testing.assert_allclose(got, GATES[name](a) * b, rtol=1e-12)
    # glu gates the other half: a * sigmoid(b).
    glu = A.glu(tf.constant(np.concatenate([a, b], axis=-1))).numpy()
    np.testing.assert_allclose(glu, a * _sigmoid(b), rtol=1e-12)
    # Both docstrings say so.
    assert "opposite" in getattr(A, name).__doc__ and "opposite" in A.glu.__doc__


def test_geglu_approximate_is_the_tanh_form():
    x = np.linspace(-6.0, 6.0, 24).reshape(3, 8)
    a, b = np.split(x, 2, axis=-1)
    got = A.geglu(tf.constant(x), approximate=True).numpy()
    np.testing.assert_allclose(got, _gelu(a, approximate=True) * b, rtol=1e-12, atol=1e-300)
    assert L.GeGLU(approximate=True).get_config()["approximate"] is True


@pytest.mark.parametrize("name", GATED)
@pytest.mark.parametrize("axis", [0, 1, -2])
def test_any_axis_of_any_rank(name, axis):
    x = np.random.default_rng(1).normal(size=(4, 6, 3))
    a, b = np.split(x, 2, axis=axis)
    expected = GATES[name](a) * b
    np.testing.assert_allclose(getattr(A, name)(tf.constant(x), axis=axis).numpy(), expected, rtol=1e-12)
    layer = getattr(L, keras_acts.lookup(name).layer_name)(axis=axis)
    np.testing.assert_allclose(layer(x.astype("float32")).numpy(), expected, rtol=2e-5, atol=1e-6)
    # The full Jacobian along that axis, against central differences.
    f = lambda t: getattr(A, name)(t, axis=axis)  # noqa: E731
    theoretical, numerical = tf.test.compute_gradient(f, [tf.constant(x + 1e-3)], delta=1e-6)
    np.testing.assert_allclose(theoretical[0], numerical[0], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", GATED)
def test_an_odd_size_is_a_clear_error(name):
    with pytest.raises(ValueError, match=f"{name} splits axis -1 in two halves.*5 \\(odd\\)"):
        getattr(A, name)(tf.ones((2, 5)))
    layer = getattr(L, keras_acts.lookup(name).layer_name)()
    with pytest.raises(ValueError, match="odd"):
        layer(keras.Input((7,)))


@pytest.mark.parametrize("name", GATED)
def test_a_dense_activation_string_is_refused_naming_the_layer(name):
    spec = keras_acts.lookup(name)
    assert spec.string is None and f"{name}_custom" not in keras_acts.names()
    with pytest.raises(ValueError, match=f"Dense\\(2 \\* units\\) then keras_acts.layers.{spec.layer_name}"):
        keras.layers.Dense(8, activation=f"{name}_custom")(np.ones((2, 3), "float32"))


def test_strings_of_the_element_wise_ones():
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4).astype("float32")
    for name in ("relu_squared", "star_relu"):
        assert f"{name}_custom" in keras_acts.names()
        dense = keras.layers.Dense(4, activation=f"{name}_custom", kernel_initializer="identity")
        np.testing.assert_allclose(dense(x).numpy(), np.maximum(x, 0.0) ** 2, rtol=1e-6)


# -- what the backward keeps -----------------------------------------------------


def test_what_each_backward_keeps():
    for name in GATED + ("star_relu",):
        # The input: the backward needs both halves; the output (half the
        # size) cannot give them back. The gate is recomputed from a.
        assert keras_acts.lookup(name).keep == "x"
    # relu_squared reads 2 relu(x) from y, which the next layer keeps anyway.
    assert keras_acts.lookup("relu_squared").keep == "y"


# -- half types ---------------------------------------------------------------------

# The float64 value and gradient (checked against the references elsewhere)
# rounded: one rounding of the half type, a few ulps of slack.
HALF_TOLERANCES = {"float16": 4e-3, "bfloat16": 3e-2}


@pytest.mark.parametrize("dtype", list(HALF_TOLERANCES))
@pytest.mark.parametrize("name", NEW)
def test_half_types_within_their_precision(name, dtype):
    rng = np.random.default_rng(2)
    x = rng.uniform(-4.0, 4.0, size=(16, 8))
    dy = rng.normal(size=(16, 4 if name in GATED else 8))
    f = getattr(A, name)
    x_half = tf.cast(tf.constant(x), dtype)
    y64, dx64 = vjp(f, tf.cast(x_half, tf.float64), dy)  # the same (rounded) inputs
    y, dx = vjp(f, x_half, dy)
    assert y.dtype == dtype and dx.dtype == dtype
    tol = HALF_TOLERANCES[dtype]
    for got, want in ((y, y64), (dx, dx64)):
        got = tf.cast(got, tf.float64).numpy()
        np.testing.assert_allclose(got, want.numpy(), rtol=tol, atol=tol * np.abs(want.numpy()).max())


# -- relu_squared ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_squared_slope_from_its_output_is_exact(dtype):
    x = np.random.default_rng(3).normal(scale=50.0, size=1000).astype(dtype)
    modes = {
        "eager": lambda f: f,
        "graph": lambda f: tf.function(f, autograph=False),
        "xla": lambda f: tf.function(f, jit_compile=True, autograph=False),
    }
    for mode, wrap in modes.items():
        y, dx = wrap(lambda t: vjp(A.relu_squared, t, np.ones_like(x)))(tf.constant(x))
        np.testing.assert_array_equal(dx.numpy(), 2.0 * np.maximum(x, 0.0), err_msg=mode)


def test_relu_squared_where_the_square_overflows():
    # y is inf; the slope, read from y, is capped there, the same in every path.
    x = tf.constant([300.0, 1e4], tf.float16)
    step = lambda t: vjp(A.relu_squared, t, np.ones(2))[1]  # noqa: E731
    results = [
        step(x).numpy(),
        tf.function(step, autograph=False)(x).numpy(),
        tf.function(step, jit_compile=True, autograph=False)(x).numpy(),
    ]
    for got in results:
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, results[0])


# -- star_relu / StarReLU ----------------------------------------------------------------


def test_star_relu_paper_values_normalize_a_standard_normal():
    assert "0.8944" in A.star_relu.__doc__ and "-0.4472" in A.star_relu.__doc__
    x = np.random.default_rng(4).normal(size=200_000)
    y = A.star_relu(tf.constant(x), scale=1 / math.sqrt(1.25), bias=-0.5 / math.sqrt(1.25)).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.var() - 1.0) < 0.02


def test_star_relu_layer_learns_two_scalars_from_its_arguments():
    layer = L.StarReLU(scale=0.8944, bias=-0.4472)
    layer.build((None, 3, 4))
    assert [(w.name, tuple(w.shape)) for w in layer.trainable_weights] == [("scale", ()), ("bias", ())]
    np.testing.assert_allclose([float(layer.scale), float(layer.bias)], [0.8944, -0.4472], rtol=1e-6)
    assert layer.get_config()["scale"] == 0.8944 and layer.get_config()["bias"] == -0.4472
    x = np.random.default_rng(5).normal(size=(64, 4)).astype("float32")
    target = 2.0 * np.maximum(x, 0.0) ** 2 + 0.5
    model = keras.Sequential([keras.Input((4,)), L.StarReLU()])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", steps_per_execution=40)
    model.fit(np.tile(x, (40, 1)), np.tile(target, (40, 1)), batch_size=64, verbose=0)  # 40 steps
    scale, bias = (float(w) for w in model.layers[0].weights)
    assert abs(scale - 2.0) < 0.2 and abs(bias - 0.5) < 0.2, (scale, bias)


def test_star_relu_layer_takes_numbers_only():
    for bad in (math.nan, [0.5], np.array([0.5]), "0.5"):
        with pytest.raises(ValueError, match="scale"):
            L.StarReLU(scale=bad)
    with pytest.raises(ValueError, match="shared_axes"):  # Keras's unknown-argument error
        L.StarReLU(shared_axes=[1])  # one scalar each, shared by every element


def test_star_relu_gradients_to_scale_and_bias_float64():
    x = np.random.default_rng(6).uniform(-3.0, 3.0, size=(5, 4))
    for scale, bias in ((0.8944, -0.4472), (np.array([0.5, -1.0, 2.0, 0.1]), np.array([0.3]))):
        f = lambda t, s, b: A.star_relu(t, scale=s, bias=b)  # noqa: E731
        theoretical, numerical = tf.test.compute_gradient(
            f, [tf.constant(x), tf.constant(scale, tf.float64), tf.constant(bias, tf.float64)], delta=1e-6
        )
        for got, want in zip(theoretical, numerical):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_star_relu_scalar_gradients_sum_the_whole_batch_exactly(dtype):
    # 4096 ones: a running sum in bfloat16 would stall at 256; the core's
    # reduction accumulates in float32 and rounds once.
    x = tf.ones((64, 64), dtype)
    scale, bias = tf.constant(1.0, dtype), tf.constant(0.0, dtype)
    with tf.GradientTape() as tape:
        tape.watch([scale, bias])
        y = A.star_relu(x, scale=scale, bias=bias)
    dscale, dbias = tape.gradient(y, [scale, bias])
    assert float(dscale) == 4096.0 and float(dbias) == 4096.0


def test_star_relu_layer_under_mixed_bfloat16(policy):
    policy("mixed_bfloat16")
    layer = L.StarReLU(scale=0.8944, bias=-0.4472)
    x = tf.constant(np.random.default_rng(7).normal(size=(8, 4)), tf.float32)
    with tf.GradientTape() as tape:
        y = layer(x)
    assert y.dtype == "bfloat16" and layer.scale.dtype == "float32"
    grads = tape.gradient(y, layer.trainable_weights)
    assert all(g is not None and g.dtype == "float32" and np.isfinite(g.numpy()) for g in grads)
