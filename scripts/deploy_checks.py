"""The checks behind ``docs/deploy.md`` and tests/test_export.py: every
activation of the catalog, as one Keras model with one output per
activation, through SavedModel, TFLite and ONNX, compared with Keras's own
predictions. The conversions and the comparison are the export command's
(``keras_acts.tools.export``); what is here is the catalog model, the ops
behind each output, and serving a SavedModel without keras_acts.

One model per conversion keeps the checks fast (a conversion costs seconds,
an extra branch almost nothing); the ops of each activation are then read
from the converted graph by walking back from that activation's output.
"""

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import textwrap

import keras
import numpy as np
import tensorflow as tf

import keras_acts
from keras_acts.tools import export

FEATURES = 16
# Largest difference from Keras's predictions (export.largest_difference,
# relative to max(1, |y|)): 1e-5 absolute for outputs up to 1, and a few
# float32 ulps above (TFLite's EXP kernel is ~1.5 ulp from TensorFlow's:
# 2.3e-5 at exp(5) = 148).
TOLERANCE = 1e-5

# TFLite ops the GPU delegate takes, by name: the cases of
# CheckGpuDelegateCompatibility in TensorFlow's
# tensorflow/lite/tools/versioning/gpu_compatibility.cc (TF 2.21), which the
# delegate consults op by op. Its shape conditions (4-D slices, constant
# axes) are not checked here: an op outside this set runs on the CPU.
GPU_DELEGATE_OPS = frozenset(
    """ABS ADD ADD_N AVERAGE_POOL_2D BATCH_MATMUL CAST CONCATENATION CONV_2D
    COS CUMSUM DENSIFY DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE DIV ELU
    EQUAL EXP FLOOR FLOOR_DIV FLOOR_MOD FULLY_CONNECTED GATHER GELU GREATER
    GREATER_EQUAL HARD_SWISH LEAKY_RELU LESS LESS_EQUAL LOG LOGICAL_AND
    LOGISTIC LSTM MAXIMUM MAX_POOL_2D MEAN MINIMUM MIRROR_PAD MUL NEG NOT_EQUAL
    ONE_HOT PACK PAD PADV2 POW PRELU QUANTIZE REDUCE_MAX REDUCE_MIN REDUCE_PROD
    RELU RELU6 RELU_N1_TO_1 RESHAPE RESIZE_BILINEAR RESIZE_NEAREST_NEIGHBOR
    RSQRT SELECT SELECT_V2 SIGN SIN SLICE SOFTMAX SPACE_TO_DEPTH SPLIT SPLIT_V
    SQRT SQUARE SQUARED_DIFFERENCE STRIDED_SLICE SUB SUM TANH TILE TRANSPOSE
    TRANSPOSE_CONV""".split()
)


@dataclasses.dataclass
class Case:
    """One activation as one branch of the checked model."""

    key: str  # the model's output name: letters, digits, underscores
    label: str  # how docs and test ids show it
    build: object  # build(keras_input) -> keras tensor


@dataclasses.dataclass
class Result:
    ok: bool
    max_diff: float = float("nan")
    ops: tuple = ()
    error: str = ""


def cases():
    """Every catalog activation (example arguments where some are
    required), gelu's approximation, and the layers with weights or
    randomness of their own."""
    found = []
    for spec in keras_acts.catalog(builtin=True):
        params = spec.example_params
        found.append(_function_case(spec.name, spec.name, params))
        if spec.name == "gelu":
            found.append(
                _function_case("gelu_approximate", "gelu(approximate=True)", {"approximate": True})
            )
    layers = keras_acts.layers
    found += [
        Case("PReLU_layer", "layer PReLU",
             lambda x: layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), name="PReLU_layer")(x)),
        Case("Snake_layer", "layer Snake", lambda x: layers.Snake(name="Snake_layer")(x)),
        Case("RReLU_layer", "layer RReLU", lambda x: layers.RReLU(seed=1, name="RReLU_layer")(x)),
    ]
    return found


