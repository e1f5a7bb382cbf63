"""The layers: ``ActivationLayer``, the base of every generated layer class,
and ``ActivationCall``, a function called on a symbolic Keras input.

A generated layer is thin: it validates its constructor arguments with the
activation's validators, holds them as attributes of the same names, and
delegates ``call`` to the activation. Bases with more to do (learned
weights, a training flag, a mask) live in ``keras_acts.engine.layer_bases``
and go through the same constructor and ``get_config``.
"""

import inspect

import keras
import numpy as np

from keras_acts.engine import docs
from keras_acts.engine import inputs as input_policy
from keras_acts.engine.registry import lookup
from keras_acts.params import invalid


def constructor_signature_of(parameters):
    """``(self, <parameters>, **kwargs)``: a layer constructor's signature."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature(
        [inspect.Parameter("self", kind)]
        + list(parameters)
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )


def constructor_config(config):
    """A saved config as constructor arguments, its ``dtype`` a policy.

    Keras's own ``from_config`` turns any saved ``dtype`` config into
    something it then fails on with an ``AttributeError``, and wraps every
    error of the constructor in a ``TypeError``: ours keep their type.
    """
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        try:
            policy = keras.dtype_policies.deserialize(dtype)
        except (ValueError, TypeError) as error:
            raise invalid("dtype", dtype, f"a dtype policy ({error})") from None
        if not isinstance(policy, keras.dtype_policies.DTypePolicy):
            raise invalid("dtype", dtype, "a dtype policy, such as 'float32' or 'mixed_float16'")
        config["dtype"] = policy
    return config


class ActivationLayer(keras.layers.Layer):
    """Base class of every activation layer made by ``define_activation``.

    Subclasses carry ``spec``, the ``Activation`` they apply. Constructor
    arguments become attributes of the same name, validated at construction
    (and so when a saved layer loads). Bases change what the constructor
    takes through the hooks below, never around ``__init__``.
    """

    spec = None
    #: Whether the layer is built when constructed, as Keras's stateless
    #: layers are: it has no weights whose shapes depend on the input. What
    #: depends on the input (an axis against its rank, glu's halved axis) is
    #: checked where Keras meets the input all the same: ``compute_output_shape``
    #: for a symbolic call (a model being built, a saved model loading), the
    #: function itself for an eager one.
    builds_at_init = True
    #: Whether the layer holds weights of its own (in its variable dtype).
    holds_weights = False

    def __init__(self, *args, **kwargs):
        arguments, base_kwargs = self._bind_constructor(args, kwargs)
        attributes = self._validated_arguments(arguments)
        super().__init__(**base_kwargs)
        self._check_dtype_policy(base_kwargs.get("dtype"))
        for name, value in attributes.items():
            setattr(self, name, value)
        self._init_state()
        self.supports_masking = True
        if self.builds_at_init:
            self._build_at_init()  # does nothing where ``build`` is our own

    # -- hooks for bases ------------------------------------------------------

    @classmethod
    def constructor_signature(cls, spec):
        """The signature a generated layer class shows for ``__init__``."""
        return constructor_signature_of(spec.layer_signature.parameters.values())

    @classmethod
    def describe_argument(cls, spec, name):
        """A constructor argument in words, for the docstring."""
        return spec.layer_validators[name].describe()

    def _validated_arguments(self, arguments):
        """Constructor arguments -> the attributes the layer holds."""
        return self.spec.validate(self.spec.layer_validators, arguments)

    def _init_state(self):
        """State made after the base Layer's constructor (random generators)."""

    def _check_dtype_policy(self, requested):
        """Refuse a dtype policy the layer cannot compute in (or, holding
        weights, keep them in): an integer one, except where the activation
        takes integer inputs as Keras's built-in does (``ReLU``). Keras
        itself takes any config as a policy and fails later."""
        policy = self.dtype_policy
        if not isinstance(policy, keras.dtype_policies.DTypePolicy):
            raise invalid("dtype", requested, "a dtype policy, such as 'float32' or 'mixed_float16'")
        for dtype in (policy.compute_dtype, policy.variable_dtype):
            dtype = keras.backend.standardize_dtype(dtype)
            if dtype in input_policy.FLOATING:
                continue
            if self.holds_weights or input_policy.keras_builtin_for(self.spec, dtype) is None:
                raise invalid(
                    "dtype", policy.name,
                    f"a floating dtype policy: {self.spec.layer_name} "
                    + ("keeps weights" if self.holds_weights else "computes")
                    + f" in floating dtypes, not {dtype}",
                )

    @property
    def params(self):
        """The activation's parameters, as ``call`` applies them."""
        return {name: getattr(self, name) for name in self.spec.layer_signature.parameters}

    def _config_arguments(self):
        """The constructor arguments that ``get_config`` saves."""
        return self.params

    # -- the layer ----------------------------------------------------------

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

    def call(self, inputs):
        return self.spec.apply(inputs, self.params)

    def get_config(self):
        config = super().get_config()
        config.update(self._config_arguments())
        return config

    @classmethod
    def from_config(cls, config):
        # The constructor validates it all, so a file is checked as it loads.
        return cls(**constructor_config(config))

    def compute_output_shape(self, input_shape):
        input_policy.check_axes(self.spec, self.params, input_shape)
        if self.spec.output_shape is None:
            return input_shape
        return self.spec.output_shape(input_shape, **self.params)


