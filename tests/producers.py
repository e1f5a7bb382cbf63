"""The files that other processes load, made in one process of their own.

Three checks need a file made by keras_acts and then read by a fresh
process: the models tests/test_saving.py loads, the SavedModel
tests/test_export.py serves without keras_acts, and examples/
custom_activation.py, which saves a model and loads it in a child process.
What makes those files need not be fresh, so one process makes them all (a
TensorFlow process costs ~10 s of CPU before it does anything), in the
background (tests/background.py). Its folder holds ``saved/`` (see
tests/saved_models.py) and ``export/model`` with ``export/expected.npz``
(Keras's predictions); its stdout holds the example's output, then a line
of JSON: the example's exit code.
"""

import os

import background

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(os.path.dirname(TESTS_DIR), "examples", "custom_activation.py")

MAKE = """
import json, os, runpy, sys
import numpy as np

folder, example = sys.argv[1:3]
# The example first, as `python examples/custom_activation.py` runs it.
sys.argv = [example]
try:
    runpy.run_path(example, run_name="__main__")
    code = 0
except SystemExit as exit_:
    code = exit_.code or 0
sys.stdout.flush()

import saved_models
from keras_acts.tools import portability

os.makedirs(folder + "/saved")
saved_models.save_all(folder + "/saved")
os.makedirs(folder + "/export")
x = portability.sample_batch()
expected = portability.export_saved_model(portability.cases(), x, folder + "/export/model")
np.savez(folder + "/export/expected.npz", **expected)
print(json.dumps({"example_code": code}))
"""


def _make(folder):
    env = {"PYTHONPATH": TESTS_DIR + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return folder, background.run(background.python("-c", MAKE, folder, EXAMPLE), env=env,
                                  cwd=os.path.dirname(TESTS_DIR))


MADE = background.Job(_make)


def made():
    """(folder, CompletedProcess) of the process that made the files; it
    fails the test that asks if the process failed."""
    folder, done = MADE.result()
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return folder, done
