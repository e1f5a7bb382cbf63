"""Layers: construction, config round trips, shapes, masks, Keras signatures."""

import inspect
import math

import keras
import numpy as np
import pytest

import keras_acts
from catalog_cases import catalog_specs, layer_case_id, layer_cases, signed_input

CASES = layer_cases()


def has_weights(layer):
    layer.build((None, 8))
    return bool(layer.weights)


@pytest.mark.parametrize("case", CASES, ids=layer_case_id)
def test_layer_applies_the_function(case):
    spec, kwargs = case
    layer = spec.layer(**kwargs)
    x = signed_input(spec)
    if has_weights(layer) or "training" in spec.defaults:
        pytest.skip("trainable or random layers: tests/test_parametric.py")
    np.testing.assert_array_equal(layer(x).numpy(), spec.function(x, **layer.params).numpy())


@pytest.mark.parametrize("case", CASES, ids=layer_case_id)
def test_config_round_trip(case):
    spec, kwargs = case
    layer = spec.layer(**kwargs)
    x = signed_input(spec)
    expected = layer(x)
    config = layer.get_config()
    clone = spec.layer.from_config(config)
    assert clone.get_config() == config
    revived = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(revived) is spec.layer
    assert revived.get_config() == config
    for other in (clone, revived):
        other.build(x.shape)
        other.set_weights(layer.get_weights())
        if "training" not in spec.defaults:
            np.testing.assert_array_equal(other(x).numpy(), expected.numpy())


@pytest.mark.parametrize("case", CASES, ids=layer_case_id)
def test_compute_output_shape_matches_the_output(case):
    spec, kwargs = case
    layer = spec.layer(**kwargs)
    x = signed_input(spec, shape=(2, 6, 8))
    assert tuple(layer.compute_output_shape(x.shape)) == tuple(layer(x).shape)
    symbolic = layer(keras.Input((6, 8)))
    assert tuple(symbolic.shape) == (None, *layer(x).shape[1:])


@pytest.mark.parametrize("spec", catalog_specs(), ids=lambda s: s.layer_name)
def test_masks_pass_through(spec):
    inputs = keras.Input((5, 8))
    masked = keras.layers.Masking(mask_value=0.0)(inputs)
    try:
        layer = spec.layer()
    except TypeError:
        pytest.skip("needs arguments")
    outputs = layer(masked)
    assert layer.supports_masking
    assert outputs._keras_mask is not None


KERAS_LAYERS = [
    spec for spec in catalog_specs() if hasattr(keras.layers, spec.layer_name)
]


@pytest.mark.parametrize("spec", KERAS_LAYERS, ids=lambda s: s.layer_name)
def test_constructor_matches_keras(spec):
    # Keras's arguments, in Keras's order with Keras's defaults; ours may add
    # keyword-only ones (PReLU's `alpha=` starting value) with defaults.
    ours = inspect.signature(spec.layer).parameters
    theirs = inspect.signature(getattr(keras.layers, spec.layer_name)).parameters
    extra = [p for p in ours.values() if p.kind is p.KEYWORD_ONLY]
    assert all(p.default is not p.empty and p.name not in theirs for p in extra)
    assert [(n, p.default) for n, p in ours.items() if p not in extra] == [
        (n, p.default) for n, p in theirs.items()
    ]


@pytest.mark.parametrize("case", CASES, ids=layer_case_id)
def test_invalid_parameters_fail_at_construction(case):
    spec, valid = case
    for name, p in inspect.signature(spec.layer).parameters.items():
        if p.kind is not p.POSITIONAL_OR_KEYWORD:
            continue
        for bad in (math.nan, "nonsense", [1.5]):
            with pytest.raises(ValueError) as info:
                spec.layer(**{**valid, name: bad})
            assert name in str(info.value)


def test_relu_layer_positional_order_is_keras():
    layer = keras_acts.layers.ReLU(6.0)
    assert layer.max_value == 6.0 and layer.negative_slope == 0.0


def test_relu_layer_rejects_what_keras_rejects():
    for kwargs in ({"max_value": -1.0}, {"negative_slope": -0.1}, {"threshold": -0.5}):
        with pytest.raises(ValueError, match=list(kwargs)[0]):
            keras_acts.layers.ReLU(**kwargs)
    with pytest.raises(ValueError, match="negative_slope"):
        keras_acts.layers.LeakyReLU(negative_slope=-0.1)


def test_softmax_layer_mask_matches_keras():
    x = np.random.default_rng(0).normal(size=(2, 3, 5)).astype("float32")
    mask = np.array([[1, 1, 0, 1, 0]] * 3 * 2).reshape(2, 3, 5).astype(bool)
    ours = keras_acts.layers.Softmax()(x, mask=mask)
    theirs = keras.layers.Softmax()(x, mask=mask)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
    fully_masked = np.zeros((1, 5), bool)
    np.testing.assert_array_equal(keras_acts.layers.Softmax()(x[0, :1], mask=fully_masked), 0.0)
    with pytest.raises(ValueError, match="broadcastable"):
        keras_acts.layers.Softmax()(x, mask=np.ones((2, 3, 4), bool))


def test_softmax_layer_tuple_axis_and_config():
    layer = keras_acts.layers.Softmax(axis=(1, 2))
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(layer(x).numpy().sum(axis=(1, 2)), 1.0, rtol=1e-6)
    assert keras_acts.layers.Softmax.from_config(layer.get_config()).axis == (1, 2)