@keras.saving.register_keras_serializable(package="keras_acts")
class ActivationCall(keras.layers.Layer):
    """An activation function called on a symbolic Keras input.

    ``keras_acts.activations.mish(keras.Input((8,)))`` builds one of these,
    so functional models can call our functions as they call Keras's. It
    stores the activation's name and Python-valued parameters, checked when
    it is made (and so when a saved model loads), and saves like any layer.
    """

    def __init__(self, activation, params=None, **kwargs):
        if not isinstance(activation, str):
            raise invalid("activation", activation, "an activation name (a str)")
        if not isinstance(params, (dict, type(None))):
            raise invalid("params", params, "a dict of the activation's parameters")
        spec = lookup(activation)
        try:
            spec.bind((), dict(params or {}))  # refuses bad values now, not at predict
        except TypeError as error:  # an unknown or missing parameter
            raise TypeError(f"Invalid value for argument `params`: {params!r}. {error}") from None
        super().__init__(**kwargs)
        self.activation = activation
        self.params = dict(params or {})
        self.supports_masking = True
        self._build_at_init()

    def _spec(self):
        return lookup(self.activation)

    def call(self, inputs):
        spec = self._spec()
        return spec.apply(inputs, spec.bind((), self.params))

    def get_config(self):
        config = super().get_config()
        params = {name: _saved_value(value) for name, value in self.params.items()}
        config.update({"activation": self.activation, "params": params})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**constructor_config(config))

    def compute_output_shape(self, input_shape):
        # Keras asks this, not ``call``, when the model is built or loads:
        # the axes are checked against the input's rank here, and tensor
        # parameters against its shape.
        spec = self._spec()
        params = spec.bind((), self.params)
        input_policy.check_against_input(spec, params, input_shape)
        if spec.output_shape is None:
            return input_shape
        return spec.output_shape(input_shape, **params)


def _saved_value(value):
    """A parameter as a config saves it: a NumPy value or an eager tensor as
    (nested lists of) Python numbers, which the validators take back as the
    same values (Keras would save a dict that no validator takes)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if keras.ops.is_tensor(value) or isinstance(value, keras.Variable):
        try:
            return keras.ops.convert_to_numpy(value).tolist()
        except (AttributeError, NotImplementedError, ValueError, TypeError):  # symbolic: left as it is
            return value
    return value


def make_layer(spec, base, module):
    """The layer class of ``spec``: a subclass of ``base`` with its own
    signature and docstring, registered for Keras serialization."""

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)

    __init__.__signature__ = base.constructor_signature(spec)
    namespace = {
        "spec": spec,
        "__init__": __init__,
        "__doc__": docs.layer_doc(spec, base),
        "__module__": module,
    }
    cls = type(spec.layer_name, (base,), namespace)
    cls.__qualname__ = spec.layer_name
    return keras.saving.register_keras_serializable(package=spec.package)(cls)
