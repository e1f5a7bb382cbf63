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

from keras_acts.engine import docs
from keras_acts.engine.registry import lookup


def constructor_signature_of(parameters):
    """``(self, <parameters>, **kwargs)``: a layer constructor's signature."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature(
        [inspect.Parameter("self", kind)]
        + list(parameters)
        + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)]
    )


class ActivationLayer(keras.layers.Layer):
    """Base class of every activation layer made by ``define_activation``.

    Subclasses carry ``spec``, the ``Activation`` they apply. Constructor
    arguments become attributes of the same name, validated at construction
    (and so when a saved layer loads). Bases change what the constructor
    takes through the hooks below, never around ``__init__``.
    """

    spec = None
    #: Whether the layer is built when constructed (it has no weights whose
    #: shapes depend on the input).
    builds_at_init = True

    def __init__(self, *args, **kwargs):
        arguments, base_kwargs = self._bind_constructor(args, kwargs)
        attributes = self._validated_arguments(arguments)
        super().__init__(**base_kwargs)
        for name, value in attributes.items():
            setattr(self, name, value)
        self._init_state()
        self.supports_masking = True
        if self.builds_at_init:
            self._build_at_init()

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

    def compute_output_shape(self, input_shape):
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
        if not isinstance(params, (dict, type(None))):
            raise ValueError(
                f"Invalid value for argument `params`: {params!r}. Expected a "
                "dict of the activation's parameters."
            )
        spec = lookup(activation)
        spec.bind((), dict(params or {}))  # refuses bad values now, not at predict
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
        config.update({"activation": self.activation, "params": self.params})
        return config

    def compute_output_shape(self, input_shape):
        spec = self._spec()
        if spec.output_shape is None:
            return input_shape
        return spec.output_shape(input_shape, **spec.bind((), self.params))


def make_layer(spec, base, module):
    """The layer class of ``spec``: a subclass of ``base`` with its own
    signature and docstring, registered for Keras serialization."""

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)

    __init__.__signature__ = base.constructor_signature(spec)
    cls = type(
        spec.layer_name,
        (base,),
        {
            "spec": spec,
            "__init__": __init__,
            "__doc__": docs.layer_doc(spec, base),
            "__module__": module,
        },
    )
    cls.__qualname__ = spec.layer_name
    return keras.saving.register_keras_serializable(package=spec.package)(cls)
