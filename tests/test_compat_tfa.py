"""TensorFlow Addons names load in Keras 3 through keras_acts.compat.tfa.

The legacy ``.h5`` files are written here with h5py in the layout tf.keras 2
saved (a ``model_config`` JSON attribute naming ``"Addons>..."`` objects, and
one weights group per layer, read back in order by Keras 3's legacy loader).
The expected predictions come from TensorFlow Addons' formulas, written out
independently in NumPy float64 below, not from keras-acts.
"""

import json
import math

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from keras.src import activations as keras_activations  # the private table tfa extends

_KERAS_STRINGS_BEFORE = set(keras_activations.ALL_OBJECTS_DICT)
import keras_acts.compat.tfa as tfa  # noqa: E402

# Importing tfa adds "Addons>..." strings to Keras's table for the whole
# process; keep them only while this module's tests run, so that the rest of
# the suite sees Keras's table as the package alone leaves it.
_ADDONS_STRINGS = {
    name: function for name, function in keras_activations.ALL_OBJECTS_DICT.items()
    if name not in _KERAS_STRINGS_BEFORE
}
for _name in _ADDONS_STRINGS:
    del keras_activations.ALL_OBJECTS_DICT[_name]


@pytest.fixture(autouse=True, scope="module")
def addons_strings_in_keras_table():
    keras_activations.ALL_OBJECTS_DICT.update(_ADDONS_STRINGS)
    yield
    for name in _ADDONS_STRINGS:
        keras_activations.ALL_OBJECTS_DICT.pop(name, None)


def test_import_adds_exactly_the_addons_strings():
    assert set(_ADDONS_STRINGS) == set(tfa.ADDONS_ACTIVATIONS)

# -- TensorFlow Addons' formulas, in NumPy float64 --------------------------------------


def np_gelu(x, approximate=True):
    if approximate:
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


def np_mish(x):
    return x * np.tanh(np.logaddexp(0.0, x))


def np_rrelu_inference(x, lower=0.125, upper=1 / 3):
    return np.where(x >= 0, x, x * (lower + upper) / 2)


def np_snake(x, frequency=1.0):
    return x + (1 - np.cos(2 * frequency * x)) / (2 * frequency)


def np_hardshrink(x, lower=-0.5, upper=0.5):
    return x * ((x < lower) | (x > upper))


def np_softshrink(x, lower=-0.5, upper=0.5):
    return np.where(x < lower, x - lower, 0.0) + np.where(x > upper, x - upper, 0.0)


def np_lisht(x):
    return x * np.tanh(x)


def np_tanhshrink(x):
    return x - np.tanh(x)


def np_sparsemax(z):
    """Sparsemax over the last axis, by sorting (as TFA computes it)."""
    z_sorted = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cumsum = np.cumsum(z_sorted, axis=-1)
    support = 1 + k * z_sorted > cumsum
    k_z = support.sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumsum, k_z - 1, axis=-1) - 1) / k_z
    return np.maximum(z - tau, 0.0)


# -- a legacy tf.keras 2 .h5 file, written by hand -----------------------------------------

ACTIVATIONS_IN_ORDER = [
    # (Addons name, TFA formula with TFA's defaults, on a Dense or an Activation layer)
    ("Addons>gelu", np_gelu, "Dense"),
    ("Addons>mish", np_mish, "Activation"),
    ("Addons>rrelu", np_rrelu_inference, "Dense"),
    ("Addons>snake", np_snake, "Dense"),
    ("Addons>hardshrink", np_hardshrink, "Dense"),
    ("Addons>softshrink", np_softshrink, "Activation"),
    ("Addons>lisht", np_lisht, "Dense"),
    ("Addons>tanhshrink", np_tanhshrink, "Dense"),
    ("Addons>sparsemax", np_sparsemax, "Dense"),
]
SNAKE_FREQUENCY = 0.7  # a trained value, not TFA's initial 1.0
WIDTH = 5


def activation_config(name, style):
    """An activation as tf.keras 2 wrote it: a string (<= 2.12) or a function dict."""
    if style == "string":
        return name
    module = "tensorflow_addons.activations." + name.split(">")[1]
    return {"module": module, "class_name": "function", "config": name, "registered_name": name}


