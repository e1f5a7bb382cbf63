"""TensorFlow Addons' activation names, answered by keras-acts (opt-in).

``import keras_acts.compat.tfa`` before loading a model saved with tf.keras
and TensorFlow Addons, and Keras 3 finds what its config names::

    import keras
    import keras_acts.compat.tfa  # noqa: F401
    model = keras.saving.load_model("tabnet.h5")

Names made to resolve (TensorFlow Addons' own, registered under its package
"Addons"), each computed by ours with TFA's arguments and defaults:

- ``Addons>gelu`` (``approximate=True``): ``gelu``
- ``Addons>mish``: ``mish``
- ``Addons>rrelu`` (``lower=0.125, upper=1/3, training=None, seed=None,
  rng=None``): ``rrelu``
- ``Addons>snake`` (``frequency=1``): ``snake``
- ``Addons>sparsemax`` (``axis=-1``): ``sparsemax``
- ``Addons>hardshrink``, ``Addons>softshrink`` (``lower=-0.5, upper=0.5``):
  ``hard_shrink``, ``soft_shrink`` (see below)
- ``Addons>lisht``, ``Addons>tanhshrink``: ``lisht``, ``tanh_shrink``
- layers ``Addons>Sparsemax`` (``axis=-1``) and ``Addons>GELU``
  (``approximate=True``): ours under TFA's names and defaults;
  ``Addons>Snake`` (``frequency_initializer="ones"``): ``snake`` with one
  learned scalar frequency, the weight TFA saved.

Differences from TensorFlow Addons, checked against its source:

- ``gelu``: TFA's default is the tanh approximation (``approximate=True``),
  ours is exact; ``"Addons>gelu"`` keeps TFA's default, ``"gelu_custom"``
  keeps ours.
- ``hardshrink`` / ``softshrink``: TFA takes two bounds, ours one
  threshold. Symmetric bounds (``lower == -upper``, TFA's default) are
  ``threshold=upper`` exactly. Asymmetric bounds are composed from ours with
  TFA's values and gradients: soft shrink as ``x - hard_tanh(x, lower,
  upper)``, hard shrink as ``x`` times the indicator of ``x < lower or
  x > upper`` (``step``, whose derivative is 0, like TFA's mask).
  ``lower > upper`` is refused, as TFA does.
- ``rrelu``: TFA's ``training=None`` follows tf.keras's global learning
  phase, which outside ``set_learning_phase`` means inference; here ``None``
  means inference (the mean slope ``(lower + upper) / 2``). TFA's ``rng``
  (a ``tf.random.Generator``) is refused: pass ``seed``. A string activation
  cannot see Keras's ``training`` flag: use ``keras_acts.layers.RReLU`` to
  train with random slopes. TFA's gradient at ``x == 0`` is 1 (its
  ``tf.where(x >= 0, ...)``); ours is the slope there.
- ``sparsemax``: TFA returns NaN for a row holding a ``+inf`` logit; ours
  returns the projection (1 there). Finite inputs agree.
- ``Addons>Snake``: the layer keeps TFA's single scalar ``frequency`` weight,
  so saved weights load as they are.

Functions registered here are new function objects named after TFA's, so
a model loaded this way saves again under the same ``"Addons>..."`` names
and needs this import to load again.

Keras 3 reads activation *strings* in layer configs
(``Dense(activation="Addons>mish")``, as tf.keras 2 wrote them) from a
private table, ``keras.src.activations.ALL_OBJECTS_DICT``, not from the
registered objects; ``_add_to_keras_activation_strings`` puts TFA's names
there (names only, never replacing one Keras has).
"""

from __future__ import annotations

import keras

from keras_acts import activations as ours
from keras_acts import layers as our_layers
from keras_acts.engine import hooks

__all__ = ["ADDONS_ACTIVATIONS", "ADDONS_LAYERS"]

PACKAGE = "Addons"


def _register(name):
    return keras.saving.register_keras_serializable(package=PACKAGE, name=name)


# -- functions --------------------------------------------------------------------


@_register("gelu")
def gelu(x, approximate=True):
    """TFA's gelu: our gelu with TFA's default, the tanh approximation."""
    return ours.gelu(x, approximate=bool(approximate))


@_register("mish")
def mish(x):
    """TFA's mish: x * tanh(softplus(x))."""
    return ours.mish(x)


