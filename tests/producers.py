"""Work of several test modules that needs a process other than pytest's,
but not a fresh one, done in one process of its own in the background
(tests/background.py): a TensorFlow process costs ~10 s of CPU before it
does anything. Its duties, in order, each a function below writing into a
folder of its own:

1. ``example``: examples/custom_activation.py, which saves a model and loads
   it in a child process (tests/test_examples.py): ``output.txt``, its
   stdout and stderr and its child's. First, so that its child runs beside
   this process at its smallest (~580 MiB, against ~710 after the commands:
   the suite's summed memory peaked there); the activation it defines leaves
   the registry after it.
2. ``commands``: the ``keras-acts`` commands of ``COMMANDS``, which train or
   check every activation, as a user runs them (tests/test_cli.py), on the
   catalog alone. ``results.json`` holds each one's exit code, stdout and
   stderr; the folder what they wrote.
3. ``saved``: the models tests/test_saving.py loads in a fresh process
   (tests/saved_models.py).
4. ``export``: the SavedModel tests/test_export.py serves without
   keras_acts, ``model``, with Keras's predictions in ``expected.npz``.
5. ``backends``: the TensorFlow file of the backends' matrix
   (tests/test_backends.py), ``tensorflow.keras``, which JAX and PyTorch load.
6. ``graph_chains``: what the graph optimizer merges, for
   tests/test_graph_kernels.py (``graph_chains.json``): it needs no process
   of its own, but building those graphs is ~12 s of Python, which this
   process takes off pytest's.

Each duty reports on its own, in ``<duty>.result.json`` beside its folder
(``{"ok": true}``, or its error), so a duty that fails fails only the tests
that read its files (``made(duty)``), and the duties after it still run.

By hand, from the repository: ``python tests/producers.py FOLDER [DUTY ...]``.
"""

import argparse
import contextlib
import io
import json
import os
import runpy
import sys
import tempfile
import traceback

import background

REPOSITORY = os.path.dirname(background.TESTS_DIR)
EXAMPLE = os.path.join(REPOSITORY, "examples", "custom_activation.py")

COMMANDS = {
    "demo --json": ["demo", "--quick", "--json", "--plot", "boundaries.png", "--save", "best.keras"],
    "check": ["check"],  # every activation, its save and load included
    "plot --all": ["plot", "--all"],  # the default name, gallery.png
}


def run_commands(folder):
    """The commands of ``COMMANDS`` through the command's ``main``, from
    ``folder``, with their temporary files in ``folder/tmp`` (what they
    leave there shows)."""
    import keras_acts_cli

    os.makedirs(os.path.join(folder, "tmp"))
    os.chdir(folder)
    tempfile.tempdir = os.path.join(folder, "tmp")
    results = {}
    try:
        for name, args in COMMANDS.items():
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                results[name] = [keras_acts_cli.main(args), out.getvalue(), err.getvalue()]
    finally:
        tempfile.tempdir = None
    with open("results.json", "w") as f:
        json.dump(results, f)


