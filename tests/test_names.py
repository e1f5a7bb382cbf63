"""Names: a user's definition never silently takes over an existing name, and
never writes into the ``keras_acts>`` package of Keras's serialization
registry, so saved models always load keras_acts's own functions."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from keras_acts.engine import registry


def _identity_backward(dy, x, y):
    return dy


def _define(**kwargs):
    def mine(x):
        return x * 0.0 + 42.0  # recognisably not the catalog's

    return keras_acts.define_activation(mine, backward=_identity_backward, keep="", **kwargs)


@pytest.fixture
def restore(request):
    """Put back the catalog entries (and Keras registry keys) a test replaces."""
    saved = {name: keras_acts.lookup(name) for name in request.param}
    custom_objects = keras.saving.get_custom_objects()
    before = dict(custom_objects)
    yield
    for spec in saved.values():
        registry.register(spec)
    for key in set(custom_objects) - set(before):
        del custom_objects[key]
    custom_objects.update(before)


def test_an_existing_name_is_refused():
    with pytest.raises(ValueError, match="'mish' is already defined"):
        _define(name="mish")
    assert keras_acts.lookup("mish").package == "keras_acts"


@pytest.mark.parametrize("restore", [["mish"]], indirect=True)
def test_replace_takes_over_the_name_and_string(restore):
    mine = _define(name="mish", replace=True, package="replacing_tests")
    assert keras_acts.get("mish") is mine
    assert keras.activations.get("mish_custom") is mine
    np.testing.assert_array_equal(mine(tf.constant([1.0])), [42.0])


def test_after_the_replacing_test_the_catalog_is_back():
    spec = keras_acts.lookup("mish")
    assert spec.package == "keras_acts"
    assert keras.activations.get("mish_custom") is spec.function


@pytest.mark.parametrize("replace", [False, True])
def test_the_catalog_package_is_refused(replace):
    with pytest.raises(ValueError, match="`package`"):
        _define(name="my_own", package="keras_acts", replace=replace)
    with pytest.raises(KeyError):
        keras.saving.get_custom_objects()["keras_acts>my_own"]


@pytest.mark.parametrize("restore", [["gelu"]], indirect=True)
def test_keras_acts_gelu_is_never_replaced_in_keras_registry(restore, tmp_path):
    ours = keras_acts.activations.gelu
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(3, activation="gelu_custom")(inputs))
    model.save(tmp_path / "gelu.keras")
    _define(name="gelu", replace=True, package="mine")
    assert keras.saving.get_registered_object("keras_acts>gelu") is ours
    loaded = keras.saving.load_model(tmp_path / "gelu.keras")
    assert loaded.layers[-1].activation is ours
