"""The input-type policy (keras_acts.engine.inputs.as_float_tensor):
integer and bool inputs behave as Keras's built-in of the same name, or raise
a TypeError naming the dtype; ragged tensors work for element-wise
activations; sparse tensors are refused."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from catalog_cases import catalog_specs

NON_FLOAT = ("int8", "int16", "int32", "int64", "uint8", "bool")
# Keras's relu keeps ints without parameters and with max_value, and turns
# them to floats with negative_slope: each is measured.
KERAS_PARAMS = {"relu": [{}, {"negative_slope": 0.5}, {"max_value": 2.5}],
                "leaky_relu": [{}, {"negative_slope": 0.5}]}


def _non_float_input(dtype):
    return tf.cast(tf.constant([[-3, 0, 2, 7]]), dtype)


def _keras_result(function, x, params):
    try:
        return function(x, **params)
    except Exception:  # noqa: BLE001  (Keras refuses with kernel errors too)
        return None


def _names_with_a_keras_builtin():
    names = []
    for spec in catalog_specs():
        names += [n for n in (spec.name, *spec.aliases) if hasattr(keras.activations, n)]
    return names


@pytest.mark.parametrize("name", _names_with_a_keras_builtin())
@pytest.mark.parametrize("dtype", NON_FLOAT)
def test_non_float_inputs_behave_as_keras(name, dtype):
    ours = getattr(keras_acts.activations, name)
    kind = "bool" if dtype == "bool" else "integer"
    x = _non_float_input(dtype)
    for params in KERAS_PARAMS.get(name, [keras_acts.lookup(name).example_params]):
        expected = _keras_result(getattr(keras.activations, name), x, params)
        # The declaration's keras_takes is what the installed Keras does.
        takes = keras_acts.lookup(name).edges.keras_takes
        assert (expected is not None) == (kind in takes), params
        if expected is None:
            with pytest.raises(TypeError, match=dtype):
                ours(x, **params)
            continue
        got = ours(x, **params)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


def _has_no_keras_builtin(spec):
    return not any(hasattr(keras.activations, n) for n in (spec.name, *spec.aliases))


@pytest.mark.parametrize(
    "spec", [s for s in catalog_specs() if _has_no_keras_builtin(s)], ids=lambda s: s.name
)
def test_without_a_keras_builtin_integers_and_bools_are_refused(spec):
    params = spec.example_params
    for dtype in ("int32", "bool"):
        with pytest.raises(TypeError, match=f"dtype {dtype}"):
            spec.function(_non_float_input(dtype), **params)


def test_layers_follow_the_policy():
    x = _non_float_input("int32")
    got = keras_acts.layers.ReLU()(x)
    assert got.dtype == tf.int32
    np.testing.assert_array_equal(got, [[0, 0, 2, 7]])
    with pytest.raises(TypeError, match="int32"):
        keras_acts.layers.Mish()(x)
    # A dtype policy the layer could not compute in is refused when made.
    keras_acts.layers.ReLU(dtype="int32")
    with pytest.raises(ValueError, match="`dtype`"):
        keras_acts.layers.Mish(dtype="int32")


def test_complex_and_string_inputs_are_refused():
    with pytest.raises(TypeError, match="complex64"):
        keras_acts.activations.mish(tf.constant([1 + 2j], tf.complex64))
    with pytest.raises(TypeError, match="string"):
        keras_acts.activations.relu(tf.constant(["a"]))


def test_a_users_activation_refuses_integers():
    import custom_acts

    with pytest.raises(TypeError, match="int32"):
        custom_acts.scaled_tanh(tf.constant([1, 2]))


# -- ragged and sparse ------------------------------------------------------------

RAGGED = tf.ragged.constant([[1.5, -2.0, 0.25], [3.0], [-0.5, 0.75]])


def _row_by_row(function, ragged):
    return [np.asarray(function(tf.constant([row])))[0] for row in ragged.to_list()]


@pytest.mark.parametrize(
    "spec", [s for s in catalog_specs() if s.kind == "elementwise"], ids=lambda s: s.name
)
def test_ragged_inputs_work_for_elementwise_activations(spec):
    params = spec.example_params
    got = spec.function(RAGGED, **params)
    assert isinstance(got, tf.RaggedTensor)
    expected = _row_by_row(lambda x: spec.function(x, **params), RAGGED)
    for row, want in zip(got.to_list(), expected):
        np.testing.assert_allclose(row, want, rtol=1e-6)


@pytest.mark.parametrize(
    "spec", [s for s in catalog_specs() if s.kind == "elementwise"], ids=lambda s: s.name
)
def test_ragged_inputs_work_for_elementwise_layers(spec):
    # Learned weights are shared along the ragged axis (its size is unknown);
    # scalar ones (StarReLU's) are shared along every axis already.
    per_element = "shared_axes" in inspect.signature(spec.layer).parameters
    kwargs = {"shared_axes": [1]} if per_element else spec.example_params
    layer = spec.layer(**kwargs)
    got = layer(RAGGED)
    assert isinstance(got, tf.RaggedTensor)
    expected = _row_by_row(layer, RAGGED)
    for row, want in zip(got.to_list(), expected):
        np.testing.assert_allclose(row, want, rtol=1e-6)


def test_ragged_gradients_flow():
    with tf.GradientTape() as tape:
        tape.watch(RAGGED.flat_values)
        x = RAGGED.with_flat_values(RAGGED.flat_values)
        y = keras_acts.activations.mish(x)
    ragged_grad = tape.gradient(y.flat_values, RAGGED.flat_values)
    with tf.GradientTape() as tape:
        flat = RAGGED.flat_values
        tape.watch(flat)
        dense = keras_acts.activations.mish(flat)
    np.testing.assert_allclose(ragged_grad, tape.gradient(dense, flat), rtol=1e-6)


def test_ragged_tensor_parameters_must_broadcast_to_the_uniform_dims():
    ragged = tf.RaggedTensor.from_row_lengths(tf.ones((5, 3)), [2, 3])  # (2, None, 3)
    got = keras_acts.activations.prelu(-ragged, alpha=np.full(3, 0.5, "float32"))
    np.testing.assert_allclose(got.flat_values, np.full((5, 3), -0.5))
    with pytest.raises(ValueError, match="`alpha`.*shape \\(5, 3\\)"):
        keras_acts.activations.prelu(ragged, alpha=np.ones((5, 3), "float32"))


@pytest.mark.parametrize(
    "spec", [s for s in catalog_specs() if s.kind != "elementwise"], ids=lambda s: s.name
)
def test_ragged_inputs_are_refused_along_an_axis(spec):
    with pytest.raises(TypeError, match="RaggedTensor"):
        spec.function(RAGGED)
    with pytest.raises(TypeError, match="RaggedTensor"):
        spec.layer()(RAGGED)


def test_sparse_inputs_are_refused():
    sparse = tf.sparse.from_dense(tf.constant([[1.0, 0.0], [0.0, -2.0]]))
    with pytest.raises(TypeError, match="SparseTensor"):
        keras_acts.activations.mish(sparse)
    with pytest.raises(TypeError, match="SparseTensor"):
        keras_acts.layers.Softmax()(sparse)
