"""What an activation takes as its input, checked before any kernel runs.

Every function call and every layer call goes through ``apply`` here, and
every layer's ``build`` through ``check_axes``, so a misuse raises our
``TypeError`` or ``ValueError`` naming the argument, never an error from deep
inside a TensorFlow kernel (nor a wrong answer: TensorFlow wraps a huge axis
around onto another one).

The input-type policy is written once, in ``as_float_tensor``.
"""

import keras

from keras_acts import backend
from keras_acts.params import Axis, TensorLike

if backend.is_tensorflow():
    import tensorflow as tf

    _SPARSE, _RAGGED = tf.SparseTensor, tf.RaggedTensor
else:  # sparse and ragged tensors are TensorFlow's alone
    _SPARSE = _RAGGED = ()

#: The floating dtypes, as Keras names them.
FLOATING = ("float16", "bfloat16", "float32", "float64")

_BUILTIN_PACKAGE = "keras_acts"


def _kind(dtype):
    """"floating", "integer", "bool" or another word, for a dtype's name."""
    if dtype in FLOATING:
        return "floating"
    if dtype.startswith(("int", "uint")):
        return "integer"
    return dtype if dtype == "bool" else "other"


def keras_takes(activation):
    """The non-float kinds of input (``"integer"``, ``"bool"``) that Keras's
    built-in of our activation's name takes, as the catalog row declares
    (``Edges.keras_takes``); none for an activation of another package."""
    if activation.package != _BUILTIN_PACKAGE:
        return ()
    return activation.edges.keras_takes


def keras_builtin_for(activation, dtype):
    """Keras's built-in that takes ``dtype`` under our activation's name, or
    None (then the input is refused)."""
    if _kind(keras.backend.standardize_dtype(dtype)) not in keras_takes(activation):
        return None
    return getattr(keras.activations, activation.name, None)


def as_float_tensor(x, activation):
    """``x`` as a dense floating tensor, or the reason it cannot be one.

    The input-type policy, for every activation:

    - Floating tensors (float16, bfloat16, float32, float64) compute in their
      own dtype.
    - Integer and bool inputs behave as Keras's built-in of the same name
      where there is one that takes them (``keras_takes``: ``relu`` and
      ``relu6`` keep the int dtype, ``leaky_relu``, ``tanh`` and
      ``exponential`` give ``keras.config.floatx()``, ``linear`` returns its
      input): ``apply`` then returns what that built-in returns. Every other
      activation raises a ``TypeError`` naming the dtype: cast the input
      yourself (``keras.ops.cast(x, "float32")``).
    - Ragged tensors: element-wise activations apply to their values (so the
      function and the layer take them); activations along an axis
      (normalizers, glu) raise a ``TypeError`` (use ``x.to_tensor()`` with a
      mask instead).
    - Sparse tensors raise a ``TypeError``: most activations do not map 0 to
      0, so the result would not be sparse (use ``tf.sparse.to_dense``).
    - Complex and string tensors raise a ``TypeError``.

    Returns the floating tensor, or None where ``x`` is an integer or bool
    tensor that Keras's built-in takes (``keras_builtin_for``).
    """
    if isinstance(x, _SPARSE):
        raise TypeError(
            f"{activation.name}() does not take a tf.SparseTensor: its output "
            "would not be sparse. Convert it with tf.sparse.to_dense(x) first."
        )
    x = _as_tensor(x)
    dtype = keras.backend.standardize_dtype(x.dtype)
    kind = _kind(dtype)
    if kind == "floating":
        return x
    if kind in ("integer", "bool") and keras_builtin_for(activation, x.dtype):
        return None
    takes = ", ".join(keras_takes(activation)) or "floating"
    raise TypeError(
        f"{activation.name}() takes floating inputs (float16, bfloat16, float32, "
        f"float64), but got a tensor of dtype {dtype}"
        + ("" if takes == "floating" else f" (as Keras's, also {takes} ones)")
        + ". Cast it first, e.g. keras.ops.cast(x, 'float32')."
    )


def _as_tensor(x):
    if backend.is_tensorflow():
        return tf.convert_to_tensor(x)
    return keras.ops.convert_to_tensor(x)


def _rank(shape):
    try:
        return None if shape is None else len(shape)
    except (TypeError, ValueError):  # a TensorShape of unknown rank
        return None


def check_axes(activation, params, shape):
    """Each axis parameter against the rank of an input of ``shape``."""
    rank = _rank(shape)
    for name in activation.axis_names:
        if name in params:
            Axis.check_rank(name, params[name], rank)


def check_against_input(activation, params, shape):
    """Axes in range, tensor parameters broadcastable to the input."""
    check_axes(activation, params, shape)
    for name, validator in activation.validators.items():
        if isinstance(validator, TensorLike) and name in params:
            TensorLike.check_broadcast(name, params[name], shape)


def _apply_to_ragged(activation, x, params, core):
    if activation.kind != "elementwise":
        raise TypeError(
            f"{activation.name}() works along an axis and does not take a "
            "tf.RaggedTensor; pad it with x.to_tensor() (and, for its layer, "
            "pass the padding as a mask)."
        )
    inner = x.flat_values.shape[1:]
    params = dict(params)
    for name, validator in activation.validators.items():
        if isinstance(validator, TensorLike) and name in params:
            params[name] = _on_uniform_dims(name, params[name], inner, x.shape)
    return tf.ragged.map_flat_values(lambda v: apply(activation, v, params, core), x)


def _on_uniform_dims(name, value, inner, shape):
    """A tensor parameter for the values of a ragged tensor, which are
    (elements, *uniform dims): its dims over the batch and ragged axes (which
    the elements merge) must be 1, and are dropped; the rest must broadcast
    to the uniform dims (a layer's weight shared along the ragged axis)."""
    value_shape = getattr(value, "shape", None)
    if value_shape is None or tf.TensorShape(value_shape).rank is None:
        return value
    value_shape = tf.TensorShape(value_shape).as_list()
    merged = len(value_shape) - len(inner)
    if merged > 0:
        if any(size != 1 for size in value_shape[:merged]):
            raise ValueError(
                f"Invalid value for argument `{name}`: a tensor of shape "
                f"{tuple(value_shape)}. Expected, for a ragged input of shape {shape}, "
                "a number or a tensor of size 1 along the batch and ragged axes."
            )
        value = tf.reshape(value, value_shape[merged:])
    TensorLike.check_broadcast(name, value, inner)
    return value


def apply(activation, x, params, core):
    """``core(activation, x, params)`` on an input the policy takes (see
    ``as_float_tensor``); ``params`` are validated already."""
    if isinstance(x, _RAGGED):
        return _apply_to_ragged(activation, x, params, core)
    dense = as_float_tensor(x, activation)
    if dense is None:
        x = _as_tensor(x)
        return keras_builtin_for(activation, x.dtype)(x, **params)
    check_against_input(activation, params, dense.shape)
    return core(activation, dense, params)
