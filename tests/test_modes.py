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


def _every_case(xs):
    """Value and gradient of every reference case, each on its own input."""
    return [
        value_and_grad(lambda u, name=name, params=params: getattr(keras_acts.activations, name)(u, **params), x)
        for (name, params), x in zip(CASES, xs)
    ]


@pytest.fixture(scope="module")
def three_modes():
    """Every case eagerly, then in one tf.function and in one jit_compile=True
    function over all of them: one trace and one XLA compile for the whole
    catalog instead of one per case."""
    xs = [tf.constant(smooth_inputs(BY_NAME[name], params).astype("float32")) for name, params in CASES]
    eager = _every_case(xs)
    graph = tf.function(_every_case, autograph=False)(xs)
    xla = tf.function(_every_case, autograph=False, jit_compile=True)(xs)
    return dict(zip(map(case_id, CASES), zip(eager, graph, xla)))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_eager_graph_and_xla_agree(three_modes, case):
    eager, *compiled = three_modes[case_id(case)]
    for got in compiled:
        for a, b in zip(got, eager):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_dtype_is_preserved_through_forward_and_backward(case, dtype):
    name, params = case
    f = getattr(keras_acts.activations, name)
    x = tf.cast(tf.constant(smooth_inputs(BY_NAME[name], params)), dtype)
    y, grad = value_and_grad(lambda u: f(u, **params), x)
    assert y.dtype == dtype and grad.dtype == dtype
    assert np.isfinite(tf.cast(grad, tf.float32).numpy()).all()


def _model_with_every_activation():
    """A branch per activation: its layer, and its string in a Dense layer,
    the two ways mixed precision reaches an activation."""
    inputs = keras.Input((6,))
    branches = []
    for spec in string_specs():
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
def test_mixed_precision_policies_train(policy, policy_name):
    """A step of fit under each policy, every activation's layer and string
    in one model. The steps run eagerly: the policy reaches an activation the
    same way in eager and compiled steps (as a half-type input, with float32
    variables), and half types in tf.function and XLA are checked activation
    by activation in tests/test_properties.py. A compiled fit of this
    model traces ~140 branches and held 1.3 GB."""
    policy(policy_name)
    model = _model_with_every_activation()
    model.compile(optimizer="adam", loss="mse", run_eagerly=True)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 6)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")
    head = model.layers[-1].kernel
    before = head.numpy()
    history = model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert not np.array_equal(before, head.numpy())  # the step reached the weights
    assert all(np.isfinite(w.numpy()).all() for w in model.trainable_weights)
    assert model(x).dtype == "float32"
