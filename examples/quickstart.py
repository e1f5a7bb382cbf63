"""keras-acts in one minute: the three faces of an activation, and save/load.

Run: python examples/quickstart.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tempfile  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_acts  # noqa: E402  (registers the "<name>_custom" strings)

# 1. The function, with its hand-written gradient.
x = tf.constant([-2.0, -0.5, 0.0, 0.5, 2.0])
with tf.GradientTape() as tape:
    tape.watch(x)
    y = keras_acts.activations.leaky_relu(x, negative_slope=0.1)
print("x                 ", x.numpy())
print("leaky_relu(x, 0.1)", y.numpy())
print("its gradient      ", tape.gradient(y, x).numpy())

# 2. The layer, and 3. the string, in one model.
model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Dense(16),
        keras_acts.layers.LeakyReLU(negative_slope=0.1),   # the layer
        keras.layers.Dense(16, activation="tanh_custom"),  # the string
        keras.layers.Dense(3),
        keras_acts.layers.Softmax(),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
rng = np.random.default_rng(0)
features = rng.normal(size=(256, 4)).astype("float32")
labels = (features[:, 0] > 0).astype("int32") + (features[:, 1] > 1).astype("int32")
model.fit(features, labels, epochs=3, verbose=0)

# Save and load: the layer and the string come back as themselves.
with tempfile.TemporaryDirectory() as directory:
    path = os.path.join(directory, "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    same = np.array_equal(model.predict(features, verbose=0), loaded.predict(features, verbose=0))
print("saved, loaded, identical predictions:", same)

print(f"{len(keras_acts.catalog())} activations, strings such as", keras_acts.names()[:3])
try:
    keras_acts.get("leaky_rleu_custom")
except ValueError as error:
    print("a typo gets a suggestion:", error)
if not same:
    raise SystemExit("predictions changed after loading")