@_register("rrelu")
def rrelu(x, lower=0.125, upper=0.3333333333333333, training=None, seed=None, rng=None):
    """TFA's rrelu: random slopes in [lower, upper] in training, the mean otherwise."""
    if rng is not None:
        raise ValueError(
            f"Invalid value for argument `rng` of Addons>rrelu: {rng!r}. A "
            "tf.random.Generator is not supported here; pass seed= instead."
        )
    return ours.rrelu(x, lower=lower, upper=upper, training=bool(training), seed=seed)


@_register("snake")
def snake(x, frequency=1):
    """TFA's snake: x + sin^2(frequency x) / frequency."""
    return ours.snake(x, frequency=frequency)


@_register("sparsemax")
def sparsemax(logits, axis=-1):
    """TFA's sparsemax: Euclidean projection onto the probability simplex."""
    return ours.sparsemax(logits, axis=axis)


def _check_bounds(name, lower, upper):
    if lower > upper:
        raise ValueError(
            f"Invalid values for arguments `lower` and `upper` of Addons>{name}: "
            f"lower={lower!r} is greater than upper={upper!r}."
        )


@_register("hardshrink")
def hardshrink(x, lower=-0.5, upper=0.5):
    """TFA's hardshrink: x where x < lower or x > upper, else 0."""
    _check_bounds("hardshrink", lower, upper)
    if lower == -upper:
        return ours.hard_shrink(x, threshold=upper)
    # Asymmetric bounds: x times the indicator of lying outside them. step's
    # derivative is 0, so the gradient is that indicator, as TFA's mask.
    x = keras.ops.convert_to_tensor(x)
    outside = ours.step(x, threshold=upper) + ours.step(-x, threshold=-lower)
    return x * outside


@_register("softshrink")
def softshrink(x, lower=-0.5, upper=0.5):
    """TFA's softshrink: x - lower below lower, x - upper above upper, else 0."""
    _check_bounds("softshrink", lower, upper)
    if lower == -upper:
        return ours.soft_shrink(x, threshold=upper)
    # Asymmetric bounds: what clipping to [lower, upper] removes. It compares
    # with the bounds themselves (a shifted symmetric shrink would round the
    # bounds), and hard_tanh's derivative is 1 on them, so the gradient is 0
    # there, as TFA's.
    x = keras.ops.convert_to_tensor(x)
    if lower == upper:  # nothing to clip to: x - upper, with derivative 0 at upper
        return ours.soft_shrink(x - upper, threshold=0.0)
    return x - ours.hard_tanh(x, min_val=lower, max_val=upper)


@_register("lisht")
def lisht(x):
    """TFA's lisht: x * tanh(x)."""
    return ours.lisht(x)


@_register("tanhshrink")
def tanhshrink(x):
    """TFA's tanhshrink: x - tanh(x)."""
    return ours.tanh_shrink(x)


ADDONS_ACTIVATIONS = {
    f"{PACKAGE}>{function.__name__}": function
    for function in (gelu, mish, rrelu, snake, sparsemax, hardshrink, softshrink, lisht, tanhshrink)
}


# -- layers -------------------------------------------------------------------------


@_register("Sparsemax")
class Sparsemax(our_layers.Sparsemax):
    """TFA's Sparsemax layer: ours, under TFA's registered name."""


@_register("GELU")
class GELU(our_layers.GELU):
    """TFA's GELU layer: ours with TFA's default, ``approximate=True``."""

    def __init__(self, approximate=True, **kwargs):
        super().__init__(approximate=approximate, **kwargs)


@_register("Snake")
class Snake(keras.layers.Layer):
    """TFA's Snake layer: one learned scalar frequency, as TFA saves it."""

    def __init__(self, frequency_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.frequency_initializer = keras.initializers.get(frequency_initializer)
        self.frequency = self.add_weight(
            name="frequency", shape=(), initializer=self.frequency_initializer, trainable=True
        )

    def call(self, inputs):
        return ours.snake(inputs, frequency=keras.ops.cast(self.frequency, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["frequency_initializer"] = keras.initializers.serialize(self.frequency_initializer)
        return config


ADDONS_LAYERS = {f"{PACKAGE}>{layer.__name__}": layer for layer in (Sparsemax, GELU, Snake)}


# -- activation strings inside legacy configs -----------------------------------------


def _add_to_keras_activation_strings(names_to_functions):
    """Let Keras 3 resolve these activation strings, as plain strings are
    what tf.keras 2 wrote (Keras looks them up only in its string table, see
    ``keras_acts.engine.hooks``). Names Keras already has are never replaced."""
    table = hooks.keras_string_table()
    for name, function in names_to_functions.items():
        table.setdefault(name, function)


_add_to_keras_activation_strings(ADDONS_ACTIVATIONS)
