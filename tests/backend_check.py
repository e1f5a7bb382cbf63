"""Every catalog activation on the backend KERAS_BACKEND names, against the
float64 NumPy references: run as ``python tests/backend_check.py``, prints
one JSON report (tests/test_backends.py reads it). ``python
tests/backend_check.py FOLDER`` leaves its saved model in FOLDER.

For every reference case: the function's values in float64 (within 1e-9 of
the reference, relative to max(1, |y|)) and float32 (within 2e-5, at the
float32-rounded inputs); its gradient through the backend's own autodiff,
which meets our hand-written backward (float64, against central differences
of the reference, 1e-6); the layer and the string give the function's
values. Learned parameters train, a model with every string and layer saves
and loads, and nothing imports TensorFlow.
"""

import json
import os
import sys
import time

import numpy as np

if os.environ.get("KERAS_BACKEND") in ("jax", "torch"):
    # As for a user who never installed TensorFlow: any import of it fails
    # (Keras and PyTorch's compiler then take their paths without it).
    sys.modules["tensorflow"] = None

if os.environ.get("KERAS_BACKEND") == "jax":
    import jax

    jax.config.update("jax_enable_x64", True)

import keras  # noqa: E402

import keras_acts  # noqa: E402
from catalog_cases import layer_kwargs  # noqa: E402
from references import CASES, BY_NAME, smooth_inputs, sample_inputs  # noqa: E402

BACKEND = keras.backend.backend()
TOLERANCE = {"float64": 1e-9, "float32": 2e-5}
# Half types against the float64 reference at their rounded inputs, (rtol,
# atol) as tests/test_values.py judges them on TensorFlow.
HALF_TOLERANCE = {"float16": (2e-3, 2e-3), "bfloat16": (1.6e-2, 1.6e-2)}
GRADIENT_TOLERANCE = 1e-6


def _tensor(x, dtype):
    return keras.ops.convert_to_tensor(np.asarray(x), dtype=dtype)


def _numpy(y):
    return np.asarray(keras.ops.convert_to_numpy(y), np.float64)


def _gradient(f, x, upstream):
    """d sum(f(x) * upstream) / dx by the backend's autodiff."""
    if BACKEND == "jax":
        return jax.grad(lambda v: (f(v) * upstream).sum())(x)
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(f(x) * upstream)
        return tape.gradient(total, x)

    x = x.detach().clone().requires_grad_(True)
    (f(x) * upstream).sum().backward()
    return x.grad


