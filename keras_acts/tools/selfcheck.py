"""``keras-acts check``: a self-test of the install, activation by activation.

For each activation: our gradient against central differences in float64
(with respect to x and to trainable parameters), at points away from likely
kinks; and a small model with its layer (and its string) saved as .keras,
loaded back, and required to predict identically.
"""

import inspect
import os
import sys
import tempfile

from keras_acts.tools import plotting


def _example_layer_params(spec):
    """Arguments for the layer constructor's required parameters."""
    examples = spec.example_params
    return {
        name: examples[name]
        for name, p in inspect.signature(spec.layer.__init__).parameters.items()
        if name != "self"
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and p.default is inspect.Parameter.empty
    }


def _special_points(params):
    """Where kinks are likely: multiples of 0.5 and around parameter values."""
    points = {k * 0.5 for k in range(-16, 17)}
    for value in params.values():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            for v in (value, -value):
                points.update({v, v - 1.0, v + 1.0})
    return sorted(points)


def probe_inputs(spec, params, seed=1234):
    """float64 inputs away from likely kinks, shaped for the activation."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pool = rng.uniform(-3.0, 3.0, 4000)
    special = np.array(_special_points(params))
    far = np.min(np.abs(pool[:, None] - special[None, :]), axis=1) > 0.02
    pool = pool[far]
    if plotting.input_kind(spec) == "pointwise":
        return pool[:24]
    return pool[:24].reshape(4, 6)


def check_gradient(spec, params, rtol=1e-5, atol=1e-6):
    """Max error of our gradient against central differences, and ok."""
    import numpy as np
    import tensorflow as tf

    x = tf.constant(probe_inputs(spec, params), tf.float64)
    static = dict(params)
    tensors = {}
    for name in spec.differentiable:
        value = params.get(name, spec.defaults.get(name))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            tensors[name] = tf.constant(float(value), tf.float64)
            static.pop(name, None)
    names = list(tensors)

    def f(x, *values):
        return spec.function(x, **static, **dict(zip(names, values)))

    try:
        theoretical, numerical = tf.test.compute_gradient(
            f, [x] + [tensors[n] for n in names], delta=1e-6
        )
    except (TypeError, ValueError):
        if not names:
            raise
        # The function takes these parameters only as Python numbers.
        names = []

        def f(x):  # noqa: F811
            return spec.function(x, **params)

        theoretical, numerical = tf.test.compute_gradient(f, [x], delta=1e-6)
    worst, ok = 0.0, True
    for t, n in zip(theoretical, numerical):
        error = np.abs(t - n)
        worst = max(worst, float(np.max(error, initial=0.0)))
        ok = ok and bool(np.all(error <= atol + rtol * np.abs(n)))
    return worst, ok, ["x"] + names


def check_save_load(spec, directory):
    """A model with the layer (and the string) survives .keras save/load."""
    import keras
    import numpy as np

    layer_params = _example_layer_params(spec)
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    h = keras.layers.Dense(8)(inputs)
    h = spec.layer(**layer_params)(h)
    h = keras.layers.Dense(6)(h)
    if spec.string is not None:
        # Last, because Keras's Dense assumes its activation keeps the shape
        # (not so for glu, as with Keras's own "glu").
        h = keras.layers.Dense(6, activation=spec.string)(h)
    model = keras.Model(inputs, h)
    rng = np.random.default_rng(0)
    for weight in model.trainable_weights:  # trained-looking weights, PReLU/Snake too
        noise = rng.normal(0.0, 0.1, tuple(weight.shape)).astype(weight.dtype)
        weight.assign(weight + noise)
    x = rng.normal(0.0, 1.5, (16, 8)).astype("float32")
    before = np.asarray(model(x, training=False))
    if not np.array_equal(before, np.asarray(model(x, training=False))):
        return False, "predictions differ between two calls before saving"
    path = os.path.join(directory, f"{spec.name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    after = np.asarray(loaded(x, training=False))
    if not any(type(layer) is spec.layer for layer in loaded.layers):
        return False, f"loaded model has no {spec.layer_name} layer"
    if not np.array_equal(before, after):
        worst = float(np.max(np.abs(before - after)))
        return False, f"predictions changed after loading (max diff {worst:.2e})"
    return True, "layer" + (" + string" if spec.string else "")


def _outcome(check, *args):
    """(ok, cell text) of one check; an exception is a failure, reported."""
    try:
        return check(*args)
    except Exception as error:  # noqa: BLE001  (reported in the table)
        return False, f"FAIL ({type(error).__name__}: {_first_line(error)})"


def _gradient_cell(spec, params):
    worst, ok, wrt = check_gradient(spec, params)
    return ok, f"{'ok' if ok else 'FAIL'} (max err {worst:.1e}, d/d {', '.join(wrt)})"


def _save_load_cell(spec, directory):
    ok, detail = check_save_load(spec, directory)
    return ok, f"{'ok' if ok else 'FAIL'} ({detail})"


def check_all(specs, params_of, verbose=False):
    """(table rows, number of failures, notes) for ``specs``; ``params_of``
    gives each activation's example arguments."""
    rows, failures, notes = [], 0, []
    with tempfile.TemporaryDirectory(prefix="keras-acts-check-") as directory:
        for spec in specs:
            params = params_of(spec)
            if params:
                shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
                notes.append(f"{spec.name}: example arguments {shown}")
            grad_ok, grad = _outcome(_gradient_cell, spec, params)
            saved_ok, saved = _outcome(_save_load_cell, spec, directory)
            ok = grad_ok and saved_ok
            failures += not ok
            rows.append([spec.name, grad, saved, "ok" if ok else "FAIL"])
            if verbose:
                print(f"{spec.name}: {rows[-1][-1]}", file=sys.stderr)
    return rows, failures, notes


def _first_line(error):
    text = str(error).strip().splitlines()
    return text[0][:160] if text else ""


