"""Render the catalog page, docs/catalog.md, from the registry.

The page is generated, so it cannot drift from the code: a test compares
the committed file with ``render()``. Regenerate it with
``python -m scripts.catalog_page > docs/catalog.md``.
"""

import importlib
import inspect

import keras_acts
from keras_acts import families
from keras_acts.tools.common import layer_differences


def _arguments(spec, signature, validators):
    parts = []
    for name, p in signature.parameters.items():
        if p.kind is p.VAR_KEYWORD or name in ("self", "x"):
            continue
        default = "" if p.default is inspect.Parameter.empty else f"={p.default!r}"
        described = validators.get(name)
        kind = f" ({described.describe()})" if described is not None else ""
        parts.append(f"`{name}{default}`{kind}")
    return ", ".join(parts) or "none"


def _layer_arguments(spec):
    """The layer's arguments where they differ from the function's (default or
    accepted values)."""
    differ, missing = layer_differences(spec)
    for name, default in spec.defaults.items():
        ours, theirs = spec.validators.get(name), spec.layer_validators.get(name)
        described = [v.describe() if v is not None else "" for v in (ours, theirs)]
        if name not in differ and name not in missing and described[0] != described[1]:
            differ[name] = default
    if not differ and not missing:
        return "as the function's"
    parts = []
    for name, default in differ.items():
        shown = "" if default is inspect.Parameter.empty else f"={default!r}"
        described = spec.layer_validators.get(name)
        parts.append(f"`{name}{shown}`" + (f" ({described.describe()})" if described is not None else ""))
    parts += [f"no `{name}`" + (" (a call argument)" if name == "training" else "") for name in missing]
    return ", ".join(parts)


def _cell(text):
    return text.replace("|", "\\|")


def _flag(value):
    return {True: "yes", False: "no", None: "?"}[value]


def _row(spec):
    strings = ", ".join(f"`{s}`" for s in spec.strings) or f"none ({spec.no_string})"
    layers = ", ".join(f"`{n}`" for n in (spec.layer_name, *spec.aliases.values()))
    functions = ", ".join(f"`{n}`" for n in (spec.name, *spec.aliases))
    return (
        f"| {functions} | {strings} | {layers} "
        f"| {_arguments(spec, spec.signature, spec.validators)} "
        f"| {_layer_arguments(spec)} "
        f"| `{_cell(spec.formula)}` | {_cell(spec.output_range)} "
        f"| {_flag(spec.monotonic)} | {_flag(spec.smooth)} |"
    )


def _family_title(family):
    module = importlib.import_module(f"keras_acts.families.{family}")
    return module.__doc__.strip().splitlines()[0]


HEADER = (
    "| function | string | layer | function arguments | layer arguments, where they differ | formula | range "
    "| monotonic | smooth |\n|---|---|---|---|---|---|---|---|---|"
)


def render():
    specs = keras_acts.catalog(builtin=True)
    lines = [
        "# The keras-acts catalog",
        "",
        "Generated from the registry by `python -m scripts.catalog_page`; do not edit by hand.",
        "",
        f"{len(specs)} activations. Each is a function `keras_acts.activations.<function>` with a",
        "hand-written gradient, a layer `keras_acts.layers.<Layer>`, and, where every argument has a",
        "default and the output has the input's shape, a string for any Keras `activation=`",
        "argument. Layers take the function's arguments, keyword-only; the column \"layer",
        "arguments\" lists those that differ. A learned parameter (PReLU's `alpha`, Snake's",
        "`frequency`) is a weight whose starting value the layer takes as that argument",
        "(`PReLU(alpha=0.25)`) or as an initializer.",
        "",
        "An activation that changes the shape (glu halves its axis) has no string, whatever its",
        "arguments: Keras's layers declare their output shape without their activation, so",
        "`Dense(8, activation=\"glu_custom\")` would declare 8 units and return 4. Its would-be",
        "string raises a `ValueError` saying so when the layer first runs or is saved, as",
        "`keras_acts.get(\"glu\")` does at once; use its layer after a layer twice as wide:",
        "`keras.layers.Dense(2 * units)`, then `keras_acts.layers.GLU()`.",
    ]
    for family in families.FAMILIES:
        rows = [_row(spec).replace("\n", " ") for spec in specs if spec.family == family]
        lines += ["", f"## {_family_title(family)}", "", HEADER, *rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
