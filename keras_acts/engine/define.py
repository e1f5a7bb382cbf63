"""``define_activation``: one declaration, every face.

A short pipeline: the description (``Activation``) -> the function through
the custom-gradient core -> the layer class -> the registry (names and Keras
strings). The catalog is made with it, and so is a user's own activation.
"""

import functools
import inspect
import warnings

import keras

from keras_acts.engine import docs, registry
from keras_acts.engine.description import REQUIRED, Activation, has_other_names, split_options
from keras_acts.engine.layers import ActivationCall, ActivationLayer, make_layer


def _camel(name):
    return "".join(part.capitalize() for part in name.split("_"))


def _problem(name, message):
    return f"define_activation({name!r}): {message}"


def _check_declaration(name, forward, validators, differentiable, keep, layer_base):
    param_names = list(inspect.signature(forward).parameters)[1:]
    missing = set(param_names) - set(validators)
    extra = set(validators) - set(param_names)
    if missing or extra:
        raise ValueError(_problem(
            name,
            f"`validators` must give one for each parameter of the forward "
            f"function after x, {param_names}; missing {sorted(missing)}, "
            f"unknown {sorted(extra)}.",
        ))
    unknown = set(differentiable) - set(param_names)
    if unknown:
        raise ValueError(_problem(
            name, f"`differentiable` names unknown parameters {sorted(unknown)}."
        ))
    if not (isinstance(layer_base, type) and issubclass(layer_base, ActivationLayer)):
        raise TypeError(_problem(
            name,
            f"`layer_base` must subclass keras_acts.ActivationLayer, got {layer_base!r}.",
        ))
    if isinstance(keep, str) and set(keep) - set("xy"):
        raise ValueError(_problem(
            name, f"`keep` must be made of 'x' and 'y', got {keep!r}."
        ))
    return param_names


def _layer_signature(name, signature, param_names, validators, options):
    defaults = {n: p.default for n, p in list(signature.parameters.items())[1:]}
    for n, default in defaults.items():
        if default is not REQUIRED and default is not None:
            validators[n](n, default)
    layer_defaults = {**defaults, **(options.layer_defaults or {})}
    order = list(options.layer_params or param_names)
    if sorted(order) != sorted(param_names):
        raise ValueError(_problem(
            name, f"`layer_params` {order} must order exactly the parameters {param_names}."
        ))
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature(
        [inspect.Parameter(n, kind, default=layer_defaults[n]) for n in order]
    )


def _check_portable_forward(name, forward, portable_forward):
    if portable_forward is None:
        return
    ours, its = (list(inspect.signature(f).parameters) for f in (forward, portable_forward))
    if ours != its:
        raise ValueError(_problem(
            name,
            f"`portable_forward` must take the forward's parameters {ours}, got {its}.",
        ))


def describe(forward, *, backward, keep, validators=None, differentiable=(), check=None,
             name=None, package="custom", aliases=None, keras_logits=False,
             output_shape=None, portable_forward=None, **options):
    """The ``Activation`` a declaration describes, checked."""
    name = name or forward.__name__
    options, documentation, edges = split_options(options)
    validators = dict(validators or {})
    layer_base = options.layer_base or ActivationLayer
    param_names = _check_declaration(
        name, forward, validators, differentiable, keep, layer_base
    )
    _check_portable_forward(name, forward, portable_forward)
    if backward is None and package != registry.BUILTIN_PACKAGE:
        raise TypeError(_problem(name, "`backward` must be a function, got None."))
    signature = inspect.signature(forward)
    return Activation(
        name=name,
        standard_forward=forward,
        backward=backward,
        keep=keep,
        validators=validators,
        differentiable=tuple(differentiable),
        signature=signature,
        layer_name=options.layer or _camel(name),
        layer_signature=_layer_signature(name, signature, param_names, validators, options),
        layer_validators={**validators, **(options.layer_checks or {})},
        layer_base=layer_base,
        aliases=dict(aliases or {}),
        keras_logits=keras_logits,
        output_shape=output_shape,
        docs=documentation,
        package=package,
        family=forward.__module__.rpartition(".")[2] if package == registry.BUILTIN_PACKAGE else None,
        check=check,
        portable_forward=portable_forward,
        edges=edges,
    )


