"""Eager, tf.function and XLA agree; every dtype and mixed-precision policy works."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from catalog_cases import catalog_specs, string_specs
from references import BY_NAME, CASES, case_id, smooth_inputs


def value_and_grad(f, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return y, tape.gradient(y, x, output_gradients=tf.ones_like(y) * 0.5)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_eager_graph_and_xla_agree(case):
    name, params = case
    f = getattr(keras_acts.activations, name)
    x = tf.constant(smooth_inputs(BY_NAME[name], params).astype("float32"))
    run = lambda t: value_and_grad(lambda u: f(u, **params), t)  # noqa: E731
    eager = run(x)
    for compiled in (tf.function(run), tf.function(run, jit_compile=True)):
        for got, want in zip(compiled(x), eager):
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_dtype_is_preserved_through_forward_and_backward(case, dtype):
    name, params = case
    f = getattr(keras_acts.activations, name)
    x = tf.cast(tf.constant(smooth_inputs(BY_NAME[name], params)), dtype)
    y, grad = value_and_grad(lambda u: f(u, **params), x)
    assert y.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(tf.cast(grad, tf.float32).numpy()).all()


def _model_with_every_activation(strings=True):
    """A branch per activation: its layer, and (``strings``) its string in a
    Dense layer, the two ways mixed precision reaches an activation."""
    inputs = keras.Input((6,))
    branches = []
    for spec in string_specs() if strings else ():
        branches.append(keras.layers.Dense(4, activation=spec.string)(inputs))
    for spec in catalog_specs():
        try:
            layer = spec.layer()
        except TypeError:
            continue  # needs arguments
        branches.append(layer(keras.layers.Dense(4)(inputs)))
    outputs = keras.layers.Dense(1, dtype="float32")(keras.layers.Concatenate()(branches))
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("policy_name", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize("jit", [False, True])
def test_mixed_precision_policies_train(policy, policy_name, jit):
    policy(policy_name)
    # Compiled, the strings' branches run the very functions the layers call
    # (the policy reaches both the same way inside a compiled step), and
    # XLA's compile of both doubles the suite's longest test: layers only.
    model = _model_with_every_activation(strings=not jit)
    model.compile(optimizer="adam", loss="mse", jit_compile=jit)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x, verbose=0).dtype == np.float32
