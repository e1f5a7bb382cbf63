"""The registry: every activation by name, alias and Keras string.

One table, one lookup. ``lookup`` finds an ``Activation``; ``get`` resolves
anything a user may pass as an activation; ``catalog`` and ``names`` list
what is defined.
"""

import difflib

import keras

from keras_acts.compat.torch_names import our_name_for_torch
from keras_acts.engine import hooks
from keras_acts.engine.description import STRING_SUFFIX, Activation

BUILTIN_PACKAGE = "keras_acts"

_by_name = {}  # name or alias -> Activation
_strings = {}  # "<name>_custom" -> public function


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
    for string in activation.strings:
        current = table.get(string)
        if current is not None and current is not _strings.get(string):
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
    """Every registered activation string, sorted."""
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
    # PyTorch's spellings ("Hardswish", "nn.GELU", "F.logsigmoid"), after
    # ours: ours win. The whole name, so that "Hardswish_custom" is no string.
    torch_key = our_name_for_torch(name)
    if torch_key in _by_name:
        return _by_name[torch_key]
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


def get(identifier):
    """Resolve an activation identifier to a callable.

    Accepts our strings (``"mish_custom"``) and names (``"mish"``), a layer
    instance or class of ours, a serialized config dict, any callable, or
    ``None`` (the identity, as Keras does).
    """
    if identifier is None:
        return lookup("linear").function
    if isinstance(identifier, str):
        return lookup(identifier).function
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
