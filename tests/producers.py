"""Work of several test modules that needs a process other than pytest's,
but not a fresh one, done in one process of its own in the background
(tests/background.py): a TensorFlow process costs ~10 s of CPU before it
does anything. In order:

1. ``COMMANDS``, the ``keras-acts`` commands that train or check every
   activation, as a user runs them (tests/test_cli.py): first, while the
   process holds only the catalog. ``commands/results.json`` holds each
   one's exit code, stdout and stderr; ``commands/`` what they wrote.
2. examples/custom_activation.py, which saves a model and loads it in a
   child process (tests/test_examples.py): its output on stdout.
3. The models tests/test_saving.py loads in a fresh process: ``saved/``
   (tests/saved_models.py).
4. The SavedModel tests/test_export.py serves without keras_acts:
   ``export/model``, with Keras's predictions in ``export/expected.npz``.
5. The TensorFlow file of the backends' matrix (tests/test_backends.py):
   ``backends/tensorflow.keras``, which JAX and PyTorch load.
6. What the graph optimizer merges, for tests/test_graph_kernels.py
   (``graph_chains.json``): it needs no process of its own, but building
   those graphs is ~12 s of Python, which this process takes off pytest's.

The last line of stdout is JSON: the example's exit code.
"""

import json
import os

import background

EXAMPLE = os.path.join(os.path.dirname(background.TESTS_DIR), "examples", "custom_activation.py")

COMMANDS = {
    "demo --json": ["demo", "--quick", "--json", "--plot", "boundaries.png", "--save", "best.keras"],
    "check": ["check"],  # every activation, its save and load included
    "plot --all": ["plot", "--all"],  # the default name, gallery.png
}

MAKE = """
import contextlib, io, json, os, runpy, sys, tempfile
import numpy as np

folder, example, commands = sys.argv[1:4]
import keras_acts_cli

os.makedirs(folder + "/commands/tmp")
os.chdir(folder + "/commands")
tempfile.tempdir = folder + "/commands/tmp"  # what the commands leave there shows
results = {}
for name, args in json.loads(commands).items():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        results[name] = [keras_acts_cli.main(args), out.getvalue(), err.getvalue()]
with open("results.json", "w") as f:
    json.dump(results, f)
tempfile.tempdir = None

# As `python examples/custom_activation.py` runs it, from the repository.
os.chdir(os.path.dirname(os.path.dirname(example)))
sys.argv = [example]
try:
    runpy.run_path(example, run_name="__main__")
    code = 0
except SystemExit as exit_:
    code = exit_.code or 0
sys.stdout.flush()

import saved_models
from scripts import deploy_checks  # the repository root is the working folder here

os.makedirs(folder + "/saved")
saved_models.save_all(folder + "/saved")
os.makedirs(folder + "/export")
x = deploy_checks.sample_batch()
expected = deploy_checks.export_saved_model(deploy_checks.cases(), x, folder + "/export/model")
np.savez(folder + "/export/expected.npz", **expected)

import backend_check
os.makedirs(folder + "/backends")
backend_check.save_model(folder + "/backends")

import graph_probe
with open(folder + "/graph_chains.json", "w") as f:
    json.dump(graph_probe.all_chains(), f)
print(json.dumps({"example_code": code}))
"""


def _make(folder):
    argv = background.python("-c", MAKE, folder, EXAMPLE, json.dumps(COMMANDS))
    return folder, background.run(argv, env=background.TESTS_ON_PATH)


MADE = background.Job(_make)


def made():
    """(folder, CompletedProcess) of the process that made the files; it
    fails the test that asks if the process failed."""
    folder, done = MADE.result()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return folder, done