def _numeric_gradient(reference, x, params, upstream, h=1e-6):
    """Central differences of the float64 reference, element by element."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        change = reference.numpy(up, **params) - reference.numpy(down, **params)
        grad[index] = np.sum(change * upstream) / (2 * h)
    return grad


def _worst(got, expected):
    with np.errstate(invalid="ignore"):
        same = (got == expected) | (np.isnan(got) & np.isnan(expected))
        error = np.abs(got - expected) / np.maximum(1.0, np.abs(expected))
    return float(np.max(np.where(same, 0.0, error), initial=0.0))


def check_values(failures):
    for name, params in CASES:
        reference = BY_NAME[name]
        f = getattr(keras_acts.activations, name)
        for dtype, tolerance in TOLERANCE.items():
            x = sample_inputs(reference, dtype)
            expected = reference.numpy(x.astype(np.float64), **params)
            with np.errstate(over="ignore"):  # rounded to the dtype: inf past its range
                expected = expected.astype(dtype).astype(np.float64)
            worst = _worst(_numpy(f(_tensor(x, dtype), **params)), expected)
            if worst > tolerance:
                failures.append(f"{name}{params} {dtype} values off by {worst:.3g}")


def check_half_types(failures):
    """float16 and bfloat16 in, the same dtype out, within its precision."""
    for name, params in CASES:
        reference = BY_NAME[name]
        f = getattr(keras_acts.activations, name)
        for dtype, (rtol, atol) in HALF_TOLERANCE.items():
            x = sample_inputs(reference)
            if dtype == "float16" and not reference.axis:
                x = np.clip(x, -6e4, 6e4)
            half = keras.ops.cast(_tensor(x, "float32"), dtype)
            rounded = _numpy(keras.ops.cast(half, "float32"))
            y = f(half, **params)
            if keras.backend.standardize_dtype(y.dtype) != dtype:
                failures.append(f"{name}{params} {dtype} in gave {y.dtype} out")
                continue
            if not reference.axis and reference.surrogate(x, **params) is None:
                grad = _gradient(lambda v: f(v, **params), half, keras.ops.ones_like(y))
                if keras.backend.standardize_dtype(grad.dtype) != dtype:
                    failures.append(f"{name}{params} {dtype} gradient came back as {grad.dtype}")
            expected = reference.numpy(rounded, **params)
            expected = _numpy(keras.ops.cast(keras.ops.cast(_tensor(expected, "float32"), dtype), "float32"))
            if not np.allclose(_numpy(keras.ops.cast(y, "float32")), expected, rtol=rtol, atol=atol, equal_nan=True):
                failures.append(f"{name}{params} {dtype} values off")


def check_mixed_precision(failures):
    """Under mixed_float16 and mixed_bfloat16 every default layer and every
    string computes in the half type, near its float32 values; a model with
    the learned and random layers takes a training step."""
    from saved_models import default_layers

    x = np.random.default_rng(5).uniform(-3, 3, size=(16, 6)).astype("float32")
    y = np.random.default_rng(6).uniform(-1, 1, size=(16, 1)).astype("float32")
    expected = {type(layer).__name__: _numpy(layer(x)) for layer in default_layers()}
    for policy in ("mixed_float16", "mixed_bfloat16"):
        half = policy.split("_")[1]
        rtol, atol = HALF_TOLERANCE[half]
        keras.mixed_precision.set_dtype_policy(policy)
        try:
            for layer in default_layers():
                name = type(layer).__name__
                got = layer(x)
                if keras.backend.standardize_dtype(got.dtype) != half:
                    failures.append(f"{policy}: {name} gave {got.dtype}")
                # Inputs rounded to the half type move outputs by its epsilon
                # times the slope: a few of its tolerances.
                elif not np.allclose(_numpy(got), expected[name], rtol=4 * rtol, atol=4 * atol, equal_nan=True):
                    failures.append(f"{policy}: {name} is off its float32 values")
            model = keras.Sequential([
                keras.Input((6,)), keras.layers.Dense(6, activation="mish_custom"),
                keras_acts.layers.PReLU(), keras_acts.layers.Snake(), keras_acts.layers.RReLU(seed=1),
                keras.layers.Dense(1, dtype="float32"),
            ])
            # A small initial loss scale: the default 2^15 overflows float16
            # gradients here, and the step would be skipped.
            optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01), initial_scale=8.0)
            model.compile(optimizer=optimizer, loss="mse")
            before = [np.array(w) for w in model.trainable_weights]
            loss = model.train_on_batch(x, y)
            if not np.isfinite(loss):
                failures.append(f"{policy}: loss {loss}")
            changed = [not np.array_equal(np.array(w), b) for w, b in zip(model.trainable_weights, before)]
            if not all(changed):
                failures.append(f"{policy}: {changed.count(False)} weights did not change")
        finally:
            keras.mixed_precision.set_dtype_policy("float32")


def check_define_activation(failures):
    """A user's activation written with keras.ops: function, layer, string
    and its hand-written gradient."""
    ops = keras.ops

    def _cube_backward(dy, x, y):
        return dy * ops.cast(3.0, x.dtype) * x * x

    @keras_acts.define_activation(backward=_cube_backward, keep="x", package="backend_check")
    def cube(x):
        """x cubed."""
        return x * x * x

    x = np.linspace(-2.0, 2.0, 9)
    if _worst(_numpy(cube(_tensor(x, "float64"))), x**3) > 1e-12:
        failures.append("a defined activation's values are off")
    got = _numpy(_gradient(cube, _tensor(x, "float64"), _tensor(np.ones_like(x), "float64")))
    if _worst(got, 3 * x**2) > 1e-12:
        failures.append("a defined activation's gradient is off")
    if _worst(_numpy(cube.layer()(_tensor(x, "float32"))), x**3) > 1e-5:
        failures.append("a defined activation's layer is off")
    if _worst(_numpy(keras.activations.get("cube_custom")(_tensor(x, "float32"))), x**3) > 1e-5:
        failures.append("a defined activation's string is off")


def check_readme_definition(failures):
    """The README's "define your own" block, as pasted, on this backend."""
    import re

    readme = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")).read()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "def scaled_tanh" in b]
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    x = np.linspace(-2.0, 2.0, 9)
    f = lambda v: namespace["scaled_tanh"](v, scale=2.0)  # noqa: E731
    got = _numpy(_gradient(f, _tensor(x, "float32"), _tensor(np.ones_like(x), "float32")))
    if _worst(_numpy(f(_tensor(x, "float32"))), 2.0 * np.tanh(x)) > 1e-5 or _worst(got, 2.0 / np.cosh(x) ** 2) > 1e-5:
        failures.append("the README's scaled_tanh is off")


