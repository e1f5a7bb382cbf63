"""The generated docstrings of an activation's function and layer.

Both are made from the activation's description, so they say what the code
does: the formula, the paper, each argument with its constraint and
default, and an example that runs as a doctest (``keras`` and ``keras_acts``
imported) printing the declared ``example_output``.
"""

import inspect

import numpy as np

from keras_acts.engine.description import EXAMPLE_INPUT, EXAMPLE_PAIRS, REQUIRED
from keras_acts.engine.registry import BUILTIN_PACKAGE


def _default_words(default):
    return "" if default is REQUIRED else f" Defaults to `{default!r}`."


def _formula_and_reference(activation, doc=""):
    lines = []
    if activation.formula and "Formula" not in doc:
        lines += ["Formula:", "", f"    {activation.formula}", ""]
    if activation.docs.reference:
        lines += ["Reference:", "", f"    {activation.docs.reference}", ""]
    return lines


def _example(activation, call, output):
    """The doctest lines: the input, ``call`` on it, and ``output`` (float32,
    rounded to 4 decimals) where there is one."""
    if activation.changes_shape:  # it halves its axis: an even size there
        sample = str([list(row) for row in EXAMPLE_PAIRS])
    else:
        sample = str(list(EXAMPLE_INPUT))
    lines = ["Example:", "", f"    >>> x = keras.ops.convert_to_tensor({sample})"]
    if output is None:
        return lines + [f"    >>> y = {call}", ""]
    shown = repr(np.asarray(output, dtype="float32")).splitlines()
    lines += [f"    >>> keras.ops.convert_to_numpy({call}).round(4)"]
    return lines + [f"    {line}" for line in shown] + [""]


def _example_arguments(activation):
    return ", ".join(f"{k}={v!r}" for k, v in (activation.docs.example or {}).items())


def function_doc(activation, doc):
    """The forward's docstring, with the formula, the reference, ``Args:``
    and (for the catalog's own) the example added unless it has its own."""
    doc = inspect.cleandoc(doc or f"The `{activation.name}` activation.")
    if "Args:" in doc:
        return doc
    lines = [doc, ""] + _formula_and_reference(activation, doc)
    if activation.package == BUILTIN_PACKAGE:
        arguments = _example_arguments(activation)
        call = f"keras_acts.activations.{activation.name}(x{', ' + arguments if arguments else ''})"
        lines += _example(activation, call, activation.docs.example_output)
    lines += ["Args:", "    x: Input tensor."]
    for name, default in activation.defaults.items():
        described = activation.validators[name].describe()
        lines.append(f"    {name}: {described}.{_default_words(default)}")
    return "\n".join(lines)


def _layer_defaults_match(activation):
    """Whether the layer, built with the example's arguments alone,
    computes what the function does with its defaults."""
    layer = {n: p.default for n, p in activation.layer_signature.parameters.items()}
    return all(layer[n] == d for n, d in activation.defaults.items() if d is not REQUIRED)


def layer_doc(activation, base):
    """The layer class's docstring: what it applies, the formula, the
    reference, an example and every constructor argument (those of ``base``
    included). The example prints the declared output where the layer's
    defaults are the function's."""
    string = (
        f"string `{activation.string}`"
        if activation.string
        else f"no string: {activation.no_string}"
    )
    lines = [f"Layer applying `{activation.name}` ({string}).", ""]
    lines += _formula_and_reference(activation)
    call = f"keras_acts.layers.{activation.layer_name}({_example_arguments(activation)})(x)"
    output = activation.docs.example_output if _layer_defaults_match(activation) else None
    lines += _example(activation, call, output)
    lines.append("Args:")
    signature = base.constructor_signature(activation)
    for name, p in signature.parameters.items():
        if name == "self" or p.kind is p.VAR_KEYWORD:
            continue
        described = base.describe_argument(activation, name)
        lines.append(f"    {name}: {described}.{_default_words(p.default)}")
    lines.append("    **kwargs: Base layer keyword arguments, such as `name` and `dtype`.")
    return "\n".join(lines)
