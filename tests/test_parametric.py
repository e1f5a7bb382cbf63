"""prelu, snake, rrelu and the normalizers: what the shared table cannot test."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from references import BY_NAME

A = keras_acts.activations
L = keras_acts.layers


def signed(shape, seed=0, low=-3.0, high=3.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype("float32")


def grad_of(f, *tensors, dy=None):
    tensors = [tf.convert_to_tensor(t) for t in tensors]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        y = f(*tensors)
    dy = tf.ones_like(y) if dy is None else tf.constant(dy, y.dtype)
    return [g.numpy() for g in tape.gradient(y, tensors, output_gradients=dy)]


# -- prelu / PReLU -----------------------------------------------------------

PRELU_CONFIGS = [
    {},
    {"alpha_initializer": keras.initializers.Constant(0.25)},
    {"alpha_initializer": keras.initializers.RandomUniform(-1.0, 1.0, seed=3)},
    {"alpha_initializer": "ones", "alpha_regularizer": "l2"},
    {"alpha_initializer": "ones", "alpha_constraint": "non_neg"},
    {"alpha_initializer": keras.initializers.Constant(0.3), "shared_axes": 1},
    {"alpha_initializer": keras.initializers.Constant(0.3), "shared_axes": [1, 2]},
    {"alpha_initializer": "random_normal", "shared_axes": (2,), "alpha_regularizer": "l1"},
]


def _prelu_pair(config):
    ours = L.PReLU(**config)
    theirs = keras.layers.PReLU(**config)
    shape = (4, 3, 5)
    x = signed(shape)
    x[0, 0, :] = 0.0  # the kink
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights([np.asarray(w) for w in ours.get_weights()])
    return ours, theirs, x


def _config_id(config):
    # Objects by class name: test ids must not hold memory addresses, which
    # differ between the processes that run the suite in parallel.
    def shown(value):
        return type(value).__name__ if hasattr(value, "get_config") else repr(value)

    return ",".join(f"{k}={shown(v)}" for k, v in config.items()) or "defaults"


@pytest.mark.parametrize("config", PRELU_CONFIGS, ids=_config_id)
def test_prelu_layer_is_keras_prelu(config):
    ours, theirs, x = _prelu_pair(config)
    keras_layer = keras.layers.PReLU(**config)
    keras_layer.build(x.shape)
    # Same weight (shape, name, initial values for seeded initializers).
    assert [w.shape for w in ours.weights] == [w.shape for w in keras_layer.weights]
    assert [w.name for w in ours.weights] == ["alpha"]
    if "seed=" in str(config) or "Constant" in str(config) or not config:
        np.testing.assert_array_equal(ours.get_weights()[0], keras_layer.get_weights()[0])
    np.testing.assert_allclose(ours(x).numpy(), theirs(x).numpy(), rtol=1e-7, atol=0)
    np.testing.assert_allclose(
        [float(l) for l in ours.losses], [float(l) for l in theirs.losses], rtol=1e-6
    )
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    ours_config.pop("name"), theirs_config.pop("name")
    assert ours_config == theirs_config
    assert ours.input_spec.ndim == theirs.input_spec.ndim
    assert ours.input_spec.axes == theirs.input_spec.axes
    assert ours.compute_output_shape(x.shape) == theirs.compute_output_shape(x.shape)


@pytest.mark.parametrize("config", PRELU_CONFIGS, ids=_config_id)
def test_prelu_layer_trains_like_keras_prelu(config):
    ours, theirs, x = _prelu_pair(config)
    target = signed(x.shape, seed=5)
    for layer in (ours, theirs):
        optimizer = keras.optimizers.SGD(0.1)
        for _ in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((layer(x) - target) ** 2) + sum(layer.losses)
            grads = tape.gradient(loss, layer.trainable_weights)
            optimizer.apply(grads, layer.trainable_weights)
    np.testing.assert_allclose(ours.get_weights()[0], theirs.get_weights()[0], rtol=1e-5, atol=1e-6)


def test_prelu_layer_signature_and_defaults_match_keras():
    import inspect

    ours = inspect.signature(L.PReLU).parameters
    theirs = inspect.signature(keras.layers.PReLU).parameters
    # Keras's arguments and order, and ours keyword-only `alpha=` beside them.
    assert [(n, p.default) for n, p in ours.items() if n != "alpha"] == [
        (n, p.default) for n, p in theirs.items()
    ]
    assert ours["alpha"].kind is inspect.Parameter.KEYWORD_ONLY
    assert A.prelu.string is None
    assert "prelu_custom" not in keras_acts.names()


def test_prelu_gradients_to_x_and_alpha_float64():
    x = np.random.default_rng(0).uniform(-3, 3, size=(5, 4))
    x = np.where(np.abs(x) < 1e-2, 0.5, x)
    alpha = np.array([0.1, -0.4, 1.3, 0.0])
    theoretical, numerical = tf.test.compute_gradient(
        lambda t, a: A.prelu(t, a), [tf.constant(x), tf.constant(alpha)], delta=1e-6
    )
    for got, expected in zip(theoretical, numerical):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    dy = np.random.default_rng(1).normal(size=x.shape)
    dx, dalpha = grad_of(A.prelu, x, alpha, dy=dy)
    np.testing.assert_allclose(dx, np.where(x > 0, dy, alpha * dy), rtol=1e-14)
    np.testing.assert_allclose(dalpha, np.sum(np.where(x > 0, 0.0, x * dy), axis=0), rtol=1e-12)


def test_prelu_gradient_at_zero_is_keras_prelus():
    x = np.array([[0.0, -1.0, 1.0]], np.float32)
    alpha = np.full((3,), 0.25, np.float32)
    dx, dalpha = grad_of(A.prelu, x, alpha)
    layer = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))
    xt = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(xt)
        y = layer(xt)
    np.testing.assert_array_equal(dx, tape.gradient(y, xt).numpy())
    np.testing.assert_array_equal(dalpha, tape.gradient(y, layer.alpha).numpy())
    np.testing.assert_array_equal(dx, [[0.0, 0.25, 1.0]])


def test_prelu_float64_alpha_stays_float64():
    x = np.linspace(-3.0, 3.0, 13)
    got = A.prelu(tf.constant(x), 0.1).numpy()
    np.testing.assert_array_equal(got, np.where(x > 0, x, 0.1 * x))


def test_prelu_weight_enters_the_core_as_a_tensor():
    # A variable captured inside tf.custom_gradient would need `variables=`.
    layer = L.PReLU(alpha_initializer="ones")
    x = tf.constant(signed((2, 3)))
    with tf.GradientTape() as tape:
        y = tf.function(layer)(x)
    assert tape.gradient(y, layer.alpha) is not None


@pytest.mark.parametrize(
    "argument, value",
    [
        ("alpha_initializer", "no_such_initializer"),
        ("alpha_regularizer", "no_such_regularizer"),
        ("alpha_constraint", "no_such_constraint"),
        ("shared_axes", 0),
    ],
)
def test_prelu_bad_arguments_raise_at_construction(argument, value):
    with pytest.raises(ValueError, match=argument):
        L.PReLU(**{argument: value})


START_FORMS = {
    "tensor": lambda v: tf.constant(v, "float32"),
    "list": list,
    "tuple": tuple,
    "float64 array": lambda v: np.array(v, "float64"),
    "float32 array": lambda v: np.array(v, "float32"),
    "int array": lambda v: (np.asarray(v) * 10).astype("int64"),
    "with a batch axis": lambda v: [list(v)],
}


@pytest.mark.parametrize("form", START_FORMS)
@pytest.mark.parametrize("layer, values", [(L.PReLU, [0.1, -0.2, 1.0, 0.4]), (L.Snake, [0.5, 1.0, 2.0, 3.0])],
                         ids=["PReLU", "Snake"])
def test_a_start_value_in_any_form_is_the_tensor_form(layer, values, form):
    name = "alpha" if layer is L.PReLU else "frequency"
    values = START_FORMS[form](values)
    x = signed((2, 3, 4))
    reference = layer(**{name: tf.constant(np.asarray(values, "float32").reshape(-1))}, shared_axes=[1])
    ours = layer(**{name: values}, shared_axes=[1])
    np.testing.assert_array_equal(ours(x).numpy(), reference(x).numpy())
    weight = getattr(ours, name)
    assert tuple(weight.shape) == (1, 4)  # the batch axis given is dropped
    np.testing.assert_array_equal(weight.numpy(), getattr(reference, name).numpy())


def test_a_list_start_value_keeps_float64():
    # Lists become float64 arrays: a float64 layer's weight is each Python
    # float exactly, not its float32 rounding.
    values = [0.1, 0.2, 1 / 3]
    layer = L.PReLU(alpha=values, dtype="float64")
    layer.build((None, 3))
    np.testing.assert_array_equal(layer.alpha.numpy(), np.array(values))


@pytest.mark.parametrize("start", [[0.1, 0.2, 0.3, 0.4], (0.1, 0.2, 0.3, 0.4), np.array([0.1, 0.2, 0.3, 0.4]),
                                   tf.constant([0.1, 0.2, 0.3, 0.4])], ids=lambda v: type(v).__name__)
def test_a_layer_started_from_values_saves_and_loads(start, tmp_path):
    layer = L.PReLU(alpha=start)
    config = layer.get_config()
    assert L.PReLU.from_config(json.loads(json.dumps(config))).get_config() == config
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layer(inputs))
    x = signed((3, 4))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())
    # A fresh layer from the saved config starts where the first started.
    fresh = L.PReLU.from_config(loaded.layers[-1].get_config())
    fresh.build((None, 4))
    np.testing.assert_allclose(fresh.alpha.numpy(), [0.1, 0.2, 0.3, 0.4], rtol=1e-7)


@pytest.mark.parametrize("alpha", [[0.1, 0.2, 0.3, 0.4], np.array([0.1, 0.2, 0.3, 0.4]),
                                   tf.constant([0.1, 0.2, 0.3, 0.4])], ids=lambda v: type(v).__name__)
def test_a_functional_call_with_values_saves_and_loads(alpha, tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, A.prelu(inputs, alpha))
    # Saved as numbers, which the validator takes back as the same values.
    assert json.loads(json.dumps(model.layers[-1].get_config()["params"]))["alpha"] == pytest.approx(
        [0.1, 0.2, 0.3, 0.4], rel=1e-7
    )
    model.save(tmp_path / "m.keras")
    x = signed((3, 4))
    np.testing.assert_array_equal(keras.saving.load_model(tmp_path / "m.keras")(x), model(x))
    np.testing.assert_array_equal(model(x), A.prelu(x, alpha))


def test_prelu_mixed_precision(policy):
    policy("mixed_float16")
    layer = L.PReLU(alpha_initializer=keras.initializers.Constant(0.5))
    y = layer(signed((2, 4)))
    assert y.dtype == tf.float16
    assert layer.alpha.dtype == "float32"


# -- snake / Snake -----------------------------------------------------------


def test_snake_gradients_to_x_and_frequency_float64():
    x = np.random.default_rng(0).uniform(-3, 3, size=(5, 4))
    frequency = np.array([0.5, 1.0, 2.0, 3.5])
    theoretical, numerical = tf.test.compute_gradient(
        lambda t, f: A.snake(t, f), [tf.constant(x), tf.constant(frequency)], delta=1e-6
    )
    for got, expected in zip(theoretical, numerical):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("argument, value", [
    ("frequency_initializer", "nope"), ("frequency_regularizer", "nope"),
    ("frequency_constraint", "nope"),
])
def test_snake_bad_arguments_raise_at_construction(argument, value):
    with pytest.raises(ValueError, match=argument):
        L.Snake(**{argument: value})


@pytest.mark.parametrize("value", [0.0, -1.0, float("inf")])
def test_snake_frequency_must_be_positive(value):
    with pytest.raises(ValueError, match="frequency"):
        A.snake(tf.constant([1.0]), frequency=value)


def test_snake_defaults_and_string():
    layer = L.Snake()
    layer.build((None, 3))
    np.testing.assert_array_equal(layer.frequency.numpy(), np.ones(3))
    assert A.snake.string == "snake_custom"
    y = keras.activations.get("snake_custom")(tf.constant([1.0, -2.0]))
    np.testing.assert_allclose(y.numpy(), BY_NAME["snake"].numpy(np.array([1.0, -2.0])), rtol=1e-6)


def test_snake_layer_learns_its_frequency():
    keras.utils.set_random_seed(0)
    x = np.linspace(-4, 4, 256, dtype="float32").reshape(-1, 1)
    target = x + np.sin(2.5 * x) ** 2 / 2.5
    snake = L.Snake(shared_axes=None)
    model = keras.Sequential([keras.Input((1,)), snake])
    model.compile(keras.optimizers.Adam(0.05), "mse", steps_per_execution=4)  # one call per epoch
    before = model.evaluate(x, target, verbose=0)
    model.fit(x, target, epochs=30, batch_size=64, verbose=0)
    after = model.evaluate(x, target, verbose=0)
    frequency = float(snake.frequency.numpy()[0])
    assert frequency != 1.0
    assert after < before / 10
    assert abs(frequency - 2.5) < 0.1


def test_snake_shared_axes_weight_shape():
    layer = L.Snake(shared_axes=[1, 2])
    layer.build((None, 5, 6, 3))
    assert tuple(layer.frequency.shape) == (1, 1, 3)


# -- rrelu / RReLU -----------------------------------------------------------


def test_rrelu_training_slopes_lie_in_bounds_and_vary():
    x = -np.ones((200, 50), np.float32)
    y = A.rrelu(x, lower=0.1, upper=0.3, training=True, seed=7).numpy()
    slopes = y / x
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.std() > 0.05
    np.testing.assert_allclose(slopes.mean(), 0.2, atol=0.005)
    positive = A.rrelu(-x, training=True, seed=7).numpy()
    np.testing.assert_array_equal(positive, -x)


def test_rrelu_inference_uses_the_mean_slope():
    x = np.array([-2.0, -1.0, 0.0, 1.0])
    y = A.rrelu(tf.constant(x), lower=0.1, upper=0.4).numpy()
    np.testing.assert_array_equal(y, np.where(x > 0, x, 0.25 * x))
    layer = L.RReLU(lower=0.1, upper=0.4)
    np.testing.assert_allclose(layer(x.astype("float32")).numpy(), y, rtol=1e-7)


def test_rrelu_int_seed_is_reproducible_and_seeds_differ():
    x = -np.ones((10, 10), np.float32)
    a = A.rrelu(x, training=True, seed=1).numpy()
    b = A.rrelu(x, training=True, seed=1).numpy()
    c = A.rrelu(x, training=True, seed=2).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_rrelu_seed_generator_advances_and_reproduces():
    x = -np.ones((10, 10), np.float32)
    first, second = keras.random.SeedGenerator(5), keras.random.SeedGenerator(5)
    a1 = A.rrelu(x, training=True, seed=first).numpy()
    a2 = A.rrelu(x, training=True, seed=first).numpy()
    b1 = A.rrelu(x, training=True, seed=second).numpy()
    assert not np.array_equal(a1, a2)
    np.testing.assert_array_equal(a1, b1)


def test_rrelu_layer_with_seed_is_reproducible():
    x = -np.ones((8, 8), np.float32)
    one, two = L.RReLU(seed=11), L.RReLU(seed=11)
    np.testing.assert_array_equal(one(x, training=True).numpy(), two(x, training=True).numpy())
    assert not np.array_equal(one(x, training=True).numpy(), one(x, training=True).numpy())


@pytest.mark.parametrize("mode", ["eager", "function", "xla"])
def test_rrelu_backward_uses_the_forward_slopes(mode):
    x = tf.constant(-np.linspace(0.5, 3.0, 64, dtype=np.float32).reshape(8, 8))
    generator = keras.random.SeedGenerator(3)

    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = A.rrelu(x, lower=0.1, upper=0.9, training=True, seed=generator)
        return y, tape.gradient(y, x)

    if mode != "eager":
        step = tf.function(step, jit_compile=mode == "xla")
    y, dx = step(x)
    np.testing.assert_allclose(dx.numpy(), (y / x).numpy(), rtol=1e-6)
    assert dx.numpy().std() > 0.05


class _Recorder(keras.layers.Layer):
    """Records what it sees in training in a non-trainable weight."""

    def build(self, input_shape):
        self.seen = self.add_weight(shape=input_shape[1:], initializer="zeros", trainable=False)

    def call(self, inputs, training=None):
        if training:
            self.seen.assign(inputs[0])
        return inputs


def test_rrelu_layer_follows_fit_and_predict():
    x = -np.ones((4, 32), np.float32)
    recorder = _Recorder()
    model = keras.Sequential(
        [keras.Input((32,)), keras.layers.Dense(32, use_bias=False, kernel_initializer="identity"),
         L.RReLU(lower=0.1, upper=0.5, seed=3), recorder]
    )
    model.compile(keras.optimizers.SGD(0.0), "mse")
    model.fit(x, x, epochs=1, batch_size=4, verbose=0)
    trained = -recorder.seen.numpy()
    assert trained.min() >= 0.1 and trained.max() <= 0.5 and trained.std() > 0.02
    predicted = model.predict(x, verbose=0)
    np.testing.assert_allclose(predicted, 0.3 * x, rtol=1e-6)
    np.testing.assert_allclose(model(x).numpy(), 0.3 * x, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"lower": 0.5, "upper": 0.2}, "upper"), ({"lower": -0.1}, "lower"), ({"seed": "x"}, "seed")],
)
def test_rrelu_bad_parameters(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        L.RReLU(**kwargs)
    if argument != "seed":
        with pytest.raises(ValueError, match=argument):
            A.rrelu(tf.constant([-1.0]), **kwargs)


def test_rrelu_layer_signature_and_config():
    import inspect

    assert list(inspect.signature(L.RReLU).parameters) == ["lower", "upper", "seed", "kwargs"]
    layer = L.RReLU(lower=0.2, upper=0.25, seed=4)
    config = layer.get_config()
    assert {k: config[k] for k in ("lower", "upper", "seed")} == {"lower": 0.2, "upper": 0.25, "seed": 4}
    assert L.RReLU.from_config(config).get_config() == config
    assert A.rrelu.string == "rrelu_custom"


# -- normalizers -------------------------------------------------------------


def test_sparsemax_is_the_projection_where_keras_is_not():
    x = tf.constant([1.0, 0.9, 0.0])
    np.testing.assert_allclose(A.sparsemax(x).numpy(), [0.55, 0.45, 0.0], rtol=1e-6)
    keras_value = keras.activations.sparsemax(x).numpy()
    assert not np.allclose(keras_value, [0.55, 0.45, 0.0])  # Keras 3.15: [0.05, 0, 0]


def test_sparsemax_sums_to_one_and_matches_sorting_reference():
    x = np.random.default_rng(4).normal(scale=2.0, size=(64, 7))
    for axis in (-1, 0, 1):
        y = A.sparsemax(tf.constant(x), axis=axis).numpy()
        np.testing.assert_allclose(y, BY_NAME["sparsemax"].numpy(x, axis=axis), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-12)
        assert (y >= 0).all()


def test_sparsemax_gradient_is_the_projection_jacobian():
    x = np.array([[1.0, 0.9, 0.0, 0.7], [3.0, -1.0, 0.5, 2.9]])
    dy = np.random.default_rng(0).normal(size=x.shape)
    (dx,) = grad_of(A.sparsemax, x, dy=dy)
    y = BY_NAME["sparsemax"].numpy(x)
    s = (y > 0).astype(float)
    expected = s * (dy - (dy * s).sum(-1, keepdims=True) / s.sum(-1, keepdims=True))
    np.testing.assert_allclose(dx, expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["log_softmax", "softmin", "sparsemax"])
def test_normalizer_limits_and_nan(name):
    f = getattr(A, name)
    inf = np.inf
    sign = -1.0 if name == "softmin" else 1.0
    x = tf.constant([[sign * inf, 0.0, -sign * 1.0], [sign * inf, sign * inf, 0.0], [1e4 * sign, -1e4 * sign, 0.0]])
    y = f(x).numpy()
    if name == "log_softmax":
        y = np.exp(y)
    np.testing.assert_allclose(y, [[1, 0, 0], [0.5, 0.5, 0], [1, 0, 0]], atol=1e-7)
    got = f(tf.constant([[np.nan, 0.0], [1.0, 1.0]])).numpy()
    assert np.isnan(got[0]).all()
    assert not np.isnan(got[1]).any()


def test_log_softmax_exact_values_at_infinity():
    y = A.log_softmax(tf.constant([[np.inf, 0.0, -np.inf], [np.inf, np.inf, 1.0]])).numpy()
    np.testing.assert_array_equal(y[0], [0.0, -np.inf, -np.inf])
    np.testing.assert_allclose(y[1], [-np.log(2), -np.log(2), -np.inf])


@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_log_softmax_repairs_only_its_non_finite_slices_in_any_rank(mode):
    # Plain, TensorFlow's kernel runs and its NaN slices are redone; the
    # offending entries sit away from the first column on purpose.
    x = np.random.default_rng(0).normal(size=(3, 4, 5)).astype(np.float32)
    x[0, 1, 2] = np.inf
    x[0, 2, 3:] = np.inf
    x[1, 3, :] = -np.inf
    x[2, 0, 4] = np.nan
    f = A.log_softmax
    if mode != "eager":
        f = tf.function(f, jit_compile=mode == "xla")
    got = f(tf.constant(x)).numpy()
    x64 = np.where(np.isfinite(x), x, 0.0).astype(np.float64)  # those rows are set below
    shifted = x64 - x64.max(-1, keepdims=True)
    expected = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    expected[0, 1] = [-np.inf, -np.inf, 0.0, -np.inf, -np.inf]
    expected[0, 2] = [-np.inf, -np.inf, -np.inf, -np.log(2), -np.log(2)]
    expected[1, 3] = -np.log(5)
    expected[2, 0] = np.nan
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_glu_odd_size_is_a_clear_error():
    with pytest.raises(ValueError, match=r"axis -1.*size is 5"):
        A.glu(tf.ones((2, 5)))
    with pytest.raises(ValueError, match=r"axis 0.*size is 3"):
        A.glu(tf.ones((3, 4)), axis=0)
    layer = L.GLU()
    with pytest.raises(ValueError, match=r"axis -1.*size is 7"):
        layer(keras.Input((7,)))
    with pytest.raises(ValueError, match="size is 7"):
        L.GLU().compute_output_shape((None, 7))
    with pytest.raises(ValueError, match="size is 7"):
        L.GLU()(np.ones((2, 7), "float32"))


def test_glu_halves_the_axis_in_shapes():
    layer = L.GLU(axis=1)
    assert layer.compute_output_shape((None, 6, 3)) == (None, 3, 3)
    outputs = L.GLU()(keras.layers.Dense(10)(keras.Input((4,))))
    assert tuple(outputs.shape) == (None, 5)
    x = signed((2, 6, 3))
    np.testing.assert_allclose(layer(x).numpy(), keras.activations.glu(x, axis=1).numpy(), rtol=1e-6)


def test_glu_mask_passes_only_when_masked_axes_are_kept():
    inputs = keras.Input((5, 8))
    masked = keras.layers.Masking()(inputs)
    assert L.GLU()(masked)._keras_mask is not None
    assert getattr(L.GLU(axis=1)(keras.layers.Masking()(keras.Input((4, 8)))), "_keras_mask", None) is None


MASK = np.array([[True, False, True, True], [False, False, False, False]])


def test_softmin_layer_mask():
    x = signed((2, 4))
    y = L.Softmin()(x, mask=MASK).numpy()
    e = np.exp(-x[0, [0, 2, 3]].astype(np.float64))
    np.testing.assert_allclose(y[0, [0, 2, 3]], e / e.sum(), rtol=1e-6)
    assert y[0, 1] == 0.0 and (y[1] == 0.0).all()


def test_sparsemax_layer_mask():
    x = np.array([[1.0, 5.0, 0.9, 0.0], [1.0, 2.0, 3.0, 4.0]], np.float32)
    y = L.Sparsemax()(x, mask=MASK).numpy()
    np.testing.assert_allclose(y[0], [0.55, 0.0, 0.45, 0.0], rtol=1e-6)
    assert (y[1] == 0.0).all()


def test_log_softmax_layer_mask_is_minus_infinity_there():
    x = signed((2, 4))
    y = L.LogSoftmax()(x, mask=MASK).numpy()
    assert np.isneginf(y[0, 1]) and np.isneginf(y[1]).all()
    np.testing.assert_allclose(np.exp(y), keras.layers.Softmax()(x, mask=MASK).numpy(), atol=1e-7)
    np.testing.assert_allclose(
        y[0, [0, 2, 3]], A.log_softmax(x[0, [0, 2, 3]]).numpy(), rtol=1e-6
    )


def test_normalizer_layers_mask_float16(policy):
    policy("float16")
    x = signed((2, 4)) * 100
    for layer in (L.Softmin(), L.LogSoftmax(), L.Sparsemax()):
        y = layer(x, mask=MASK).numpy()
        assert not np.isnan(y).any()


def test_keras_drop_in_signatures():
    import inspect

    for name in ("log_softmax", "sparsemax", "glu"):
        ours = inspect.signature(getattr(A, name)).parameters
        theirs = inspect.signature(getattr(keras.activations, name)).parameters
        assert [(n, p.default) for n, p in ours.items()] == [
            (n, p.default) for n, p in theirs.items()
        ]


def test_rrelu_bounds_are_checked_at_call_and_construction():
    with pytest.raises(ValueError, match="`upper`"):
        L.RReLU(lower=0.5, upper=0.1)
    with pytest.raises(ValueError, match="`upper`"):
        A.rrelu(tf.constant([-1.0]), lower=0.5, upper=0.1)
