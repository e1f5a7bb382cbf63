"""How an activation's passes are compiled and traced: fusion and portability.

Fusion: when a forward or backward pass is compiled by XLA. Portability:
whether the graph being traced must be plain, portable TensorFlow ops (for
SavedModel, TFLite, ONNX): then nothing fuses, and ``keras_acts.numerics``
picks portable forms. This module alone holds that state: the settings (a
process-wide default, and ``with`` overrides for the current thread) and the
caches of compiled passes. ``keras_acts.config`` is its public face, and
documents the policy; ``fused_pair`` applies it to one call.
"""

import collections
import contextlib
import threading

import tensorflow as tf

from keras_acts.engine import hooks

MODES = ("auto", "always", "never")
DEFAULT_MIN_SIZE = 1 << 16
DEFAULT_CACHE_SIZE = 256
NATIVE_ATTRIBUTE = "_keras_acts_native"

# -- settings -----------------------------------------------------------------

_thread_overrides = threading.local()
_process_defaults = {"mode": "auto", "min_size": DEFAULT_MIN_SIZE, "portable": False}
_FUSION_SETTINGS = ("mode", "min_size")


def _setting(key):
    return getattr(_thread_overrides, key, _process_defaults[key])


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"fusion mode must be one of {MODES}, got {mode!r}.")
    return mode


def _check_count(argument, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"Invalid value for argument `{argument}`: {value!r}. "
            "Expected an int >= 0."
        )
    return value


def mode():
    return _setting("mode")


def min_size():
    return _setting("min_size")


def set_defaults(mode, min_size=None):
    _process_defaults["mode"] = _check_mode(mode)
    if min_size is not None:
        _process_defaults["min_size"] = _check_count("min_size", min_size)
    _forget_thread_overrides(_FUSION_SETTINGS)


def _forget_thread_overrides(keys):
    for key in keys:
        if hasattr(_thread_overrides, key):
            delattr(_thread_overrides, key)


@contextlib.contextmanager
def _overrides(**values):
    """``values`` in effect in this thread inside a ``with`` block."""
    saved = {k: getattr(_thread_overrides, k) for k in values if hasattr(_thread_overrides, k)}
    for key, value in values.items():
        setattr(_thread_overrides, key, value)
    try:
        yield
    finally:
        _forget_thread_overrides(values)
        for key, value in saved.items():
            setattr(_thread_overrides, key, value)


def overridden(mode, min_size=None):
    values = {"mode": _check_mode(mode)}
    if min_size is not None:
        values["min_size"] = _check_count("min_size", min_size)
    return _overrides(**values)


def _check_enabled(enabled):
    if not isinstance(enabled, bool):
        raise ValueError(
            f"Invalid value for argument `enabled`: {enabled!r}. Expected True or False."
        )
    return enabled


def set_portable_default(enabled):
    _process_defaults["portable"] = _check_enabled(enabled)
    _forget_thread_overrides(("portable",))


def portable_overridden(enabled):
    return _overrides(portable=_check_enabled(enabled))


def portable():
    """Whether graphs traced now must be portable: inside ``portable()`` or
    after ``set_portable(True)``, or while TensorFlow traces for a SavedModel."""
    return _setting("portable") or hooks.in_save_context()


def mark_native(function):
    setattr(function, NATIVE_ATTRIBUTE, True)
    return function


def _is_marked_native(function):
    return getattr(function, NATIVE_ATTRIBUTE, False)


# -- caches -------------------------------------------------------------------
# One lock guards both caches: any thread may trace an activation while
# another resizes or clears them.

_lock = threading.RLock()
_compiled = collections.OrderedDict()  # key -> (forward, backward), LRU order
_kernel_counts = {}  # key -> (kernels forward, kernels backward, stateful)
_max_entries = DEFAULT_CACHE_SIZE


def set_cache_size(size):
    global _max_entries
    with _lock:
        _max_entries = _check_count("size", size)
        _trim()


def cache_size():
    return _max_entries


def clear_cache():
    with _lock:
        _compiled.clear()
        _kernel_counts.clear()


def cached_pairs():
    """The compiled (forward, backward) pairs, least recently used first."""
    with _lock:
        return list(_compiled.values())


def _trim():
    while len(_compiled) > _max_entries:
        _compiled.popitem(last=False)
    if len(_kernel_counts) > 4 * max(_max_entries, 1):
        _kernel_counts.clear()


# -- the engine -------------------------------------------------------------

