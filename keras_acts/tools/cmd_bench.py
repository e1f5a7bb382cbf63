"""``keras-acts bench``: the command's face of ``keras_acts.tools.bench`` (the
measuring), which is imported only when the command runs."""

from keras_acts.tools.bench_options import DESCRIPTION, add_arguments
from keras_acts.tools.common import CliError

def add_parser(subparsers):
    p = subparsers.add_parser(
        "bench", help="time and size our activations against Keras's built-ins (not a test)",
        description=DESCRIPTION,
    )
    return add_arguments(p)


def run(args):
    from keras_acts.tools import bench

    try:
        return bench.report_run(args)
    except ValueError as error:
        raise CliError(str(error)) from None