def check_tensorflow_only_parts(failures):
    """What is TensorFlow's says so, naming the backend."""
    if BACKEND == "tensorflow":
        return
    try:
        keras_acts.config.portable()
        failures.append("keras_acts.config.portable() did not refuse")
    except RuntimeError as error:
        if repr(BACKEND) not in str(error):
            failures.append(f"portable()'s error does not name the backend: {error}")


def check_random_draws(failures):
    """rrelu in training draws through the seed: the same seed, the same
    slopes; another seed, others."""
    x = _tensor(-np.ones((4, 8)), "float32")
    draw = lambda seed: _numpy(keras_acts.layers.RReLU(seed=seed)(x, training=True))  # noqa: E731
    first, again, other = draw(7), draw(7), draw(8)
    if not np.array_equal(first, again):
        failures.append("rrelu: the same seed drew different slopes")
    if np.array_equal(first, other):
        failures.append("rrelu: two seeds drew the same slopes")
    if not (np.all(-first >= 1 / 8) and np.all(-first <= 1 / 3)):
        failures.append("rrelu: slopes outside [lower, upper]")


def check_gradients(failures):
    rng = np.random.default_rng(2)
    for name, params in CASES:
        reference = BY_NAME[name]
        f = getattr(keras_acts.activations, name)
        x = smooth_inputs(reference, params)
        upstream = rng.uniform(0.5, 1.5, size=np.shape(reference.numpy(x, **params)))
        surrogate = reference.surrogate(x, **params)
        if surrogate is not None:
            expected = surrogate * upstream
        else:
            expected = _numeric_gradient(reference, x, params, upstream)
        got = _numpy(_gradient(lambda v: f(v, **params), _tensor(x, "float64"), _tensor(upstream, "float64")))
        worst = _worst(got, expected)
        if worst > GRADIENT_TOLERANCE:
            failures.append(f"{name}{params} gradient off by {worst:.3g}")


def check_faces(failures):
    x = _tensor(np.linspace(-3.0, 3.0, 24).reshape(3, 8), "float32")
    for spec in keras_acts.catalog(builtin=True):
        params = dict(spec.example_params)
        expected = _numpy(spec.function(x, **params))
        try:
            layer = spec.layer(**layer_kwargs(spec, params))
        except TypeError as error:
            failures.append(f"{spec.layer_name}: {error}")
            continue
        if not spec.differentiable:  # learned layers: their weights train below
            by_function = _numpy(spec.function(x, **layer.params))
            if _worst(_numpy(layer(x)), by_function) > 1e-6:
                failures.append(f"{spec.layer_name} layer differs from its function")
        for string in spec.strings:
            got = _numpy(keras.activations.get(string)(x))
            if _worst(got, expected) > 1e-6:
                failures.append(f"{string} differs from its function")


