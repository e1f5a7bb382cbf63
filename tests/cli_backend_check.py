"""The ``keras-acts`` command on the backend KERAS_BACKEND names (jax or
torch), as a user with that backend and no TensorFlow runs it: ``python
tests/cli_backend_check.py FOLDER`` runs ``list``, ``plot``, ``check`` (its
save and load included), ``inspect``, ``demo --quick`` and the refused
``export`` through ``keras_acts_cli.main`` in this one process (one
backend import for them all), writes its files in FOLDER and prints one JSON
report (tests/test_cli_backends.py reads it).

TensorFlow is installed here, so a finder refuses it, as if it were not, and
records who asked and during which command: keras_acts must never ask; Keras
itself asks while it saves and loads (``keras.src.utils.module_utils``'s
lazy ``tensorflow``) and takes its own path without it, as it does for such
a user.
"""

import contextlib
import importlib.machinery
import io
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(os.path.dirname(HERE), "keras_acts")
FIXTURE = os.path.join(HERE, "fixtures", "before_layout.keras")


class RefuseTensorFlow:
    """A meta path finder and loader: ``import tensorflow`` fails with
    ModuleNotFoundError, and each attempt is recorded with the command
    running and the code that asked. (It answers a mere lookup,
    ``importlib.util.find_spec``, with a spec of no origin: PyTorch's
    dynamo looks TensorFlow up that way while it loads.)"""

    def __init__(self):
        self.command = "(start)"
        self.asked = []

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow" and not name.startswith("tensorflow."):
            return None
        return importlib.machinery.ModuleSpec(name, self)

    def create_module(self, spec):
        self.asked.append({"command": self.command, "module": spec.name, "by": _asker()})
        raise ModuleNotFoundError(f"No module named {spec.name!r} (refused by the check)", name=spec.name)

    def exec_module(self, module):  # pragma: no cover (create_module always raises)
        pass


def _asker():
    """The innermost code, outside the import machinery and this file, that asked."""
    for frame in reversed(traceback.extract_stack()):
        name = os.path.abspath(frame.filename)
        if "importlib" in name or frame.filename.startswith("<frozen") or name == os.path.abspath(__file__):
            continue
        if name.startswith(PACKAGE + os.sep):
            return "keras_acts/" + os.path.relpath(name, PACKAGE)
        if "keras" + os.sep in name:
            return "keras/" + name.split("keras" + os.sep, 1)[1]
        return name
    return "?"


def commands(folder):
    """(name, argv) of each command, in the order they run."""
    return [
        ("list", ["list", "relu"]),
        ("plot", ["plot", "mish", "softmax", "glu", "-o", os.path.join(folder, "three.png")]),
        ("export", ["export", FIXTURE, "--to", "onnx", "-o", os.path.join(folder, "model.onnx")]),
        ("check", ["check", "relu", "mish", "prelu", "softmax", "glu"]),
        ("inspect", ["inspect", FIXTURE, "--json"]),
        ("demo", ["demo", "--quick", "--json", "--save", os.path.join(folder, "best.keras")]),
    ]


def main(folder):
    refuse = RefuseTensorFlow()
    sys.meta_path.insert(0, refuse)
    start = time.perf_counter()
    import keras_acts_cli

    import keras  # the backend, as the first command loads it; timed apart

    report = {"backend": keras.backend.backend(), "import_seconds": round(time.perf_counter() - start, 2)}
    results = {}
    for name, argv in commands(folder):
        refuse.command = name
        out, err = io.StringIO(), io.StringIO()
        began, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = keras_acts_cli.main(argv)
        results[name] = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                         "seconds": round(time.perf_counter() - began, 2),
                         "cpu_seconds": round(time.process_time() - cpu, 2)}
    report.update(results=results, tensorflow_asked=refuse.asked,
                  tensorflow_imported="tensorflow" in sys.modules,
                  seconds=round(time.perf_counter() - start, 2), cpu_seconds=round(time.process_time(), 2))
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
