"""Every private TensorFlow or Keras hook the package uses, in one place.

Each hook is feature-detected: where a future version moves or drops what it
reaches for, the hook either fails with a clear message naming what is
missing (where the feature cannot work without it) or falls back to a
documented safe answer (where it only steers a choice). Nothing else in the
package imports from ``keras.src`` or ``tensorflow.python``.
"""

import keras

from keras_acts import params


def keras_string_table():
    """Keras 3's table of activation strings.

    ``keras.activations.get("name")`` looks strings up only in the private
    dict ``keras.src.activations.ALL_OBJECTS_DICT``; registering a string
    means adding to it. Without it, strings cannot work at all.
    """
    try:
        from keras.src import activations as keras_activations

        table = keras_activations.ALL_OBJECTS_DICT
    except (ImportError, AttributeError):
        table = None
    if not isinstance(table, dict):
        raise ImportError(
            "keras_acts registers its activation strings in "
            "keras.src.activations.ALL_OBJECTS_DICT, which Keras "
            f"{keras.__version__} does not have. String activations such as "
            "'mish_custom' cannot work with this Keras version; please report "
            "it, and use keras_acts.activations.<name> or keras_acts.layers "
            "in the meantime."
        )
    return table


def in_xla_context():
    """True while tracing inside a ``tf.function(jit_compile=True)``.

    Only steers performance choices, so where the private helper is missing
    the answer is False (the plain, always-correct path).
    """
    if keras.backend.backend() != "tensorflow":
        return False
    try:
        import tensorflow as tf
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover
        return False
    try:
        return tf.inside_function() and control_flow_util.GraphOrParentsInXlaContext(
            tf.compat.v1.get_default_graph()
        )
    except Exception:  # noqa: BLE001  (a private API: never fail on it)
        return False


def in_save_context():
    """True while TensorFlow traces functions for a SavedModel
    (``model.export``, ``tf.saved_model.save``, and so TFLite's
    ``from_keras_model``). Only steers the choice of portable forms: False
    where the private module is missing."""
    if keras.backend.backend() != "tensorflow":
        return False
    try:
        from tensorflow.python.saved_model import save_context
    except ImportError:  # pragma: no cover
        return False
    try:
        return bool(save_context.in_save_context())
    except Exception:  # noqa: BLE001  (a private API: never fail on it)
        return False


def op_is_stateful(op):
    """Whether a graph operation is stateful (random draws, variables).

    Unknown means stateful: the caller then keeps the op where it is.
    """
    return bool(getattr(op, "_is_stateful", True))


def draw_seed(seed):
    """A seed tensor from an int, a ``keras.random.SeedGenerator`` or None
    (the global generator), as Keras's own random ops draw it."""
    try:
        from keras.src.random.seed_generator import draw_seed as keras_draw_seed
    except ImportError:  # pragma: no cover
        raise ImportError(
            "keras_acts draws random seeds with keras.src.random.seed_generator"
            f".draw_seed, which Keras {keras.__version__} does not have; "
            "random activations (rrelu in training) cannot run."
        ) from None
    return keras_draw_seed(seed)


# The per-call seeds of random activations (``params.SeedPerCall``) are
# drawn here: params sits below the engine and imports nothing from it.
params.SeedPerCall.draw_with(draw_seed)
