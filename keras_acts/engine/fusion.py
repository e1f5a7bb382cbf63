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

from keras_acts import backend
from keras_acts.engine import hooks

if backend.is_tensorflow():  # the settings below hold on every backend; fusing is TensorFlow's
    import tensorflow as tf

MODES = ("auto", "always", "never")
DEFAULT_MIN_SIZE = 1 << 16
DEFAULT_CACHE_SIZE = 256
# Eager calls compile a pass anew for each input shape, and TensorFlow keeps
# the compiled code for the life of the process (evicting or clearing our
# cache does not return it: measured +490 KiB per new shape of mish at 2^16
# elements, forward and backward, either way). So each pair compiles at most
# this many eager shapes; a further shape runs the plain passes (shapes
# already compiled stay fused).
DEFAULT_SHAPE_BUDGET = 8
BYTES_PER_COMPILED_SHAPE = 490 * 1024
# A dimension unknown while tracing (the batch of a Keras step traced for a
# partial last batch) counts as this many elements: a typical batch.
ASSUMED_UNKNOWN_DIM = 64
NATIVE_ATTRIBUTE = "_keras_acts_native"

# -- settings -----------------------------------------------------------------
# A ``with`` block's values are kept in the thread that entered it, and also
# in one process-wide list of the active blocks, in the order entered: a
# thread with no block of its own sees the most recent active block of any
# thread. That is how the threads ``tf.distribute`` starts for work traced
# inside a block (MirroredStrategy's replica threads) see it. Writers hold
# ``_settings_lock``; readers read snapshots (tuples replaced whole).

_settings_lock = threading.Lock()
_process_defaults = {"mode": "auto", "min_size": DEFAULT_MIN_SIZE, "portable": False}
_own_blocks = {}  # thread ident -> tuple of (token, values), innermost last
_active_blocks = ()  # (token, values) of every thread, in the order entered
_FUSION_SETTINGS = ("mode", "min_size")


def _setting(key):
    own = _own_blocks.get(threading.get_ident())
    for _, values in reversed(own if own else _active_blocks):
        if key in values:
            return values[key]
    return _process_defaults[key]


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"Invalid value for argument `mode`: {mode!r}. Expected one of {MODES}.")
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
    values = {"mode": _check_mode(mode)}
    if min_size is not None:
        values["min_size"] = _check_count("min_size", min_size)
    with _settings_lock:
        _process_defaults.update(values)
    _forget_own_blocks(_FUSION_SETTINGS)


def _forget_own_blocks(keys):
    """Drop ``keys`` from the calling thread's active blocks (a new process
    default then shows in this thread even inside a block)."""
    with _settings_lock:
        own = _own_blocks.get(threading.get_ident(), ())
        for _, values in own:
            for key in keys:
                values.pop(key, None)


@contextlib.contextmanager
def _overrides(**values):
    """``values`` in effect inside a ``with`` block: in this thread, and in
    threads without blocks of their own (see above)."""
    global _active_blocks
    ident, block = threading.get_ident(), (object(), dict(values))
    with _settings_lock:
        _own_blocks[ident] = _own_blocks.get(ident, ()) + (block,)
        _active_blocks = _active_blocks + (block,)
    try:
        yield
    finally:
        with _settings_lock:
            own = tuple(b for b in _own_blocks.get(ident, ()) if b[0] is not block[0])
            if own:
                _own_blocks[ident] = own
            else:
                _own_blocks.pop(ident, None)
            _active_blocks = tuple(b for b in _active_blocks if b[0] is not block[0])


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
    enabled = _check_enabled(enabled)
    with _settings_lock:
        _process_defaults["portable"] = enabled
    _forget_own_blocks(("portable",))


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
_shapes = {}  # key -> the eager input shapes its pair has compiled
_max_entries = DEFAULT_CACHE_SIZE
_shape_budget = DEFAULT_SHAPE_BUDGET  # per pair
_eager_compilations = 0  # for the life of the process (see above)


def set_cache_size(size, shapes=None):
    global _max_entries, _shape_budget
    size = _check_count("size", size)
    shapes = None if shapes is None else _check_count("shapes", shapes)
    with _lock:
        _max_entries = size
        if shapes is not None:
            _shape_budget = shapes
        _trim()


def cache_info():
    """What the cache holds and may hold; see ``config.fusion_cache_info``."""
    with _lock:
        return {
            "entries": len(_compiled),
            "limit": _max_entries,
            "shapes_per_entry": _shape_budget,
            "eager_shapes_compiled": _eager_compilations,
            "estimated_bytes": _eager_compilations * BYTES_PER_COMPILED_SHAPE,
        }


def cache_size():
    return _max_entries


def clear_cache():
    with _lock:
        _compiled.clear()
        _kernel_counts.clear()
        _shapes.clear()


def cached_pairs():
    """The compiled (forward, backward) pairs, least recently used first."""
    with _lock:
        return list(_compiled.values())


def _trim():
    while len(_compiled) > _max_entries:
        key, _ = _compiled.popitem(last=False)
        _shapes.pop(key, None)
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
        # One compiled pair per rank: reduce_retracing would otherwise relax a
        # second rank to an unknown one, which the axis-halving formulas
        # (glu and the gated units) cannot take.
        x.shape.rank,
        keep,
        len(tensors),
    )


def _assumed_size(shape):
    """The elements of a shape, an unknown dimension counting as
    ``ASSUMED_UNKNOWN_DIM`` (None for an unknown rank)."""
    if shape.rank is None:
        return None
    size = 1
    for dim in shape:
        size *= ASSUMED_UNKNOWN_DIM if dim is None else dim
    return size


def _eager_shape_allowed(key, x):
    """Whether an eager call may use (and so compile for) its shape: always
    for a shape its pair has compiled, else within the pair's budget."""
    global _eager_compilations
    if not tf.executing_eagerly():
        return True  # the enclosing function owns its traces
    shape = tuple(x.shape)
    with _lock:
        seen = _shapes.setdefault(key, set())
        if shape in seen:
            return True
        if len(seen) >= _shape_budget:
            return False
        seen.add(shape)
        _eager_compilations += 1
        return True


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
        size = _assumed_size(x.shape)
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
        counts = _kernel_counts.get(key)
    if pair is not None:
        return pair if _eager_shape_allowed(key, x) else None
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
    if not (fuse_forward or fuse_backward) or not _eager_shape_allowed(key, x):
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