def check_training(failures):
    """PReLU's alpha, Snake's frequency and StarReLU's scale and bias learn
    in ``fit``, whose last batch
    is partial (40 rows, batches of 16)."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-2.0, 2.0, size=(40, 4)).astype("float32")
    y = np.sin(x).sum(axis=1, keepdims=True)
    model = keras.Sequential([
        keras.Input((4,)), keras.layers.Dense(8), keras_acts.layers.PReLU(alpha=0.25),
        keras.layers.Dense(8), keras_acts.layers.Snake(frequency=1.0),
        keras.layers.Dense(8), keras_acts.layers.StarReLU(scale=0.8944, bias=-0.4472), keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    learned = [model.layers[i] for i in (1, 3, 5)]
    start = [[np.array(w) for w in layer.weights] for layer in learned]
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0).history["loss"]
    if not history[-1] < history[0]:
        failures.append(f"fit did not lower the loss: {history}")
    for layer, before in zip(learned, start):
        for weight, value in zip(layer.weights, before):
            if np.array_equal(np.array(weight), value):
                failures.append(f"{layer.name}'s {weight.name} did not train")


def save_model(folder):
    """A model with every string in a Dense layer, every default layer and
    functions on symbolic inputs, saved in ``folder`` as ``BACKEND.keras``
    beside its inputs and predictions (TensorFlow's is saved by
    tests/producers.py); returns the path."""
    from saved_models import default_layers

    inputs = keras.Input((6,))
    branches = [keras.layers.Dense(6, activation=s)(inputs) for spec in keras_acts.catalog(builtin=True) for s in spec.strings]
    branches += [layer(keras.layers.Dense(4)(inputs)) for layer in default_layers()]
    # Functions called on symbolic inputs, as Keras's own can be.
    branches.append(keras_acts.activations.mish(keras.layers.Dense(4)(inputs)))
    branches.append(keras_acts.activations.prelu(keras.layers.Dense(4)(inputs), [0.1, 0.2, 0.3, 0.4]))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Concatenate()(branches)))
    x = np.random.default_rng(4).uniform(-3, 3, size=(5, 6)).astype("float32")
    expected = _numpy(model(x))
    path = os.path.join(folder, f"{BACKEND}.keras")
    model.save(path)
    np.save(path + ".x.npy", x)
    np.save(path + ".expected.npy", expected)
    return path


def check_saving(failures, folder):
    """The model of ``save_model``, loaded in this process: the same
    predictions."""
    path = save_model(folder)
    x, expected = np.load(path + ".x.npy"), np.load(path + ".expected.npy")
    got = _numpy(keras.saving.load_model(path)(x))
    if not np.array_equal(got, expected):
        failures.append(f"a loaded model predicts differently: {_worst(got, expected):.3g}")


def check_jax_transforms(failures):
    """jit, vmap and grad of grad compose with our custom_vjp; forward mode
    fails with JAX's own error, never with wrong values."""
    import jax.numpy as jnp

    mish = keras_acts.activations.mish
    x = jnp.linspace(-3.0, 3.0, 12).reshape(3, 4)
    if not np.allclose(jax.jit(mish)(x), mish(x), rtol=1e-12):
        failures.append("mish under jit differs")
    if not np.allclose(jax.vmap(mish)(x), mish(x), rtol=1e-12):
        failures.append("mish under vmap differs")
    # Every activation under jit (its first parameter set), in one compiled
    # program (one compile, not one per row): the same values and gradients
    # as eagerly.
    cases = list({name: (name, params) for name, params in reversed(CASES)}.values())
    rows = [(getattr(keras_acts.activations, name), params) for name, params in cases]
    inputs = [_tensor(smooth_inputs(BY_NAME[name], params), "float32") for name, params in cases]

    def every_row(zs):
        return [jax.value_and_grad(lambda v, f=f, p=p: (f(v, **p) ** 2).sum())(z) for (f, p), z in zip(rows, zs)]

    for (name, params), eager, jitted in zip(cases, every_row(inputs), jax.jit(every_row)(inputs)):
        if any(_worst(_numpy(a), _numpy(b)) > 2e-5 for a, b in zip(eager, jitted)):
            failures.append(f"{name}{params} under jit differs from eager")
    second = jax.grad(jax.grad(lambda v: mish(v).sum()))(jnp.float64(0.5))
    h = 1e-4
    first = lambda v: float(jax.grad(lambda u: mish(u).sum())(jnp.float64(v)))  # noqa: E731
    numeric = (first(0.5 + h) - first(0.5 - h)) / (2 * h)
    if abs(float(second) - numeric) > 1e-6:
        failures.append(f"grad of grad of mish is {float(second)}, numerically {numeric}")
    try:
        jax.jvp(mish, (x,), (jnp.ones_like(x),))
        failures.append("jax.jvp through a custom_vjp did not fail")
    except TypeError:
        pass