def _make_function(spec):
    """The public function: validates, then applies through the gradient
    core, or records an ``ActivationCall`` on a symbolic Keras input."""

    @functools.wraps(spec.standard_forward)
    def function(x, *args, **kwargs):
        params = spec.bind(args, kwargs)
        if isinstance(x, keras.KerasTensor):
            return ActivationCall(spec.name, spec.bind(args, kwargs, validated=False))(x)
        return spec.apply(x, params)

    # A lambda forward would leave the name "<lambda>", which Keras saves as
    # source code instead of by its registered name.
    function.__name__ = function.__qualname__ = spec.name
    function.__doc__ = docs.function_doc(spec, spec.standard_forward.__doc__)
    return keras.saving.register_keras_serializable(package=spec.package, name=spec.name)(
        function
    )


def _naming_other_names(layer, spec):
    """Make the layer's constructor refuse other libraries' names of its
    arguments (Keras 2's ``LeakyReLU(alpha=...)``) naming ours, where Keras
    would only say "Unrecognized keyword arguments"."""
    init = layer.__init__
    accepted = set(inspect.signature(init).parameters) - {"self", "kwargs"}

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        spec.check_other_names(kwargs, accepted, spec.layer_name)
        init(self, *args, **kwargs)

    layer.__init__ = __init__


def define(forward=None, *, replace=False, **declaration):
    """``define_activation`` without the guard on the package name."""
    if forward is None:
        return functools.partial(define, replace=replace, **declaration)
    spec = describe(forward, **declaration)
    registry.check_names_are_free(spec, replace=replace)
    function = _make_function(spec)
    layer = make_layer(spec, spec.layer_base, forward.__module__)
    if has_other_names(spec.name):
        _naming_other_names(layer, spec)
    object.__setattr__(spec, "function", function)
    object.__setattr__(spec, "layer", layer)
    function.spec, function.layer, function.string = spec, layer, spec.string
    registry.register(spec)
    return function


def _validators_keyword(declaration, caller):
    """``params=``, the validators' former keyword, as ``validators=``,
    with a ``DeprecationWarning`` (``params`` are values everywhere else:
    ``layer.params``, the parameters a call binds)."""
    if "params" not in declaration:
        return declaration
    if "validators" in declaration:
        raise TypeError(
            f"{caller}() got both `params` and `validators`; pass `validators` alone."
        )
    warnings.warn(
        f"{caller}(params=...) is deprecated: pass the validators as validators=... "
        "(the same dict, parameter name -> validator).",
        DeprecationWarning,
        stacklevel=3,
    )
    declaration = dict(declaration)
    declaration["validators"] = declaration.pop("params")
    return declaration


def define_builtin(forward=None, *, backward=None, **declaration):
    """``define_activation`` for keras_acts's own catalog, in its package.

    A row reads forward first: ``backward`` may be left out here and
    attached below the forward with ``backward_of``."""
    declaration = _validators_keyword(declaration, "define_builtin")
    return define(forward, package=registry.BUILTIN_PACKAGE, backward=backward, **declaration)


def _attach(function, field, check=None):
    spec = function.spec

    def attach(form):
        if getattr(spec, field) is not None:
            raise ValueError(_problem(spec.name, f"its `{field}` is given already."))
        if check is not None:
            check(spec.name, spec.standard_forward, form)
        object.__setattr__(spec, field, form)
        return form

    return attach


def backward_of(function):
    """Attach a catalog row's backward pass below its forward, as JAX's
    ``defvjp`` beside a ``custom_vjp`` function::

        @define_builtin(keep="y", validators={}, ...)
        def exponential(x):
            return ops.exp(x)

        @backward_of(exponential)
        def _exponential_backward(dy, x, y):
            return dy * y
    """
    return _attach(function, "backward")


