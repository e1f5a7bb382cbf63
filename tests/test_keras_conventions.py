"""Keras conventions: cross-entropy from logits, and learning through step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts


@pytest.mark.parametrize("name", ["sigmoid", "softmax"])
def test_output_carries_the_logits_in_graphs(name):
    f = getattr(keras_acts.activations, name)

    @tf.function
    def probe(x):
        y = f(x)
        assert y._keras_logits is x
        return y

    probe(tf.constant([[1.0, 2.0]]))


@pytest.mark.parametrize(
    "ours, theirs, loss, labels",
    [
        ("sigmoid_custom", "sigmoid", "binary_crossentropy", np.array([[0.0], [1.0]])),
        ("softmax_custom", "softmax", "categorical_crossentropy", np.array([[0.0, 1.0], [1.0, 0.0]])),
    ],
)
def test_cross_entropy_stays_stable_on_saturated_outputs(ours, theirs, loss, labels):
    # Logits of +-200: the probabilities round to exactly 0 and 1, so only a
    # loss that works from the logits gives the true loss (~400 on average).
    x = np.array([[200.0], [-200.0]], "float32")
    losses = []
    for activation in (ours, theirs):
        units = labels.shape[1]
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(units, activation=activation)])
        model.set_weights([np.array([[1.0] * units]) * ([1.0] if units == 1 else [1.0, -1.0]), np.zeros(units)])
        model.compile(loss=loss)
        losses.append(model.evaluate(x, labels, verbose=0))
    assert losses[0] == pytest.approx(losses[1], rel=1e-6)
    assert losses[0] > 100  # not clipped at -log(epsilon)


def _xor_data(n=512):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(n, 2)).astype("float32")
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype("float32")[:, None]
    return x, y


def _step_model(straight_through):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(16),
            keras_acts.layers.Step(straight_through=straight_through),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def test_step_network_learns_with_straight_through_gradient():
    x, y = _xor_data()
    model = _step_model(straight_through=True)
    # One call per epoch (8 steps): Keras's per-call cost outweighs these tiny steps.
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"],
                  steps_per_execution=8)
    start = model.evaluate(x, y, verbose=0)[0]
    history = model.fit(x, y, epochs=40, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < 0.6 * start
    assert history.history["accuracy"][-1] > 0.85


def test_step_without_straight_through_gives_the_first_layer_no_gradient():
    x, y = _xor_data(64)
    model = _step_model(straight_through=False)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    kernel = model.layers[0].kernel.numpy().copy()
    model.fit(x, y, epochs=2, verbose=0)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), kernel)
