"""Fresh processes the suite needs, run beside its in-process tests.

Some checks need a Python process of their own: a model loaded the way a
user loads it, two distributed workers, the README's blocks as pasted, a
SavedModel served without keras_acts. Each such process spends 5 to 10 s
importing TensorFlow before it does anything; run in line, they stalled the
suite for about 100 s of its 5 minutes while the second core sat idle.

A test module declares what it needs as a ``Job``: a function that runs the
processes (with ``run`` and ``run_together`` below) and returns what the
tests check. When collection is done, conftest starts the jobs of the
selected tests, one after another on a thread of their own, and runs the
modules that wait for a job last, in the jobs' order. ``job.result()``
waits for the job, or runs it then and there if no session started it (a
test module run on its own, say).

A job's function only starts processes and reads files: TensorFlow work in
this process stays on pytest's own thread.

One job at a time, for memory: a fresh TensorFlow process holds about
250 MB of its own beside this one (TensorFlow's library pages are shared
between processes, so it costs less than its resident size says), and the
distributed workers twice that.
"""

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

_jobs = []
_live = set()  # processes to stop if the session ends first
_folders = []
_live_lock = threading.Lock()


class Job:
    """``run(folder)``, run once, in the background where the session allows;
    ``folder`` is a scratch folder of the job's own. Jobs run in the order
    they are declared, ``first=True`` ones before the others: a job that
    runs several processes at once goes first, while this process is still
    small."""

    def __init__(self, run, first=False):
        self.run = run
        self.first = first
        self.module = sys._getframe(1).f_globals["__name__"]  # the declaring test module
        self._claim = threading.Lock()
        self._claimed = False
        self._done = threading.Event()
        self._value = self._error = None
        _jobs.append(self)
        _jobs.sort(key=lambda job: not job.first)  # stable: declaration order otherwise

    def _execute(self):
        with self._claim:
            if self._claimed:
                return
            self._claimed = True
        try:
            folder = tempfile.mkdtemp(prefix="keras-acts-tests-")
            _folders.append(folder)
            self._value = self.run(folder)
        except BaseException as error:  # pytest.fail's exception included: the waiting test reports it
            self._error = error
        finally:
            self._done.set()

    def result(self):
        self._execute()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


def modules_with_jobs():
    """The modules that declared jobs, in the order of their first job."""
    return list(dict.fromkeys(job.module for job in _jobs))


def start(modules):
    """Run the jobs declared by these modules, in declaration order (the
    order conftest gives their modules), on a background thread."""
    selected = [job for job in _jobs if job.module in modules]

    def work():
        for job in selected:
            job._execute()

    threading.Thread(target=work, name="background jobs", daemon=True).start()


def stop():
    """Kill what still runs and remove the jobs' folders."""
    with _live_lock:
        for process in _live:
            process.kill()
    for folder in _folders:
        shutil.rmtree(folder, ignore_errors=True)


def _environment(extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow")
    env.pop("TF_CONFIG", None)
    env.update(extra or {})
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
            process = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=_environment(options.get("env")), cwd=options.get("cwd"),
            )
            with _live_lock:
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
