"""``Activation``: everything known about one activation.

An activation is its math (forward, backward, what the backward keeps, the
parameters and their validators), how its layer differs from its function
(``LayerOptions``), and how it is documented (``Docs``). The registry holds
these; the function, the layer and the string are made from them.
"""

import dataclasses
import inspect
from typing import Any, Callable, Optional

from keras_acts import backend
from keras_acts.engine import gradient, inputs
from keras_acts.params import Axis

if backend.is_tensorflow():  # portable export forms are TensorFlow's alone
    from keras_acts.engine.fusion import portable as _portable
else:
    def _portable():
        return False

STRING_SUFFIX = "_custom"
REQUIRED = inspect.Parameter.empty


# Other libraries' keywords for our parameters (Keras 2's ``alpha`` for
# ``negative_slope``), which errors name ours for: tables that
# ``keras_acts.compat.other_names`` adds when the package loads, before the
# catalog is defined, so that the engine imports nothing from compat.
# Each table: our activation's name -> {their keyword: an object with
# ``ours``, ``where``, ``note`` and ``as_is``}.
_other_names = []


def add_other_names(table):
    """Let errors name our parameter where a call uses another library's
    keyword for it (``table``: activation -> {keyword: OtherName})."""
    if not any(known is table for known in _other_names):
        _other_names.append(table)


def _other_name(activation, keyword):
    for table in _other_names:
        found = table.get(activation, {}).get(keyword)
        if found is not None:
            return found
    return None


def has_other_names(activation):
    """Whether another library names a parameter of ``activation`` otherwise."""
    return any(table.get(activation) for table in _other_names)


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
    #: benchmarks, the docstrings' examples).
    example: Optional[dict] = None
    #: The paper: authors, year, title (or, for an activation without one,
    #: where it comes from).
    reference: str = ""
    #: The output for the docstrings' example input (``EXAMPLE_INPUT``, or
    #: ``EXAMPLE_PAIRS`` where the shape changes), rounded to 4 decimals:
    #: the docstrings' examples run as doctests and print it.
    example_output: Optional[tuple] = None


#: The docstrings' example input: an element-wise or along-an-axis
#: activation takes it whole; one that halves its axis takes ``EXAMPLE_PAIRS``.
EXAMPLE_INPUT = (-2.0, -0.5, 0.0, 0.5, 2.0)
EXAMPLE_PAIRS = ((1.0, -1.0, 2.0, 3.0),)


@dataclasses.dataclass(frozen=True)
class Edges:
    """How the activation meets the edges of its domain (NaN, overflow, its
    range, non-float inputs): what the input policy and the properties
    (``keras-acts check --stress``) go by."""

    #: Whether the gradient at NaN is the slope of the branch NaN falls into
    #: (finite) rather than NaN: piecewise-linear activations pick a constant
    #: slope by comparing x (or y) with their kinks, and NaN fails every
    #: comparison, as in TensorFlow's ReluGrad, EluGrad and the like. Their
    #: values are NaN at NaN all the same.
    branch_slope_at_nan: bool = False
    #: ``(low, high)`` of the outputs with the default parameters, where
    #: ``output_range`` says it with a parameter or in words (otherwise
    #: parsed from it).
    bounds: Optional[tuple] = None
    #: The input past which the float64 output overflows, for an activation
    #: that grows faster than x (exponential: 709).
    overflows_past: Optional[float] = None
    #: Whether the output overflows where a slice along the axis spans more
    #: than the dtype's largest value (log_softmax's ``x - max(x)``).
    span_overflows: bool = False
    #: Which half goes through the gate, for an activation that halves its
    #: axis: ``"first"`` (``gate(a) * b``, the gated units) or ``"second"``
    #: (glu's ``a * sigmoid(b)``).
    gate: str = "first"
    #: The non-float inputs (``"integer"``, ``"bool"``) that Keras's built-in
    #: of the same name takes: the catalog's activation hands them to it
    #: (``keras_acts.engine.inputs``). Measured on Keras 3.15 with int8 to
    #: int64, uint8 and bool, and again by tests/test_input_policy.py against
    #: the installed Keras; Keras's other built-ins of our names refuse them.
    keras_takes: tuple = ()


def split_options(options):
    """Keyword options of ``define_activation`` as ``(LayerOptions, Docs,
    Edges)``; ``TypeError`` naming any option none of them takes."""
    groups = []
    remaining = dict(options)
    for group in (LayerOptions, Docs, Edges):
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
    (``changes_shape``). ``forward`` is the formula that runs now:
    ``portable_forward``, where declared, while graphs are traced for export
    (``keras_acts.config.portable``: the plain ops converters know, at the
    price its docstring states), ``standard_forward`` otherwise.
    """

    name: str
    standard_forward: Callable
    backward: Optional[Callable]
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
    portable_forward: Optional[Callable] = None
    edges: Edges = Edges()
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
    def kind(self):
        """``"elementwise"`` (each output element from its input element
        alone), ``"axis"`` (each from the whole slice along its axis:
        softmax) or ``"reshaping"`` (the output's shape differs: glu halves
        its axis), from the declaration's ``output_shape`` and axes."""
        if self.changes_shape:
            return "reshaping"
        return "axis" if self.axis_names else "elementwise"

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
            found = None if keyword in accepted else _other_name(self.name, keyword)
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

    @property
    def forward(self):
        """The forward that graphs traced now take: ``portable_forward``
        while they must be portable, ``standard_forward`` otherwise (another
        row's formula that calls this one's gets the same form)."""
        if self.portable_forward is not None and _portable():
            return self.portable_forward
        return self.standard_forward

    def passes(self, static):
        """The plain (forward, backward) pair for these static parameters,
        taking the differentiable parameters as trailing tensors."""
        names = self.differentiable
        if self.backward is None:
            raise RuntimeError(
                f"{self.name} was declared without a backward pass: attach one "
                f"with keras_acts.engine.define.backward_of({self.name})."
            )
        formula = self.forward

        def forward(x, *tensors):
            return formula(x, **static, **dict(zip(names, tensors)))

        def backward(dy, kept_x, kept_y, *tensors):
            return self.backward(
                dy, x=kept_x, y=kept_y, **static, **dict(zip(names, tensors))
            )

        return forward, backward

    def apply(self, x, params):
        """Run the activation on ``x`` with validated ``params``, once the
        input policy (``keras_acts.engine.inputs``) takes ``x``."""
        return inputs.apply(self, x, params, gradient.apply)