def portable_form_of(function):
    """Attach a catalog row's export-only forward (``portable_forward``)
    below its forward: the form graphs traced for export take."""
    return _attach(function, "portable_forward", _check_portable_forward)


def define_activation(forward=None, *, backward, keep, package="custom", **declaration):
    """Define an activation and get its function, layer and string.

    Use it as a decorator on the forward formula, a plain function
    ``forward(x, **params)`` whose signature (names, order, defaults) becomes
    the public function's signature:

    ```python
    import keras
    import keras_acts

    def _square_backward(dy, x, y):
        return dy * 2 * x

    @keras_acts.define_activation(backward=_square_backward, keep="x")
    def square(x):
        \"\"\"x squared.\"\"\"
        return x * x

    square(keras.ops.convert_to_tensor([3.0]))        # the function
    square.layer()                                    # the layer class
    keras.layers.Dense(4, activation="square_custom")  # the string
    ```

    Args:
        forward: ``forward(x, **params) -> y``, written with ``keras.ops``
            (every backend) or the active backend's own ops.
            Constants must be cast to ``x.dtype`` so every precision works.
        backward: ``backward(dy, x, y, **params) -> dx``: the vector-Jacobian
            product. ``x`` and ``y`` are tensors only if named in ``keep``
            (otherwise None). With ``differentiable`` parameters it returns
            ``(dx, d_param, ...)``; gradients are summed back to each
            parameter's shape for you.
        keep: what the backward pass keeps alive between forward and backward:
            ``"x"``, ``"y"``, ``"xy"`` or ``""``; or a function of the static
            parameters returning one of those. Keep as little as you can.
        validators: parameter name -> validator from ``keras_acts.params``,
            for every parameter of ``forward`` after ``x``. (Its former name,
            ``params``, still works, with a ``DeprecationWarning``.)
        differentiable: names of parameters that are tensors with gradients
            (trainable weights); they are cast to ``x.dtype`` and passed into
            the custom-gradient core explicitly.
        check: ``check(**params)`` raising ``ValueError`` for combinations of
            valid parameters that are invalid together (``min_val < max_val``),
            run with the validators.
        name: the activation's name (default: ``forward.__name__``).
        package: the Keras serialization package of the function and layer
            (``"keras_acts"`` is the catalog's own and cannot be used).
        aliases: alias function name -> alias layer name.
        keras_logits: set ``y._keras_logits = x`` as Keras's sigmoid/softmax do.
        output_shape: ``output_shape(input_shape, **params)`` where the
            output's shape differs from the input's. Such an activation has
            no string: Keras's layers declare their output shape without
            their ``activation=``, so its would-be string (and
            ``keras_acts.get``) raises, naming its layer.
        replace: replace an activation already defined under this name (a
            Keras built-in string is never replaced).
        **options: how the layer differs from the function, the fields of
            ``keras_acts.LayerOptions`` (``layer``, ``layer_params``,
            ``layer_defaults``, ``layer_checks``, ``layer_base``), and the
            documentation, the fields of ``keras_acts.Docs`` (``formula``,
            ``output_range``, ``monotonic``, ``smooth``, ``example``,
            ``reference``, ``example_output``), and how it meets the edges of
            its domain, the fields of ``keras_acts.Edges``
            (``branch_slope_at_nan``, ``bounds``, ``overflows_past``, ...).
        portable_forward: the forward that graphs traced for export take
            (``keras_acts.config.portable``), where ``forward`` uses ops that
            converters lack; same signature as ``forward``.

    Returns:
        The public function. It also carries ``.spec`` (the ``Activation``),
        ``.layer`` (the layer class) and ``.string``.
    """
    if package == registry.BUILTIN_PACKAGE:
        raise ValueError(
            f"Invalid value for argument `package`: {package!r}. It is the "
            "package of keras_acts's own catalog; name your own package."
        )
    declaration = _validators_keyword(declaration, "define_activation")
    return define(forward, backward=backward, keep=keep, package=package, **declaration)