def _function_case(key, name_or_label, params):
    function = keras_acts.lookup(key if key != "gelu_approximate" else "gelu").function
    # The function on a symbolic input, then an identity layer that names the
    # output after the case.
    return Case(
        key, name_or_label,
        lambda x: keras.layers.Identity(name=key)(function(x, **params)),
    )


def build_model(selected=None, features=FEATURES):
    """A model whose outputs are ``{case.key: activation(input)}``."""
    selected = cases() if selected is None else selected
    inputs = keras.Input((features,), name="x")
    return keras.Model(inputs, {case.key: case.build(inputs) for case in selected})


def sample_batch(batch=8, features=FEATURES, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-5.0, 5.0, size=(batch, features)).astype("float32")


def keras_predictions(model, x):
    return {k: np.asarray(v) for k, v in model(x, training=False).items()}


# -- TFLite ------------------------------------------------------------------


def run_tflite(content, x):
    """Outputs by signature name, and the builtin ops behind each output."""
    # Without the default XNNPACK delegate, whose DELEGATE nodes would hide
    # the builtin ops they replace.
    interpreter = tf.lite.Interpreter(
        model_content=content,
        experimental_op_resolver_type=(
            tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        ),
    )
    outputs = export.signature_outputs(interpreter, x)
    ops = interpreter._get_ops_details()
    indices = {
        name: detail["index"]
        for name, detail in interpreter.get_signature_runner().get_output_details().items()
    }
    return outputs, {name: _ops_behind(ops, index) for name, index in indices.items()}


def _ops_behind(ops, tensor_index):
    """The op names that the tensor depends on (a walk back over the graph);
    nested subgraphs (IF, WHILE) count as their own op."""
    producer = {}
    for op in ops:
        for out in op["outputs"]:
            producer[int(out)] = op
    names, todo, seen = set(), [tensor_index], set()
    while todo:
        index = todo.pop()
        op = producer.get(int(index))
        if op is None or op["index"] in seen:
            continue
        seen.add(op["index"])
        names.add(op["op_name"])
        todo.extend(int(i) for i in op["inputs"] if i >= 0)
    return tuple(sorted(names))


def check_tflite(selected, x):
    """{key: Result} for TFLite builtin-only conversion and parity: one
    conversion for all, then one per activation only if that fails."""
    model = build_model(selected)
    expected = keras_predictions(model, x)
    try:
        outputs, ops = run_tflite(export.tflite_bytes(model), x)
    except Exception as error:  # noqa: BLE001  (each alone, to find which fail)
        return _one_by_one(check_tflite, selected, x, error)
    return compare_outputs(selected, outputs, expected, ops)


def _one_by_one(check, selected, x, error):
    """{key: Result} where converting ``selected`` together failed with
    ``error``: ``check`` on each case alone (the failure itself for one)."""
    if len(selected) == 1:
        return {selected[0].key: Result(False, error=export.first_error_line(error))}
    results = {}
    for case in selected:
        results.update(check([case], x))
    return results


def _compared(got, expected, ops):
    diff = export.largest_difference(got, expected)
    return Result(diff <= TOLERANCE, diff, tuple(ops))


def gpu_delegate_misses(ops):
    return tuple(op for op in ops if op not in GPU_DELEGATE_OPS)


# -- ONNX --------------------------------------------------------------------


def run_onnx(model, x):
    """{key: output} of the catalog model ``model`` converted to ONNX (in
    portable mode, as the export command converts), and {key: the ONNX ops
    behind that output}."""
    with keras_acts.config.portable():
        proto = export.onnx_model(model, x)
    keys = sorted(model.output)  # the order of the converted outputs
    outputs = export.run_onnx(proto.SerializeToString(), x)
    names = [o.name for o in proto.graph.output]
    ops = {key: _onnx_ops_behind(proto, name) for key, name in zip(keys, names)}
    return dict(zip(keys, outputs)), ops


