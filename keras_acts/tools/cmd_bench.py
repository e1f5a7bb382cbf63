"""``keras-acts bench``: the command's face of ``keras_acts.tools.bench`` (the
measuring), which is imported only when the command runs."""

from keras_acts.tools.common import CliError


def run(args):
    from keras_acts.tools import bench

    try:
        return bench.report_run(args)
    except ValueError as error:
        raise CliError(str(error)) from None
