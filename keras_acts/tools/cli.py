"""The ``keras-acts`` command: one subcommand per module of ``COMMANDS``.

A subcommand's module defines ``add_parser(subparsers)``, which adds its
parser and returns it, and ``run(args)``, which returns the exit status.
Its module import must stay cheap (``import keras_acts`` at most, the
backend only inside functions; a command runs on the active Keras backend,
and imports TensorFlow only where that is the backend): the parser is
built, and ``--help`` answered, before the package is loaded. ``run`` is
called after ``load_package()``, unless the module sets ``LOADS_PACKAGE =
False`` and calls it itself when needed.
Adding a subcommand is one line in ``COMMANDS``.
"""

import argparse
import contextlib
import importlib
import importlib.util
import os
import re
import sys
import tempfile
import textwrap

from keras_acts.tools.common import EXIT_FAILED, CliError

PROG = "keras-acts"

COMMANDS = (
    "keras_acts.tools.cmd_list",
    "keras_acts.tools.cmd_plot",
    "keras_acts.tools.cmd_check",
    "keras_acts.tools.cmd_demo",
    "keras_acts.tools.cmd_bench",
    "keras_acts.tools.cmd_inspect",
    "keras_acts.tools.export",
)

DEFERRED = "_keras_acts_deferred"  # set by the launcher, keras_acts_cli.py

# Lines TensorFlow's C++ runtime prints while it loads, before its logging
# settings apply (TF_CPP_MIN_LOG_LEVEL cannot silence them): glog-style
# information and warnings, and absl's note about them.
STARTUP_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)$"
)


def package_version():
    """The package's ``__version__``, read from its source if it is not loaded."""
    package = sys.modules.get("keras_acts")
    if package is not None and not getattr(package, DEFERRED, False):
        return package.__version__
    origin = importlib.util.find_spec("keras_acts").origin
    with open(origin) as f:
        found = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    return found.group(1) if found else "unknown"


def tensorflow_quiet():
    """Whether to hide TensorFlow's log lines: unless TF_CPP_MIN_LOG_LEVEL asks
    for them or KERAS_ACTS_DEBUG is set."""
    try:
        level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"))
    except ValueError:
        level = 3
    return level >= 3 and not os.environ.get("KERAS_ACTS_DEBUG")


@contextlib.contextmanager
def _filtered_stderr():
    """Run the block with file descriptor 2 captured, then pass on every line
    but TensorFlow's start-up noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode(errors="replace").splitlines(keepends=True):
                if not STARTUP_NOISE.match(line.rstrip("\n")):
                    sys.stderr.write(line)


def tensorflow_start_hidden():
    """A block where Keras may import TensorFlow on any backend (its saving
    and loading look for it where it is installed): TensorFlow's start-up
    lines hidden, as ``load_package`` hides them. A no-op where TensorFlow
    is imported already or its lines are asked for."""
    if "tensorflow" in sys.modules or not tensorflow_quiet():
        return contextlib.nullcontext()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return _filtered_stderr()


def load_package():
    """Run the package's ``__init__`` if the launcher deferred it (this imports
    Keras and its backend, TensorFlow, JAX or PyTorch, and registers the
    activations); a no-op otherwise."""
    package = sys.modules["keras_acts"]
    if not getattr(package, DEFERRED, False):
        return package
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    quiet = tensorflow_quiet() and "tensorflow" not in sys.modules
    with _filtered_stderr() if quiet else contextlib.nullcontext():
        delattr(package, DEFERRED)
        package.__spec__.loader.exec_module(package)
    return package


def build_parser():
    """The parser of every subcommand; imports neither TensorFlow nor the registry."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Activation functions for Keras 3 on TensorFlow, JAX and PyTorch: the "
        "commands run on the Keras backend in use (KERAS_BACKEND); export needs TensorFlow.\n"
        "`keras-acts COMMAND --help` describes a command and its options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True
    usages = []
    for name in COMMANDS:
        module = importlib.import_module(name)
        command = module.add_parser(sub)
        command.set_defaults(command_module=module)
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
        module = args.command_module
        if getattr(module, "LOADS_PACKAGE", True):
            load_package()
        return int(module.run(args) or 0)
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


if __name__ == "__main__":
    sys.exit(main())