def base_config(name, dtype):
    return {"name": name, "trainable": True, "dtype": dtype}


def dense_config(name, units, activation, dtype):
    return {
        "class_name": "Dense",
        "config": {
            **base_config(name, dtype), "units": units, "activation": activation, "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None,
        },
    }


def legacy_model(style, dtype, rng):
    """The model config, its weights by layer, and the TFA computation of it."""
    layers, weights, steps = [], {}, []
    for index, (name, formula, kind) in enumerate(ACTIVATIONS_IN_ORDER):
        dense = f"dense_{index}"
        activation = activation_config(name, style)
        kernel = rng.normal(scale=0.8, size=(WIDTH, WIDTH))
        bias = rng.normal(scale=0.3, size=(WIDTH,))
        weights[dense] = [("kernel:0", kernel), ("bias:0", bias)]
        steps.append(lambda h, k=kernel, b=bias: h @ k + b)
        if kind == "Dense":
            layers.append(dense_config(dense, WIDTH, activation, dtype))
        else:
            layers.append(dense_config(dense, WIDTH, "linear", dtype))
            layers.append({"class_name": "Activation",
                           "config": {**base_config(f"activation_{index}", dtype),
                                      "activation": activation}})
        steps.append(formula)
    # TFA's layers: GELU (exact, not its default), Snake (trained), Sparsemax.
    layers.append({"class_name": "Addons>GELU",
                   "config": {**base_config("gelu", dtype), "approximate": False}})
    steps.append(lambda h: np_gelu(h, approximate=False))
    layers.append({"class_name": "Addons>Snake",
                   "config": {**base_config("snake", dtype),
                              "frequency_initializer": {"class_name": "Ones", "config": {}}}})
    weights["snake"] = [("Variable:0", np.array(SNAKE_FREQUENCY))]
    steps.append(lambda h: np_snake(h, SNAKE_FREQUENCY))
    layers.append({"class_name": "Addons>Sparsemax",
                   "config": {**base_config("sparsemax", dtype), "axis": -1}})
    steps.append(np_sparsemax)
    input_layer = {"class_name": "InputLayer",
                   "config": {"batch_input_shape": [None, WIDTH], "dtype": dtype,
                              "sparse": False, "ragged": False, "name": "input_1"}}
    config = {"class_name": "Sequential",
              "config": {"name": "sequential", "layers": [input_layer, *layers]}}
    return config, [layer["config"]["name"] for layer in layers], weights, steps


def write_legacy_h5(path, config, layer_names, weights, dtype):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.12.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(
            {**config, "keras_version": "2.12.0", "backend": "tensorflow"}
        )
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = [name.encode() for name in layer_names]
        group.attrs["backend"] = "tensorflow"
        group.attrs["keras_version"] = "2.12.0"
        for name in layer_names:
            layer_group = group.create_group(name)
            entries = weights.get(name, [])
            layer_group.attrs["weight_names"] = [f"{name}/{w}".encode() for w, _ in entries]
            for weight_name, value in entries:
                layer_group.create_dataset(f"{name}/{weight_name}", data=value.astype(dtype))


@pytest.mark.parametrize("style", ["string", "dict"])
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-11), ("float32", 2e-5)])
def test_legacy_h5_model_naming_addons_loads_and_predicts_as_tfa(tmp_path, style, dtype, rtol):
    rng = np.random.default_rng(7)
    config, layer_names, weights, steps = legacy_model(style, dtype, rng)
    path = tmp_path / "addons_model.h5"
    write_legacy_h5(path, config, layer_names, weights, dtype)

    model = keras.saving.load_model(path, compile=False)

    x = rng.normal(scale=1.5, size=(16, WIDTH))
    cast = {"float32": np.float32, "float64": np.float64}[dtype]
    expected = x
    for step in steps:
        # In float32 TFA computes each layer in float32: round as it would.
        expected = step(cast(expected).astype(np.float64) if dtype == "float32" else expected)
    # model(x), not predict: predict's data adapter casts float64 arrays to floatx.
    predicted = np.asarray(model(x.astype(dtype)))
    np.testing.assert_allclose(predicted, expected, rtol=rtol, atol=rtol * 1e-2)
    np.testing.assert_allclose(predicted.sum(axis=-1), 1.0, rtol=1e-5)


