"""Row-specific behavior of the element-wise catalog rows (the families
rectifiers, sigmoids, exponentials, gated and shrinkage in keras_acts/families/).

The shared table-driven tests cover values, gradients and extremes; here are
the parameters Keras does not have (so the drop-in tests cannot take them),
the places where we deliberately differ from Keras, and the aliases.
"""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from references import BY_NAME

A = keras_acts.activations
KERAS_ROWS = [
    "relu6", "elu", "selu", "celu", "threshold", "hard_tanh", "gelu", "silu",
    "swish", "mish", "softplus", "softsign", "log_sigmoid", "squareplus",
    "sparse_plus", "exponential", "linear", "tanh_shrink", "hard_sigmoid",
    "hard_silu", "hard_swish", "hard_shrink", "soft_shrink", "sparse_sigmoid",
]


def vjp(f, x, dy=None):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    dy = tf.ones_like(y) if dy is None else tf.constant(dy, y.dtype)
    return tape.gradient(y, x, output_gradients=dy).numpy()


@pytest.mark.parametrize("name", KERAS_ROWS)
def test_signature_is_keras_then_our_extras(name):
    ours = list(inspect.signature(getattr(A, name)).parameters.values())[1:]
    theirs = list(inspect.signature(getattr(keras.activations, name)).parameters.values())[1:]
    assert [(p.name, p.default) for p in ours[: len(theirs)]] == [
        (p.name, p.default) for p in theirs
    ]
    assert all(p.default is not inspect.Parameter.empty for p in ours[len(theirs):])


def test_aliases_are_the_same_activation():
    assert A.swish is A.silu and A.hard_swish is A.hard_silu
    assert keras_acts.layers.Swish is not None and keras_acts.layers.HardSwish is not None
    x = tf.constant([-2.0, 0.5, 3.0])
    for string, function in [("swish_custom", A.silu), ("hard_swish_custom", A.hard_silu)]:
        np.testing.assert_array_equal(keras.activations.get(string)(x), function(x))


def test_threshold_has_no_string_and_its_layer_needs_both_arguments():
    assert A.threshold.string is None
    with pytest.raises(TypeError):
        keras_acts.layers.Threshold(threshold=0.5)
    layer = keras_acts.layers.Threshold(0.5, -1.0)
    np.testing.assert_array_equal(layer(np.array([0.2, 0.5, 0.75, np.nan])), [-1.0, -1.0, 0.75, np.nan])


# -- softplus: beta and threshold (PyTorch's) --------------------------------


@pytest.mark.parametrize("beta,threshold", [(1.0, 20.0), (2.0, 5.0), (0.5, 3.0), (1.0, -1.0)])
def test_softplus_beta_and_linear_region(beta, threshold):
    ref = BY_NAME["softplus"]
    x = np.linspace(-30.0, 30.0, 241)
    got = A.softplus(tf.constant(x), beta=beta, threshold=threshold).numpy()
    np.testing.assert_allclose(got, ref.numpy(x, beta=beta, threshold=threshold), rtol=1e-12)
    linear = beta * x > threshold
    np.testing.assert_array_equal(got[linear], x[linear])
    grad = vjp(lambda t: A.softplus(t, beta=beta, threshold=threshold), x)
    sigmoid = 1.0 / (1.0 + np.exp(-beta * x))
    np.testing.assert_allclose(grad, np.where(linear, 1.0, sigmoid), rtol=1e-12)


