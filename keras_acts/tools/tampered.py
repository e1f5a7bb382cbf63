"""Tampered ``.keras`` files: a corpus of hostile configs, loaded safely.

A small valid model is saved by the package, then its ``config.json`` is
edited into many hostile variants: every activation parameter out of range,
of the wrong type, NaN and inf; unknown and missing keys; module and class
paths outside keras_acts; function configs (``__lambda__`` code, a
``function`` naming ``os.system``); huge axes; bogus dtype policies. The
payloads would leave a marker file if any of them ever ran.

Each file must either fail to load with a clean ``ValueError`` or
``TypeError`` whose message names the field it tampered with (or Keras's own
clean refusal of unsafe code), or load and predict exactly what the
untampered model predicts. ``run_corpus`` counts both, and the executions.

Public API only: ``keras-acts check --stress`` runs it on a user's install.
"""

import codecs
import copy
import json
import marshal
import os
import zipfile

import numpy as np

MARKER = "EXECUTED"
_CLEAN_ERRORS = (ValueError, TypeError)


# -- the valid model -----------------------------------------------------------


def build_model():
    """A small functional model touching every kind of saved activation:
    strings, layers with parameters, a functional call (``ActivationCall``),
    learned weights, a random layer, axes."""
    import keras

    from keras_acts import activations, layers

    inputs = keras.Input((6,), name="x")
    h = keras.layers.Dense(6, activation="mish_custom", name="dense")(inputs)
    h = layers.Softplus(beta=2.0, threshold=15.0, name="softplus")(h)
    h = activations.softplus(h, beta=1.5)  # saved as an ActivationCall
    h = layers.Threshold(threshold=0.1, default_value=-1.0, name="threshold")(h)
    h = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.1), name="prelu")(h)
    h = layers.RReLU(lower=0.1, upper=0.3, seed=3, name="rrelu")(h)
    h = layers.HardTanh(min_val=-2.0, max_val=2.0, name="hard_tanh")(h)
    h = layers.GELU(approximate=True, name="gelu")(h)
    h = layers.GLU(axis=-1, name="glu")(h)
    outputs = layers.Softmax(axis=-1, name="softmax")(h)
    return keras.Model(inputs, outputs)


# -- payloads that would leave the marker if they ever ran ---------------------


def _code_payload(marker):
    """Python code, as Keras saves a lambda, that writes ``marker``."""
    source = f"lambda *args, **kwargs: open({marker!r}, 'w').write('ran') and args[0]"
    code = compile(source, "<tampered>", "eval").co_consts[0]
    return codecs.encode(marshal.dumps(code), "base64").decode("ascii")


def payloads(marker):
    """Name -> a hostile config object that would write ``marker`` if run."""
    code = _code_payload(marker)
    command = f"touch {marker}"
    return {
        "lambda": {"class_name": "__lambda__",
                   "config": {"code": code, "defaults": None, "closure": None}},
        "function code": {"module": "builtins", "class_name": "function",
                          "config": {"code": code}, "registered_name": "function"},
        "os.system function": {"module": "os", "class_name": "function",
                               "config": "system", "registered_name": "system"},
        "os.system class": {"module": "os", "class_name": "system",
                            "config": {"command": command}, "registered_name": "os>system"},
        "subprocess.Popen class": {
            "module": "subprocess", "class_name": "Popen",
            "config": {"args": ["touch", marker]}, "registered_name": None,
        },
        "eval function": {"module": "builtins", "class_name": "function",
                          "config": "eval", "registered_name": "function"},
    }


# -- the cases -------------------------------------------------------------------

#: Each activation parameter of the model, and its out-of-range values.
OUT_OF_RANGE = {
    ("softplus", "beta"): [-1.0, 0.0],
    ("softplus", "threshold"): [],
    ("activation_call", "beta"): [-1.0],
    ("activation_call", "threshold"): [],
    ("threshold", "threshold"): [],
    ("threshold", "default_value"): [],
    ("rrelu", "lower"): [-0.5, 0.5],
    ("rrelu", "upper"): [0.05],
    ("rrelu", "seed"): [10**30, -(2**64)],
    ("hard_tanh", "min_val"): [3.0],
    ("hard_tanh", "max_val"): [-3.0],
    ("gelu", "approximate"): [],
    ("glu", "axis"): [7, -3, 2**32],
    ("softmax", "axis"): [5, -3, 2**32, 2**62, -(2**62), [1, 1], 1.5],
}
_WRONG = [("NaN", float("nan")), ("inf", float("inf")), ("-inf", float("-inf")),
          ("the string '2'", "2"), ("a list", [1, 2])]


