"""The one mechanism that makes an activation.

``define_activation`` turns a forward formula and its hand-written backward
pass into the three faces of one activation:

* a plain function whose gradient goes through ``tf.custom_gradient``,
* a serializable Keras layer class,
* a string ``"<name>_custom"`` that Keras's ``activation=`` arguments accept.

Every activation of the catalog is defined through it, and so is a user's own.
"""

import collections
import dataclasses
import difflib
import functools
import inspect
from typing import Any, Callable, Optional

import keras
import tensorflow as tf

STRING_SUFFIX = "_custom"

_REGISTRY = {}  # name or alias -> Activation
_STRINGS = {}  # "<name>_custom" -> public function


@dataclasses.dataclass(frozen=True)
class Activation:
    """Everything known about one activation; the registry holds these.

    ``function`` and ``layer`` are the public faces; ``string`` is the name
    Keras accepts as ``activation=`` (None where a parameter has no default).
    """

    name: str
    forward: Callable
    backward: Callable
    keep: Any
    validators: dict
    differentiable: tuple
    signature: inspect.Signature
    layer_name: str
    layer_signature: inspect.Signature
    layer_validators: dict
    aliases: dict
    keras_logits: bool
    output_shape: Optional[Callable]
    formula: str
    output_range: str
    monotonic: Optional[bool]
    smooth: Optional[bool]
    package: str
    check: Optional[Callable] = None
    function: Callable = None
    layer: type = None

    @property
    def string(self):
        if any(
            p.default is inspect.Parameter.empty
            for p in list(self.signature.parameters.values())[1:]
        ):
            return None
        return self.name + STRING_SUFFIX

    @property
    def strings(self):
        if self.string is None:
            return ()
        return (self.string,) + tuple(a + STRING_SUFFIX for a in self.aliases)

    @property
    def defaults(self):
        """Parameter name -> default of the function (``REQUIRED`` if none)."""
        return {
            name: p.default
            for name, p in list(self.signature.parameters.items())[1:]
        }

    def bind(self, args, kwargs, validated=True):
        """Parameters of one function call, defaults filled in, validated."""
        try:
            bound = self.signature.bind(None, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{self.name}(): {error}") from None
        bound.apply_defaults()
        params = dict(bound.arguments)
        del params[next(iter(self.signature.parameters))]
        if not validated:
            return params
        return self.validate(self.validators, params)

    def validate(self, validators, params):
        """Each parameter through its validator, then the cross-parameter
        ``check`` (over the parameters given: a layer may hold fewer)."""
        params = validate(validators, params)
        if self.check is not None:
            self.check(**params)
        return params

    def apply(self, x, params):
        """Run the activation on tensor-like ``x`` with validated ``params``."""
        x = as_float_tensor(x, self.name)
        static = {k: v for k, v in params.items() if k not in self.differentiable}
        tensors = [_in_dtype(params[k], x.dtype) for k in self.differentiable]
        y = _custom_gradient_core(self, x, tensors, static)
        if self.keras_logits:
            _cache_logits(y, x)
        return y


REQUIRED = inspect.Parameter.empty


def _in_dtype(value, dtype):
    # tf.cast(0.1, float64) would round 0.1 through float32 first.
    if isinstance(value, (int, float)):
        return tf.constant(value, dtype=dtype)
    return tf.cast(value, dtype)


def validate(validators, params):
    return {name: validators[name](name, value) for name, value in params.items()}


def as_float_tensor(x, activation_name="activation"):
    """``x`` as a floating tensor; integers become ``keras.config.floatx()``."""
    x = tf.convert_to_tensor(x)
    if x.dtype.is_floating:
        return x
    if x.dtype.is_integer:
        return tf.cast(x, keras.config.floatx())
    raise TypeError(
        f"{activation_name}() needs a real numeric input, but got a tensor of "
        f"dtype {x.dtype.name}."
    )


def _is_symbolic(x):
    return isinstance(x, keras.KerasTensor)


def _cache_logits(y, x):
    # Keras's cross-entropy losses look for this to work from logits.
    try:
        y._keras_logits = x
    except AttributeError:  # eager tensors are C types
        pass


def _kept(activation, static):
    keep = activation.keep
    return keep(**static) if callable(keep) else keep


def _custom_gradient_core(activation, x, tensors, static):
    keep = _kept(activation, static)
    names = activation.differentiable
    forward, backward = (
        _fused_pair(activation, x, tensors, static, keep)
        or _plain_pair(activation, static)
    )

    @tf.custom_gradient
    def core(x, *tensors):
        if tf.executing_eagerly():
            # An eager tape would also record the forward's own ops (only the
            # custom gradient is ever used), keeping their tensors alive, and
            # would ask a compiled forward for a differentiable variant.
            y = forward(tf.stop_gradient(x), *map(tf.stop_gradient, tensors))
        else:
            y = forward(x, *tensors)
        # The backward closure references only what it keeps: that is the
        # memory a training step holds for this activation.
        kept_x = x if "x" in keep else None
        kept_y = y if "y" in keep else None

        def grad(dy):
            grads = backward(dy, kept_x, kept_y, *tensors)
            if not names:
                return grads
            dx, *dparams = grads
            return [dx] + [
                _sum_to_shape(g, p) for g, p in zip(dparams, tensors)
            ]

        return y, grad

    return core(x, *tensors)


# -- fusion ------------------------------------------------------------------
# With fusion, the forward and the backward pass of an activation are each
# one XLA-compiled function, cached per (activation, static parameters,
# dtype, keep). See keras_acts.config for when "auto" fuses.

_FUSED = collections.OrderedDict()  # key -> (forward, backward), LRU order
_KERNEL_COUNTS = {}  # key -> (kernels forward, kernels backward, stateful)
# Ops that launch no kernel of their own (or a negligible one).
_FREE_OPS = frozenset(
    {"Placeholder", "Const", "Identity", "IdentityN", "NoOp", "Shape", "Reshape"}
)


_PLAIN_TYPES = (type(None), bool, int, float, str)


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


def _fusion_key(activation, x, tensors, static, keep):
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


def _plain_pair(activation, static):
    names = activation.differentiable

    def forward(x, *tensors):
        return activation.forward(x, **static, **dict(zip(names, tensors)))

    def backward(dy, kept_x, kept_y, *tensors):
        return activation.backward(
            dy, x=kept_x, y=kept_y, **static, **dict(zip(names, tensors))
        )

    return forward, backward


def _kernel_counts(key, activation, x, tensors, static, keep):
    """Kernels of the forward and the backward pass, and whether either
    holds a stateful (random) op; traced once per key on a symbolic x."""
    counts = _KERNEL_COUNTS.get(key)
    if counts is not None:
        return counts
    forward, backward = _plain_pair(activation, static)
    x_spec = tf.TensorSpec(x.shape, x.dtype)
    t_specs = [tf.TensorSpec(t.shape, t.dtype) for t in tensors]

    def count(graph):
        ops = [op for op in graph.get_operations() if op.type not in _FREE_OPS]
        stateful = any(op._is_stateful for op in ops)
        return len(ops), stateful

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
        counts = (nf, nb, sf or sb)
    except Exception:  # noqa: BLE001  (whatever fails here is never fused)
        counts = (0, 0, True)
    _KERNEL_COUNTS[key] = counts
    return counts


def _fused_pair(activation, x, tensors, static, keep):
    """The (forward, backward) for this call, each compiled where that pays,
    or None to run both plain."""
    from keras_acts import config

    mode = config.fusion_mode()
    if mode == "never":
        return None
    if mode == "auto" and in_xla_context():
        return None  # model-wide XLA compiles and fuses the plain ops itself
    if mode == "auto":
        size = _known_size(x.shape)
        if size is None or size < config.fusion_min_size():
            return None
    key = _fusion_key(activation, x, tensors, static, keep)
    if key is None:
        return None
    pair = _FUSED.get(key)
    if pair is not None:
        _FUSED.move_to_end(key)
        return pair
    n_forward, n_backward, stateful = _kernel_counts(
        key, activation, x, tensors, static, keep
    )
    if stateful:
        return None  # random draws must stay where they are

    def worth_fusing(function, n_kernels):
        # One native kernel, or several its author measured XLA not to beat:
        # nothing to gain.
        return mode == "always" or (
            n_kernels > 1 and not getattr(function, config.NATIVE_ATTRIBUTE, False)
        )

    fuse_forward = worth_fusing(activation.forward, n_forward)
    fuse_backward = worth_fusing(activation.backward, n_backward)
    if not (fuse_forward or fuse_backward):
        return None
    options = dict(jit_compile=True, reduce_retracing=True, autograph=False)
    forward, backward = _plain_pair(activation, static)
    pair = (
        tf.function(forward, **options) if fuse_forward else forward,
        tf.function(backward, **options) if fuse_backward else backward,
    )
    _FUSED[key] = pair
    _trim_fusion_cache()
    return pair


def in_xla_context():
    """True while tracing inside a ``tf.function(jit_compile=True)``."""
    try:
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover
        return False
    try:
        return tf.inside_function() and control_flow_util.GraphOrParentsInXlaContext(
            tf.compat.v1.get_default_graph()
        )
    except Exception:  # noqa: BLE001  (a private API: never fail on it)
        return False


def _trim_fusion_cache():
    from keras_acts import config

    while len(_FUSED) > config.fusion_cache_size():
        _FUSED.popitem(last=False)
    if len(_KERNEL_COUNTS) > 4 * max(config.fusion_cache_size(), 1):
        _KERNEL_COUNTS.clear()


def _sum_to_shape(grad, like):
    """Reduce a broadcast gradient back to the shape of ``like``."""
    grad_shape, like_shape = tf.shape(grad), tf.shape(like)
    axes, _ = tf.raw_ops.BroadcastGradientArgs(s0=like_shape, s1=grad_shape)
    return tf.reshape(tf.reduce_sum(grad, axis=axes), like_shape)


# -- strings -----------------------------------------------------------------


def _keras_string_table():
    """Keras 3's private table of activation strings (see DEVELOPERS.md)."""
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


def _check_string_is_free(string):
    current = _keras_string_table().get(string)
    if current is not None and current is not _STRINGS.get(string):
        raise ValueError(
            f"The activation string {string!r} already names Keras's "
            f"{current!r}; keras_acts never replaces a Keras name. Choose "
            "another activation name."
        )


def _register_string(string, function):
    _keras_string_table()[string] = function
    _STRINGS[string] = function


# -- layers ------------------------------------------------------------------


class ActivationLayer(keras.layers.Layer):
    """Base class of every activation layer made by ``define_activation``.

    Subclasses carry ``spec``, the ``Activation`` they apply. Parameters
    become attributes of the same name, validated at construction.
    """

    spec = None

    def __init__(self, *args, **kwargs):
        spec = self.spec
        params, base_kwargs = self._bind_constructor(args, kwargs)
        params = spec.validate(spec.layer_validators, params)
        super().__init__(**base_kwargs)
        for name, value in params.items():
            setattr(self, name, value)
        self.supports_masking = True
        self._build_at_init()

    def _bind_constructor(self, args, kwargs):
        """Constructor arguments bound to ``constructor_signature``, defaults
        filled in: (the layer's own arguments, the base Layer's kwargs)."""
        try:
            bound = self.constructor_signature(self.spec).bind(self, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{self.spec.layer_name}(): {error}") from None
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        del arguments["self"]
        return arguments, arguments.pop("kwargs", {})

    @classmethod
    def constructor_signature(cls, spec):
        """The signature a generated layer class shows for ``__init__``.

        Bases whose constructors take other arguments than the activation's
        parameters (trainable weights' initializers, say) override this.
        """
        return _layer_init_signature(spec.layer_signature)

    @property
    def params(self):
        return {name: getattr(self, name) for name in self.spec.layer_signature.parameters}

    def call(self, inputs):
        return self.spec.apply(inputs, self.params)

    def get_config(self):
        config = super().get_config()
        config.update(self.params)
        return config

    def compute_output_shape(self, input_shape):
        if self.spec.output_shape is None:
            return input_shape
        return self.spec.output_shape(input_shape, **self.params)


@keras.saving.register_keras_serializable(package="keras_acts")
class ActivationCall(keras.layers.Layer):
    """An activation function called on a symbolic Keras input.

    ``keras_acts.activations.mish(keras.Input((8,)))`` builds one of these,
    so functional models can call our functions as they call Keras's. It
    stores the activation's name and Python-valued parameters, so it saves
    and loads like any layer.
    """

    def __init__(self, activation, params=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation
        self.params = dict(params or {})
        self.supports_masking = True
        self._build_at_init()

    def _spec(self):
        return lookup(self.activation)

    def call(self, inputs):
        spec = self._spec()
        return spec.apply(inputs, spec.validate(spec.validators, self.params))

    def get_config(self):
        config = super().get_config()
        config.update({"activation": self.activation, "params": self.params})
        return config

    def compute_output_shape(self, input_shape):
        spec = self._spec()
        if spec.output_shape is None:
            return input_shape
        return spec.output_shape(input_shape, **self.params)


def _layer_init_signature(layer_signature):
    return inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + list(layer_signature.parameters.values())
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )


def _make_layer(spec, base, module):
    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)

    __init__.__signature__ = base.constructor_signature(spec)
    doc = _layer_doc(spec)
    cls = type(
        spec.layer_name,
        (base,),
        {"spec": spec, "__init__": __init__, "__doc__": doc, "__module__": module},
    )
    cls.__qualname__ = spec.layer_name
    return keras.saving.register_keras_serializable(package=spec.package)(cls)


def _layer_doc(spec):
    string = f"string `{spec.string}`" if spec.string else "no string: it needs arguments"
    lines = [f"Layer applying `{spec.name}` ({string}).", ""]
    if spec.formula:
        lines += ["Formula:", "", f"    {spec.formula}", ""]
    lines += [
        "Example:",
        "",
        f"    layer = keras_acts.layers.{spec.layer_name}()",
        "    y = layer(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]))",
        "",
        "Args:",
    ]
    for name, p in spec.layer_signature.parameters.items():
        default = "" if p.default is REQUIRED else f" Defaults to `{p.default!r}`."
        lines.append(
            f"    {name}: {spec.layer_validators[name].describe()}.{default}"
        )
    lines.append("    **kwargs: Base layer keyword arguments, such as `name` and `dtype`.")
    return "\n".join(lines)


# -- definition --------------------------------------------------------------


def _camel(name):
    return "".join(part.capitalize() for part in name.split("_"))


def define_activation(
    forward=None,
    *,
    backward,
    keep,
    params=None,
    differentiable=(),
    layer=None,
    layer_params=None,
    layer_defaults=None,
    layer_checks=None,
    layer_base=ActivationLayer,
    aliases=None,
    keras_logits=False,
    output_shape=None,
    formula="",
    output_range="",
    monotonic=None,
    smooth=None,
    package="custom",
    name=None,
    check=None,
):
    """Define an activation and get its function, layer and string.

    Use it as a decorator on the forward formula, a plain function
    ``forward(x, **params)`` whose signature (names, order, defaults) becomes
    the public function's signature:

    ```python
    def _square_backward(dy, x, y):
        return dy * 2 * x

    @keras_acts.define_activation(backward=_square_backward, keep="x")
    def square(x):
        \"\"\"x squared.\"\"\"
        return x * x

    square(tf.constant([3.0]))                        # the function
    square.layer()                                    # the layer class
    keras.layers.Dense(4, activation="square_custom")  # the string
    ```

    Args:
        forward: ``forward(x, **params) -> y``, written with TensorFlow ops.
            Constants must be cast to ``x.dtype`` so every precision works.
        backward: ``backward(dy, x, y, **params) -> dx``: the vector-Jacobian
            product. ``x`` and ``y`` are tensors only if named in ``keep``
            (otherwise None). With ``differentiable`` parameters it returns
            ``(dx, d_param, ...)``; gradients are summed back to each
            parameter's shape for you.
        keep: what the backward pass keeps alive between forward and backward:
            ``"x"``, ``"y"``, ``"xy"`` or ``""``; or a function of the static
            parameters returning one of those. Keep as little as you can.
        params: parameter name -> validator from ``keras_acts.params``, for
            every parameter of ``forward`` after ``x``.
        differentiable: names of parameters that are tensors with gradients
            (trainable weights); they are cast to ``x.dtype`` and passed into
            the custom-gradient core explicitly.
        layer: the layer class's name (default: CamelCase of the name).
        layer_params: parameter order of the layer's constructor, where it
            differs from the function's (Keras's ``ReLU`` does).
        layer_defaults: layer defaults that differ from the function's.
        layer_checks: stricter validators for the layer's constructor.
        layer_base: the layer's base class, a subclass of ``ActivationLayer``.
        aliases: alias function name -> alias layer name.
        keras_logits: set ``y._keras_logits = x`` as Keras's sigmoid/softmax do.
        output_shape: ``output_shape(input_shape, **params)`` where the
            output's shape differs from the input's.
        formula, output_range, monotonic, smooth: documentation for the
            catalog page and the ``keras-acts`` command.
        package: the Keras serialization package of the function and layer.
        name: the activation's name (default: ``forward.__name__``).
        check: ``check(**params)`` raising ``ValueError`` for combinations of
            valid parameters that are invalid together (``min_val < max_val``),
            run with the validators: on each call with Python values and at
            layer construction.

    Returns:
        The public function. It also carries ``.spec`` (the ``Activation``),
        ``.layer`` (the layer class) and ``.string``.
    """
    options = dict(locals())
    del options["forward"]
    if forward is None:
        return lambda f: define_activation(f, **options)

    name = name or forward.__name__
    for string in [name, *(aliases or {})]:
        _check_string_is_free(string + STRING_SUFFIX)
    signature = inspect.signature(forward)
    param_names = list(signature.parameters)[1:]
    validators = dict(params or {})
    missing = set(param_names) - set(validators)
    extra = set(validators) - set(param_names)
    if missing or extra:
        raise ValueError(
            f"define_activation({name!r}): `params` must give a validator for "
            f"each parameter of the forward function after x, {param_names}; "
            f"missing {sorted(missing)}, unknown {sorted(extra)}."
        )
    unknown = set(differentiable) - set(param_names)
    if unknown:
        raise ValueError(
            f"define_activation({name!r}): `differentiable` names unknown "
            f"parameters {sorted(unknown)}."
        )
    if not issubclass(layer_base, ActivationLayer):
        raise TypeError(
            f"define_activation({name!r}): `layer_base` must subclass "
            f"keras_acts.ActivationLayer, got {layer_base!r}."
        )
    if isinstance(keep, str) and set(keep) - set("xy"):
        raise ValueError(
            f"define_activation({name!r}): `keep` must be made of 'x' and 'y', "
            f"got {keep!r}."
        )
    defaults = {
        n: p.default for n, p in list(signature.parameters.items())[1:]
    }
    for n, default in defaults.items():
        if default is not REQUIRED and default is not None:
            validators[n](n, default)
    layer_defaults = {**defaults, **(layer_defaults or {})}
    layer_order = list(layer_params or param_names)
    if sorted(layer_order) != sorted(param_names):
        raise ValueError(
            f"define_activation({name!r}): `layer_params` {layer_order} must "
            f"order exactly the parameters {param_names}."
        )
    layer_signature = inspect.Signature(
        [
            inspect.Parameter(
                n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=layer_defaults[n]
            )
            for n in layer_order
        ]
    )
    layer_validators = {**validators, **(layer_checks or {})}

    spec = Activation(
        name=name,
        forward=forward,
        backward=backward,
        keep=keep,
        validators=validators,
        differentiable=tuple(differentiable),
        signature=signature,
        layer_name=layer or _camel(name),
        layer_signature=layer_signature,
        layer_validators=layer_validators,
        aliases=dict(aliases or {}),
        keras_logits=keras_logits,
        output_shape=output_shape,
        formula=formula,
        output_range=output_range,
        monotonic=monotonic,
        smooth=smooth,
        package=package,
        check=check,
    )

    @functools.wraps(forward)
    def function(x, *args, **kwargs):
        params = spec.bind(args, kwargs)
        if _is_symbolic(x):
            return ActivationCall(name, spec.bind(args, kwargs, validated=False))(x)
        return spec.apply(x, params)

    # A lambda forward would leave the name "<lambda>", which Keras saves as
    # source code instead of by its registered name.
    function.__name__ = function.__qualname__ = name
    function.__doc__ = _function_doc(spec, forward.__doc__)
    function = keras.saving.register_keras_serializable(package=package, name=name)(
        function
    )
    layer_cls = _make_layer(spec, layer_base, forward.__module__)
    object.__setattr__(spec, "function", function)
    object.__setattr__(spec, "layer", layer_cls)
    function.spec = spec
    function.layer = layer_cls
    function.string = spec.string

    for key in (name, *spec.aliases):
        _REGISTRY[key] = spec
    for string in spec.strings:
        _register_string(string, function)
    return function


def _function_doc(spec, doc):
    doc = inspect.cleandoc(doc or f"The `{spec.name}` activation.")
    if "Args:" in doc:
        return doc
    lines = [doc, ""]
    if spec.formula and "Formula" not in doc:
        lines += ["Formula:", "", f"    {spec.formula}", ""]
    lines += ["Args:", "    x: Input tensor."]
    for name, default in spec.defaults.items():
        suffix = "" if default is REQUIRED else f" Defaults to `{default!r}`."
        lines.append(f"    {name}: {spec.validators[name].describe()}.{suffix}")
    return "\n".join(lines)


# -- lookup ------------------------------------------------------------------


def catalog():
    """Every defined activation, each once, in definition order."""
    seen = []
    for spec in _REGISTRY.values():
        if spec not in seen:
            seen.append(spec)
    return seen


def names():
    """Every registered activation string, sorted."""
    return sorted(_STRINGS)


def lookup(name):
    """The ``Activation`` for a name, alias or string; ``ValueError`` if none."""
    key = name[: -len(STRING_SUFFIX)] if name.endswith(STRING_SUFFIX) else name
    if key in _REGISTRY:
        return _REGISTRY[key]
    known = sorted(set(_REGISTRY) | set(_STRINGS))
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    hint = f" Closest known names: {', '.join(close)}." if close else ""
    raise ValueError(
        f"Unknown activation {name!r}.{hint} "
        "keras_acts.names() lists every activation string."
    )


def get(identifier):
    """Resolve an activation identifier to a callable.

    Accepts our strings (``"mish_custom"``) and names (``"mish"``), a layer
    instance or class of ours, a serialized config dict, any callable, or
    ``None`` (the identity, as Keras does).
    """
    if identifier is None:
        return lookup("linear").function if "linear" in _REGISTRY else keras.activations.linear
    if isinstance(identifier, str):
        return lookup(identifier).function
    if isinstance(identifier, dict):
        return get(keras.saving.deserialize_keras_object(identifier))
    if isinstance(identifier, type) and issubclass(identifier, ActivationLayer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret activation identifier {identifier!r}: expected "
        "a string, a layer, a callable, a config dict or None."
    )