def test_softplus_gradient_matches_numeric_with_parameters():
    x = np.array([-3.0, -0.7, 0.2, 1.1, 2.0])  # away from threshold / beta = 2.5
    theoretical, numerical = tf.test.compute_gradient(
        lambda t: A.softplus(t, beta=2.0, threshold=5.0), [tf.constant(x)], delta=1e-6
    )
    np.testing.assert_allclose(theoretical[0], numerical[0], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("threshold", [10.0, 17.0, 20.0, 1e6])
@pytest.mark.parametrize("fusion", ["never", "always"])
def test_softplus_float32_linear_region_is_bit_exact(threshold, fusion):
    # From a threshold of 17, float32 with beta 1 runs TensorFlow's own
    # kernels when plain; compiled, and below 17, it selects. Every path must
    # give x and dy to the bit above the threshold and match the reference
    # below it.
    x = np.concatenate([np.linspace(-30.0, 40.0, 7001), [np.inf, -np.inf]]).astype(np.float32)
    dy = np.linspace(0.5, 2.0, x.size).astype(np.float32)
    with keras_acts.config.fusion(fusion):
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = A.softplus(xt, threshold=threshold)
        dx = tape.gradient(y, xt, output_gradients=tf.constant(dy)).numpy()
    linear = x > threshold
    np.testing.assert_array_equal(y.numpy()[linear], x[linear])
    np.testing.assert_array_equal(dx[linear], dy[linear])
    x64 = x.astype(np.float64)
    ref = BY_NAME["softplus"].numpy(x64, threshold=threshold)
    finite = np.isfinite(x)
    np.testing.assert_allclose(y.numpy()[finite], ref[finite], rtol=1e-6, atol=0)
    dx_ref = np.where(linear, dy, dy / (1 + np.exp(-x64)))
    np.testing.assert_allclose(dx[finite], dx_ref[finite], rtol=1e-6, atol=0)


@pytest.mark.parametrize("name", ["softplus", "log_sigmoid"])
@pytest.mark.parametrize(
    "dtype,rtol",
    [("float32", 1e-6), ("float64", 1e-14), ("float16", 2e-3), ("bfloat16", 1.6e-2)],
)
@pytest.mark.parametrize("size", [2**12, 2**16])
def test_softplus_under_xla_matches_the_reference(name, dtype, rtol, size):
    # Under XLA, from 2^16 elements up log1p is Kahan's log form; below, XLA's
    # log1p. Both must hold full precision, out to where softplus is tiny.
    x = np.concatenate([np.linspace(-100.0, 19.9, size - 2), [np.inf, -np.inf]])
    x = -x if name == "log_sigmoid" else x
    x = tf.cast(tf.constant(x), dtype)
    f = tf.function(getattr(A, name), jit_compile=True)
    got = tf.cast(f(x), tf.float64).numpy()
    x64 = tf.cast(x, tf.float64).numpy()
    ref = BY_NAME[name].numpy(x64)
    # Rounded to the dtype first (a true value below its range is 0 there).
    ref = tf.cast(tf.cast(ref, dtype), tf.float64).numpy()
    tiny = {"float16": 6.104e-05, "bfloat16": 1.1755e-38, "float32": 1.1755e-38, "float64": 2.3e-308}
    normal = np.abs(ref) >= tiny[dtype]
    np.testing.assert_allclose(got[normal], ref[normal], rtol=rtol, atol=0)


def test_elu_family_under_xla_matches_the_reference():
    # Under XLA from 2^16 float32 elements up, expm1 is computed as 2^k
    # expm1(r), r = x - k ln(2) (numerics.expm1): full precision near 0,
    # across every k, in the saturated tail and at the edges. One compile
    # for the three.
    size = 2**16
    x = np.concatenate([
        -np.geomspace(1e-30, 1.0, size // 2),
        np.linspace(-30.0, 2.0, size // 2 - 5),
        [0.0, -0.0, -np.inf, np.inf, np.nan],
    ]).astype(np.float32)
    f = tf.function(lambda t: [A.elu(t), A.selu(t), A.celu(t, alpha=0.5)], jit_compile=True)
    x64 = x.astype(np.float64)
    refs = [
        BY_NAME["elu"].numpy(x64),
        BY_NAME["selu"].numpy(x64),
        BY_NAME["celu"].numpy(x64, alpha=0.5),
    ]
    for got, ref in zip(f(tf.constant(x)), refs):
        got = got.numpy().astype(np.float64)
        np.testing.assert_allclose(got, ref.astype(np.float32), rtol=4e-7, atol=0, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_softplus_finite_at_the_dtype_range(dtype):
    big = float(tf.as_dtype(dtype).max)
    x = tf.constant([-big, -1e4, 1e4, big], dtype)
    for beta in (1.0, 3.0):
        y = A.softplus(x, beta=beta)
        assert np.isfinite(tf.cast(y, tf.float64).numpy()).all()
        assert np.isfinite(tf.cast(vjp(lambda t: A.softplus(t, beta=beta), x), tf.float64)).all()


# -- hard_tanh: min_val and max_val ------------------------------------------


@pytest.mark.parametrize("min_val,max_val", [(-1.0, 1.0), (0.0, 6.0), (-2.5, -0.5)])
def test_hard_tanh_bounds(min_val, max_val):
    x = np.array([-np.inf, -7.0, min_val, -0.75, max_val, 0.3, 7.0, np.inf])
    got = A.hard_tanh(tf.constant(x), min_val=min_val, max_val=max_val).numpy()
    np.testing.assert_array_equal(got, np.clip(x, min_val, max_val))
    # clip_by_value's gradient: 1 on the closed interval, bounds included.
    grad = vjp(lambda t: A.hard_tanh(t, min_val=min_val, max_val=max_val), x)
    np.testing.assert_array_equal(grad, ((x >= min_val) & (x <= max_val)).astype(float))


def test_hard_tanh_rejects_empty_interval_at_call_and_construction():
    with pytest.raises(ValueError, match="min_val"):
        A.hard_tanh(tf.constant([0.0]), min_val=1.0, max_val=-1.0)
    with pytest.raises(ValueError, match="min_val.*max_val.*1.0.*-1.0"):
        keras_acts.layers.HardTanh(min_val=1.0, max_val=-1.0)
    with pytest.raises(ValueError, match="max_val"):
        keras_acts.layers.HardTanh(max_val=-2.0)


# -- parameters out of range -------------------------------------------------


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("celu", {"alpha": 0.0}),
        ("celu", {"alpha": -1.0}),
        ("softplus", {"beta": 0.0}),
        ("softplus", {"beta": float("nan")}),
        ("softplus", {"threshold": float("inf")}),
        ("squareplus", {"b": -1.0}),
        ("hard_shrink", {"threshold": -0.1}),
        ("soft_shrink", {"threshold": -0.1}),
        ("gelu", {"approximate": "yes"}),
        ("elu", {"alpha": "1"}),
    ],
)
def test_invalid_parameters_name_the_parameter_and_value(name, kwargs):
    (param, value), = kwargs.items()
    with pytest.raises(ValueError, match=param) as info:
        getattr(A, name)(tf.constant([1.0]), **kwargs)
    assert repr(value) in str(info.value) or str(value) in str(info.value)


# -- where Keras is wrong, we are right ---------------------------------------


def test_celu_gradient_at_zero_is_one():
    # celu is continuously differentiable: 1 from both sides. TensorFlow's
    # autodiff of Keras's max(x, 0) + alpha * expm1(min(x, 0) / alpha) counts
    # both ties and gives 2 at 0.
    for alpha in (1.0, 0.5, 3.0):
        got = vjp(lambda t: A.celu(t, alpha=alpha), np.array([-1e-9, 0.0, 1e-9]))
        np.testing.assert_allclose(got, [1.0, 1.0, 1.0], rtol=1e-8)


def test_float64_gelu_and_hard_sigmoid_are_float64_exact():
    x = np.linspace(-5.0, 5.0, 101)
    ref = BY_NAME["gelu"].numpy
    for approximate in (False, True):
        got = A.gelu(tf.constant(x), approximate=approximate).numpy()
        np.testing.assert_allclose(got, ref(x, approximate=approximate), rtol=1e-14, atol=1e-300)
    got = A.hard_sigmoid(tf.constant(x)).numpy()
    np.testing.assert_array_equal(got, np.clip(x + 3.0, 0.0, 6.0) / 6.0)


def test_nan_propagates_where_keras_swallows_it():
    x = tf.constant([np.nan, 2.0])
    for f in (
        lambda t: A.hard_shrink(t),
        lambda t: A.soft_shrink(t),
        lambda t: A.threshold(t, 0.0, 0.0),
    ):
        assert np.isnan(f(x).numpy()[0])


def test_squareplus_float16_has_no_cancellation():
    # Keras computes (x + sqrt(x^2 + b)) / 2 in float16: 7% off at x = -8.
    x = np.array([-8.0, -20.0, -300.0, 6e4, -6e4], np.float16)
    got = A.squareplus(tf.constant(x), b=1).numpy().astype(np.float64)
    expected = BY_NAME["squareplus"].numpy(x.astype(np.float64), b=1)
    np.testing.assert_allclose(got, expected.astype(np.float16).astype(np.float64), rtol=1e-3)


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("b", [4.0, 1.0, 0.25, 100.0])
def test_squareplus_gradient_from_its_output_is_precise(b, jit):
    # The backward keeps only y; (1 + x / s) / 2 from x would cancel for
    # x << 0, and x^2 would overflow for |x| > 1.8e19.
    x = np.concatenate([
        np.linspace(-50.0, 50.0, 20001), -np.geomspace(1e-30, 3e38, 2001), np.geomspace(1e-30, 3e38, 2001),
    ]).astype(np.float32)

    def step(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = A.squareplus(t, b=b)
        return tape.gradient(y, t)

    got = tf.function(step, jit_compile=jit)(tf.constant(x)).numpy().astype(np.float64)
    x64 = x.astype(np.float64)
    s = np.sqrt(x64 * x64 + b)
    want = np.where(x64 >= 0, (1 + x64 / s) / 2, (b / 2) / (np.abs(x64) + s) / s)
    # Below FLT_MIN * 4 / b the slope is flushed to 0 with the subnormal y^2.
    normal = want > np.finfo(np.float32).tiny * max(1.0, 4.0 / b)
    ulp = np.spacing(want[normal].astype(np.float32)).astype(np.float64)
    assert (np.abs(got[normal] - want[normal]) / ulp).max() <= 8.0
    assert np.all(got[~normal] <= want[~normal] * 1.01)


def test_squareplus_with_b_zero_is_relu_with_half_at_zero():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(A.squareplus(tf.constant(x), b=0).numpy(), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(vjp(lambda t: A.squareplus(t, b=0), x), [0.0, 0.5, 1.0])


# -- silu: no s * (1 - s) ---------------------------------------------------


@pytest.mark.parametrize("jit", [False, True])
def test_silu_gradient_is_precise_where_the_gate_saturates(jit):
    # Under XLA, below 2^21 elements, the forward and backward share one
    # sigmoid(-|x|) tensor; elsewhere each computes its own: both precise.
    # (silu's argument is x itself, not a rounded multiple, so the float64
    # formula is the exact reference.)
    x = np.linspace(-30.0, 30.0, 6001).astype(np.float32)

    def step(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = A.silu(t)
        return tape.gradient(y, t)

    got = tf.function(step, jit_compile=jit)(tf.constant(x)).numpy().astype(np.float64)
    x64 = x.astype(np.float64)
    e = np.exp(-np.abs(x64))
    gate = np.where(x64 >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    rest = x64 * e / (1.0 + e) ** 2
    # In ulp of the terms' size: where they cancel (the slope is 0 near
    # x = -1.28) no formula does better.
    ulp = np.spacing((np.abs(gate) + np.abs(rest)).astype(np.float32)).astype(np.float64)
    assert (np.abs(got - (gate + rest)) / ulp).max() <= 8.0


# -- tanh_shrink: no cancellation near 0 -------------------------------------

_TANH_SHRINK_SERIES = [  # (x - tanh x) / x^3 in powers of x^2
    1 / 3, -2 / 15, 17 / 315, -62 / 2835, 1382 / 155925, -21844 / 6081075,
    929569 / 638512875, -6404582 / 10854718875,
]


def _tanh_shrink_long_double(x):
    x = x.astype(np.longdouble)
    series = np.zeros_like(x)
    for c in reversed(_TANH_SHRINK_SERIES):
        series = series * x * x + np.longdouble(c)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.abs(x) < 0.1, x**3 * series, x - np.tanh(x))


@pytest.mark.skipif(np.finfo(np.longdouble).eps > 1e-18, reason="needs an extended long double")
@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("dtype,max_ulp", [("float32", 5.0), ("float64", 5.0)])
def test_tanh_shrink_is_precise_where_x_minus_tanh_cancels(dtype, max_ulp, jit):
    # x - tanh(x) loses every digit near 0 and some up to |x| ~ 2 (a Taylor
    # series below 0.5 and x - tanh(x) above was 24 ulp off in float32).
    x = np.concatenate([np.linspace(-4.0, 4.0, 20001), np.geomspace(1e-30, 4.0, 2001)])
    x = x.astype(dtype)
    got = tf.function(A.tanh_shrink, jit_compile=jit)(tf.constant(x)).numpy()
    want = _tanh_shrink_long_double(x)
    normal = np.abs(want) > np.finfo(dtype).tiny * 2**24  # x^3 not subnormal
    ulp = np.spacing(np.abs(want[normal]).astype(dtype)).astype(np.longdouble)
    error = np.abs(got[normal].astype(np.longdouble) - want[normal]) / ulp
    assert error.max() <= max_ulp, float(error.max())


# -- limits at infinities ----------------------------------------------------


@pytest.mark.parametrize(
    "name", ["silu", "quick_gelu", "mish", "gelu", "hard_silu", "hard_mish", "lisht", "softsign", "squareplus", "log_sigmoid", "softplus", "tanh_shrink"]
)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_gradient_at_infinities_is_the_limit(name, dtype):
    x = tf.constant([-np.inf, np.inf], dtype)
    got = tf.cast(vjp(getattr(A, name), x), tf.float64).numpy()
    expected = {
        "silu": [0, 1], "quick_gelu": [0, 1], "mish": [0, 1], "gelu": [0, 1],
        "hard_silu": [0, 1], "hard_mish": [0, 1], "lisht": [-1, 1],
        "softsign": [0, 0], "squareplus": [0, 1], "log_sigmoid": [1, 0],
        "softplus": [0, 1], "tanh_shrink": [1, 1],
    }[name]
    np.testing.assert_array_equal(got, expected)


def test_gelu_approximate_gradient_far_out_is_finite():
    x = tf.constant([-1e30, -1e4, 1e4, 1e30], tf.float32)
    got = vjp(lambda t: A.gelu(t, approximate=True), x)
    np.testing.assert_array_equal(got, [0.0, 0.0, 1.0, 1.0])


# -- memory: one tensor kept -------------------------------------------------


def test_each_backward_keeps_one_tensor():
    for name in ["relu6", "selu", "celu", "exponential"]:
        assert A.__dict__[name].spec.keep == "y"
    assert A.linear.spec.keep == ""
    assert A.elu.spec.keep(alpha=1.0) == "y" and A.elu.spec.keep(alpha=-0.5) == "x"
    assert A.squareplus.spec.keep(b=4.0) == "y" and A.squareplus.spec.keep(b=0.0) == "x"
    for name in ["gelu", "silu", "mish", "softplus", "hard_silu"]:
        assert A.__dict__[name].spec.keep == "x"


def test_elu_layer_matches_keras():
    x = np.linspace(-4.0, 4.0, 17).astype(np.float32)
    for alpha in (1.0, 0.3, -0.5):
        ours = keras_acts.layers.ELU(alpha=alpha)(x)
        theirs = keras.layers.ELU(alpha=alpha)(x)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
