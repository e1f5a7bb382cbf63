"""Fresh processes the suite needs, run beside its in-process tests.

Some checks need a Python process of their own: a model loaded the way a
user loads it, two distributed workers, the README's blocks as pasted, a
SavedModel served without keras_acts. Each such process spends 5 to 10 s
importing TensorFlow before it does anything; run in line, they stalled the
suite for about 100 s of its 5 minutes while the second core sat idle.

A test module declares what it needs as a ``Job``: a function that runs the
processes (with ``run`` and ``run_together`` below) and returns what the
tests check; the job belongs to the module that defines the function. When
collection is done, conftest starts the jobs of the selected tests on a
``concurrent.futures`` executor of one thread, and runs the modules that
wait for a job last, in the jobs' order. ``job.result()`` waits for the
job, or runs it then and there if no session started it (a test module run
on its own, say) or it is still queued (a job that needs another's files).

A job's function only starts processes and reads files: TensorFlow work in
this process stays on pytest's own thread.

One job at a time, for memory and for the two cores (pytest's lane and the
jobs'): a fresh TensorFlow process holds about 0.6 GB beside this one (the
JAX checks' 1 GB), the distributed workers and the producers' process (with
the example's child) twice that, and two such jobs at once took the suite
past its 2.5 GB. On TensorFlow, the processes the jobs start keep JAX out of
TensorFlow's import (site_without_jax/sitecustomize.py): it imports nothing
they use, and it is ~110 MB each.
"""

import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import threading

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
# The environment of a process that imports the tests' own modules
# (custom_acts, saved_models, graph_probe), as a run's ``env``.
TESTS_ON_PATH = {"PYTHONPATH": os.pathsep.join(filter(None, [TESTS_DIR, os.environ.get("PYTHONPATH")]))}
# The start-up (sitecustomize) of the processes the jobs start: TensorFlow's
# import leaves JAX out, as in pytest's process (tests/tensorflow_without_jax.py).
SITE_WITHOUT_JAX = os.path.join(TESTS_DIR, "site_without_jax")

_jobs = []
_live = set()  # processes to stop if the session ends first
_folders = []
_live_lock = threading.Lock()
_stopped = threading.Event()  # the session ended: no process starts any more
_executor = []  # the session's, once started


class Job:
    """``run(folder)``, run once, in the background where the session allows;
    ``folder`` is a scratch folder of the job's own. Jobs run in the order
    they are declared, ``first=True`` ones before the others: a job that
    runs several processes at once goes first, while this process is still
    small."""

    def __init__(self, run, first=False):
        self.run = run
        self.first = first
        self.module = run.__module__  # the declaring test module
        self._future = None
        self._lock = threading.Lock()
        _jobs.append(self)
        _jobs.sort(key=lambda job: not job.first)  # stable: declaration order otherwise

    def _call(self):
        folder = tempfile.mkdtemp(prefix="keras-acts-tests-")
        _folders.append(folder)
        return self.run(folder)

    def _submit(self, executor):
        with self._lock:
            if self._future is None:
                self._future = executor.submit(self._call)

    def result(self):
        """The job's return value; its exception (pytest.fail's included)
        is raised in the test that asks."""
        with self._lock:
            # Not started, or still queued behind the job that asks for it.
            inline = self._future is None or self._future.cancel()
            if inline:
                self._future = concurrent.futures.Future()
                self._future.set_running_or_notify_cancel()
        if inline:
            try:
                self._future.set_result(self._call())
            except BaseException as error:  # noqa: BLE001  (the waiting test reports it)
                self._future.set_exception(error)
        return self._future.result()


def modules_with_jobs():
    """The modules that declared jobs, in the order of their first job."""
    return list(dict.fromkeys(job.module for job in _jobs))


def start(modules):
    """Queue the jobs declared by these modules, in declaration order (the
    order conftest gives their modules), on one background thread."""
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="background job")
    _executor.append(executor)
    for job in _jobs:
        if job.module in modules:
            job._submit(executor)


def stop():
    """Drop the jobs not started, kill what still runs and remove the jobs'
    folders."""
    for executor in _executor:
        executor.shutdown(wait=False, cancel_futures=True)
    with _live_lock:
        _stopped.set()
        for process in _live:
            process.kill()
    for executor in _executor:
        executor.shutdown(wait=True)
    for folder in _folders:
        shutil.rmtree(folder, ignore_errors=True)


def _environment(extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    env.pop("TF_CONFIG", None)
    env.update(extra or {})
    # Every process, and every process it starts, runs site_without_jax's
    # start-up: on TensorFlow, ~110 MB less each (a user's has JAX there).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SITE_WITHOUT_JAX, env.get("PYTHONPATH")]))
    return {k: v for k, v in env.items() if v is not None}


def run_together(commands, timeout=300):
    """Start every command at once and wait for all: a list of
    ``CompletedProcess``. A command is ``(argv, options)``; options are
    ``env`` (variables to add; None removes one) and ``cwd``. A process
    still running after ``timeout`` seconds is killed and reported as
    failed, with exit code -9."""
    processes = []
    try:
        for argv, options in commands:
            with _live_lock:
                if _stopped.is_set():
                    raise RuntimeError("the test session has ended: no process starts")
                process = subprocess.Popen(
                    argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    env=_environment(options.get("env")), cwd=options.get("cwd"),
                )
                _live.add(process)
            processes.append((argv, process))
        done = []
        for argv, process in processes:
            try:
                out, err = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
                err += f"\n[killed after {timeout} s]"
            done.append(subprocess.CompletedProcess(argv, process.returncode, out, err))
        return done
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.kill()
            with _live_lock:
                _live.discard(process)


def run(argv, timeout=300, **options):
    """One process: ``run_together`` of one command."""
    return run_together([(argv, options)], timeout)[0]


def python(*args):
    """The argv of this interpreter running ``args``."""
    return [sys.executable, *map(str, args)]