# -- the functions with TFA's non-default arguments ------------------------------------------

X = np.array([-3.0, -0.7, -0.5, -0.3, -0.2, -1e-3, 0.0, 1e-3, 0.2, 0.3, 0.5, 0.7, 3.0])


def value_and_gradient(function, x, **kwargs):
    x = tf.constant(x, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = function(x, **kwargs)
    return np.asarray(y), np.asarray(tape.gradient(y, x))


@pytest.mark.parametrize("lower, upper", [(-0.5, 0.5), (-0.2, 0.7), (-0.7, -0.3), (0.3, 0.3)])
def test_shrinks_with_tfa_bounds(lower, upper):
    outside = (X < lower) | (X > upper)
    y, dy = value_and_gradient(tfa.hardshrink, X, lower=lower, upper=upper)
    np.testing.assert_array_equal(y, np_hardshrink(X, lower, upper))
    np.testing.assert_array_equal(dy, outside.astype(float))
    y, dy = value_and_gradient(tfa.softshrink, X, lower=lower, upper=upper)
    np.testing.assert_allclose(y, np_softshrink(X, lower, upper), rtol=1e-15, atol=1e-16)
    np.testing.assert_array_equal(dy, outside.astype(float))


@pytest.mark.parametrize("function", [tfa.hardshrink, tfa.softshrink])
def test_shrinks_refuse_crossed_bounds(function):
    with pytest.raises(ValueError, match="lower=0.5 is greater than upper=-0.5"):
        function(X, lower=0.5, upper=-0.5)


def test_functions_with_tfa_arguments():
    np.testing.assert_allclose(tfa.gelu(X), np_gelu(X, True), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(tfa.gelu(X, approximate=False), np_gelu(X, False), rtol=1e-14,
                               atol=1e-16)
    np.testing.assert_allclose(tfa.snake(X, frequency=2.5), np_snake(X, 2.5), rtol=1e-14,
                               atol=1e-16)
    np.testing.assert_allclose(tfa.rrelu(X, lower=0.2, upper=0.4),
                               np_rrelu_inference(X, 0.2, 0.4), rtol=1e-15)
    z = np.array([[1.0, 0.9, 0.0], [0.1, 2.0, -1.0]])
    np.testing.assert_allclose(tfa.sparsemax(z.T, axis=0), np_sparsemax(z).T, rtol=1e-14,
                               atol=1e-16)
    for function, formula in [(tfa.mish, np_mish), (tfa.lisht, np_lisht),
                              (tfa.tanhshrink, np_tanhshrink)]:
        np.testing.assert_allclose(function(X), formula(X), rtol=1e-13, atol=1e-16)


def test_rrelu_trains_with_random_slopes_in_bounds():
    y = np.asarray(tfa.rrelu(-np.ones(2000), lower=0.2, upper=0.4, training=True, seed=3))
    assert -0.4 <= y.min() and y.max() <= -0.2 and y.std() > 0.03


def test_rrelu_refuses_a_generator():
    with pytest.raises(ValueError, match="`rng`"):
        tfa.rrelu(X, rng=tf.random.Generator.from_seed(1))


def test_names_resolve_to_the_registered_stand_ins():
    for name, function in tfa.ADDONS_ACTIVATIONS.items():
        assert keras.activations.get(name) is function
        assert keras.saving.get_registered_object(name) is function
    for name, layer in tfa.ADDONS_LAYERS.items():
        assert keras.saving.get_registered_object(name) is layer
    # Our own names and strings are untouched by the import.
    assert keras.saving.get_registered_name(keras_acts_gelu()) != "Addons>gelu"
    assert tfa.GELU().approximate is True


def keras_acts_gelu():
    from keras_acts import activations

    return activations.gelu


def test_addons_layers_round_trip_their_configs():
    for layer in (tfa.Sparsemax(axis=1), tfa.GELU(approximate=False),
                  tfa.Snake(frequency_initializer=keras.initializers.Constant(0.5))):
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored) is type(layer)
        assert restored.get_config() == layer.get_config()
