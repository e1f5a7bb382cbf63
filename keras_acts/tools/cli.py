"""The ``keras-acts`` command: list, plot, check, demo and bench.

Everything here works off the public registry (``keras_acts.catalog()``,
``lookup()``), so the command shows exactly what the package defines.

    keras-acts list [--json]
    keras-acts plot NAME... [-o FILE.png] [--range LO HI]
    keras-acts plot --all [-o FILE.png]
    keras-acts check [NAME...]
    keras-acts demo [--json] [--plot FILE.png] [--save FILE.keras]
    keras-acts bench [NAME...] [--json] [--quick]
"""

import os

# Quiet TensorFlow's C++ logging for what runs after import (the package has
# usually imported TensorFlow already by the time this module runs).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import keras_acts  # noqa: E402

PROG = "keras-acts"

EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An error to report in one line, without a traceback."""

    def __init__(self, message, code=EXIT_USAGE):
        super().__init__(message)
        self.code = code


# -- registry helpers --------------------------------------------------------


def resolve(names):
    """The specs for ``names`` (names, aliases or strings), each once."""
    specs = []
    for name in names:
        try:
            spec = keras_acts.lookup(name)
        except ValueError as error:
            raise CliError(str(error)) from None
        if spec not in specs:
            specs.append(spec)
    return specs


def example_params(spec):
    """Arguments for the function's required parameters (``{}`` if none)."""
    try:
        return spec.example_params
    except ValueError as error:
        raise CliError(str(error)) from None


def _json_value(value):
    if value is inspect.Parameter.empty:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    return repr(value)


def describe(spec):
    """One activation as a JSON-ready dict."""
    params = []
    for name, default in spec.defaults.items():
        validator = spec.validators.get(name)
        params.append(
            {
                "name": name,
                "default": _json_value(default),
                "required": default is inspect.Parameter.empty,
                "accepts": validator.describe() if validator is not None else "",
            }
        )
    return {
        "name": spec.name,
        "string": spec.string,
        "strings": list(spec.strings),
        "layer": spec.layer_name,
        "aliases": [
            {"name": alias, "layer": layer} for alias, layer in spec.aliases.items()
        ],
        "params": params,
        "formula": spec.formula,
        "output_range": spec.output_range,
        "monotonic": spec.monotonic,
        "smooth": spec.smooth,
    }


def _yes_no(value):
    return {True: "yes", False: "no"}.get(value, "?")


def _table(headers, rows):
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _quiet_tensorflow():
    import logging

    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:  # pragma: no cover
        pass


# -- list --------------------------------------------------------------------


def cmd_list(args):
    specs = keras_acts.catalog()
    if args.json:
        print(json.dumps([describe(s) for s in specs], indent=2))
        return 0
    rows = []
    for spec in specs:
        arguments = []
        for name, default in spec.defaults.items():
            if default is inspect.Parameter.empty:
                arguments.append(f"{name}*")
            else:
                arguments.append(f"{name}={default!r}")
        name = spec.name
        layer = spec.layer_name
        if spec.aliases:
            name += " (" + ", ".join(spec.aliases) + ")"
            layer += " (" + ", ".join(spec.aliases.values()) + ")"
        rows.append(
            [
                name,
                spec.string or "-",
                layer,
                ", ".join(arguments) or "-",
                spec.output_range or "?",
                _yes_no(spec.monotonic),
                _yes_no(spec.smooth),
            ]
        )
    headers = ["name", "string", "layer", "arguments", "range", "monotonic", "smooth"]
    print(_table(headers, rows))
    print(
        f"\n{len(specs)} activations. Functions: keras_acts.activations.<name>; "
        "layers: keras_acts.layers.<layer>;\nstrings work as "
        "Dense(..., activation=\"<string>\"). * = required argument (no "
        "default), so no string."
    )
    return 0


# -- plot --------------------------------------------------------------------


def cmd_plot(args):
    if args.all and args.names:
        raise CliError("give activation names or --all, not both")
    if not args.all and not args.names:
        raise CliError("give one or more activation names, or --all (see keras-acts list)")
    lo, hi = args.range
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise CliError(f"--range needs finite LO < HI, got {lo} {hi}")
    specs = keras_acts.catalog() if args.all else resolve(args.names)
    if args.output:
        path = args.output
    elif len(specs) == 1:
        path = f"{specs[0].name}.png"
    else:
        path = "gallery.png" if args.all else "activations.png"
    if not path.lower().endswith(".png"):
        raise CliError(f"-o must name a .png file, got {path!r}")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CliError(f"no such directory for -o: {directory}")
    from keras_acts.tools import plotting

    plotting.pyplot()  # fail early and clearly if matplotlib is missing
    _quiet_tensorflow()
    items = [(spec, example_params(spec)) for spec in specs]
    plotting.plot_activations(items, path, lo, hi)
    print(f"Wrote {path}: {len(items)} activation(s) on [{lo:g}, {hi:g}], f and its "
          "derivative through our gradient (dotted: numeric slope).")
    examples = [(s.name, p) for s, p in items if p]
    for name, params in examples:
        shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
        print(f"  {name}: example arguments {shown} (no defaults)")
    return 0


