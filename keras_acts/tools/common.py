"""What the ``keras-acts`` subcommands share: one-line errors (the
launcher's, ``keras_acts_cli.terminal``), name lookup, plain-text tables,
and an activation's arguments (function and layer).
"""

import inspect
import math
import textwrap

import keras_acts
from keras_acts_cli.terminal import EXIT_FAILED, CliError  # noqa: F401  (the commands')


def resolve(names):
    """The activations for ``names`` (names, aliases or strings), each once."""
    specs = []
    for name in names:
        try:
            spec = keras_acts.lookup(name)
        except ValueError as error:
            raise CliError(str(error)) from None
        if spec not in specs:
            specs.append(spec)
    return specs


def runnable(specs):
    """(the activations of ``specs`` that can run with their example
    arguments, the names of those that cannot: an activation of yours whose
    required parameters have no ``example=``)."""
    ready, skipped = [], []
    for spec in specs:
        try:
            spec.example_params
        except ValueError:
            skipped.append(spec.name)
        else:
            ready.append(spec)
    return ready, skipped


def example_params(spec):
    """Arguments for the function's required parameters (``{}`` if none)."""
    try:
        return spec.example_params
    except ValueError as error:
        raise CliError(str(error)) from None


def quiet_tensorflow():
    """TensorFlow's and absl's Python loggers down to errors, where TensorFlow
    is the Keras backend (on JAX and PyTorch it is not imported)."""
    from keras_acts.tools import autodiff

    autodiff.quiet()


# -- arguments ----------------------------------------------------------------


def layer_arguments(spec):
    """The layer constructor's arguments: name -> default (``inspect.Parameter.empty``
    where required), in the constructor's order."""
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return {
        name: p.default
        for name, p in inspect.signature(spec.layer).parameters.items()
        if name != "self" and p.kind not in skip
    }


def _same(a, b):
    return type(a) is type(b) and a == b


def layer_differences(spec):
    """Where the layer's arguments differ from the function's:
    ``({name: layer default}, [function arguments the layer does not take])``."""
    function, layer = spec.defaults, layer_arguments(spec)
    differ = {n: d for n, d in layer.items() if n not in function or not _same(function[n], d)}
    # The function's own arguments first (a learned parameter's starting value), then the layer's.
    differ = dict(sorted(differ.items(), key=lambda item: item[0] not in function))
    missing = [n for n in function if n not in layer]
    return differ, missing


def show_argument(name, default, short=False):
    if default is inspect.Parameter.empty:
        return f"{name}*"
    if short and isinstance(default, float) and len(repr(default)) > 8:
        return f"{name}={default:.6g}"
    return f"{name}={default!r}"


def json_value(value):
    if value is inspect.Parameter.empty:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [json_value(v) for v in value]
    return repr(value)


def describe(spec):
    """One activation as a JSON-ready dict."""
    params = []
    for name, default in spec.defaults.items():
        validator = spec.validators.get(name)
        params.append({
            "name": name,
            "default": json_value(default),
            "required": default is inspect.Parameter.empty,
            "accepts": validator.describe() if validator is not None else "",
        })
    layer_params = [
        {"name": name, "default": json_value(default), "required": default is inspect.Parameter.empty}
        for name, default in layer_arguments(spec).items()
    ]
    return {
        "name": spec.name,
        "string": spec.string,
        "strings": list(spec.strings),
        "layer": spec.layer_name,
        "aliases": [{"name": alias, "layer": layer} for alias, layer in spec.aliases.items()],
        "params": params,
        "layer_params": layer_params,
        "formula": spec.formula,
        "output_range": spec.output_range,
        "monotonic": spec.monotonic,
        "smooth": spec.smooth,
    }


# -- tables -------------------------------------------------------------------


def table(headers, rows, max_width=None):
    """A plain-text table. A cell may be a list of lines; with ``max_width``,
    the last column's lines are wrapped so that no line is wider."""
    rows = [[c if isinstance(c, list) else [str(c)] for c in row] for row in rows]
    widths = [max(len(line) for cell in column for line in cell)
              for column in zip([[h] for h in headers], *rows)]
    if max_width is not None:
        room = max(20, max_width - sum(widths[:-1]) - 2 * (len(widths) - 1))
        for row in rows:
            row[-1] = [part for line in row[-1]
                       for part in (textwrap.wrap(line, room, subsequent_indent="  ") or [""])]
        widths[-1] = min(widths[-1], room)
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        for i in range(max(len(cell) for cell in row)):
            cells = [cell[i] if i < len(cell) else "" for cell in row]
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    return "\n".join(lines)


def yes_no(value):
    return {True: "yes", False: "no"}.get(value, "?")