def _onnx_ops_behind(proto, output_name):
    producer = {out: node for node in proto.graph.node for out in node.output}
    names, todo, seen = set(), [output_name], set()
    while todo:
        node = producer.get(todo.pop())
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(node.op_type)
        todo.extend(node.input)
    return tuple(sorted(names))


def check_onnx(selected, x):
    model = build_model(selected)
    expected = keras_predictions(model, x)
    try:
        outputs, ops = run_onnx(model, x)
    except Exception as error:  # noqa: BLE001  (each alone, to find which fail)
        return _one_by_one(check_onnx, selected, x, error)
    return compare_outputs(selected, outputs, expected, ops)


# -- SavedModel --------------------------------------------------------------


def xla_compiled_functions(saved_model_dir):
    """Names of the functions in a SavedModel that must be compiled by XLA
    (attribute ``_XlaMustCompile``): serving them needs an XLA runtime."""
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(saved_model_dir, "saved_model.pb"), "rb") as f:
        proto.ParseFromString(f.read())
    names = set()
    for meta_graph in proto.meta_graphs:
        for function in meta_graph.graph_def.library.function:
            attr = function.attr.get("_XlaMustCompile")
            if attr is not None and attr.b:
                names.add(function.signature.name)
            for node in function.node_def:
                attr = node.attr.get("_XlaMustCompile")
                if attr is not None and attr.b:
                    names.add(function.signature.name)
    return sorted(names)


# Runs in a fresh interpreter that imports TensorFlow alone: what a server
# without keras_acts installed does.
_SERVE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    folder, x_file, out_file = sys.argv[1:4]
    served = tf.saved_model.load(folder).signatures["serving_default"]
    outputs = served(tf.constant(np.load(x_file)))
    np.savez(out_file, **{k: v.numpy() for k, v in outputs.items()})
    print(json.dumps({"keras_acts_imported": "keras_acts" in sys.modules}))
    """
)


def serve_in_fresh_process(saved_model_dir, x, timeout=120):
    """The SavedModel's serving outputs computed by a process that never
    imports keras_acts (nor Keras)."""
    with tempfile.TemporaryDirectory() as scratch:
        x_file, out_file = os.path.join(scratch, "x.npy"), os.path.join(scratch, "y.npz")
        np.save(x_file, x)
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
        done = subprocess.run(
            [sys.executable, "-c", _SERVE_SCRIPT, saved_model_dir, x_file, out_file],
            capture_output=True, text=True, timeout=timeout, env=env,
        )
        if done.returncode != 0:
            raise RuntimeError(f"serving failed:\n{done.stderr[-2000:]}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        with np.load(out_file) as data:
            return {k: data[k] for k in data.files}, report


def export_saved_model(selected, x, directory, fusion="always"):
    """Export the model of ``selected`` with ``model.export`` (with fusion
    forced on by default: the case where XLA calls could creep in); Keras's
    predictions for ``x``, {case.key: array}."""
    model = build_model(selected)
    expected = keras_predictions(model, x)
    with keras_acts.config.fusion(fusion, min_size=0):
        model.export(directory, verbose=False)
    return expected


def compare_outputs(selected, outputs, expected, ops=None):
    """{case.key: Result} of outputs against Keras's predictions."""
    return {
        case.key: _compared(outputs[case.key], expected[case.key], (ops or {}).get(case.key, ()))
        for case in selected
    }


def check_saved_model(selected, x, directory, fusion="always"):
    """{key: Result} for a SavedModel exported here and served in a fresh
    process; plus the XLA-compiled functions it holds."""
    expected = export_saved_model(selected, x, directory, fusion)
    outputs, _ = serve_in_fresh_process(directory, x)
    return compare_outputs(selected, outputs, expected), xla_compiled_functions(directory)
