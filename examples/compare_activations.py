"""Compare activations on two interleaved spirals: the `keras-acts demo` as a script.

Change ACTIVATIONS, the model or the training settings below and run it again:
    python examples/compare_activations.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_acts  # noqa: E402
from keras_acts.tools.demo import split, two_spirals  # noqa: E402

# Any layer factory works here: keras_acts.layers.<Layer>(...) or keras.layers.Activation(...).
ACTIVATIONS = {
    "linear (no activation)": lambda: keras.layers.Identity(),
    "step, straight-through": lambda: keras_acts.layers.Step(straight_through=True),
    "tanh": lambda: keras_acts.layers.Tanh(),
    "relu": lambda: keras_acts.layers.ReLU(),
    "leaky_relu": lambda: keras_acts.layers.LeakyReLU(negative_slope=0.1),
}
HIDDEN = (64, 64)
EPOCHS = 60
BATCH_SIZE = 100
LEARNING_RATE = 0.01

x, y = two_spirals(points=1000, seed=0)  # generated here, no download
(x_train, y_train), (x_test, y_test) = split(x, y, test_fraction=0.3)


def make_model(activation):
    layers = [keras.Input((2,))]
    for width in HIDDEN:
        layers += [keras.layers.Dense(width), activation()]
    layers.append(keras.layers.Dense(1))  # a logit
    model = keras.Sequential(layers)
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")],
    )
    return model


print(f"{'activation':<24} {'test accuracy':>13} {'seconds':>8}")
for name, activation in ACTIVATIONS.items():
    keras.utils.set_random_seed(0)
    model = make_model(activation)
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    seconds = time.perf_counter() - start
    logits = model.predict(x_test, verbose=0)[:, 0]
    accuracy = np.mean((logits > 0) == (y_test > 0.5))
    print(f"{name:<24} {accuracy:>13.3f} {seconds:>8.1f}")
