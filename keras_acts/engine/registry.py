"""The registry: every activation by name, alias and Keras string.

One table, one lookup. ``lookup`` finds an ``Activation``; ``get`` resolves
anything a user may pass as an activation; ``catalog`` and ``names`` list
what is defined.

An activation that changes the shape (its declaration gives
``output_shape``: glu halves its axis) is no ``activation=`` argument, since
Keras's layers declare their output shape without their activation: it has
no string, ``get`` refuses it, and Keras's table holds, under the string it
would have had, a ``ShapeChangingString`` that raises why when a layer calls
or saves it (Keras offers no way to refuse a string sooner).
"""

import difflib

import keras

from keras_acts.engine import hooks
from keras_acts.engine.description import REQUIRED, STRING_SUFFIX, Activation

BUILTIN_PACKAGE = "keras_acts"

_by_name = {}  # name or alias -> Activation
_strings = {}  # "<name>_custom" -> public function
# Other libraries' spellings of our names, each a function name -> our name
# or None, tried after ours: keras_acts.compat (above the engine) adds
# PyTorch's when it loads, which importing keras_acts does.
_other_spellings = []


def add_other_spellings(our_name_for):
    """Let ``lookup`` also find an activation by another library's name:
    ``our_name_for(name)`` gives our name for it, or None."""
    if our_name_for not in _other_spellings:
        _other_spellings.append(our_name_for)


def _layer_path(activation):
    if activation.package == BUILTIN_PACKAGE:
        return f"keras_acts.layers.{activation.layer_name}"
    return f"{activation.name}.layer"


def _example_shapes(activation):
    """``((None, 8), output shape)`` with the default (or example) arguments,
    or None where those arguments do not take that input."""
    params = {n: d for n, d in activation.defaults.items() if d is not REQUIRED}
    try:
        params.update(activation.example_params)
        return (None, 8), tuple(activation.output_shape((None, 8), **params))
    except Exception:  # noqa: BLE001  (only the wording depends on it)
        return None


def shape_change_error(activation, asked):
    """Why a shape-changing activation is no ``activation=`` argument, and
    what to use instead; ``asked`` says how it was asked for
    (``"activation='glu_custom'"``)."""
    layer = _layer_path(activation)
    shapes, consequence = _example_shapes(activation), ""
    fix = f"apply its layer, {layer}(), to the layer's output instead"
    if shapes is not None:
        (_, width), out = shapes
        shapes = f" ((None, {width}) in, {out} out)"
        if len(out) == 2 and out[-1] and width % out[-1] == 0 and width // out[-1] > 1:
            factor = width // out[-1]
            consequence = (
                f", so Dense({width}, activation=...) would declare {width} units "
                f"and return {out[-1]}"
            )
            times = "twice" if factor == 2 else f"{factor} times"
            fix = (
                f"apply its layer after a layer {times} as wide instead, "
                f"keras.layers.Dense({factor} * units) then {layer}()"
            )
    return (
        f"{asked}: {activation.name} cannot be a layer's activation= argument: its "
        f"output's shape differs from its input's{shapes or ''}, and Keras's layers "
        f"declare their output shape without their activation{consequence}. It has "
        f"no activation string: {fix}."
    )


class ShapeChangingString:
    """What Keras's table holds under the string a shape-changing activation
    would have (``"glu_custom"``): a callable that raises why, as soon as a
    layer calls it or a model holding it is saved."""

    def __init__(self, activation, string):
        self.spec = activation
        self.string = string

    def __call__(self, *args, **kwargs):
        raise ValueError(shape_change_error(self.spec, f"activation={self.string!r}"))

    def get_config(self):
        raise ValueError(shape_change_error(self.spec, f"activation={self.string!r}"))

    def __repr__(self):
        return f"<no activation string {self.string!r}: {self.spec.name} changes the shape>"


def check_names_are_free(activation, replace=False):
    """Refuse names and strings that already mean something: Keras's own
    strings always, those of an activation already defined unless
    ``replace``."""
    for key in (activation.name, *activation.aliases):
        current = _by_name.get(key)
        if current is not None and not replace:
            raise ValueError(
                f"An activation named {key!r} is already defined (in package "
                f"{current.package!r}). Pass replace=True to define_activation "
                "to replace it, or choose another name."
            )
    table = hooks.keras_string_table()
    for string in (*activation.strings, *activation.refused_strings):
        current = table.get(string)
        ours = current is _strings.get(string) or isinstance(current, ShapeChangingString)
        if current is not None and not ours:
            raise ValueError(
                f"The activation string {string!r} already names Keras's "
                f"{current!r}; keras_acts never replaces a Keras name. Choose "
                "another activation name."
            )


