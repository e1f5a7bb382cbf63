"""Every subcommand's options: ``add_parser(subparsers, name)`` adds the
parser of one; nothing here imports keras_acts, so that ``--help`` and usage
errors answer before the library (and TensorFlow) loads. Values are checked
here where a bad one is a usage error naming the option (bench's counts).
"""

import argparse

LIST_WIDTH = 100  # keras-acts list: the widest line without --wide

BENCH_DESCRIPTION = (
    "Time and size our activations against Keras's built-ins on the active Keras backend "
    "(KERAS_BACKEND: tensorflow, jax or torch; tensorflow where unset): forward + backward "
    "kernels, training steps per second, the extra memory of a training step, and Keras fit "
    "with a partial last batch. Progress goes to stderr, the report to stdout. This is a "
    "measurement, not a test."
)


def _at_least_one(text):
    """``--repeats``: an int of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1: give at least 1 round")
    return value


def _log2_sizes(text):
    """``--sizes``: comma-separated log2 sizes, each at least 0 (a tensor of
    at least one element); kept as the text the bench parses."""
    parts = [part.strip() for part in text.split(",")]
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give comma-separated integers (log2 sizes)"
        ) from None
    below = [size for size in sizes if size < 0]
    if below:
        raise argparse.ArgumentTypeError(
            f"{text!r}: log2 size {below[0]} is below 0; a tensor has at least 2^0 = 1 element"
        )
    return ",".join(parts)


def add_bench_arguments(p):
    p.add_argument("names", nargs="*", metavar="NAME", help="activations (default: all)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--markdown", action="store_true", help="print the results as docs/benchmarks.md's tables"
    )
    p.add_argument("--quick", action="store_true", help="small sizes, few repeats (< 1 min)")
    p.add_argument(
        "--parts",
        default="kernels,training,memory,fit,transformer",
        help="comma-separated parts to run: kernels, training, memory, fit, transformer "
        "(default: all five)",
    )
    p.add_argument("--repeats", type=_at_least_one, default=None, metavar="N",
                   help="interleaved rounds, at least 1 (default 7; --quick 3)")
    p.add_argument(
        "--sizes", type=_log2_sizes, default=None, metavar="LIST",
        help="comma-separated log2 tensor sizes (default 22,14; --quick 16,14)",
    )
    return p


def _list(p):
    p.add_argument("pattern", nargs="?", metavar="PATTERN",
                   help="only activations whose name, alias, string or layer contains it "
                   "(case-insensitive)")
    p.add_argument("--wide", action="store_true",
                   help=f"every column (range, monotonic, smooth), lines wider than {LIST_WIDTH}")
    p.add_argument("--json", action="store_true", help="print a JSON array")


def _plot(p):
    p.add_argument("names", nargs="*", metavar="NAME", help="activation names, aliases or strings")
    p.add_argument("--all", action="store_true", help="every activation (a gallery)")
    p.add_argument("-o", "--output", metavar="FILE.png",
                   help="output file (default: NAME.png, activations.png or gallery.png in the "
                   "current folder)")
    p.add_argument("--range", nargs=2, type=float, default=(-4.0, 4.0),
                   metavar=("LO", "HI"), help="x range (default -4 4)")


def _check(p):
    p.add_argument("names", nargs="*", metavar="NAME", help="activations to check (default: all)")
    p.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    p.add_argument(
        "--stress", action="store_true",
        help="also the stress checks: properties of every activation in four dtypes through "
        "eager, tf.function, fused and XLA on TensorFlow (eager and jax.jit on JAX, eager on "
        "PyTorch); threads; tampered .keras files (minutes)",
    )


def _demo(p):
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="draw the decision boundaries")
    p.add_argument("--save", metavar="FILE.keras",
                   help="keep the best model there (default: a temporary file, removed)")
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)


def _inspect(p):
    p.add_argument("path", metavar="MODEL.keras", help="a model saved with model.save(...)")
    p.add_argument("--no-load", action="store_true",
                   help="only read the file (no TensorFlow); skip loading it here")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")


def _export(p):
    p.add_argument("model", metavar="MODEL.keras", help="the .keras file")
    p.add_argument("--to", required=True, choices=EXPORT_FORMATS, help="the format to write")
    p.add_argument("-o", "--output", metavar="OUT", required=True, help="the file or folder to write")
    p.add_argument("--batch", type=int, default=4, help="rows of the random check batch")
    p.add_argument("--seed", type=int, default=0, help="seed of the random check batch")


EXPORT_FORMATS = ("savedmodel", "tflite", "onnx")

# name: (one-line help, description, the function that adds the options)
SUBCOMMANDS = {
    "list": (
        "every activation: string, layer, arguments (PATTERN filters)",
        "Every activation: its function, string, layer and arguments. Layer arguments are shown "
        "where they differ from the function's.",
        _list,
    ),
    "plot": (
        "draw activations and their derivatives to a PNG",
        "Draw each activation and its derivative (the gradient the Keras backend in use takes "
        "through our backward pass; dotted: the numeric slope). Prints the path written.",
        _plot,
    ),
    "check": (
        "self-test: gradients against numeric differences, save/load",
        "For each activation: our gradient against central differences in float64 (through the "
        "Keras backend in use: eager, and under jax.jit on JAX), and a small model saved as "
        ".keras, loaded, predicting identically. Exit status 1 if anything fails.",
        _check,
    ),
    "demo": (
        "train one MLP on two spirals with several activations",
        "Train one small MLP on two interleaved spirals with no activation and with several from "
        "the catalog; save the best as .keras, load it back and compare predictions. Progress on "
        "stderr. Writes nothing that stays unless --save or --plot.",
        _demo,
    ),
    "bench": (
        "time and size our activations against Keras's built-ins (not a test)",
        BENCH_DESCRIPTION,
        add_bench_arguments,
    ),
    "inspect": (
        "which keras_acts activations a .keras file uses; whether it loads here",
        "Read a saved .keras model: the activations and layers of keras_acts (and of other "
        "packages) it uses, their arguments, whether it loads here, and the Python that loads it.",
        _inspect,
    ),
    "export": (
        "write a .keras model as SavedModel, TFLite or ONNX, and check it (TensorFlow backend)",
        "Loads a ``.keras`` model that uses our activations, writes it in the chosen format from "
        "a portable graph (``keras_acts.config.portable()``: no XLA calls, no ops the converters "
        "lack), runs the result on a random batch and reports the largest difference from "
        "Keras's own predictions (relative to max(1, |y|)). It needs the TensorFlow backend "
        "(KERAS_BACKEND=tensorflow): on JAX and PyTorch it says so and exits before reading "
        "anything.",
        _export,
    ),
}


def add_parser(subparsers, name):
    """Add the subcommand ``name`` to an argparse ``subparsers``; returns its parser."""
    help_, description, add_options = SUBCOMMANDS[name]
    parser = subparsers.add_parser(name, help=help_, description=description)
    add_options(parser)
    return parser
