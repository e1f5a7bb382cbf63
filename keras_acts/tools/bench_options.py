"""``keras-acts bench``'s options, apart from the measuring so that ``--help``
imports nothing heavy."""


DESCRIPTION = (
    "Time and size our activations against Keras's built-ins: forward + backward kernels, "
    "training steps per second, and the extra memory of a training step. Progress goes to "
    "stderr, the report to stdout. This is a measurement, not a test."
)


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
    p.add_argument("--repeats", type=int, default=None, metavar="N",
                   help="interleaved rounds (default 7; --quick 3)")
    p.add_argument(
        "--sizes", default=None, metavar="LIST",
        help="comma-separated log2 tensor sizes (default 22,14; --quick 16,14)",
    )
    return p
