"""Layer bases for activations whose layers do more than apply the function.

Pass one as ``define_activation(..., layer_base=...)``. Each goes through
``ActivationLayer``'s constructor and ``get_config``, changing only its hooks.
"""

import inspect

import keras
import numpy as np

from keras_acts.backend import ops
from keras_acts.engine.description import REQUIRED
from keras_acts.engine.layers import ActivationLayer, constructor_signature_of
from keras_acts.params import broadcasts_within, check_seed, invalid

_KEYWORD = inspect.Parameter.POSITIONAL_OR_KEYWORD


# -- normalizers: a mask in call --------------------------------------------


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


def _bool_mask(mask):
    mask = keras.ops.convert_to_tensor(mask)
    if ops.dtype_name(mask) != "bool":
        mask = mask > ops.constant(0.5, mask)
    return mask


@keras.saving.register_keras_serializable(package="keras_acts")
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

    def _masked_input_value(self, like):
        magnitude = 3e4 if ops.dtype_name(like) == "float16" else 1e9
        return ops.constant(self.mask_fill_sign * magnitude, like)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        _check_mask_shape(inputs, mask)
        mask = _bool_mask(mask)
        inputs = keras.ops.convert_to_tensor(inputs)
        inputs = ops.where(mask, inputs, self._masked_input_value(inputs))
        outputs = super().call(inputs)
        return ops.where(mask, outputs, ops.zeros_like(outputs))


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
        minus_inf = ops.constant(float("-inf"), outputs)
        return ops.where(_bool_mask(mask), outputs, minus_inf)


# -- reshaping: an output shape of its own -----------------------------------


class ReshapingLayer(ActivationLayer):
    """An activation whose output shape differs from its input's (glu).

    Built when constructed, as any stateless layer: ``compute_output_shape``
    runs the activation's ``output_shape`` on the input's shape, so an input
    the activation cannot take (an odd axis size for glu) fails when a model
    is built or loads, before any data flows. A Keras mask passes through
    only where the output keeps the masked dimensions.
    """

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        rank = len(mask.shape)
        in_shape = tuple(inputs.shape)
        out_shape = tuple(self.compute_output_shape(in_shape))
        if len(out_shape) == len(in_shape) and out_shape[:rank] == in_shape[:rank]:
            return mask
        return None


# -- parametric: learned weights -------------------------------------------------

_WEIGHT_ROLES = (
    ("initializer", keras.initializers),
    ("regularizer", keras.regularizers),
    ("constraint", keras.constraints),
)


def _keras_object(module, argument, value):
    try:
        return module.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Invalid value for argument `{argument}`: {value!r}. {error}"
        ) from None


def _shared_axes(value):
    if value is None:
        return None
    axes = list(value) if isinstance(value, (list, tuple)) else [value]
    for axis in axes:
        if isinstance(axis, bool) or not isinstance(axis, int) or axis < 1:
            raise invalid("shared_axes", value, "axes >= 1 (axis 0 is the batch axis)")
    return axes


