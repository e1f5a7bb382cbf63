"""Fusion policy: an unknown dimension is not a small tensor, and the cache
is bounded in entries and in eager shapes, and says so."""

import tensorflow as tf

import keras_acts
from keras_acts import config
from keras_acts.engine import fusion


def test_unknown_batch_of_wide_layers_fuses_under_auto():
    config.clear_fusion_cache()

    @tf.function(input_signature=[tf.TensorSpec([None, 1024], tf.float32)])
    def wide(x):
        return keras_acts.activations.mish(x)

    @tf.function(input_signature=[tf.TensorSpec([None, 16], tf.float32)])
    def narrow(x):
        return keras_acts.activations.mish(x)

    with config.fusion("auto"):
        wide(tf.ones((3, 1024)))
        assert config.fusion_cache_info()["entries"] == 1  # 64 x 1024 >= 2^16
        narrow(tf.ones((3, 16)))
        assert config.fusion_cache_info()["entries"] == 1  # 64 x 16 is small
    config.clear_fusion_cache()


def test_each_pair_compiles_a_bounded_number_of_eager_shapes():
    config.clear_fusion_cache()
    config.set_fusion_cache_size(config.DEFAULT_CACHE_SIZE, shapes=2)
    try:
        before = config.fusion_cache_info()["eager_shapes_compiled"]
        with config.fusion("always", min_size=0):
            for n in (3, 4, 5, 3, 6):
                x = tf.linspace(-3.0, 3.0, n)
                with config.fusion("never"):
                    expected = keras_acts.activations.gelu(x)
                tf.debugging.assert_near(keras_acts.activations.gelu(x), expected)
        info = config.fusion_cache_info()
        assert info["entries"] == 1
        assert info["shapes_per_entry"] == 2
        assert info["eager_shapes_compiled"] - before == 2  # 3 and 4; 5, 6 plain
        assert info["estimated_bytes"] == info["eager_shapes_compiled"] * fusion.BYTES_PER_COMPILED_SHAPE
        assert info["limit"] == config.DEFAULT_CACHE_SIZE
    finally:
        config.set_fusion_cache_size(config.DEFAULT_CACHE_SIZE, shapes=config.DEFAULT_SHAPE_BUDGET)
        config.clear_fusion_cache()


def test_cache_size_errors_name_the_argument():
    for call, name in (
        (lambda: config.set_fusion_cache_size(-1), "size"),
        (lambda: config.set_fusion_cache_size(4, shapes=-2), "shapes"),
        (lambda: config.set_fusion("sometimes"), "mode"),
    ):
        try:
            call()
        except ValueError as error:
            assert f"`{name}`" in str(error)
        else:
            raise AssertionError(f"no error for {name}")
