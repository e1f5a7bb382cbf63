"""The extension API: a user's own activation gets every face for free."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from custom_acts import gain, scaled_tanh


def test_three_faces_of_a_user_activation():
    x = np.linspace(-3, 3, 7).astype("float32")
    np.testing.assert_allclose(scaled_tanh(x).numpy(), 1.7159 * np.tanh(x), rtol=1e-6)
    np.testing.assert_allclose(scaled_tanh.layer(scale=2.0)(x).numpy(), 2 * np.tanh(x), rtol=1e-6)
    assert keras.activations.get("scaled_tanh_custom") is scaled_tanh
    assert keras_acts.get("scaled_tanh_custom") is scaled_tanh
    assert "scaled_tanh_custom" in keras_acts.names()
    assert scaled_tanh.string == "scaled_tanh_custom"
    assert scaled_tanh.layer.__name__ == "ScaledTanh"


def test_user_gradient_is_used_and_checked():
    x = tf.constant(np.linspace(-2, 2, 9))
    theoretical, numerical = tf.test.compute_gradient(lambda t: scaled_tanh(t, scale=0.5), [x])
    np.testing.assert_allclose(theoretical[0], numerical[0], rtol=1e-6, atol=1e-8)


def test_user_parameters_are_validated_at_construction():
    with pytest.raises(ValueError, match="`scale`.*-1.0"):
        scaled_tanh.layer(scale=-1.0)
    with pytest.raises(ValueError, match="`scale`"):
        scaled_tanh(tf.ones(2), scale=0.0)


def test_differentiable_parameter_gets_its_gradient_summed_to_shape():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    g = tf.constant([[2.0, 3.0, 4.0]], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(g)
        y = gain(x, g)
    np.testing.assert_array_equal(y.numpy(), g.numpy() * x.numpy())
    grad = tape.gradient(y, g)
    assert grad.shape == (1, 3)
    np.testing.assert_array_equal(grad.numpy(), x.numpy().sum(axis=0, keepdims=True))


def test_docstring_and_signature_come_from_the_forward():
    import inspect

    assert str(inspect.signature(scaled_tanh)) == "(x, scale=1.7159)"
    assert scaled_tanh.__doc__.startswith("scale * tanh(x).")
    assert "scale: float > 0.0" in scaled_tanh.__doc__
    assert "scale" in inspect.signature(scaled_tanh.layer).parameters


def test_definition_mistakes_are_reported():
    backward = lambda dy, x, y: dy  # noqa: E731
    with pytest.raises(ValueError, match="validator"):
        keras_acts.define_activation(lambda x, a=1.0: x, backward=backward, keep="x", name="no_validator")
    with pytest.raises(ValueError, match="keep"):
        keras_acts.define_activation(lambda x: x, backward=backward, keep="z", validators={}, name="bad_keep")
    with pytest.raises(TypeError, match="layer_base"):
        keras_acts.define_activation(
            lambda x: x, backward=backward, keep="x", validators={}, name="bad_base", layer_base=object
        )
    with pytest.raises(ValueError, match="layer_params"):
        keras_acts.define_activation(
            lambda x, a=1.0: x, backward=backward, keep="x", name="bad_order",
            validators={"a": keras_acts.params.Real()}, layer_params=("b",),
        )


def test_cross_parameter_check_runs_at_call_and_construction():
    def _window_check(low=0.0, high=1.0):
        if not low < high:
            raise ValueError(f"Invalid values for `low` and `high`: {low!r}, {high!r}.")

    window = keras_acts.define_activation(
        lambda x, low=0.0, high=1.0: tf.clip_by_value(x, low, high),
        backward=lambda dy, x, y, low, high: tf.where((x >= low) & (x <= high), dy, 0.0 * dy),
        keep="x",
        validators={"low": keras_acts.params.Real(), "high": keras_acts.params.Real()},
        check=_window_check,
        name="window_for_check_test",
    )
    with pytest.raises(ValueError, match="`low`"):
        window(tf.ones(2), low=2.0)
    with pytest.raises(ValueError, match="`low`"):
        window.layer(low=1.0, high=1.0)
    assert window.layer(low=-1.0).low == -1.0


def test_a_lambda_forward_saves_by_its_registered_name(tmp_path):
    plus_one = keras_acts.define_activation(
        lambda x: x + 1.0, backward=lambda dy, x, y: dy, keep="", validators={}, name="plus_one_lambda"
    )
    assert plus_one.__name__ == "plus_one_lambda"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="plus_one_lambda_custom")])
    model.save(tmp_path / "m.keras")
    x = np.ones((1, 2), "float32")
    np.testing.assert_array_equal(keras.saving.load_model(tmp_path / "m.keras")(x), model(x))