# -- check -------------------------------------------------------------------


def cmd_check(args):
    from keras_acts.tools import selfcheck

    specs = resolve(args.names) if args.names else keras_acts.catalog()
    _quiet_tensorflow()
    rows, failures, notes = selfcheck.check_all(specs, example_params, verbose=args.verbose)
    print(_table(["activation", "gradient vs numeric (float64)", "save/load .keras", "result"], rows))
    for note in notes:
        print(f"  {note} (no defaults)")
    print(f"\n{len(specs) - failures} of {len(specs)} activations passed.")
    return EXIT_FAILED if failures else 0


# -- demo --------------------------------------------------------------------


def cmd_demo(args):
    from keras_acts.tools import demo

    if args.plot:
        if not args.plot.lower().endswith(".png"):
            raise CliError(f"--plot must name a .png file, got {args.plot!r}")
        from keras_acts.tools import plotting

        plotting.pyplot()  # fail before training if matplotlib is missing
    if args.save and not args.save.endswith(".keras"):
        raise CliError(f"--save must name a .keras file, got {args.save!r}")
    _quiet_tensorflow()
    start = time.perf_counter()
    outcome = demo.run(quick=args.quick, stream=sys.stderr)
    saved = outcome["saved"]
    if args.save:
        os.replace(saved, args.save)
        saved = outcome["saved"] = args.save
    if args.plot:
        from keras_acts.tools import plotting

        plotting.plot_decision_boundaries(outcome, args.plot)
    total = time.perf_counter() - start
    if args.json:
        report = {
            "results": outcome["results"],
            "best": outcome["best"],
            "saved": saved,
            "round_trip_identical": outcome["round_trip_identical"],
            "seconds": round(total, 2),
        }
        if args.plot:
            report["plot"] = args.plot
        print(json.dumps(report, indent=2))
    else:
        _print_demo_table(outcome, saved, total, args.plot)
    return 0 if outcome["round_trip_identical"] else EXIT_FAILED


def _print_demo_table(outcome, saved, total, plot):
    from keras_acts.tools import demo

    _, solved, problems = demo.verdict(outcome)
    rows = [
        [r["activation"], f"{r['accuracy']:.3f}", r["epochs"], f"{r['seconds']:.1f}"]
        for r in outcome["results"]
    ]
    print()
    print(_table(["activation", "test accuracy", "epochs", "seconds"], rows))
    print()
    linear = [r for r in outcome["results"] if r["name"] == "linear"]
    if linear:
        print(
            f"No activation (linear) cannot separate the spirals: "
            f"{linear[0]['accuracy']:.3f}."
        )
    print(
        f"Solved (test accuracy > {demo.SOLVED_ABOVE}): "
        f"{', '.join(solved) if solved else 'none'}."
    )
    for line in problems:
        print(line)
    identical = "identical" if outcome["round_trip_identical"] else "DIFFERENT"
    print(
        f"Best: {outcome['best']}, saved to {saved}; loaded back: {identical} "
        "predictions on the test set."
    )
    if plot:
        print(f"Decision boundaries: {plot}")
    print(f"Total {total:.1f} s.")


# -- bench -------------------------------------------------------------------


def cmd_bench(argv):
    from keras_acts.tools import bench

    return int(bench.main(list(argv)) or 0)


# -- entry point -------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Activation functions for Keras 3: list, plot, check and demo.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {keras_acts.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="every activation: string, layer, arguments, range")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("plot", help="draw activations and their derivatives to a PNG")
    p.add_argument("names", nargs="*", metavar="NAME", help="activation names, aliases or strings")
    p.add_argument("--all", action="store_true", help="every activation (a gallery)")
    p.add_argument("-o", "--output", metavar="FILE.png",
                   help="output file (default NAME.png, activations.png or gallery.png)")
    p.add_argument("--range", nargs=2, type=float, default=(-4.0, 4.0),
                   metavar=("LO", "HI"), help="x range (default -4 4)")
    p.set_defaults(run=cmd_plot)

    p = sub.add_parser(
        "check",
        help="self-test: gradients against numeric differences, save/load",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="activations to check (default all)")
    p.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("demo", help="train one MLP on two spirals with several activations")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="draw the decision boundaries")
    p.add_argument("--save", metavar="FILE.keras",
                   help="where to keep the best model (default: a temporary directory)")
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(run=cmd_demo)

    sub.add_parser(
        "bench",
        help="time activations (keras-acts bench --help)",
        add_help=False,
    )
    return parser


def main(argv=None):
    """Run the command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "bench":
            return cmd_bench(argv[1:])
        args = build_parser().parse_args(argv)
        return args.run(args)
    except CliError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.code
    except ImportError as error:  # a missing optional dependency
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except SystemExit as exit_:  # argparse's usage errors, --help, --version
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_FAILED)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # noqa: BLE001
        if os.environ.get("KERAS_ACTS_DEBUG"):
            raise
        print(
            f"{PROG}: error: {type(error).__name__}: {error}\n"
            "(set KERAS_ACTS_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