_PLAIN_TYPES = (type(None), bool, int, float, str)
# Ops that launch no kernel of their own (or a negligible one).
_FREE_OPS = frozenset(
    {"Placeholder", "Const", "Identity", "IdentityN", "NoOp", "Shape", "Reshape"}
)


def _static_key(static):
    """A cache key of the static parameters, or None where one is not a
    plain value (an object with state of its own, such as a seed, is never
    fused: its key would be new on every call)."""

    def frozen(value):
        if isinstance(value, tuple):
            items = tuple(frozen(v) for v in value)
            return None if None in items else ("tuple", items)
        if type(value) in _PLAIN_TYPES:
            return (type(value).__name__, value)
        return None

    items = []
    for k, v in sorted(static.items()):
        value = frozen(v)
        if value is None:
            return None
        items.append((k, value))
    return tuple(items)


def _cache_key(activation, x, tensors, static, keep):
    static_key = _static_key(static)
    if static_key is None:
        return None
    return (
        activation.name,
        id(activation.forward),
        id(activation.backward),
        static_key,
        x.dtype.name,
        keep,
        len(tensors),
    )


def _known_size(shape):
    if shape.rank is None:
        return None
    size = 1
    for dim in shape:
        if dim is not None:
            size *= dim
    return size


def _count_kernels(activation, x, tensors, static, keep):
    """Kernels of the forward and the backward pass, and whether either
    holds a stateful (random) op, from tracing both on a symbolic x."""
    forward, backward = activation.passes(static)
    x_spec = tf.TensorSpec(x.shape, x.dtype)
    t_specs = [tf.TensorSpec(t.shape, t.dtype) for t in tensors]

    def count(graph):
        ops = [op for op in graph.get_operations() if op.type not in _FREE_OPS]
        return len(ops), any(hooks.op_is_stateful(op) for op in ops)

    try:
        f_graph = tf.function(forward, autograph=False).get_concrete_function(
            x_spec, *t_specs
        ).graph
        y_spec = tf.TensorSpec(f_graph.outputs[0].shape, x.dtype)
        b_graph = tf.function(backward, autograph=False).get_concrete_function(
            y_spec,
            x_spec if "x" in keep else None,
            y_spec if "y" in keep else None,
            *t_specs,
        ).graph
        (nf, sf), (nb, sb) = count(f_graph), count(b_graph)
        return (nf, nb, sf or sb)
    except Exception:  # noqa: BLE001  (whatever fails here is never fused)
        return (0, 0, True)


def _wanted(x):
    """Whether the settings in effect want this call fused at all."""
    current = mode()
    if current == "never" or portable():
        return False  # an exported XLA call would need an XLA runtime to serve
    if current == "auto" and hooks.in_xla_context():
        return False  # model-wide XLA compiles and fuses the plain ops itself
    if current == "auto":
        size = _known_size(x.shape)
        if size is None or size < min_size():
            return False
    return True


def fused_pair(activation, x, tensors, static, keep):
    """The (forward, backward) for this call, each compiled where that pays,
    or None to run both plain."""
    if not _wanted(x):
        return None
    key = _cache_key(activation, x, tensors, static, keep)
    if key is None:
        return None
    with _lock:
        pair = _compiled.get(key)
        if pair is not None:
            _compiled.move_to_end(key)
            return pair
        counts = _kernel_counts.get(key)
    if counts is None:
        counts = _count_kernels(activation, x, tensors, static, keep)
        with _lock:
            _kernel_counts[key] = counts
    n_forward, n_backward, stateful = counts
    if stateful:
        return None  # random draws must stay where they are

    always = mode() == "always"

    def worth_fusing(function, n_kernels):
        # One native kernel, or several its author measured XLA not to beat:
        # nothing to gain.
        return always or (n_kernels > 1 and not _is_marked_native(function))

    fuse_forward = worth_fusing(activation.forward, n_forward)
    fuse_backward = worth_fusing(activation.backward, n_backward)
    if not (fuse_forward or fuse_backward):
        return None
    options = dict(jit_compile=True, reduce_retracing=True, autograph=False)
    forward, backward = activation.passes(static)
    pair = (
        tf.function(forward, **options) if fuse_forward else forward,
        tf.function(backward, **options) if fuse_backward else backward,
    )
    with _lock:
        pair = _compiled.setdefault(key, pair)
        _compiled.move_to_end(key)
        _trim()
    return pair