def register(activation):
    """Make ``activation`` findable by its names and usable as its strings."""
    for key in (activation.name, *activation.aliases):
        _by_name[key] = activation
    table = hooks.keras_string_table()
    for string in activation.strings:
        table[string] = activation.function
        _strings[string] = activation.function
    for string in activation.refused_strings:
        table[string] = ShapeChangingString(activation, string)
        _strings.pop(string, None)


def catalog(builtin=None):
    """Every defined activation, each once, in definition order.

    ``builtin=True``: only keras_acts's own catalog; ``False``: only those
    defined elsewhere (yours); None: all.
    """
    seen = []
    for activation in _by_name.values():
        if activation in seen:
            continue
        if builtin is not None and (activation.package == BUILTIN_PACKAGE) != builtin:
            continue
        seen.append(activation)
    return seen


def names():
    """Every registered activation string, sorted (none of an activation
    that changes the shape: see ``get``)."""
    return sorted(_strings)


def lookup(name):
    """The ``Activation`` for a name, alias or string; ``ValueError`` if none."""
    if not isinstance(name, str):
        raise TypeError(
            f"lookup() takes an activation name (a str), got {name!r} of type "
            f"{type(name).__name__}."
        )
    key = name[: -len(STRING_SUFFIX)] if name.endswith(STRING_SUFFIX) else name
    if key in _by_name:
        return _by_name[key]
    # Other libraries' spellings (PyTorch's "Hardswish", "nn.GELU",
    # "F.logsigmoid"), after ours: ours win. The whole name, so that
    # "Hardswish_custom" is no string.
    for our_name_for in _other_spellings:
        ours = our_name_for(name)
        if ours in _by_name:
            return _by_name[ours]
    known = sorted(set(_by_name) | set(_strings))
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    hint = f" Closest known names: {', '.join(close)}." if close else ""
    raise ValueError(
        f"Unknown activation {name!r}.{hint} "
        "keras_acts.names() lists every activation string."
    )


def _is_activation_layer_class(identifier):
    return isinstance(identifier, type) and isinstance(
        getattr(identifier, "spec", None), Activation
    )


def _refuse_shape_change(activation, identifier):
    if not (isinstance(activation, Activation) and activation.changes_shape):
        return
    if isinstance(identifier, (str, ShapeChangingString)):
        asked = repr(getattr(identifier, "string", identifier))
    else:
        asked = getattr(identifier, "__name__", type(identifier).__name__ + "()")
    raise ValueError(shape_change_error(activation, f"keras_acts.get({asked})"))


def get(identifier):
    """Resolve an activation identifier to a callable, for a layer's
    ``activation=`` argument.

    Accepts our strings (``"mish_custom"``) and names (``"mish"``), a layer
    instance or class of ours, a serialized config dict, any callable, or
    ``None`` (the identity, as Keras does). An activation that changes the
    shape (glu), however named, is a ``ValueError`` saying why and naming
    its layer: Keras's layers declare their output shape without their
    activation, so it would silently change their output's shape.
    """
    if identifier is None:
        return lookup("linear").function
    if isinstance(identifier, str):
        activation = lookup(identifier)
        _refuse_shape_change(activation, identifier)
        return activation.function
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(
                f"get() got a dict without 'class_name', {identifier!r}: a "
                "config dict is what keras.saving.serialize_keras_object makes."
            )
        resolved = keras.saving.deserialize_keras_object(identifier)
        if isinstance(resolved, dict):
            raise ValueError(f"get() could not deserialize the config {identifier!r}.")
        return get(resolved)
    _refuse_shape_change(getattr(identifier, "spec", None), identifier)
    if _is_activation_layer_class(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation identifier {identifier!r} of type "
        f"{type(identifier).__name__}: expected a string, a layer, a callable, "
        "a config dict or None."
    )


def builtin_faces(face):
    """Name -> face of every catalog activation, aliases included: its
    function (``face="function"``) or its layer class (``face="layer"``)."""
    faces = {}
    for activation in catalog(builtin=True):
        if face == "function":
            names = (activation.name, *activation.aliases)
        else:
            names = (activation.layer_name, *activation.aliases.values())
        faces.update(dict.fromkeys(names, getattr(activation, face)))
    return faces
