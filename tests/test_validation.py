"""One validation path: a parameter is checked the same way, with the same
message, however it arrives (function call, layer, functional call, saved
config); axes are checked against the input's rank and never wrap; misuse
raises our TypeError or ValueError, never a TensorFlow internal error."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from keras_acts import activations, layers
from keras_acts.engine.layers import ActivationCall

X = tf.constant(np.linspace(-2.0, 2.0, 6, dtype="float32").reshape(2, 3))

# (activation, parameter, a bad value, the message it gets everywhere)
BAD = [
    ("softplus", "beta", -1.0, "Invalid value for argument `beta`: -1.0"),
    ("softplus", "beta", float("nan"), "Invalid value for argument `beta`: nan"),
    ("softplus", "threshold", "2", "Invalid value for argument `threshold`: '2'"),
    ("elu", "alpha", float("inf"), "Invalid value for argument `alpha`: inf"),
    ("gelu", "approximate", 1, "Invalid value for argument `approximate`: 1"),
    ("softmax", "axis", 1.5, "Invalid value for argument `axis`: 1.5"),
    ("hard_shrink", "threshold", -0.5, "Invalid value for argument `threshold`: -0.5"),
]


def _every_path(name, params):
    """Each way a parameter arrives, as a callable that raises or not."""
    spec = keras_acts.lookup(name)
    layer_config = {**spec.layer().get_config(), **params}
    call_config = {**ActivationCall(name).get_config(), "params": params}
    return {
        "function": lambda: spec.function(X, **params),
        "layer": lambda: spec.layer(**params),
        "functional call": lambda: spec.function(keras.Input((3,)), **params),
        "layer from_config": lambda: spec.layer.from_config(layer_config),
        "ActivationCall from_config": lambda: ActivationCall.from_config(call_config),
    }


@pytest.mark.parametrize("case", BAD, ids=lambda c: f"{c[0]}.{c[1]}={c[2]!r}")
def test_every_path_refuses_with_the_same_message(case):
    name, parameter, value, message = case
    for path, make in _every_path(name, {parameter: value}).items():
        with pytest.raises((ValueError, TypeError)) as info:
            make()
        assert message in str(info.value), path


def test_unknown_keys_are_named():
    for path, make in _every_path("softplus", {"bogus": 1}).items():
        with pytest.raises((ValueError, TypeError), match="bogus"):
            make()


# -- axes ---------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [2, -3, 5, 2**32, 2**62, -(2**62), (0, 5)])
def test_function_axes_outside_the_rank_are_refused(axis):
    with pytest.raises(ValueError, match="`axis`.*rank 2"):
        activations.softmax(X, axis=axis)


@pytest.mark.parametrize(
    "layer", [layers.Softmax(axis=7), layers.LogSoftmax(axis=-5), layers.Sparsemax(axis=3),
              layers.Softmin(axis=2**32), layers.Softmax(axis=(1, 2)), layers.GLU(axis=4)],
    ids=lambda layer: f"{type(layer).__name__}({layer.axis})",
)
def test_layer_axes_are_checked_where_the_layer_meets_the_input(layer):
    # Built at construction, as Keras's stateless layers are; the axis meets
    # the input's rank where Keras shows the layer its shape (a model built
    # or loaded: compute_output_shape) and at an eager call.
    assert layer.built
    with pytest.raises(ValueError, match="`axis`"):
        layer.compute_output_shape((2, 3))
    with pytest.raises(ValueError, match="`axis`"):
        layer(keras.Input((3,)))
    with pytest.raises(ValueError, match="`axis`"):
        layer(X)


def test_a_good_axis_runs():
    layer = layers.Softmax(axis=0)
    assert layer.compute_output_shape((2, 3)) == (2, 3)
    np.testing.assert_allclose(np.sum(layer(X), axis=0), [1.0, 1.0, 1.0], rtol=1e-6)


def test_a_bad_axis_fails_when_the_model_is_built():
    with pytest.raises(ValueError, match="`axis`"):
        activations.softmax(keras.Input((3,)), axis=5)
    with pytest.raises(ValueError, match="`axis`"):
        layers.Softmax(axis=5)(keras.Input((3,)))


@pytest.mark.parametrize("name", ["softmax", "sparsemax", "log_softmax", "softmin", "glu"])
def test_scalars_are_refused_along_an_axis(name):
    with pytest.raises(ValueError, match="`axis`.*scalar"):
        getattr(activations, name)(tf.constant(1.0))


# -- tensor parameters ----------------------------------------------------------------


def test_tensor_parameters_must_broadcast_to_the_input():
    with pytest.raises(ValueError, match=r"`alpha`.*shape \(2,\).*shape \(2, 3\)"):
        activations.prelu(X, alpha=np.ones(2, "float32"))
    with pytest.raises(ValueError, match=r"`alpha`.*shape \(1, 2, 3\)"):
        activations.prelu(X, alpha=np.ones((1, 2, 3), "float32"))
    got = activations.prelu(X, alpha=np.full(3, 0.5, "float32"))
    np.testing.assert_allclose(got, np.where(X > 0, X, 0.5 * X.numpy()))


NOT_VALUES = [
    float("inf"), float("-inf"), float("nan"), "0.1", None, True, ["a"], [None], [0.1, True],
    [0.1, float("nan")], [], [[0.1], [0.2, 0.3]], [tf.constant(0.1)],
    np.array(["0.1"]), np.array([True]), np.array([1 + 2j]), np.array([np.inf]),
]


@pytest.mark.parametrize("value", NOT_VALUES, ids=repr)
def test_tensor_parameters_refuse_non_finite_and_wrong_types(value):
    # The same refusal, naming the argument, from the function and at the
    # construction of the layer that starts its weight there.
    makers = [lambda: activations.prelu(X, alpha=value)]
    if value is not None:  # the layer's `alpha=None` is no starting value: its initializer's
        makers.append(lambda: layers.PReLU(alpha=value))
    for make in makers:
        with pytest.raises(ValueError, match="Invalid value for argument `alpha`: ") as info:
            make()
        assert "a list or NumPy array of finite numbers" in str(info.value)


@pytest.mark.parametrize("value", [0.0, -1.0, [1.0, 0.0], (2.0, -0.5), np.array([[1.0, 0.0]])], ids=repr)
def test_a_frequency_is_positive_in_any_form(value):
    for make in (lambda: activations.snake(X, frequency=value), lambda: layers.Snake(frequency=value)):
        with pytest.raises(ValueError, match="Invalid value for argument `frequency`: ") as info:
            make()
        assert repr(value) in str(info.value)


def test_lists_tuples_and_arrays_are_values_like_a_tensor():
    expected = activations.prelu(X, alpha=tf.constant([0.5, -0.25, 2.0])).numpy()
    for value in ([0.5, -0.25, 2.0], (0.5, -0.25, 2), np.array([0.5, -0.25, 2.0]),
                  np.array([0.5, -0.25, 2.0], "float32"), [[0.5, -0.25, 2.0]]):
        np.testing.assert_array_equal(activations.prelu(X, alpha=value).numpy(), expected)
    np.testing.assert_array_equal(
        activations.snake(X, [1.0, 2.0, 3.0]), activations.snake(X, tf.constant([1.0, 2.0, 3.0]))
    )


@pytest.mark.parametrize(
    "value", [[0.1, 0.2], tf.constant([0.1, 0.2]), np.ones((2, 2)), [[[0.1, 0.2, 0.3]]]], ids=repr
)
def test_a_value_of_the_wrong_shape_is_named_in_every_call(value):
    with pytest.raises(ValueError, match=r"`alpha`: a value of shape \(.*shape \(2, 3\)"):
        activations.prelu(X, alpha=value)
    with pytest.raises(ValueError, match=r"`alpha`: a value of shape \(.*shape \(None, 3\)"):
        activations.prelu(keras.Input((3,)), alpha=value)


# -- a learned weight's starting value meets the input when the layer is built ----


def _bad_start(layer, input_shape):
    """The ValueError of ``layer`` built on ``input_shape``; the layer's
    first call, eager or in a model, builds it and says the same (with the
    batch size where it is known)."""
    with pytest.raises(ValueError) as info:
        layer.build(input_shape)
    message = str(info.value)
    first_sentence = message.split(". ")[0]
    for call in (lambda: layer(keras.Input(input_shape[1:])),
                 lambda: layer(np.ones((2, *input_shape[1:]), "float32"))):
        with pytest.raises(ValueError, match=re.escape(first_sentence)):
            call()
    assert not layer.built and not layer.weights
    return message


@pytest.mark.parametrize("value", [tf.constant([0.1, 0.2, 0.3]), [0.1, 0.2, 0.3], np.full(3, 0.1)], ids=repr)
def test_a_start_value_that_does_not_broadcast_fails_at_build(value):
    # The reported case: three slopes for four features.
    message = _bad_start(layers.PReLU(alpha=value), (None, 4))
    assert message.startswith("Invalid value for argument `alpha`: a value of shape (3,).")
    assert "the input's shape (None, 4)" in message and "`alpha` has shape (4,)" in message


def test_a_start_value_must_be_one_along_shared_and_batch_axes():
    message = _bad_start(layers.Snake(frequency=[[1.0], [2.0], [3.0]], shared_axes=[1]), (None, 3, 4))
    assert "`frequency`: a value of shape (3, 1)" in message and "shared_axes=[1]" in message
    message = _bad_start(layers.PReLU(alpha=np.ones((2, 4))), (None, 4))
    assert "`alpha`: a value of shape (2, 4)" in message and "batch axis" in message


def test_a_constant_initializer_of_the_wrong_shape_is_named():
    initializer = keras.initializers.Constant(np.array([0.1, 0.2, 0.3]))
    message = _bad_start(layers.PReLU(alpha_initializer=initializer), (None, 4))
    assert message.startswith("Invalid value for argument `alpha_initializer`: a value of shape (3,)")


def test_learned_weights_need_known_axes():
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU().build((None, None))
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU(shared_axes=[3]).build((None, 4))


# -- dtype policies, seeds, identifiers ------------------------------------------------


@pytest.mark.parametrize("dtype", ["int32", "bool", {"class_name": "DTypePolicy",
                                                     "config": {"name": "int32"}}])
def test_a_policy_that_cannot_hold_the_weights_is_refused(dtype):
    with pytest.raises(ValueError, match="`dtype`"):
        layers.PReLU(dtype=dtype)
    config = {**layers.PReLU().get_config(), "dtype": dtype}
    with pytest.raises(ValueError, match="`dtype`"):
        layers.PReLU.from_config(config)


def test_a_config_that_is_not_a_policy_is_refused():
    hostile = {"module": "os", "class_name": "system", "config": {}, "registered_name": None}
    with pytest.raises(ValueError, match="`dtype`"):
        layers.Mish.from_config({**layers.Mish().get_config(), "dtype": hostile})
    with pytest.raises(ValueError, match="`dtype`"):
        ActivationCall.from_config({**ActivationCall("mish").get_config(), "dtype": hostile})


@pytest.mark.parametrize("seed", [10**30, -(2**63) - 1, 2**63])
def test_seeds_must_fit_an_int64(seed):
    with pytest.raises(ValueError, match="`seed`"):
        layers.RReLU(seed=seed)
    with pytest.raises(ValueError, match="`seed`"):
        activations.rrelu(X, training=True, seed=seed)
    layers.RReLU(seed=2**63 - 1)


def test_identifiers_of_the_wrong_kind():
    with pytest.raises(ValueError, match="class_name"):
        keras_acts.get({})
    with pytest.raises(TypeError):
        keras_acts.get(123)
    with pytest.raises(TypeError):
        keras_acts.lookup(123)
    with pytest.raises(ValueError, match="`activation`"):
        ActivationCall({"class_name": "__lambda__"})