def _layer(config, name):
    for layer in config["config"]["layers"]:
        # The functional call's layer is named by Keras (activation_call_<n>).
        if layer["name"] == name or (
            name == "activation_call" and layer["class_name"] == "ActivationCall"
        ):
            return layer
    raise KeyError(name)


def _fields(config, name):
    """Where a layer's parameters live (an ActivationCall's in ``params``)."""
    fields = _layer(config, name)["config"]
    return fields["params"] if name == "activation_call" else fields


def _set(layer, field, value):
    def edit(config):
        _fields(config, layer)[field] = value
    return edit


def _drop(layer, field):
    def edit(config):
        del _fields(config, layer)[field]
    return edit


def _drop_entry_config(layer, key):
    def edit(config):
        del _layer(config, layer)["config"][key]
    return edit


def _set_entry(layer, key, value):
    def edit(config):
        _layer(config, layer)[key] = value
    return edit


def _parameter_cases(hostile):
    """(label, edit, the word a clean error names) for every parameter."""
    for (layer, field), out_of_range in OUT_OF_RANGE.items():
        values = [(f"{v!r} (out of range)", v) for v in out_of_range]
        values += _WRONG + [("a lambda", hostile["lambda"])]
        for what, value in values:
            yield f"{layer}.{field} = {what}", _set(layer, field, value), field


def _key_cases(hostile):
    yield "softplus: unknown key", _set("softplus", "bogus", 1), "bogus"
    yield "activation_call: unknown parameter", _set("activation_call", "bogus", 1), "bogus"
    yield "glu: unknown key holding a lambda", _set("glu", "hook", hostile["lambda"]), "hook"
    yield "threshold: missing threshold", _drop("threshold", "threshold"), "threshold"
    yield "threshold: missing default_value", _drop("threshold", "default_value"), "default_value"
    yield "activation_call: missing activation", _drop_entry_config("activation_call", "activation"), \
        "activation"
    # Keys at their defaults: the model must load the same without them.
    yield "prelu: missing alpha_regularizer", _drop("prelu", "alpha_regularizer"), None
    yield "softplus: missing dtype", _drop("softplus", "dtype"), None
    yield "rrelu: missing seed (inference is not random)", _drop("rrelu", "seed"), None
    yield "gelu: trainable 'yes'", _set("gelu", "trainable", "yes"), "trainable"


def _path_cases(hostile):
    for name in ("os.system class", "subprocess.Popen class"):
        config = hostile[name]
        yield f"softplus layer replaced by {name}", _replace_layer("softplus", config), \
            config["class_name"]
    yield "softplus: module path moved outside keras_acts", \
        _set_entry("softplus", "module", "os"), None
    yield "activation_call: activation 'os.system'", \
        _set_entry_config("activation_call", "activation", "os.system"), "os.system"
    yield "activation_call: activation is a lambda", \
        _set_entry_config("activation_call", "activation", hostile["lambda"]), "activation"
    yield "activation_call: params is a lambda", \
        _set_entry_config("activation_call", "params", hostile["lambda"]), "params"


def _replace_layer(name, hostile):
    def edit(config):
        layer = _layer(config, name)
        for key in ("module", "class_name", "config", "registered_name"):
            layer[key] = copy.deepcopy(hostile[key])
    return edit


def _set_entry_config(name, key, value):
    def edit(config):
        _layer(config, name)["config"][key] = value
    return edit


def _dense_activation(value):
    def edit(config):
        _layer(config, "dense")["config"]["activation"] = value
    return edit


def _function_cases(hostile):
    for name in ("lambda", "function code", "os.system function", "eval function"):
        yield f"dense activation = {name}", _dense_activation(hostile[name]), _ERROR_WORDS[name]
    yield "dense activation = 'keras_acts>gelu' string", \
        _dense_activation("keras_acts>gelu"), "keras_acts>gelu"
    yield "softplus.beta = a function config", _set("softplus", "beta", hostile["eval function"]), "beta"
    yield "prelu.alpha_initializer = a lambda", \
        _set("prelu", "alpha_initializer", hostile["lambda"]), "alpha_initializer"
    yield "prelu.alpha_constraint = os.system", \
        _set("prelu", "alpha_constraint", hostile["os.system class"]), "alpha_constraint"
    yield "prelu.shared_axes = [0]", _set("prelu", "shared_axes", [0]), "shared_axes"


