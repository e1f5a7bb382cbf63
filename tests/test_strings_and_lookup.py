"""Strings in Keras's activation= arguments, keras_acts.get and names."""

import keras
import numpy as np
import pytest
from keras.src import activations as keras_activations

import keras_acts
from catalog_cases import catalog_specs, signed_input

STRING_SPECS = [s for s in catalog_specs() if s.string]


def test_names_lists_every_string_sorted():
    names = keras_acts.names()
    assert names == sorted(names)
    for spec in STRING_SPECS:
        assert set(spec.strings) <= set(names)
    assert {"step_custom", "sigmoid_custom", "tanh_custom", "relu_custom",
            "leaky_relu_custom", "softmax_custom"} <= set(names)


@pytest.mark.parametrize("spec", STRING_SPECS, ids=lambda s: s.name)
def test_every_string_works_as_a_dense_activation(spec):
    for string in spec.strings:
        assert keras.activations.get(string) is spec.function
        dense = keras.layers.Dense(4, activation=string)
        x = signed_input(spec)
        y = dense(x)
        linear = x @ dense.kernel.numpy() + dense.bias.numpy()
        if "training" not in spec.defaults:
            np.testing.assert_allclose(y.numpy(), spec.function(linear).numpy(), rtol=1e-6, atol=1e-6)


def test_keras_builtin_names_are_untouched():
    for key, value in keras_activations.ALL_OBJECTS_DICT.items():
        if key.endswith("_custom"):
            assert value.__module__.startswith("keras_acts") or value.spec
        else:
            assert value.__module__.startswith("keras."), key


def test_a_string_that_keras_owns_is_refused(monkeypatch):
    table = keras_activations.ALL_OBJECTS_DICT
    monkeypatch.setitem(table, "clash_custom", keras.activations.relu)
    before = dict(table)
    with pytest.raises(ValueError, match="never replaces a Keras name"):
        @keras_acts.define_activation(backward=lambda dy, x, y: dy, keep="", validators={})
        def clash(x):
            return x
    assert table == before
    with pytest.raises(ValueError):
        keras_acts.lookup("clash")


def test_missing_keras_table_is_a_clear_error(monkeypatch):
    from keras_acts.engine import hooks

    monkeypatch.delattr(keras_activations, "ALL_OBJECTS_DICT")
    with pytest.raises(ImportError, match="ALL_OBJECTS_DICT"):
        hooks.keras_string_table()


def test_get_resolves_strings_names_layers_callables_and_configs():
    relu = keras_acts.activations.relu
    assert keras_acts.get("relu_custom") is relu
    assert keras_acts.get("relu") is relu
    layer = keras_acts.layers.LeakyReLU()
    assert keras_acts.get(layer) is layer
    assert isinstance(keras_acts.get(keras_acts.layers.Tanh), keras_acts.layers.Tanh)
    assert keras_acts.get(np.tanh) is np.tanh
    revived = keras_acts.get(keras.layers.serialize(keras_acts.layers.ReLU(max_value=2.0)))
    assert isinstance(revived, keras_acts.layers.ReLU) and revived.max_value == 2.0
    x = np.array([-1.0, 2.0], "float32")
    np.testing.assert_array_equal(keras_acts.get(None)(x), x)


def test_unknown_names_suggest_the_closest():
    with pytest.raises(ValueError) as info:
        keras_acts.get("leaky_rleu_custom")
    assert "leaky_relu_custom" in str(info.value)
    with pytest.raises(TypeError, match="Could not interpret"):
        keras_acts.get(42)


def test_function_layer_and_string_are_one_thing():
    for spec in catalog_specs():
        assert spec.function.spec is spec and spec.function.layer is spec.layer
        assert spec.layer.spec is spec
        assert keras_acts.lookup(spec.name) is spec
        assert getattr(keras_acts.activations, spec.name) is spec.function
        assert getattr(keras_acts.layers, spec.layer_name) is spec.layer
        for alias, layer_alias in spec.aliases.items():
            assert getattr(keras_acts.activations, alias) is spec.function
            assert getattr(keras_acts.layers, layer_alias) is spec.layer


# -- activations that change the shape: no string -----------------------------

SHAPE_CHANGING = [s for s in catalog_specs() if s.changes_shape]


def _says_why_and_names_the_layer(message, spec):
    assert "cannot be a layer's activation= argument" in message
    assert f"keras_acts.layers.{spec.layer_name}()" in message


def test_glu_changes_the_shape_and_has_no_string():
    assert sorted(s.name for s in SHAPE_CHANGING) == ["geglu", "glu", "reglu", "swiglu"]
    glu = keras_acts.lookup("glu")
    assert glu.string is None and glu.strings == () and glu.function.string is None
    assert glu.refused_strings == ("glu_custom",)
    assert "glu_custom" not in keras_acts.names()
    assert keras_acts.lookup("glu_custom") is glu  # still a name for lookup and the tools


@pytest.mark.parametrize("spec", SHAPE_CHANGING, ids=lambda s: s.name)
def test_the_string_of_a_shape_changing_activation_raises_why(spec, tmp_path):
    for string in spec.refused_strings:
        refusal = keras.activations.get(string)  # Keras asks only whether it is callable
        with pytest.raises(ValueError) as info:
            refusal(np.ones((2, 8), "float32"))
        _says_why_and_names_the_layer(str(info.value), spec)
        # In a Dense, the first call fails, never a silently halved output.
        dense = keras.layers.Dense(8, activation=string)
        with pytest.raises(ValueError, match="would declare 8 units and return 4"):
            dense(np.ones((2, 3), "float32"))
        # A model holding it (built, never run) does not save: no file holds it.
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation=string)])
        with pytest.raises(ValueError, match="Dense\\(2 \\* units\\) then"):
            model.save(tmp_path / "halved.keras")


@pytest.mark.parametrize("spec", SHAPE_CHANGING, ids=lambda s: s.name)
def test_get_refuses_a_shape_changing_activation_however_named(spec):
    identifiers = [spec.name, *spec.refused_strings, spec.function, spec.layer, spec.layer(),
                   keras.layers.serialize(spec.layer())]
    for identifier in identifiers:
        with pytest.raises(ValueError) as info:
            keras_acts.get(identifier)
        assert str(info.value).startswith("keras_acts.get(")
        _says_why_and_names_the_layer(str(info.value), spec)


def test_the_rule_follows_the_declaration(isolated_registry):
    # A future gated activation (swiglu, geglu, ...) declares output_shape
    # and so gets no string, with no code of its own.
    def halves(input_shape, axis=-1):
        return (*input_shape[:-1], None if input_shape[-1] is None else input_shape[-1] // 2)

    @keras_acts.define_activation(
        backward=lambda dy, x, y, axis: dy, keep="", validators={"axis": keras_acts.params.Axis()},
        output_shape=halves, package="shape_tests",
    )
    def halving(x, axis=-1):
        return x[..., : x.shape[-1] // 2]

    assert halving.string is None and "halving_custom" not in keras_acts.names()
    with pytest.raises(ValueError, match="halving.layer\\(\\)"):
        keras_acts.get("halving_custom")
    with pytest.raises(ValueError, match="would declare 8 units and return 4"):
        keras.activations.get("halving_custom")(np.ones((2, 8), "float32"))