@contextlib.contextmanager
def _output_into(path):
    """This process's stdout and stderr, and so its children's, into a file."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(path, "w") as f:
            os.dup2(f.fileno(), 1)
            os.dup2(f.fileno(), 2)
            try:
                yield
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


@contextlib.contextmanager
def catalog_as_it_was():
    """The activations defined inside the block leave the registry and
    Keras's string table after it (here, so that the commands after the
    example see the catalog alone; in the tests, ``isolated_registry``)."""
    from keras_acts.engine import hooks, registry

    tables = registry._by_name, registry._strings, hooks.keras_string_table()
    saved = [dict(table) for table in tables]
    try:
        yield
    finally:
        for table, before in zip(tables, saved):
            table.clear()
            table.update(before)


def run_custom_activation_example(folder):
    """examples/custom_activation.py as ``python examples/custom_activation.py``
    runs it, from the repository; an exit code other than 0 fails the duty.
    The first duty: its child process (a fresh load) then runs beside the
    smallest this process gets; the activation it defines is gone after it."""
    output = os.path.join(folder, "output.txt")
    os.makedirs(folder)
    os.chdir(REPOSITORY)
    sys.argv = [EXAMPLE]
    code = 0
    with _output_into(output), catalog_as_it_was():
        try:
            runpy.run_path(EXAMPLE, run_name="__main__")
        except SystemExit as exit_:
            code = exit_.code or 0
    if code != 0:
        with open(output) as f:
            raise RuntimeError(f"the example exited with {code}:\n{f.read()[-3000:]}")


def save_models(folder):
    import saved_models

    os.makedirs(folder)
    saved_models.save_all(folder)


def export_saved_model(folder):
    import numpy as np

    from scripts import deploy_checks

    os.makedirs(folder)
    x = deploy_checks.sample_batch()
    expected = deploy_checks.export_saved_model(deploy_checks.cases(), x, os.path.join(folder, "model"))
    np.savez(os.path.join(folder, "expected.npz"), **expected)


def save_backends_file(folder):
    import backend_check

    os.makedirs(folder)
    backend_check.save_model(folder)


def find_graph_chains(folder):
    import graph_probe

    os.makedirs(folder)
    with open(os.path.join(folder, "graph_chains.json"), "w") as f:
        json.dump(graph_probe.all_chains(), f)


DUTIES = {
    "example": run_custom_activation_example,
    "commands": run_commands,
    "saved": save_models,
    "export": export_saved_model,
    "backends": save_backends_file,
    "graph_chains": find_graph_chains,
}


def perform(duty, folder):
    """Run one duty into ``folder/duty`` and write its report; True if it
    succeeded."""
    try:
        DUTIES[duty](os.path.join(folder, duty))
        report = {"ok": True}
    except Exception:  # noqa: BLE001  (reported to the duty's own tests)
        report = {"ok": False, "error": traceback.format_exc()}
    finally:
        os.chdir(REPOSITORY)
    with open(os.path.join(folder, f"{duty}.result.json"), "w") as f:
        json.dump(report, f)
    return report["ok"]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Make the files that several test modules read, each duty into a folder of "
        "its own, with its own report (see this file's docstring).")
    parser.add_argument("folder", help="where each duty writes its folder and its report")
    parser.add_argument("duties", nargs="*", metavar="DUTY",
                        help=f"the duties to run, in this order (all by default): {', '.join(DUTIES)}")
    args = parser.parse_args(argv)
    unknown = [duty for duty in args.duties if duty not in DUTIES]
    if unknown:
        parser.error(f"unknown duties {unknown}; the duties: {', '.join(DUTIES)}")
    import tensorflow_without_jax

    tensorflow_without_jax.keep_jax_out()
    sys.path.insert(0, REPOSITORY)  # scripts.deploy_checks and the command, as from the repository
    folder = os.path.abspath(args.folder)
    succeeded = [perform(duty, folder) for duty in (args.duties or DUTIES)]
    return 0 if all(succeeded) else 1


# -- in the suite: the process as a background job, and each duty's result --


def _make(folder):
    return folder, background.run(background.python(__file__, folder), env=background.TESTS_ON_PATH)


MADE = background.Job(_make)


def made(duty):
    """The folder of one duty's files; it fails the test that asks if that
    duty failed, or if the process ended before the duty was done."""
    folder, done = MADE.result()
    report = os.path.join(folder, f"{duty}.result.json")
    assert os.path.exists(report), (
        f"the producers' process ended (exit code {done.returncode}) before its duty {duty!r} "
        f"was done:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    )
    with open(report) as f:
        result = json.load(f)
    assert result["ok"], f"the producers' duty {duty!r} failed:\n{result['error']}"
    return os.path.join(folder, duty)


if __name__ == "__main__":
    sys.exit(main())
