"""What every part of the ``keras-acts`` command shares, importing nothing of
keras_acts (so that the launcher can use it before the library loads):
one-line errors and their exit statuses, and TensorFlow's start-up lines
hidden.
"""

import contextlib
import importlib
import os
import re
import sys
import tempfile

EXIT_FAILED = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An error to report in one line, without a traceback."""

    def __init__(self, message, code=EXIT_USAGE):
        super().__init__(message)
        self.code = code


# Lines TensorFlow's C++ runtime prints while it loads, before its logging
# settings apply (TF_CPP_MIN_LOG_LEVEL cannot silence them): glog-style
# information and warnings, and absl's note about them.
STARTUP_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*)$"
)


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
    """A block where TensorFlow may be imported (by the library on its
    backend, or by Keras's saving and loading, which look for it where it is
    installed, on any backend): its start-up lines hidden. A no-op where
    TensorFlow is imported already or its lines are asked for."""
    if "tensorflow" in sys.modules or not tensorflow_quiet():
        return contextlib.nullcontext()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return _filtered_stderr()


def import_quietly(name):
    """Import the module ``name``, where importing keras_acts (Keras, its
    backend, the activations' registration) may start TensorFlow, with
    TensorFlow's Python logs down to errors and its start-up lines hidden
    unless asked for."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with tensorflow_start_hidden():
        return importlib.import_module(name)
