"""``keras-acts bench``'s options, apart from the measuring so that ``--help``
imports nothing heavy. Counts are checked here, so that a bad one is a usage
error naming the option and the value before anything runs."""

import argparse


DESCRIPTION = (
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


def add_arguments(p):
    p.add_argument("names", nargs="*", metavar="NAME", help="activations (default: all)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--markdown", action="store_true", help="print the results as docs/benchmarks.md's tables"
    )
    p.add_argument("--quick", action="store_true", help="small sizes, few repeats (< 1 min)")
    p.add_argument(
        "--parts",
        default="kernels,training,memory,fit",
        help="comma-separated parts to run: kernels, training, memory, fit (default: all four)",
    )
    p.add_argument("--repeats", type=_at_least_one, default=None, metavar="N",
                   help="interleaved rounds, at least 1 (default 7; --quick 3)")
    p.add_argument(
        "--sizes", type=_log2_sizes, default=None, metavar="LIST",
        help="comma-separated log2 tensor sizes (default 22,14; --quick 16,14)",
    )
    return p
