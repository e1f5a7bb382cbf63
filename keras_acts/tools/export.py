"""``keras-acts export MODEL.keras --to savedmodel|tflite|onnx -o OUT``.

Loads a ``.keras`` model that uses our activations, writes it in the chosen
format from a portable graph (``keras_acts.config.portable()``: no XLA
calls, no ops the converters lack), runs the result on a random batch and
reports the largest difference from Keras's own predictions.
"""

import contextlib
import io
import os

import numpy as np

from keras_acts.tools.common import EXIT_FAILED, CliError

FORMATS = ("savedmodel", "tflite", "onnx")
ONNX_OPSET = 17


class ConverterMissing(ImportError):
    """A converter the chosen format needs is not installed."""


def export_model(model_path, to, output, *, batch=4, seed=0, verbose=True):
    """Write the model at ``model_path`` as ``to`` at ``output``; return the
    largest absolute difference between the written model's predictions and
    Keras's on a random batch of ``batch`` rows drawn with ``seed``."""
    if to not in FORMATS:
        raise ValueError(f"Invalid value for argument `to`: {to!r}. Expected one of {FORMATS}.")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"Invalid value for argument `batch`: {batch!r}. Expected an int >= 1.")
    if to == "onnx":
        _require_onnx()
    import keras

    import keras_acts

    model = keras.saving.load_model(model_path)
    if len(model.inputs) != 1:
        raise ValueError(
            f"export takes models with one input; {model_path!r} has "
            f"{len(model.inputs)}."
        )
    x = _random_batch(model.inputs[0], batch, seed)
    expected = _flat(model(x, training=False))
    with keras_acts.config.portable():
        got = _WRITERS[to](model, x, output)
    difference = max(_max_diff(g, e) for g, e in zip(got, expected))
    if verbose:
        print(
            f"wrote {output} ({to}); largest difference from Keras's "
            f"predictions on a random batch of {batch}: {difference:.3g}"
        )
    return difference


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


def _flat(outputs):
    """Outputs in one order for Keras and every format: dict outputs by key."""
    import tensorflow as tf

    if isinstance(outputs, dict):
        return [np.asarray(outputs[k]) for k in sorted(outputs)]
    return [np.asarray(o) for o in tf.nest.flatten(outputs)]


def _max_diff(got, expected):
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return float("inf")
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    return float(np.max(np.where(same, 0.0, np.abs(got - expected)), initial=0.0))


def _write_savedmodel(model, x, output):
    import tensorflow as tf

    model.export(output, verbose=False)
    served = tf.saved_model.load(output).signatures["serving_default"]
    return _by_signature_names(served(tf.constant(x)), model)


def _by_signature_names(outputs, model):
    """Signature outputs (named by Keras's dict keys, or output_0, ...) in
    the order of ``_flat``."""
    outputs = {k: np.asarray(v) for k, v in outputs.items()}
    if isinstance(model.output, dict):
        return [outputs[k] for k in sorted(model.output)]
    if len(outputs) == 1:
        return list(outputs.values())
    return [outputs[f"output_{i}"] for i in range(len(outputs))]


def _write_tflite(model, x, output):
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    with contextlib.redirect_stdout(io.StringIO()):
        content = converter.convert()
    with open(output, "wb") as f:
        f.write(content)
    runner = tf.lite.Interpreter(model_content=content).get_signature_runner()
    (input_name,) = runner.get_input_details()
    return _by_signature_names(runner(**{input_name: x}), model)


def _write_onnx(model, x, output):
    import onnxruntime
    import tensorflow as tf
    import tf2onnx

    spec = [tf.TensorSpec((None,) + tuple(x.shape[1:]), x.dtype, name="input")]

    @tf.function(input_signature=spec, autograph=False)
    def serve(inputs):
        outputs = model(inputs, training=False)
        if isinstance(outputs, dict):
            return [outputs[k] for k in sorted(outputs)]
        return tf.nest.flatten(outputs)

    with contextlib.redirect_stdout(io.StringIO()):
        tf2onnx.convert.from_function(
            serve, input_signature=spec, opset=ONNX_OPSET, output_path=output
        )
    session = onnxruntime.InferenceSession(output, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})


_WRITERS = {"savedmodel": _write_savedmodel, "tflite": _write_tflite, "onnx": _write_onnx}


# -- command line ------------------------------------------------------------


def add_parser(subparsers):
    """Add ``export`` to an argparse ``subparsers``; returns its parser."""
    parser = subparsers.add_parser(
        "export",
        help="write a .keras model as SavedModel, TFLite or ONNX, and check it",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("model", metavar="MODEL.keras", help="the .keras file")
    parser.add_argument("--to", required=True, choices=FORMATS, help="the format to write")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, help="the file or folder to write")
    parser.add_argument("--batch", type=int, default=4, help="rows of the random check batch")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random check batch")
    parser.set_defaults(run=run)
    return parser


def run(args):
    """Run ``export`` for parsed ``args``; returns the exit status."""
    if not os.path.exists(args.model):
        raise CliError(f"no such model file for MODEL: {args.model!r}")
    try:
        export_model(args.model, args.to, args.output, batch=args.batch, seed=args.seed)
    except (ConverterMissing, ValueError) as error:
        raise CliError(str(error), code=EXIT_FAILED) from None
    return 0
