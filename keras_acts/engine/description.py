"""``Activation``: everything known about one activation.

An activation is its math (forward, backward, what the backward keeps, the
parameters and their validators), how its layer differs from its function
(``LayerOptions``), and how it is documented (``Docs``). The registry holds
these; the function, the layer and the string are made from them.
"""

import dataclasses
import inspect
from typing import Any, Callable, Optional

from keras_acts.compat.other_names import other_name
from keras_acts.engine import gradient, inputs
from keras_acts.params import Axis

STRING_SUFFIX = "_custom"
REQUIRED = inspect.Parameter.empty


@dataclasses.dataclass(frozen=True)
class LayerOptions:
    """How an activation's layer differs from its function."""

    #: The layer class's name (default: CamelCase of the activation's name).
    layer: Optional[str] = None
    #: Parameter order of the layer's constructor, where it differs from the
    #: function's (Keras's ``ReLU`` does).
    layer_params: Optional[tuple] = None
    #: Layer defaults that differ from the function's.
    layer_defaults: Optional[dict] = None
    #: Stricter validators for the layer's constructor.
    layer_checks: Optional[dict] = None
    #: The layer's base class, a subclass of ``ActivationLayer`` (None: it).
    layer_base: Optional[type] = None


@dataclasses.dataclass(frozen=True)
class Docs:
    """What the catalog page, the command line and docstrings say."""

    #: The formula, in plain text.
    formula: str = ""
    #: The range of the output, in words.
    output_range: str = ""
    #: True, False, or None where it depends on the parameters.
    monotonic: Optional[bool] = None
    #: Whether the activation is continuously differentiable.
    smooth: Optional[bool] = None
    #: Example arguments for parameters without defaults (plots, checks,
    #: benchmarks).
    example: Optional[dict] = None


def split_options(options):
    """Keyword options of ``define_activation`` as ``(LayerOptions, Docs)``;
    ``TypeError`` naming any option neither takes."""
    groups = []
    remaining = dict(options)
    for group in (LayerOptions, Docs):
        names = [f.name for f in dataclasses.fields(group)]
        groups.append(group(**{n: remaining.pop(n) for n in names if n in remaining}))
    if remaining:
        raise TypeError(
            f"define_activation() got unexpected keyword arguments {sorted(remaining)}."
        )
    return tuple(groups)


def validate(validators, params):
    """Each parameter through its validator; unknown names are refused."""
    unknown = sorted(set(params) - set(validators))
    if unknown:
        raise ValueError(
            f"Unknown argument(s) {unknown}; expected only {sorted(validators)}."
        )
    return {name: validators[name](name, value) for name, value in params.items()}


@dataclasses.dataclass(frozen=True)
class Activation:
    """One activation; ``function`` and ``layer`` are its public faces.

    ``string`` is the name Keras accepts as ``activation=``: None where a
    parameter has no default, and where the activation changes the shape
    (``changes_shape``).
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
    layer_base: type
    aliases: dict
    keras_logits: bool
    output_shape: Optional[Callable]
    docs: Docs
    package: str
    family: Optional[str] = None
    check: Optional[Callable] = None
    function: Callable = None
    layer: type = None

    # -- names ----------------------------------------------------------------

    @property
    def changes_shape(self):
        """Whether the output's shape differs from the input's (the
        declaration gives ``output_shape``: glu halves its axis). Such an
        activation is no ``activation=`` argument: Keras's layers declare
        their output shape without their activation, so ``Dense(8,
        activation=glu)`` would declare 8 units and return 4. It has no
        string; its would-be strings (``refused_strings``) raise why."""
        return self.output_shape is not None

    @property
    def string(self):
        if self.changes_shape or any(d is REQUIRED for d in self.defaults.values()):
            return None
        return self.name + STRING_SUFFIX

    @property
    def strings(self):
        if self.string is None:
            return ()
        return (self.string,) + tuple(a + STRING_SUFFIX for a in self.aliases)

    @property
    def refused_strings(self):
        """The strings a shape-changing activation would have: Keras's table
        holds, under each, a callable that raises why (``registry``)."""
        if not self.changes_shape:
            return ()
        return tuple(n + STRING_SUFFIX for n in (self.name, *self.aliases))

    @property
    def no_string(self):
        """Why there is no string, in a few words (None where there is one)."""
        if self.changes_shape:
            return "it changes the shape: use the layer"
        if self.string is None:
            return "needs arguments"
        return None

    # -- documentation, as the tools read it -----------------------------------

    formula = property(lambda self: self.docs.formula)
    output_range = property(lambda self: self.docs.output_range)
    monotonic = property(lambda self: self.docs.monotonic)
    smooth = property(lambda self: self.docs.smooth)

    @property
    def example_params(self):
        """Arguments for the function's required parameters (``{}`` if none)."""
        example = self.docs.example or {}
        required = [n for n, d in self.defaults.items() if d is REQUIRED]
        missing = [n for n in required if n not in example]
        if missing:
            raise ValueError(
                f"{self.name} has no example value for its required parameter(s) "
                f"{missing}: give them with define_activation(..., example={{...}})."
            )
        return {n: example[n] for n in required}

    # -- parameters -------------------------------------------------------------

    @property
    def defaults(self):
        """Parameter name -> default of the function (``REQUIRED`` if none)."""
        return {
            name: p.default for name, p in list(self.signature.parameters.items())[1:]
        }

    def check_other_names(self, kwargs, accepted, caller):
        """Refuse another library's keyword for one of our parameters
        (Keras 2's ``alpha`` for ``negative_slope``), naming ours: a
        ``TypeError``, as Python's for an unknown keyword, that says what to
        pass. ``accepted``: the keywords ``caller`` takes."""
        for keyword, value in kwargs.items():
            found = None if keyword in accepted else other_name(self.name, keyword)
            if found is None or found.ours not in accepted:
                continue
            said = (
                f"{caller}() got an unexpected keyword argument {keyword!r}: that is "
                f"its name in {found.where}; here the argument is `{found.ours}`"
            )
            if not found.as_is:
                raise TypeError(f"{said}, with a value of its own: {found.note}.")
            note = f" ({found.note})" if found.note else ""
            raise TypeError(f"{said}{note}: pass {found.ours}={value!r}.")

    def bind(self, args, kwargs, validated=True):
        """Parameters of one function call, defaults filled in, validated."""
        self.check_other_names(kwargs, self.validators, self.name)
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

    @property
    def axis_names(self):
        """The parameters that are axes of the input (checked against its
        rank when the function runs and when the layer is built)."""
        return tuple(n for n, v in self.validators.items() if isinstance(v, Axis))

    # -- the math ---------------------------------------------------------------

    def kept(self, static):
        """What the backward pass keeps for these static parameters."""
        return self.keep(**static) if callable(self.keep) else self.keep

    def passes(self, static):
        """The plain (forward, backward) pair for these static parameters,
        taking the differentiable parameters as trailing tensors."""
        names = self.differentiable

        def forward(x, *tensors):
            return self.forward(x, **static, **dict(zip(names, tensors)))

        def backward(dy, kept_x, kept_y, *tensors):
            return self.backward(
                dy, x=kept_x, y=kept_y, **static, **dict(zip(names, tensors))
            )

        return forward, backward

    def apply(self, x, params):
        """Run the activation on ``x`` with validated ``params``, once the
        input policy (``keras_acts.engine.inputs``) takes ``x``."""
        return inputs.apply(self, x, params, gradient.apply)
