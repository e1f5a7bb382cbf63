"""``keras-acts export MODEL.keras --to savedmodel|tflite|onnx -o OUT``.

Loads a ``.keras`` model that uses our activations, writes it in the chosen
format from a portable graph (``keras_acts.config.portable()``: no XLA
calls, no ops the converters lack), runs the result on a random batch and
reports the largest difference from Keras's own predictions (relative to
max(1, |y|)). It needs the TensorFlow backend (KERAS_BACKEND=tensorflow):
on JAX and PyTorch it says so and exits before reading anything. Its
options are the launcher's (``keras_acts_cli.options``).

The result is written beside OUT under a temporary name and moved into
place once it has run: a failed export leaves OUT as it was, and nothing
else behind.

The conversions themselves (``tflite_bytes``, ``onnx_model``, ``run_onnx``,
``signature_outputs``) and the comparison (``largest_difference``) are the
ones the checks behind docs/deploy.md use too (scripts/deploy_checks.py).
"""

import contextlib
import io
import os
import re
import shutil
import tempfile

import numpy as np

from keras_acts.tools.common import EXIT_FAILED, CliError
from keras_acts_cli.options import EXPORT_FORMATS as FORMATS

ONNX_OPSET = 17  # of every ONNX conversion: the command's and docs/deploy.md's


class ConverterMissing(ImportError):
    """A converter the chosen format needs is not installed."""


class ExportFailed(RuntimeError):
    """Writing or running the chosen format failed; OUT is left as it was."""


class NeedsTensorFlow(RuntimeError):
    """The active Keras backend is not TensorFlow: every format is written
    from a TensorFlow graph."""


def require_tensorflow():
    """Raise ``NeedsTensorFlow``, naming the active backend, unless it is TensorFlow."""
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise NeedsTensorFlow(
            f"export needs TensorFlow, and the active Keras backend is {backend!r} "
            "(SavedModel, TFLite and ONNX are written from TensorFlow graphs): "
            "set KERAS_BACKEND=tensorflow, with TensorFlow installed, and run it again"
        )


def export_model(model_path, to, output, *, batch=4, seed=0, verbose=True):
    """Write the model at ``model_path`` as ``to`` at ``output``; return the
    largest difference (``largest_difference``) between the written model's
    predictions and Keras's on a random batch of ``batch`` rows drawn with
    ``seed``.

    ``output`` is replaced only by a complete result that ran: a failure
    leaves it as it was. Needs the TensorFlow backend (``NeedsTensorFlow``
    otherwise)."""
    require_tensorflow()
    if to not in FORMATS:
        raise ValueError(f"Invalid value for argument `to`: {to!r}. Expected one of {FORMATS}.")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"Invalid value for argument `batch`: {batch!r}. Expected an int >= 1.")
    _check_output(model_path, output)
    if to == "onnx":
        _require_onnx()
    import keras_acts

    model = _load(model_path)
    x = _random_batch(_single_input(model, model_path), batch, seed)
    outputs = model(x, training=False)
    keys = sorted(outputs) if isinstance(outputs, dict) else None
    expected = flat_numpy(outputs)
    with _staged(output) as staged:
        try:
            with keras_acts.config.portable():
                got = _WRITERS[to](model, x, staged, keys)
        except Exception as error:  # noqa: BLE001 -- any converter's failure, named
            raise ExportFailed(
                f"writing {output!r} as {to} failed, and {output!r} is left as it was: "
                f"{type(error).__name__}: {first_error_line(error)}"
            ) from error
    difference = max(largest_difference(g, e) for g, e in zip(got, expected))
    if verbose:
        print(
            f"wrote {output} ({to}); largest difference from Keras's predictions on a "
            f"random batch of {batch}, relative to max(1, |y|): {difference:.3g}"
        )
    return difference


