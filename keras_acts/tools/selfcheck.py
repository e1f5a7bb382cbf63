"""``keras-acts check``: a self-test of the install, activation by activation.

For each activation: our gradient against central differences in float64
(with respect to x and to trainable parameters), at points away from likely
kinks, through the active Keras backend's autodiff in each of its modes
(``autodiff.gradient_modes``: eager on TensorFlow and PyTorch, eager and
``jax.jit`` on JAX); and a small model with its layer (and its string) saved
as .keras, loaded back, and required to predict identically.
"""

import inspect
import os
import sys
import tempfile

from keras_acts.tools import autodiff
from keras_acts_cli.terminal import tensorflow_start_hidden


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
    if spec.kind == "elementwise":
        return pool[:24]
    return pool[:24].reshape(4, 6)


def check_gradient(spec, params, rtol=1e-5, atol=1e-6):
    """``(worst error, ok, [the inputs differentiated])``: our gradient's
    Jacobian against central differences, in float64, in every mode of
    ``autodiff.gradient_modes()`` (on JAX eager and under ``jax.jit``), with
    respect to x and to the trainable parameters given as numbers."""
    with autodiff.float64():
        x = probe_inputs(spec, params)
        static, values = dict(params), {}
        for name in spec.differentiable:
            value = params.get(name, spec.defaults.get(name))
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values[name] = float(value)
                static.pop(name, None)
        try:
            return _jacobians_agree(spec, static, x, values, rtol, atol)
        except (TypeError, ValueError):
            if not values:
                raise
            # The function takes these parameters only as Python numbers.
            return _jacobians_agree(spec, params, x, {}, rtol, atol)


def _jacobians_agree(spec, static, x, values, rtol, atol):
    import numpy as np

    names = list(values)

    def f(x, *tensors):
        return spec.function(x, **static, **dict(zip(names, tensors)))

    inputs = [np.asarray(x, np.float64)] + [np.float64(values[n]) for n in names]
    y, numerical = _numeric_jacobians(f, inputs)
    worst, ok = 0.0, True
    for mode in autodiff.gradient_modes():
        for t, n in zip(_our_jacobians(f, inputs, y.shape, mode), numerical):
            error = np.abs(t - n)
            worst = max(worst, float(np.max(error, initial=0.0)))
            ok = ok and bool(np.all(error <= atol + rtol * np.abs(n)))
    return worst, ok, ["x"] + names


def _call(f, inputs):
    return autodiff.numpy(f(*(autodiff.tensor(v, "float64") for v in inputs)))


def _numeric_jacobians(f, inputs, delta=1e-6):
    """``f``'s value, and its Jacobian with respect to each input by central
    differences (rows: outputs, columns: the input's elements)."""
    import numpy as np

    y = _call(f, inputs)
    jacobians = []
    for i, value in enumerate(inputs):
        columns = []
        for index in np.ndindex(value.shape):
            moved = []
            for step in (delta, -delta):
                shifted = np.array(value, np.float64)
                shifted[index] += step
                moved.append(_call(f, inputs[:i] + [shifted] + inputs[i + 1:]))
            columns.append(((moved[0] - moved[1]) / (2 * delta)).ravel())
        jacobians.append(np.stack(columns, axis=1))
    return y, jacobians


def _our_jacobians(f, inputs, y_shape, mode):
    """The Jacobian of ``f`` with respect to each input through our
    gradient, one vector-Jacobian product per output element, in ``mode``."""
    import numpy as np

    step = autodiff.vjp_step(f, mode)
    tensors = [autodiff.tensor(v, "float64") for v in inputs]
    size = int(np.prod(y_shape))
    rows = [[] for _ in inputs]
    for k in range(size):
        upstream = np.zeros(size)
        upstream[k] = 1.0
        _, grads = step(autodiff.tensor(upstream.reshape(y_shape), "float64"), *tensors)
        for row, grad in zip(rows, grads):
            row.append(autodiff.numpy(grad).ravel())
    return [np.stack(row, axis=0) for row in rows]


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
        noise = rng.normal(0.0, 0.1, tuple(weight.shape))
        weight.assign((autodiff.numpy(weight) + noise).astype(weight.dtype))
    x = rng.normal(0.0, 1.5, (16, 8)).astype("float32")
    before = autodiff.numpy(model(x, training=False))
    if not np.array_equal(before, autodiff.numpy(model(x, training=False))):
        return False, "predictions differ between two calls before saving"
    path = os.path.join(directory, f"{spec.name}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    after = autodiff.numpy(loaded(x, training=False))
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
    # Keras's seeding and saving import TensorFlow where it is installed, on any backend.
    with tensorflow_start_hidden():
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


def modes_note(stress=False):
    """Which backend and modes the checks ran in, as one sentence."""
    modes = " and ".join("eager" if m == "eager" else f"under {m}" for m in autodiff.gradient_modes())
    note = f"Ran on {autodiff.title()}: gradients {modes}, models saved and loaded as .keras."
    if not stress:
        from keras_acts.tools.properties import backend_paths, describe_paths

        note += f" --stress adds properties in four dtypes through {describe_paths(backend_paths())}."
    return note


def _first_line(error):
    text = str(error).strip().splitlines()
    return text[0][:160] if text else ""


