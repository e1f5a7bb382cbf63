"""The ``keras-acts demo``: two interleaved spirals, one small MLP, many activations.

The data set is generated here (fixed seed, no download). The same MLP is
trained with no activation (``linear``), which cannot separate the spirals,
and with activations from the catalog, which can; ``step`` is trained
through its straight-through gradient. Everything is seeded, so a run is
repeatable on one machine.
"""

import dataclasses
import math
import os
import sys
import tempfile
import time

import numpy as np

from keras_acts_cli.terminal import tensorflow_start_hidden

# (label, activation name, layer arguments), in order of preference; the
# first MAX_CHOICES are trained.
DEFAULT_CHOICES = (
    ("linear", "linear", {}),
    ("step (straight-through)", "step", {"straight_through": True}),
    ("tanh", "tanh", {}),
    ("relu", "relu", {}),
    ("gelu", "gelu", {}),
    ("mish", "mish", {}),
    ("snake", "snake", {}),
    ("leaky_relu", "leaky_relu", {}),
    ("sigmoid", "sigmoid", {}),
)
MAX_CHOICES = 7
QUICK_CHOICES = (
    ("linear", "linear", {}),
    ("step (straight-through)", "step", {"straight_through": True}),
    ("relu", "relu", {}),
)

LINEAR_FAILS_BELOW = 0.75
SOLVED_ABOVE = 0.95


@dataclasses.dataclass
class Settings:
    points: int = 1000  # per spiral
    test_fraction: float = 0.3
    hidden: tuple = (64, 64)
    max_epochs: int = 150
    batch_size: int = 100
    learning_rate: float = 0.01
    stop_at_accuracy: float = 0.995  # training accuracy that ends training
    patience: int = 20  # epochs without a 1% better loss that end training
    seed: int = 0


QUICK = Settings(points=200, max_epochs=3)


def two_spirals(points=1000, noise=0.04, turns=1.75, radius=3.0, seed=0):
    """Two interleaved spirals in the plane: ``(x, y)`` with labels 0 and 1.

    ``x`` has shape ``(2 * points, 2)`` (float32, within about
    [-radius, radius]);
    ``y`` has shape ``(2 * points,)``. The spirals are each other rotated by
    half a turn, so no straight line (and no linear model) separates them.
    """
    rng = np.random.default_rng(seed)
    # sqrt spreads the points evenly along the arm, not crowded at the centre.
    t = np.sqrt(rng.uniform(0.0, 1.0, points)) * turns * 2 * math.pi
    r = radius * t / (turns * 2 * math.pi)
    arm = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    x = np.concatenate([arm, -arm]) + rng.normal(0.0, noise * radius, (2 * points, 2))
    y = np.concatenate([np.zeros(points), np.ones(points)])
    order = rng.permutation(2 * points)
    return x[order].astype("float32"), y[order].astype("float32")


def split(x, y, test_fraction):
    n_test = int(round(len(x) * test_fraction))
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def build_model(name, params, settings):
    """The demo MLP with activation ``name`` (``keras_acts.layers`` layer)."""
    import keras
    import keras_acts

    make = keras_acts.lookup(name).layer
    inputs = keras.Input((2,))
    h = inputs
    for width in settings.hidden:
        h = keras.layers.Dense(width)(h)
        h = make(**params)(h)
    outputs = keras.layers.Dense(1)(h)  # a logit
    model = keras.Model(inputs, outputs, name=f"spirals_{name}")
    model.compile(
        optimizer=keras.optimizers.Adam(settings.learning_rate),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")],
    )
    return model


