"""Render the catalog page, docs/catalog.md, from the registry.

The page is generated, so it cannot drift from the code: a test compares
the committed file with ``render()``. Regenerate it with
``python -m keras_acts.tools.catalog_page > docs/catalog.md``.
"""

import importlib
import inspect

import keras_acts
from keras_acts import families


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


def _cell(text):
    return text.replace("|", "\\|")


def _flag(value):
    return {True: "yes", False: "no", None: "?"}[value]


def _row(spec):
    strings = ", ".join(f"`{s}`" for s in spec.strings) or "none (needs arguments)"
    layers = ", ".join(f"`{n}`" for n in (spec.layer_name, *spec.aliases.values()))
    functions = ", ".join(f"`{n}`" for n in (spec.name, *spec.aliases))
    layer_signature = inspect.signature(spec.layer)
    return (
        f"| {functions} | {strings} | {layers} "
        f"| {_arguments(spec, spec.signature, spec.validators)} "
        f"| {_arguments(spec, layer_signature, spec.layer_validators)} "
        f"| `{_cell(spec.formula)}` | {_cell(spec.output_range)} "
        f"| {_flag(spec.monotonic)} | {_flag(spec.smooth)} |"
    )


def _family_title(family):
    module = importlib.import_module(f"keras_acts.families.{family}")
    return module.__doc__.strip().splitlines()[0]


HEADER = (
    "| function | string | layer | function arguments | layer arguments | formula | range "
    "| monotonic | smooth |\n|---|---|---|---|---|---|---|---|---|"
)


def render():
    specs = keras_acts.catalog(builtin=True)
    lines = [
        "# The keras-acts catalog",
        "",
        "Generated from the registry by `python -m keras_acts.tools.catalog_page`; do not edit by hand.",
        "",
        f"{len(specs)} activations. Each is a function `keras_acts.activations.<function>` with a",
        "hand-written gradient, a layer `keras_acts.layers.<Layer>`, and, where every argument has a",
        "default, a string for any Keras `activation=` argument. Layers take the function's",
        "arguments; a learned parameter (PReLU's `alpha`, Snake's `frequency`) is a weight whose",
        "starting value the layer takes as that argument or as an initializer.",
    ]
    for family in families.FAMILIES:
        rows = [_row(spec).replace("\n", " ") for spec in specs if spec.family == family]
        lines += ["", f"## {_family_title(family)}", "", HEADER, *rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
