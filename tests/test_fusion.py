"""Fused (XLA-compiled forward and backward) and plain paths agree; the
fusion switch does what it says. No timings here: see keras_acts.bench."""

import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from keras_acts import config
from keras_acts.engine import fusion
from catalog_cases import catalog_specs
from keras_acts.tools.bench import bench_params
from keras_acts.tools.properties import TOLERANCES

SPECS = catalog_specs()
# Fused and plain paths agree in every dtype, on edge values, for one
# activation of each kind: tests/test_properties.py. Here, what the fusion
# engine does around them: inside tf.function and model-wide XLA, the switch,
# the cache, unknown batch dimensions.


def _inputs(dtype, shape=(6, 40)):
    rng = np.random.default_rng(0)
    x = (3 * rng.normal(size=shape)).astype(np.float64)
    return tf.cast(x, dtype), rng.normal(size=shape)


def _assert_close(a, b, dtype):
    rtol, atol = TOLERANCES[dtype]
    np.testing.assert_allclose(
        tf.cast(a, tf.float64).numpy(), tf.cast(b, tf.float64).numpy(),
        rtol=rtol, atol=atol, equal_nan=True,
    )


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("name", ["gelu", "mish", "softmax", "relu", "prelu", "snake"])
def test_fused_inside_tf_function_and_model_wide_xla(name, jit):
    spec = keras_acts.lookup(name)
    params = bench_params(spec)
    x, dy = _inputs("float32")

    def step(x, dy):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = spec.function(x, **params)
        return y, tape.gradient(y, x, output_gradients=dy)

    dy = tf.constant(dy, tf.float32)
    with config.fusion("never"):
        y0, dx0 = step(x, dy)
    with config.fusion("always"):
        y1, dx1 = tf.function(step, jit_compile=jit)(x, dy)
    _assert_close(y1, y0, "float32")
    _assert_close(dx1, dx0, "float32")


def test_fused_parameter_gradients_match():
    x = tf.constant(np.linspace(-3, 3, 24).reshape(4, 6), tf.float32)
    w = tf.constant(np.random.default_rng(0).normal(size=(4, 6)), tf.float32)
    layer = keras_acts.layers.PReLU()
    layer.build(x.shape)
    layer.alpha.assign(tf.fill(layer.alpha.shape, 0.3))
    grads = []
    for mode in ("never", "always"):
        with config.fusion(mode), tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) * w)
        grads.append(tape.gradient(loss, layer.alpha))
    _assert_close(grads[1], grads[0], "float32")


def test_auto_fuses_large_multi_kernel_activations_only():
    config.clear_fusion_cache()
    with config.fusion("auto", min_size=1024):
        keras_acts.activations.gelu(tf.ones((4, 8)))  # small: plain
        assert not fusion.cached_pairs()
        keras_acts.activations.gelu(tf.ones((64, 64)))  # large: fused
        assert len(fusion.cached_pairs()) == 1
        keras_acts.activations.relu(tf.ones((64, 64)))  # one kernel: plain
        assert len(fusion.cached_pairs()) == 1
        keras_acts.activations.softmax(tf.ones((64, 64)))  # both marked native
        assert len(fusion.cached_pairs()) == 1
        # Each pass on its own: softsign's forward is a clamp and a kernel,
        # its backward the one SoftsignGrad kernel.
        keras_acts.activations.softsign(tf.ones((64, 64)))
        assert len(fusion.cached_pairs()) == 2
        forward, backward = list(fusion.cached_pairs())[-1]
        compiled = tf.types.experimental.PolymorphicFunction
        assert isinstance(forward, compiled)
        assert not isinstance(backward, compiled)
    config.clear_fusion_cache()


def test_never_fuses_nothing_and_always_fuses_small():
    config.clear_fusion_cache()
    with config.fusion("never"):
        keras_acts.activations.mish(tf.ones((256, 256)))
    assert not fusion.cached_pairs()
    with config.fusion("always"):
        keras_acts.activations.mish(tf.ones((2,)))
    assert len(fusion.cached_pairs()) == 1
    config.clear_fusion_cache()


def test_random_activations_never_fuse():
    config.clear_fusion_cache()
    with config.fusion("always"):
        keras_acts.activations.rrelu(tf.ones((8, 8)), training=True, seed=1)
    assert not fusion.cached_pairs()
    config.clear_fusion_cache()