def _progress_callback(label, settings, stream):
    import keras

    tty = hasattr(stream, "isatty") and stream.isatty()

    class Progress(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0
            self.best_loss = float("inf")
            self.best_epoch = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs = epoch + 1
            logs = logs or {}
            acc = logs.get("accuracy", float("nan"))
            loss = logs.get("loss", float("nan"))
            if loss < 0.99 * self.best_loss:
                self.best_loss, self.best_epoch = loss, self.epochs
            if acc >= settings.stop_at_accuracy:
                self.model.stop_training = True
            if self.epochs - self.best_epoch >= settings.patience:
                self.model.stop_training = True  # a plateau: it has given up
            every = 1 if tty else 25
            if self.epochs % every == 0 or self.model.stop_training:
                line = (
                    f"  {label:<24} epoch {self.epochs:>3}/{settings.max_epochs}"
                    f"  train accuracy {acc:.3f}"
                )
                stream.write(("\r" + line) if tty else line + "\n")
                stream.flush()

        def on_train_end(self, logs=None):
            if tty:
                stream.write("\n")
                stream.flush()

    return Progress()


def train_one(label, name, params, data, settings, stream=sys.stderr):
    """Train the MLP with one activation; return ``(result dict, model)``."""
    import keras

    (x_train, y_train), (x_test, y_test) = data
    with tensorflow_start_hidden():  # Keras seeds TensorFlow too where it is installed
        keras.utils.set_random_seed(settings.seed)
    model = build_model(name, params, settings)
    progress = _progress_callback(label, settings, stream)
    start = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=settings.batch_size,
        epochs=settings.max_epochs,
        verbose=0,
        shuffle=True,
        callbacks=[progress],
    )
    seconds = time.perf_counter() - start
    logits = model.predict(x_test, batch_size=1024, verbose=0)[:, 0]
    accuracy = float(np.mean((logits > 0) == (y_test > 0.5)))
    result = {
        "activation": label,
        "name": name,
        "params": params,
        "accuracy": round(accuracy, 4),
        "epochs": progress.epochs,
        "seconds": round(seconds, 2),
    }
    return result, model


def round_trip(model, x, directory):
    """Save ``model`` as .keras, load it back; True if predictions are identical."""
    import keras

    path = os.path.join(directory, "best.keras")
    with tensorflow_start_hidden():  # Keras's saving imports it where it is installed
        model.save(path)
        loaded = keras.saving.load_model(path)
    before = model.predict(x, batch_size=1024, verbose=0)
    after = loaded.predict(x, batch_size=1024, verbose=0)
    return path, bool(np.array_equal(before, after))


def run(quick=False, choices=None, settings=None, stream=sys.stderr, save_dir=None):
    """Run the demo; returns a dict with ``results``, ``best`` and the round trip.

    Progress goes to ``stream``; nothing is printed to stdout.
    """
    import keras  # noqa: F401  (imports the backend before timing starts)

    settings = settings or (QUICK if quick else Settings())
    if choices is None:
        choices = (QUICK_CHOICES if quick else DEFAULT_CHOICES)[:MAX_CHOICES]
    x, y = two_spirals(settings.points, seed=settings.seed)
    data = split(x, y, settings.test_fraction)
    stream.write(
        f"Two interleaved spirals: {len(data[0][0])} training and "
        f"{len(data[1][0])} test points; MLP 2-{'-'.join(map(str, settings.hidden))}-1, "
        f"Adam, up to {settings.max_epochs} epochs (stops at training accuracy "
        f"{settings.stop_at_accuracy}).\n"
    )
    results, models = [], {}
    start = time.perf_counter()
    for i, (label, name, params) in enumerate(choices, 1):
        stream.write(f"[{i}/{len(choices)}] {label}\n")
        stream.flush()
        result, model = train_one(label, name, params, data, settings, stream)
        results.append(result)
        models[label] = model
    best = max(
        (r for r in results if r["name"] != "linear"),
        key=lambda r: (r["accuracy"], -r["seconds"]),
        default=results[0],
    )
    owned = save_dir is None
    directory = tempfile.mkdtemp(prefix="keras-acts-demo-") if owned else save_dir
    path, identical = round_trip(models[best["activation"]], data[1][0], directory)
    return {
        "results": results,
        "best": best["activation"],
        "saved": path,
        "round_trip_identical": identical,
        "total_seconds": round(time.perf_counter() - start, 2),
        "data": data,
        "models": models,
        "settings": settings,
    }


def verdict(outcome):
    """Lines saying whether the demo showed what it should."""
    lines = []
    ok = True
    for r in outcome["results"]:
        if r["name"] == "linear" and r["accuracy"] >= LINEAR_FAILS_BELOW:
            ok = False
            lines.append(f"unexpected: linear reached {r['accuracy']:.3f}")
    solved = [r["activation"] for r in outcome["results"] if r["accuracy"] > SOLVED_ABOVE]
    if not solved:
        ok = False
    return ok, solved, lines
