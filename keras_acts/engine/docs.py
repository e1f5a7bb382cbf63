"""The generated docstrings of an activation's function and layer.

Both are made from the activation's description, so they say what the code
does: the formula, each argument with its constraint and default.
"""

import inspect

from keras_acts.engine.description import REQUIRED


def _default_words(default):
    return "" if default is REQUIRED else f" Defaults to `{default!r}`."


def function_doc(activation, doc):
    """The forward's docstring, with the formula and ``Args:`` added unless
    it has its own."""
    doc = inspect.cleandoc(doc or f"The `{activation.name}` activation.")
    if "Args:" in doc:
        return doc
    lines = [doc, ""]
    if activation.formula and "Formula" not in doc:
        lines += ["Formula:", "", f"    {activation.formula}", ""]
    lines += ["Args:", "    x: Input tensor."]
    for name, default in activation.defaults.items():
        described = activation.validators[name].describe()
        lines.append(f"    {name}: {described}.{_default_words(default)}")
    return "\n".join(lines)


def layer_doc(activation, base):
    """The layer class's docstring: what it applies, the formula, an example
    and every constructor argument (those of ``base`` included)."""
    string = (
        f"string `{activation.string}`"
        if activation.string
        else f"no string: {activation.no_string}"
    )
    example = ", ".join(f"{k}={v!r}" for k, v in (activation.docs.example or {}).items())
    lines = [f"Layer applying `{activation.name}` ({string}).", ""]
    if activation.formula:
        lines += ["Formula:", "", f"    {activation.formula}", ""]
    # An activation that halves its axis needs an even size there.
    sample = (
        "[[-2.0, -0.5, 0.5, 2.0]]" if activation.changes_shape else "[-2.0, -0.5, 0.0, 0.5, 2.0]"
    )
    lines += [
        "Example:",
        "",
        f"    layer = keras_acts.layers.{activation.layer_name}({example})",
        f"    y = layer(np.array({sample}))",
        "",
        "Args:",
    ]
    signature = base.constructor_signature(activation)
    for name, p in signature.parameters.items():
        if name == "self" or p.kind is p.VAR_KEYWORD:
            continue
        described = base.describe_argument(activation, name)
        lines.append(f"    {name}: {described}.{_default_words(p.default)}")
    lines.append("    **kwargs: Base layer keyword arguments, such as `name` and `dtype`.")
    return "\n".join(lines)
