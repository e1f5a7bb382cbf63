"""``keras-acts list [PATTERN] [--wide] [--json]``: every activation, or those
whose name, alias, string or layer contains PATTERN."""

import json

import keras_acts
from keras_acts.tools.common import CliError, describe, layer_differences, show_argument, table, yes_no
from keras_acts_cli.options import LIST_WIDTH as WIDTH


def matches(spec, pattern):
    names = [spec.name, spec.layer_name, *spec.strings, *spec.aliases, *spec.aliases.values()]
    return any(pattern.lower() in n.lower() for n in names)


def select(pattern):
    specs = keras_acts.catalog()
    if pattern is None:
        return specs
    chosen = [s for s in specs if matches(s, pattern)]
    if not chosen:
        try:
            keras_acts.lookup(pattern)
            hint = ""
        except ValueError as error:
            hint = " " + str(error).split(". ", 1)[-1] if "Closest" in str(error) else ""
        raise CliError(f"no activation name, string or layer contains {pattern!r}.{hint}", code=1)
    return chosen


def _cells(spec, wide):
    arguments = [show_argument(n, d, short=not wide) for n, d in spec.defaults.items()]
    differ, missing = layer_differences(spec)
    layer_args = [show_argument(n, d, short=not wide) for n, d in differ.items()]
    layer_args += [f"(no {n}: a call argument)" if n == "training" else f"(no {n})" for n in missing]
    name, layer = spec.name, spec.layer_name
    if spec.aliases:
        name += " (" + ", ".join(spec.aliases) + ")"
        layer += " (" + ", ".join(spec.aliases.values()) + ")"
    if wide:
        arguments = [", ".join(arguments) or "-"]
        layer_args = [", ".join(layer_args) or "-"]
    return name, spec.string or "-", layer, arguments or ["-"], layer_args or ["-"]


def run(args):
    specs = select(args.pattern)
    if args.json:
        print(json.dumps([describe(s) for s in specs], indent=2))
        return 0
    rows = []
    for spec in specs:
        name, string, layer, arguments, layer_args = _cells(spec, args.wide)
        if args.wide:
            rows.append([name, string, layer, arguments, layer_args, spec.output_range or "?",
                         yes_no(spec.monotonic), yes_no(spec.smooth)])
        else:
            extra = [a for a in layer_args if a != "-"]
            rows.append([name, string, layer, arguments + (["layer: " + ", ".join(extra)] if extra else [])])
    if args.wide:
        headers = ["name", "string", "layer", "function arguments", "layer arguments (where they differ)",
                   "range", "monotonic", "smooth"]
        print(table(headers, rows))
    else:
        print(table(["name", "string", "layer", "arguments"], rows, max_width=WIDTH))
    print(
        f"\n{len(specs)} activation(s). Function: keras_acts.activations.<name>; layer: "
        "keras_acts.layers.<layer>;\nstring: Dense(..., activation=\"<string>\"). "
        "name* = required (no default, so no string).\n\"layer:\" = the layer's arguments where "
        "they differ from the function's (keyword-only)." + ("" if args.wide else "\n--wide: every column.")
    )
    return 0
