"""The ``keras-acts`` command's launcher: its parser and its dispatch, in a
package of their own beside ``keras_acts``.

Importing anything under ``keras_acts`` runs ``keras_acts/__init__.py``,
which imports Keras and its backend (TensorFlow, JAX or PyTorch: seconds)
and registers the activations with Keras; that is what ``import
keras_acts`` is for, so it stays so. ``keras-acts --help``, ``--version``,
usage errors and ``inspect --no-load`` need none of it. So what they need
lives here, outside the library, importing nothing of it: every
subcommand's options (``options``), the one-line errors and TensorFlow's
hidden start-up lines (``terminal``), and the ``inspect`` command
(``cmd_inspect``), which reads a file without Keras. A subcommand that
needs the library runs from its module in ``keras_acts.tools``, imported
(the library with it) once the arguments are parsed. The version is the
installed distribution's.
"""

import argparse
import os
import sys
import textwrap
from importlib import metadata

from keras_acts_cli import options
from keras_acts_cli.terminal import EXIT_FAILED, CliError, import_quietly

PROG = "keras-acts"

# Each subcommand, in --help's order, and the module whose ``run(args)``
# runs it (returning the exit status): importing one of keras_acts.tools
# loads the library.
COMMANDS = {
    "list": "keras_acts.tools.cmd_list",
    "plot": "keras_acts.tools.cmd_plot",
    "check": "keras_acts.tools.cmd_check",
    "demo": "keras_acts.tools.cmd_demo",
    "bench": "keras_acts.tools.cmd_bench",
    "inspect": "keras_acts_cli.cmd_inspect",
    "export": "keras_acts.tools.export",
}


def version():
    """The installed keras-acts version (as ``keras_acts.__version__``)."""
    try:
        return metadata.version("keras-acts")
    except metadata.PackageNotFoundError:  # a checkout on sys.path, not installed
        return "unknown"


def build_parser():
    """The parser of every subcommand; imports nothing of keras_acts."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Activation functions for Keras 3 on TensorFlow, JAX and PyTorch: the "
        "commands run on the Keras backend in use (KERAS_BACKEND); export needs TensorFlow.\n"
        "`keras-acts COMMAND --help` describes a command and its options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    usages = []
    for name in COMMANDS:
        command = options.add_parser(sub, name)
        usage = " ".join(command.format_usage().split()[1:])
        usages.append(textwrap.fill(usage, 100, initial_indent="  ", subsequent_indent="      "))
    parser.epilog = "usage of each command:\n" + "\n".join(usages) + (
        "\n\nTensorFlow's log lines are hidden; set TF_CPP_MIN_LOG_LEVEL=0 to see them, "
        "KERAS_ACTS_DEBUG=1 for tracebacks."
    )
    return parser


def main(argv=None):
    """Run the command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        return int(import_quietly(COMMANDS[args.command]).run(args) or 0)
    except CliError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.code
    except ImportError as error:  # a missing optional dependency, the wrong Keras backend
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