def test_unknown_batch_dimension_fuses_without_retracing_the_caller():
    config.clear_fusion_cache()
    traces = []

    @tf.function(input_signature=[tf.TensorSpec([None, 512], tf.float32)])
    def f(x):
        traces.append(1)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = keras_acts.activations.silu(x)
        return tape.gradient(y, x)

    with config.fusion("auto", min_size=256):
        for batch in (1, 3, 7, 3):
            x = tf.random.stateless_normal((batch, 512), seed=(1, batch))
            with config.fusion("never"):
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = keras_acts.activations.silu(x)
                expected = tape.gradient(y, x)
            _assert_close(f(x), expected, "float32")
    assert len(traces) == 1
    assert len(fusion.cached_pairs()) == 1
    config.clear_fusion_cache()


def test_fusion_cache_is_bounded():
    config.clear_fusion_cache()
    config.set_fusion_cache_size(2)
    try:
        with config.fusion("always"):
            for name in ("gelu", "mish", "silu", "softplus"):
                getattr(keras_acts.activations, name)(tf.ones((4,)))
        assert len(fusion.cached_pairs()) == 2
    finally:
        config.set_fusion_cache_size(config.DEFAULT_CACHE_SIZE)
        config.clear_fusion_cache()


def test_eager_calls_reuse_one_compiled_pair_per_parameters():
    config.clear_fusion_cache()
    with config.fusion("always"):
        for _ in range(3):
            keras_acts.activations.elu(tf.ones((8,)), alpha=0.5)
        keras_acts.activations.elu(tf.ones((8,)), alpha=2.0)
        keras_acts.activations.elu(tf.ones((8,), tf.float64), alpha=2.0)
    assert len(fusion.cached_pairs()) == 3
    config.clear_fusion_cache()


def test_switch_validates_and_restores():
    assert config.fusion_mode() == "auto"
    with pytest.raises(ValueError):
        config.set_fusion("sometimes")
    with pytest.raises(ValueError):
        with config.fusion("always", min_size=-1):
            pass
    with config.fusion("never", min_size=5):
        assert config.fusion_mode() == "never"
        assert config.fusion_min_size() == 5
        with config.fusion("always"):
            assert config.fusion_mode() == "always"
            assert config.fusion_min_size() == 5
        assert config.fusion_mode() == "never"
    assert config.fusion_mode() == "auto"
    assert config.fusion_min_size() == config.DEFAULT_MIN_SIZE
    config.set_fusion("never", min_size=7)
    try:
        assert config.fusion_mode() == "never"
        assert config.fusion_min_size() == 7
    finally:
        config.set_fusion("auto", min_size=config.DEFAULT_MIN_SIZE)


def test_every_backward_keeps_at_most_one_tensor():
    for spec in SPECS:
        params = bench_params(spec)
        if params is None:
            continue
        static = {
            k: v for k, v in {**spec.defaults, **params}.items()
            if k not in spec.differentiable
        }
        keep = spec.kept(static)
        assert len(keep) <= 1, (spec.name, keep)


def test_relu_family_keeps_the_output_like_tensorflow():
    # The input (a BiasAdd's output) then has one consumer, so grappler's
    # MatMul + BiasAdd + Relu fusion survives our custom gradient.
    spec = keras_acts.lookup("relu")
    assert spec.kept(dict(negative_slope=0.0, max_value=None, threshold=0.0)) == "y"
    assert spec.kept(dict(negative_slope=0.0, max_value=6.0, threshold=0.0)) == "y"
    assert keras_acts.lookup("leaky_relu").kept(dict(negative_slope=0.2)) == "y"


def test_auto_leaves_model_wide_xla_to_fuse_by_itself():
    config.clear_fusion_cache()
    with config.fusion("auto", min_size=16):
        tf.function(keras_acts.activations.gelu, jit_compile=True)(tf.ones((64, 64)))
        assert not fusion.cached_pairs()
        tf.function(keras_acts.activations.gelu)(tf.ones((64, 64)))
        assert len(fusion.cached_pairs()) == 1
    config.clear_fusion_cache()


def test_an_axis_activation_fuses_at_two_ranks_in_one_process():
    # Each rank compiles its own pair: one pair relaxed to an unknown rank
    # could not halve an axis.
    glu = keras_acts.activations.glu
    x3 = tf.random.stateless_normal((8, 32, 256), seed=(1, 2))
    x2 = tf.reshape(x3, (256, 256))
    with keras_acts.config.fusion("always", min_size=0):
        y3, y2 = glu(x3), glu(x2)
    np.testing.assert_array_equal(tf.reshape(y3, (256, 128)).numpy(), y2.numpy())