#: What Keras's own refusals of these payloads name.
_ERROR_WORDS = {"lambda": "lambda", "function code": "function",
                "os.system function": "system", "eval function": "eval"}


def _dtype_cases(hostile):
    policy = {"module": "keras", "class_name": "DTypePolicy", "registered_name": None}
    for name in ("bogus", "int32", "complex64", "string"):
        yield f"softplus dtype {name!r}", _set("softplus", "dtype", name), name
    yield "softplus dtype policy int8", \
        _set("softplus", "dtype", {**policy, "config": {"name": "int8"}}), "int8"
    yield "softplus dtype = os.system", _set("softplus", "dtype", hostile["os.system class"]), "system"
    yield "prelu dtype 'int32'", _set("prelu", "dtype", "int32"), "dtype"
    yield "prelu dtype policy int32", \
        _set("prelu", "dtype", {**policy, "config": {"name": "int32"}}), "dtype"


def cases(marker):
    """Every (label, edit, word) of the corpus: ``edit(config)`` tampers with
    a copy of the valid config in place; a clean error must name ``word``
    (None: the tampered file is still valid and must predict the same)."""
    hostile = payloads(marker)
    for group in (_parameter_cases, _key_cases, _path_cases, _function_cases, _dtype_cases):
        yield from group(hostile)


# -- running it ------------------------------------------------------------------


def _write(valid_path, config, path):
    with zipfile.ZipFile(valid_path) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "config.json":
                data = json.dumps(config).encode("utf-8")
            target.writestr(item, data)


def _own_words(error):
    """The message of the error itself: Keras wraps an error raised by a
    constructor in one that repeats the whole config, which names every field."""
    message = str(error)
    wrapped = "Exception encountered:"
    return message.rpartition(wrapped)[2] if wrapped in message else message


def _outcome(path, word, x, expected, safe_mode):
    """'clean error', 'loaded same', or what went wrong."""
    import keras

    try:
        if safe_mode is None:
            model = keras.saving.load_model(path)
        else:
            model = keras.saving.load_model(path, safe_mode=safe_mode)
        got = _numpy(model(x, training=False))
    except _CLEAN_ERRORS as error:
        if word is not None and word.lower() in _own_words(error).lower():
            return "clean error"
        return f"{type(error).__name__} not naming {word!r}: {str(error)[:300]}"
    except Exception as error:  # noqa: BLE001  (that is the finding)
        return f"unclean {type(error).__name__}: {str(error)[:300]}"
    if np.array_equal(got, expected, equal_nan=True):
        return "loaded same"
    return "loaded, predicts differently"


def run_corpus(directory):
    """Save the valid model in ``directory``, write and load every tampered
    variant (safe_mode=True; the payload cases also with the default), and
    count. Returns ``dict(cases, clean_errors, loaded_same, executions,
    failures)``; ``failures`` lists ``"label: what happened"``."""
    os.makedirs(directory, exist_ok=True)
    marker = os.path.join(os.path.abspath(directory), MARKER)
    valid_path = os.path.join(directory, "valid.keras")
    model = build_model()
    model.save(valid_path)
    x = np.linspace(-3.0, 3.0, 24, dtype="float32").reshape(4, 6)
    expected = _numpy(model(x, training=False))
    with zipfile.ZipFile(valid_path) as source:
        valid_config = json.loads(source.read("config.json"))
    figures = dict(cases=0, clean_errors=0, loaded_same=0, executions=0, failures=[])
    for index, (label, edit, word) in enumerate(cases(marker)):
        config = copy.deepcopy(valid_config)
        edit(config)
        path = os.path.join(directory, f"case_{index:03d}.keras")
        _write(valid_path, config, path)
        modes = (True, None) if "lambda" in label or "function" in label else (True,)
        for safe_mode in modes:
            _count(figures, label, _outcome(path, word, x, expected, safe_mode), marker)
    return figures


def _count(figures, label, outcome, marker):
    figures["cases"] += 1
    if os.path.exists(marker):
        figures["executions"] += 1
        os.remove(marker)
        figures["failures"].append(f"{label}: EXECUTED its payload")
    if outcome == "clean error":
        figures["clean_errors"] += 1
    elif outcome == "loaded same":
        figures["loaded_same"] += 1
    else:
        figures["failures"].append(f"{label}: {outcome}")


def _numpy(y):
    """A model's output on any Keras backend as NumPy (PyTorch's detached)."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(y))
