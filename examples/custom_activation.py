"""Define your own activation, with its gradient; use it, save it, load it.

``keras_acts.define_activation`` turns a forward formula and its backward pass
(the vector-Jacobian product) into a function, a serializable layer and an
``activation=`` string, exactly as the catalog's own activations are made.

The model is loaded back in a fresh Python process, which only has to define
the activation again (here: import this file) before ``load_model``.

Run: python examples/custom_activation.py
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_acts  # noqa: E402
from keras_acts.params import Real  # noqa: E402


# bent_identity(x) = x + scale * (sqrt(x^2 + 1) - 1): smooth, unbounded, monotonic.
def _bent_identity_backward(dy, x, y, scale):
    # d/dx = 1 + scale * x / sqrt(x^2 + 1); only x is kept for the backward pass.
    s = tf.constant(scale, x.dtype)
    return dy * (1 + s * x * tf.math.rsqrt(x * x + 1))


@keras_acts.define_activation(
    backward=_bent_identity_backward,
    keep="x",
    validators={"scale": Real(min=0.0, max=1.0)},
    formula="x + scale * (sqrt(x^2 + 1) - 1)",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    package="my_project",  # the Keras serialization package
)
def bent_identity(x, scale=0.5):
    """Bent identity: x + scale * (sqrt(x^2 + 1) - 1)."""
    s = tf.constant(scale, x.dtype)
    return x + s * (tf.sqrt(x * x + 1) - 1)


def build_and_save(path):
    # The function: its gradient is ours; compare with numeric differences.
    x = tf.constant(np.linspace(-3, 3, 7), tf.float64)
    theoretical, numerical = tf.test.compute_gradient(lambda t: bent_identity(t), [x])
    print("gradient matches numeric differences:", np.allclose(theoretical, numerical, atol=1e-8))

    # The layer and the string, in one model.
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(16),
            bent_identity.layer(scale=0.8),                          # the layer
            keras.layers.Dense(16, activation="bent_identity_custom"),  # the string
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    features = rng.normal(size=(256, 2)).astype("float32")
    target = np.sin(features[:, :1]) + features[:, 1:] ** 2
    model.fit(features, target, epochs=5, verbose=0)
    model.save(path)
    np.save(path + ".x.npy", features)
    np.save(path + ".y.npy", model.predict(features, verbose=0))
    print("saved", path)


def load_and_compare(path):
    # This process defined bent_identity by running this file; that is all
    # load_model needs (in your project: import the module that defines it).
    model = keras.saving.load_model(path)
    features = np.load(path + ".x.npy")
    expected = np.load(path + ".y.npy")
    same = np.array_equal(model.predict(features, verbose=0), expected)
    print("fresh process: loaded", type(model.layers[1]).__name__, "- identical predictions:", same)
    return same


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--load":
        sys.exit(0 if load_and_compare(sys.argv[2]) else 1)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "bent.keras")
        build_and_save(path)
        done = subprocess.run([sys.executable, os.path.abspath(__file__), "--load", path])
    sys.exit(done.returncode)
