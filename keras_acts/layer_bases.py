"""Layer bases for activations whose layers do more than apply the function.

Pass one as ``define_activation(..., layer_base=...)``.
"""

import inspect

import keras
import tensorflow as tf

from keras_acts.core import REQUIRED, ActivationLayer, validate


def _check_mask_shape(inputs, mask):
    if len(mask.shape) > len(inputs.shape):
        raise ValueError(
            "The `mask` must be broadcastable to `inputs` and must not have "
            f"more dimensions. Received: inputs.shape={inputs.shape}, "
            f"mask.shape={mask.shape}"
        )
    for mask_dim, input_dim in zip(mask.shape[::-1], inputs.shape[::-1]):
        if mask_dim is not None and input_dim is not None:
            if mask_dim != 1 and mask_dim != input_dim:
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs`: each mask "
                    "dimension must be 1 or match the input's. Received: "
                    f"inputs.shape={inputs.shape}, mask.shape={mask.shape}"
                )


class NormalizerLayer(ActivationLayer):
    """A normalizer over an axis that takes a ``mask`` in ``call``, as Keras's
    ``Softmax`` layer does.

    Masked positions (mask False, or <= 0.5) get no weight, and the output is
    0 there, even where a whole slice is masked.
    """

    # The sign of the value that masked inputs are replaced with: -1 for
    # normalizers that give large inputs large weights (softmax), +1 for
    # those that favour small inputs (softmin).
    mask_fill_sign = -1

    def _masked_input_value(self, dtype):
        magnitude = 3e4 if dtype == tf.float16 else 1e9
        return tf.constant(self.mask_fill_sign * magnitude, dtype=dtype)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        _check_mask_shape(inputs, mask)
        mask = _bool_mask(mask)
        inputs = tf.convert_to_tensor(inputs)
        inputs = tf.where(mask, inputs, self._masked_input_value(inputs.dtype))
        outputs = super().call(inputs)
        return tf.where(mask, outputs, tf.zeros_like(outputs))


keras.saving.register_keras_serializable(package="keras_acts")(NormalizerLayer)


def _bool_mask(mask):
    mask = tf.convert_to_tensor(mask)
    if mask.dtype != tf.bool:
        mask = tf.greater(mask, tf.cast(0.5, mask.dtype))
    return mask


class MinNormalizerLayer(NormalizerLayer):
    """A normalizer that gives small inputs large weights (softmin).

    Masked inputs are replaced by a large *positive* value before it runs,
    so they get no weight; their outputs are 0 as for ``NormalizerLayer``.
    """

    mask_fill_sign = 1


class LogNormalizerLayer(NormalizerLayer):
    """A normalizer in log space (log_softmax) taking a ``mask`` in ``call``.

    Masked positions get no weight, so their output is ``-inf``, the log of
    that zero weight: ``exp`` of this layer's output equals the ``Softmax``
    layer's output with the same mask, fully masked slices included (all
    ``-inf``). Losses that multiply log-probabilities by zero targets should
    drop masked positions first (``0 * -inf`` is NaN).
    """

    def call(self, inputs, mask=None):
        outputs = super().call(inputs, mask=mask)
        if mask is None:
            return outputs
        minus_inf = tf.constant(float("-inf"), dtype=outputs.dtype)
        return tf.where(_bool_mask(mask), outputs, minus_inf)


class ReshapingLayer(ActivationLayer):
    """An activation whose output shape differs from its input's (glu).

    ``build`` runs the activation's ``output_shape`` on the known input shape,
    so an input the activation cannot take (an odd axis size for glu) fails
    when the layer is built, before any data flows. A Keras mask passes
    through only where the output keeps the masked dimensions.
    """

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        rank = len(mask.shape)
        in_shape = tuple(inputs.shape)
        out_shape = tuple(self.compute_output_shape(in_shape))
        if len(out_shape) == len(in_shape) and out_shape[:rank] == in_shape[:rank]:
            return mask
        return None


def _get_or_raise(getter, argument, value):
    try:
        return getter(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Invalid value for argument `{argument}`: {value!r}. {error}"
        ) from None


class ParametricLayer(ActivationLayer):
    """An activation layer that learns its ``differentiable`` parameters.

    Each differentiable parameter ``p`` of the activation becomes a weight
    named ``p``, made exactly as Keras's ``PReLU`` makes ``alpha``: the
    constructor takes ``p_initializer``, ``p_regularizer`` and
    ``p_constraint``, and ``shared_axes`` (axes, counted with the batch axis
    as 0, along which the weight has size 1 and is shared). The weight's
    shape is the input's without the batch axis. The activation's other
    parameters stay ordinary constructor arguments.

    The default initializer of ``p`` is the layer default given for ``p`` in
    ``define_activation(layer_defaults={p: ...})`` (a Keras initializer
    identifier such as ``"Zeros"``), or else a constant initializer of the
    function's default.

    The weights go into the custom-gradient core as explicit tensors, so
    their gradients come from the hand-written backward pass.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if spec is not None and cls.__doc__:
            cls.__doc__ = _parametric_doc(cls.__doc__, spec)

    @classmethod
    def _static_names(cls, spec):
        return [n for n in spec.layer_signature.parameters if n not in spec.differentiable]

    @classmethod
    def _default_initializer(cls, spec, name):
        default = spec.layer_signature.parameters[name].default
        if isinstance(default, (str, dict)) or callable(default):
            return default
        if default is REQUIRED or default is None:
            return "zeros"
        return keras.initializers.Constant(float(default))

    @classmethod
    def constructor_signature(cls, spec):
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params = [inspect.Parameter("self", kind)]
        params += [spec.layer_signature.parameters[n] for n in cls._static_names(spec)]
        for name in spec.differentiable:
            params += [
                inspect.Parameter(
                    f"{name}_initializer", kind,
                    default=cls._default_initializer(spec, name),
                ),
                inspect.Parameter(f"{name}_regularizer", kind, default=None),
                inspect.Parameter(f"{name}_constraint", kind, default=None),
            ]
        params.append(inspect.Parameter("shared_axes", kind, default=None))
        params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
        return inspect.Signature(params)

    def __init__(self, *args, **kwargs):
        spec = self.spec
        arguments, base_kwargs = self._bind_constructor(args, kwargs)
        static = {n: arguments.pop(n) for n in self._static_names(spec)}
        static = spec.validate({n: spec.layer_validators[n] for n in static}, static)
        weights = {}
        for name in spec.differentiable:
            weights[name] = (
                _get_or_raise(keras.initializers.get, f"{name}_initializer",
                              arguments[f"{name}_initializer"]),
                _get_or_raise(keras.regularizers.get, f"{name}_regularizer",
                              arguments[f"{name}_regularizer"]),
                _get_or_raise(keras.constraints.get, f"{name}_constraint",
                              arguments[f"{name}_constraint"]),
            )
        shared_axes = arguments["shared_axes"]
        if shared_axes is not None:
            if not isinstance(shared_axes, (list, tuple)):
                shared_axes = [shared_axes]
            shared_axes = list(shared_axes)
            for axis in shared_axes:
                if isinstance(axis, bool) or not isinstance(axis, int) or axis < 1:
                    raise ValueError(
                        f"Invalid value for argument `shared_axes`: "
                        f"{arguments['shared_axes']!r}. Expected axes >= 1 "
                        "(axis 0 is the batch axis)."
                    )
        keras.layers.Layer.__init__(self, **base_kwargs)
        for name, value in static.items():
            setattr(self, name, value)
        for name, (initializer, regularizer, constraint) in weights.items():
            setattr(self, f"{name}_initializer", initializer)
            setattr(self, f"{name}_regularizer", regularizer)
            setattr(self, f"{name}_constraint", constraint)
        self.shared_axes = shared_axes
        self.supports_masking = True

    def build(self, input_shape):
        if self.built:
            # Already built (a deserialized layer builds from its config):
            # building again must not make a second set of weights.
            return
        param_shape = list(input_shape[1:])
        if self.shared_axes is not None:
            for i in self.shared_axes:
                param_shape[i - 1] = 1
        for name in self.spec.differentiable:
            weight = self.add_weight(
                shape=param_shape,
                name=name,
                initializer=getattr(self, f"{name}_initializer"),
                regularizer=getattr(self, f"{name}_regularizer"),
                constraint=getattr(self, f"{name}_constraint"),
            )
            setattr(self, name, weight)
        axes = {}
        if self.shared_axes:
            for i in range(1, len(input_shape)):
                if i not in self.shared_axes:
                    axes[i] = input_shape[i]
        self.input_spec = keras.layers.InputSpec(ndim=len(input_shape), axes=axes)

    @property
    def _static_params(self):
        return {n: getattr(self, n) for n in self._static_names(self.spec)}

    @property
    def params(self):
        params = self._static_params
        for name in self.spec.differentiable:
            params[name] = getattr(self, name)
        return params

    def call(self, inputs):
        return self.spec.apply(inputs, self.params)

    def get_config(self):
        config = keras.layers.Layer.get_config(self)
        config.update(self._static_params)
        for name in self.spec.differentiable:
            config.update(
                {
                    f"{name}_initializer": keras.initializers.serialize(
                        getattr(self, f"{name}_initializer")
                    ),
                    f"{name}_regularizer": keras.regularizers.serialize(
                        getattr(self, f"{name}_regularizer")
                    ),
                    f"{name}_constraint": keras.constraints.serialize(
                        getattr(self, f"{name}_constraint")
                    ),
                }
            )
        config["shared_axes"] = self.shared_axes
        return config

    def compute_output_shape(self, input_shape):
        return input_shape


def _parametric_doc(doc, spec):
    head = doc.split("\nArgs:")[0].rstrip()
    lines = [head, "", "Args:"]
    for name in ParametricLayer._static_names(spec):
        p = spec.layer_signature.parameters[name]
        default = "" if p.default is REQUIRED else f" Defaults to `{p.default!r}`."
        lines.append(f"    {name}: {spec.layer_validators[name].describe()}.{default}")
    for name in spec.differentiable:
        init = ParametricLayer._default_initializer(spec, name)
        lines += [
            f"    {name}_initializer: Initializer of the learned `{name}` weight. "
            f"Defaults to `{init!r}`.",
            f"    {name}_regularizer: Regularizer of `{name}`. Defaults to `None`.",
            f"    {name}_constraint: Constraint on `{name}`. Defaults to `None`.",
        ]
    lines += [
        "    shared_axes: Axes (batch axis = 0) along which the weights are "
        "shared, as in Keras's `PReLU`. Defaults to `None`.",
        "    **kwargs: Base layer keyword arguments, such as `name` and `dtype`.",
    ]
    return "\n".join(lines)


class StochasticLayer(ActivationLayer):
    """An activation that is random in training (rrelu).

    The activation's ``training`` parameter is not a constructor argument:
    ``call(inputs, training=None)`` takes it from Keras (True in ``fit``,
    False in ``predict`` and ``evaluate``). ``seed`` (an int or None) seeds a
    ``keras.random.SeedGenerator`` owned by the layer, whose state is saved
    with the model; each training call draws the next seed from it.
    """

    @classmethod
    def constructor_signature(cls, spec):
        params = [
            p for n, p in spec.layer_signature.parameters.items() if n != "training"
        ]
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature(
            [inspect.Parameter("self", kind)]
            + params
            + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
        )

    def __init__(self, *args, **kwargs):
        spec = self.spec
        arguments, base_kwargs = self._bind_constructor(args, kwargs)
        params = spec.validate(
            {n: spec.layer_validators[n] for n in arguments}, arguments
        )
        keras.layers.Layer.__init__(self, **base_kwargs)
        for name, value in params.items():
            setattr(self, name, value)
        self.seed_generator = keras.random.SeedGenerator(params.get("seed"))
        self.supports_masking = True
        self._build_at_init()

    @property
    def params(self):
        names = self.constructor_signature(self.spec).parameters
        return {n: getattr(self, n) for n in names if n not in ("self", "kwargs")}

    def call(self, inputs, training=None):
        params = self.params
        training = bool(training) if training is not None else False
        params["training"] = training
        params["seed"] = self.seed_generator if training else None
        # The function's validators make the per-call seed (see rrelu).
        params = validate(self.spec.validators, params)
        return self.spec.apply(inputs, params)

    def get_config(self):
        config = keras.layers.Layer.get_config(self)
        config.update(self.params)
        return config