def check_torch_compile(failures):
    """Our autograd.Function under torch.compile, as fit(jit_compile=True)
    compiles a train step: the same values and gradients as eagerly."""
    import torch

    x = torch.linspace(-3.0, 3.0, 16)

    A = keras_acts.activations

    def step(v):
        v = v.detach().clone().requires_grad_(True)
        y = A.mish(v) * A.prelu(v, 0.25) + A.relu_squared(v) + A.star_relu(v, 0.8944, -0.4472)
        y = y + A.swiglu(v).repeat(2) + A.geglu(v).repeat(2) + A.reglu(v).repeat(2)
        y.sum().backward()
        return y.detach(), v.grad

    # aot_eager: Dynamo captures our Function and AOTAutograd its backward,
    # as in inductor's compile, without generating C++ (~20 s here).
    compiled = torch.compile(step, backend="aot_eager")
    for got, expected in zip(compiled(x), step(x)):
        if _worst(_numpy(got), _numpy(expected)) > 1e-6:
            failures.append("torch.compile changes our values or gradients")


def check_data_parallel(failures):
    """fit under keras.distribution.DataParallel over every device (the test
    starts JAX with two host devices): the model trains, and its learned
    activation weights stay replicated."""
    devices = jax.devices()
    if len(devices) < 2:
        failures.append(f"data parallel: {len(devices)} device(s); XLA_FLAGS must make two")
        return
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    try:
        keras.utils.set_random_seed(0)
        rng = np.random.default_rng(0)
        x = rng.uniform(-2.0, 2.0, size=(40, 4)).astype("float32")  # batches of 16: a partial last one
        y = np.sin(x).sum(axis=1, keepdims=True)
        model = keras.Sequential([
            keras.Input((4,)), keras.layers.Dense(8, activation="mish_custom"),
            keras_acts.layers.PReLU(alpha=0.25), keras_acts.layers.Snake(), keras.layers.Dense(1),
        ])
        model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
        history = model.fit(x, y, batch_size=16, epochs=4, verbose=0).history["loss"]
        if not history[-1] < history[0]:
            failures.append(f"data parallel: the loss did not fall: {history}")
        alpha = model.layers[1].weights[0].value
        if len(alpha.sharding.device_set) != len(devices):
            failures.append("data parallel: PReLU's alpha is not replicated on every device")
    finally:
        keras.distribution.set_distribution(None)


# Another backend's matmul may round differently in float32.
ACROSS_BACKENDS = dict(rtol=1e-5, atol=1e-5)


def check_loading(failures, folder):
    """Every other backend's file in ``folder`` loads here and predicts what
    it predicted where it was saved."""
    loaded = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".keras") or name == f"{BACKEND}.keras":
            continue
        path = os.path.join(folder, name)
        got = _numpy(keras.saving.load_model(path)(np.load(path + ".x.npy")))
        expected = np.load(path + ".expected.npy")
        if not np.allclose(got, expected, **ACROSS_BACKENDS):
            failures.append(f"{name} loaded on {BACKEND} predicts differently: {_worst(got, expected):.3g}")
        loaded.append(name)
    return loaded


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "."
    failures, seconds = [], {}

    def saving(failures):
        check_saving(failures, folder)

    checks = [
        check_values, check_gradients, check_faces, check_half_types,
        check_define_activation, check_readme_definition, check_random_draws, check_tensorflow_only_parts, check_training,
        check_mixed_precision, saving,
    ]
    if BACKEND == "jax":
        checks += [check_jax_transforms, check_data_parallel]
    if BACKEND == "torch":
        checks.append(check_torch_compile)
    if "--load-only" in sys.argv:
        checks = []
    for check in checks:
        start = time.perf_counter()
        check(failures)
        seconds[check.__name__] = round(time.perf_counter() - start, 1)
        if BACKEND == "jax":
            # Every op run eagerly leaves a compiled executable in JAX's
            # caches: kept across the checks, they held 2.4 GB.
            jax.clear_caches()
            keras.backend.clear_session()
    loaded = check_loading(failures, folder)
    print(json.dumps({
        "backend": BACKEND,
        "failures": failures,
        "cases": len(CASES),
        "without_tensorflow": sys.modules.get("tensorflow", 0) is None,
        "loaded": loaded,
        "seconds": seconds,
    }))


if __name__ == "__main__":
    main()