def first_error_line(error):
    """The first line of a converter's message that says what failed (one
    with "error" or "not": the lines after it are notes and the converter's
    summary), else its first line; 300 characters at most."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    telling = [line for line in lines if "error" in line.lower() or "not" in line.lower()]
    return (telling or lines or ["(no message)"])[0][:300]


def _check_output(model_path, output):
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise ValueError(f"the folder of OUT {output!r} does not exist: {folder!r}")
    if os.path.exists(output) and os.path.exists(model_path) and os.path.samefile(
        model_path, output
    ):
        raise ValueError(f"OUT {output!r} is the model file itself; name another path")


# -- loading -------------------------------------------------------------------


class ModelNotLoadable(ValueError):
    """The file names a class (or function) that nothing registers here."""


def _load(model_path):
    import keras

    try:
        return keras.saving.load_model(model_path)
    except Exception as error:  # noqa: BLE001 -- Keras's TypeError, ValueError, ...
        missing = re.search(r"Could not locate (class|function) '([^']+)'", str(error))
        if missing is None:
            raise
        raise ModelNotLoadable(_not_loadable(model_path, *missing.groups())) from None


def _not_loadable(model_path, what, name):
    """Why the file does not load, naming the class, the module it was saved
    from, and how to export it."""
    if what == "function":
        return (
            f"{model_path!r} uses the function {name!r}, which nothing registers here: "
            "its package must be importable and imported before the model loads "
            f"(`keras-acts inspect {model_path}` names what the file needs)"
        )
    top, node = _class_config(model_path, name)
    node = node or {}
    role = "a model" if node and node is top else "an object"
    module, registered = node.get("module"), node.get("registered_name") or ""
    origin = (
        f"defined in module {module!r}" if module
        else "defined in a script or notebook, not in an importable module"
    )
    origin += f", registered as {registered!r}" if ">" in registered else ", never registered"
    return (
        f"{model_path!r} holds {role} of class {name!r} ({origin}), and keras-acts "
        "export cannot import it: Keras loads a class of your own only once the module that "
        "defines it is imported and registers it with "
        "@keras.saving.register_keras_serializable(). Its module must be importable and "
        "register the class; then, in Python, import that module, load the model and "
        "export it inside `with keras_acts.config.portable():`"
    )


def _class_config(model_path, class_name):
    """(the file's top config, the first config of ``class_name`` in it) or (None, None)."""
    import json
    import zipfile

    try:
        with zipfile.ZipFile(model_path) as archive:
            top = json.loads(archive.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None, None
    stack = [top]
    while stack:
        node = stack.pop(0)
        if isinstance(node, dict):
            names = (node.get("class_name"), node.get("registered_name"))
            if class_name in names:
                return top, node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return top, None


def _single_input(model, model_path):
    """The model's one symbolic input; a ValueError for subclassed models
    (none) and models with several."""
    try:
        inputs = model.inputs
    except AttributeError:
        inputs = None
    if not inputs:
        raise ValueError(
            f"export takes Sequential and functional models; {model_path!r} holds a "
            f"subclassed model ({type(model).__name__}), which has no symbolic input: "
            "export it yourself inside `with keras_acts.config.portable():`"
        )
    if len(inputs) != 1:
        raise ValueError(
            f"export takes models with one input; {model_path!r} has {len(inputs)}."
        )
    return inputs[0]


# -- writing beside OUT, then moving into place ------------------------------


@contextlib.contextmanager
def _staged(output):
    """A path to write in a temporary folder beside ``output`` (the same
    filesystem, so the moves are renames); moved to ``output`` if the block
    succeeds. The temporary folder goes either way."""
    target = os.path.abspath(output)
    scratch = tempfile.mkdtemp(
        prefix=f".{os.path.basename(target)}.", suffix=".partial", dir=os.path.dirname(target)
    )
    try:
        staged = os.path.join(scratch, os.path.basename(target))
        yield staged
        if not os.path.lexists(staged):
            raise ExportFailed(f"the converter wrote nothing for {output!r}")
        _move_into_place(staged, target, os.path.join(scratch, "previous"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _is_folder(path):
    return os.path.isdir(path) and not os.path.islink(path)


def _move_into_place(new, target, aside):
    """``new`` becomes ``target``. A file over a file (or a link) is one
    atomic rename; where a folder is either, the old one is renamed
    ``aside`` first (and put back if the second rename fails)."""
    if not os.path.lexists(target) or not (_is_folder(new) or _is_folder(target)):
        os.replace(new, target)
        return
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise


def onnx_available():
    """Whether tf2onnx and onnxruntime are installed."""
    try:
        _require_onnx()
    except ConverterMissing:
        return False
    return True


def _require_onnx():
    try:
        import onnxruntime  # noqa: F401
        import tf2onnx  # noqa: F401
    except ImportError as error:
        raise ConverterMissing(
            f"--to onnx needs tf2onnx and onnxruntime ({error}); install them "
            "with: pip install 'keras-acts[onnx]'"
        ) from None


def _random_batch(keras_input, batch, seed):
    rng = np.random.default_rng(seed)
    shape = [batch] + [d if d is not None else 8 for d in keras_input.shape[1:]]
    dtype = np.dtype(keras_input.dtype)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, 10, size=shape).astype(dtype)
    return rng.uniform(-3.0, 3.0, size=shape).astype(dtype)


def flat_numpy(outputs):
    """A model's outputs as a list of arrays, in one order for Keras and every
    format: ``tf.nest.flatten``'s (a dict's by sorted key)."""
    import tensorflow as tf

    return [np.asarray(o) for o in tf.nest.flatten(outputs)]


def largest_difference(got, expected):
    """The largest difference of ``got`` from ``expected``, relative to
    max(1, |expected|): absolute up to 1, relative above, where float32's
    rounding grows with the value. NaN matches NaN and an infinity the same
    infinity; other shapes differ infinitely."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return float("inf")
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    with np.errstate(invalid="ignore"):
        scaled = np.abs(got - expected) / np.maximum(1.0, np.abs(expected))
    return float(np.max(np.where(same, 0.0, scaled), initial=0.0))


def tflite_bytes(model):
    """``model`` converted by TFLite with its builtin ops only (no select TF ops)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()


def signature_outputs(interpreter, x):
    """A TFLite interpreter's outputs for the batch ``x`` through its one
    signature, by output name."""
    runner = interpreter.get_signature_runner()
    (input_name,) = runner.get_input_details()
    return runner(**{input_name: x})


def onnx_model(model, x, output_path=None):
    """tf2onnx's ONNX model (opset ``ONNX_OPSET``) of ``model`` for batches
    shaped like ``x``, its outputs in ``flat_numpy``'s order; also written
    to ``output_path`` if given."""
    import tensorflow as tf
    import tf2onnx

    spec = [tf.TensorSpec((None,) + tuple(x.shape[1:]), x.dtype, name="input")]

    @tf.function(input_signature=spec, autograph=False)
    def serve(inputs):
        return tf.nest.flatten(model(inputs, training=False))

    with contextlib.redirect_stdout(io.StringIO()):
        proto, _ = tf2onnx.convert.from_function(
            serve, input_signature=spec, opset=ONNX_OPSET, output_path=output_path
        )
    return proto


def run_onnx(model, x):
    """onnxruntime's outputs, on the CPU, of an ONNX model (a file's path,
    or the serialized model) for the batch ``x``."""
    import onnxruntime

    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})


def _write_savedmodel(model, x, output, keys):
    import tensorflow as tf

    model.export(output, verbose=False)
    served = tf.saved_model.load(output).signatures["serving_default"]
    return _by_signature_names(served(tf.constant(x)), keys)


def _by_signature_names(outputs, keys):
    """Signature outputs (named by Keras's dict ``keys``, or output_0, ...)
    in the order of ``flat_numpy``."""
    outputs = {k: np.asarray(v) for k, v in outputs.items()}
    if keys is not None:
        return [outputs[k] for k in keys]
    if len(outputs) == 1:
        return list(outputs.values())
    return [outputs[f"output_{i}"] for i in range(len(outputs))]


def _write_tflite(model, x, output, keys):
    import tensorflow as tf

    content = tflite_bytes(model)
    with open(output, "wb") as f:
        f.write(content)
    interpreter = tf.lite.Interpreter(model_path=output)  # the file written
    return _by_signature_names(signature_outputs(interpreter, x), keys)


def _write_onnx(model, x, output, keys):
    onnx_model(model, x, output_path=output)
    return run_onnx(output, x)


_WRITERS = {"savedmodel": _write_savedmodel, "tflite": _write_tflite, "onnx": _write_onnx}


# -- command line ------------------------------------------------------------


def run(args):
    """Run ``export`` for parsed ``args``; returns the exit status."""
    try:
        require_tensorflow()  # before anything is read or loaded
    except NeedsTensorFlow as error:
        raise CliError(str(error), code=EXIT_FAILED) from None
    if not os.path.exists(args.model):
        raise CliError(f"no such model file for MODEL: {args.model!r}")
    try:
        export_model(args.model, args.to, args.output, batch=args.batch, seed=args.seed)
    except ExportFailed as error:
        if os.environ.get("KERAS_ACTS_DEBUG"):
            raise
        raise CliError(str(error), code=EXIT_FAILED) from None
    except (ConverterMissing, ValueError) as error:
        raise CliError(str(error), code=EXIT_FAILED) from None
    return 0