class ParametricLayer(ActivationLayer):
    """An activation layer that learns its ``differentiable`` parameters.

    Each differentiable parameter ``p`` of the activation becomes a weight
    named ``p``, made exactly as Keras's ``PReLU`` makes ``alpha``: the
    constructor takes ``p_initializer``, ``p_regularizer`` and
    ``p_constraint``, and ``shared_axes`` (axes, counted with the batch axis
    as 0, along which the weight has size 1 and is shared). The weight's
    shape is the input's without the batch axis. The keyword ``p=value``
    starts the weight at ``value`` instead (as PyTorch's ``nn.PReLU(init=)``
    does), checked as the function checks it: a number, or a tensor, NumPy
    array or list of numbers whose shape broadcasts to the input's, and to
    size 1 along the batch axis and ``shared_axes`` (checked when the layer
    is built, as is a ``keras.initializers.Constant`` holding an array). The
    activation's other parameters stay ordinary constructor arguments.

    The default initializer of ``p`` is the layer default given for ``p`` in
    ``define_activation(layer_defaults={p: ...})`` (a Keras initializer
    identifier such as ``"Zeros"``), or else a constant initializer of the
    function's default.

    The weights go into the custom-gradient core as explicit tensors, so
    their gradients come from the hand-written backward pass.
    """

    builds_at_init = False
    holds_weights = True

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
        params = [spec.layer_signature.parameters[n] for n in cls._static_names(spec)]
        for name in spec.differentiable:
            initial = cls._default_initializer(spec, name)
            params += [
                inspect.Parameter(f"{name}_initializer", _KEYWORD, default=initial),
                inspect.Parameter(f"{name}_regularizer", _KEYWORD, default=None),
                inspect.Parameter(f"{name}_constraint", _KEYWORD, default=None),
            ]
        params.append(inspect.Parameter("shared_axes", _KEYWORD, default=None))
        params += [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
            for name in spec.differentiable
        ]
        return constructor_signature_of(params)

    @classmethod
    def describe_argument(cls, spec, name):
        for weight in spec.differentiable:
            if name == weight:
                return (
                    f"the learned `{weight}`'s starting value, instead of "
                    f"`{weight}_initializer` ({spec.validators[weight].describe()})"
                )
            for role, _ in _WEIGHT_ROLES:
                if name == f"{weight}_{role}":
                    return f"{role.capitalize()} of the learned `{weight}` weight"
        if name == "shared_axes":
            return (
                "Axes (batch axis = 0) along which the weights are shared, as "
                "in Keras's `PReLU`"
            )
        return super().describe_argument(spec, name)

    def _validated_arguments(self, arguments):
        spec = self.spec
        static = {n: arguments[n] for n in self._static_names(spec)}
        attributes = spec.validate({n: spec.layer_validators[n] for n in static}, static)
        # Which weights start at a value given as `p=` (named in errors).
        attributes["_given_starts"] = tuple(
            n for n in spec.differentiable if arguments[n] is not None
        )
        for name in spec.differentiable:
            start = arguments[name]
            if start is not None:
                if arguments[f"{name}_initializer"] != self._default_initializer(spec, name):
                    raise ValueError(
                        f"{spec.layer_name}(): give `{name}` (a starting value) or "
                        f"`{name}_initializer`, not both."
                    )
                value = spec.validators[name](name, start)
                arguments[f"{name}_initializer"] = keras.initializers.Constant(value)
            for role, module in _WEIGHT_ROLES:
                argument = f"{name}_{role}"
                attributes[argument] = _keras_object(module, argument, arguments[argument])
        attributes["shared_axes"] = _shared_axes(arguments["shared_axes"])
        return attributes

    def build(self, input_shape):
        if self.built:
            # Already built (a deserialized layer builds from its config):
            # building again must not make a second set of weights.
            return
        param_shape = self._weight_shape(input_shape)
        for name in self.spec.differentiable:
            weight = self.add_weight(
                shape=param_shape,
                name=name,
                initializer=self._initializer_for(name, param_shape, input_shape),
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

    def _initializer_for(self, name, param_shape, input_shape):
        """The initializer of weight ``name``; a constant array (``name=`` or
        a ``Constant`` initializer) must broadcast to the weight's shape, and
        loses its leading axes of size 1 beyond the weight's rank (the batch
        axis): Keras's ``Constant`` would otherwise fail in a TensorFlow kernel,
        or make a weight of another shape."""
        initializer = getattr(self, f"{name}_initializer")
        if not isinstance(initializer, keras.initializers.Constant):
            return initializer
        value = initializer.value
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
        if getattr(value, "shape", None) is None:
            return initializer
        value_shape = tuple(value.shape)
        if not broadcasts_within(value_shape, [1] + list(param_shape)):
            argument = name if name in self._given_starts else f"{name}_initializer"
            shared = (f" and along shared_axes={self.shared_axes}"
                      if self.shared_axes else "")
            raise ValueError(
                f"Invalid value for argument `{argument}`: a value of shape "
                f"{value_shape}. Expected a number or a tensor whose shape broadcasts "
                f"to the input's shape {tuple(input_shape)}, with size 1 along the "
                f"batch axis{shared}: the learned `{name}` has shape {tuple(param_shape)}."
            )
        rank = len(param_shape)
        if len(value_shape) > rank:
            shape = value_shape[len(value_shape) - rank:]
            reshape = np.reshape if isinstance(value, np.ndarray) else keras.ops.reshape
            return keras.initializers.Constant(reshape(value, shape))
        return initializer

    def _weight_shape(self, input_shape):
        """The learned weights' shape: the input's without the batch axis,
        1 along ``shared_axes``; every other axis must be known."""
        rank = len(input_shape)
        for axis in self.shared_axes or ():
            if axis >= rank:
                raise invalid(
                    "shared_axes", self.shared_axes,
                    f"axes in [1, {rank}) for an input of rank {rank}",
                )
        shape = [1 if i in (self.shared_axes or ()) else size
                 for i, size in enumerate(input_shape) if i > 0]
        if None in shape:
            raise ValueError(
                f"{self.spec.layer_name} learns one weight per input element, so "
                f"each axis but the batch axis must be known, but the input's "
                f"shape is {tuple(input_shape)}: share the weights along the "
                "unknown axes with `shared_axes` (e.g. shared_axes=[1])."
            )
        return shape

    @property
    def params(self):
        params = {n: getattr(self, n) for n in self._static_names(self.spec)}
        for name in self.spec.differentiable:
            params[name] = getattr(self, name)
        return params

    def _config_arguments(self):
        config = {n: getattr(self, n) for n in self._static_names(self.spec)}
        for name in self.spec.differentiable:
            for role, module in _WEIGHT_ROLES:
                argument = f"{name}_{role}"
                config[argument] = module.serialize(getattr(self, argument))
        config["shared_axes"] = self.shared_axes
        return config

    def compute_output_shape(self, input_shape):
        return input_shape


# -- stochastic: random in training ----------------------------------------------


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
        params = [p for n, p in spec.layer_signature.parameters.items() if n != "training"]
        return constructor_signature_of(params)

    def _validated_arguments(self, arguments):
        attributes = super()._validated_arguments(arguments)
        # Refused here, naming `seed`, rather than by the SeedGenerator.
        attributes["seed"] = check_seed("seed", attributes["seed"])
        return attributes

    def _init_state(self):
        self.seed_generator = keras.random.SeedGenerator(self.seed)

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
        params = self.spec.validate(self.spec.validators, params)
        return self.spec.apply(inputs, params)

