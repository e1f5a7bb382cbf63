"""``keras-acts plot``: activations and their derivatives through our gradient, to a PNG."""

import math
import os

import keras_acts
from keras_acts.tools.common import CliError, example_params, quiet_tensorflow, resolve, runnable


def output_path(args, specs):
    """The file to write, and a note when it was not given with -o."""
    if args.output:
        return args.output, ""
    if len(specs) == 1:
        path = f"{specs[0].name}.png"
    else:
        path = "gallery.png" if args.all else "activations.png"
    return path, " (no -o given: the default name, in the current folder)"


def run(args):
    if args.all and args.names:
        raise CliError("give activation names or --all, not both")
    if not args.all and not args.names:
        raise CliError("give one or more activation names, or --all (see keras-acts list)")
    lo, hi = args.range
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise CliError(f"--range needs finite LO < HI, got {lo} {hi}")
    specs = runnable(keras_acts.catalog())[0] if args.all else resolve(args.names)
    path, note = output_path(args, specs)
    if not path.lower().endswith(".png"):
        raise CliError(f"-o must name a .png file, got {path!r}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CliError(f"no such directory for -o {path!r}: {directory}")
    from keras_acts.tools import autodiff, plotting

    plotting.pyplot()  # fail early and clearly if matplotlib is missing
    quiet_tensorflow()
    items = [(spec, example_params(spec)) for spec in specs]
    width, height = plotting.plot_activations(items, path, lo, hi)
    print(f"Wrote {os.path.abspath(path)}{note}: {width}x{height} px, {len(items)} activation(s) "
          f"on [{lo:g}, {hi:g}], f and its derivative through our gradient on {autodiff.title()} "
          "(dotted: numeric slope).")
    for spec, params in items:
        if params:
            shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
            print(f"  {spec.name}: example arguments {shown} (no defaults)")
    return 0
