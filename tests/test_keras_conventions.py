"""Keras conventions: Keras's own layer-test harness over every layer,
cross-entropy from logits, and learning through step."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.testing import TestCase

import keras_acts
from catalog_cases import catalog_specs, signed_input

# -- Keras's own layer tests, on every layer of the catalog ---------------------

HARNESS_SHAPE = (2, 3, 4)


def _init_kwargs(spec):
    """The layer's arguments from the documented example (the required ones;
    PReLU's `alpha=` starting value too)."""
    accepted = inspect.signature(spec.layer).parameters
    return {k: v for k, v in spec.example_params.items() if k in accepted}


@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")  # the harness's own fit,
@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")  # of RReLU
@pytest.mark.parametrize("spec", catalog_specs(), ids=lambda s: s.layer_name)
def test_keras_layer_harness(spec):
    """``keras.src.testing.TestCase.run_layer_test``, as Keras tests its own
    layers: config and serialization round trips, build and symbolic call,
    weight and seed-generator counts, masking, built at construction where
    stateless (a subclass overriding ``build`` is not), an eager call and a
    mixed_float16 call. Inputs have both signs (Keras's own feed [0, 3)). A
    compiled training step, an XLA compile a layer (~0.2 s), runs only where
    training changes something: learned weights, rrelu's random slopes."""
    kwargs = _init_kwargs(spec)
    learned = len(spec.differentiable) if spec.layer.holds_weights else 0
    random = "training" in spec.defaults  # rrelu: one SeedGenerator, its state a variable
    output_shape = spec.layer(**kwargs).compute_output_shape(HARNESS_SHAPE)
    TestCase().run_layer_test(
        spec.layer,
        kwargs,
        input_data=signed_input(spec, shape=HARNESS_SHAPE),
        expected_output_shape=tuple(output_shape),
        expected_output_dtype="float32",
        expected_num_trainable_weights=learned,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=int(random),
        expected_num_non_trainable_variables=int(random),
        expected_num_losses=0,
        supports_masking=True,
        assert_built_after_instantiation=not learned,
        run_training_check=bool(learned or random),
        run_mixed_precision_check=True,
    )


# -- cross-entropy from logits ------------------------------------------------------


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
