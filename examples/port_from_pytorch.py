"""Port a small PyTorch MLP with mixed activations to Keras with from_torch.

Run from the repository root:

    python examples/port_from_pytorch.py

With PyTorch installed, it builds the PyTorch model, converts each module
(Linear -> Dense with the weights copied, activations -> from_torch(module))
and compares the two models' outputs. Without PyTorch, it converts from the
class names and the same weights (as a state_dict of NumPy arrays would hold
them) and compares with PyTorch's formulas written out in NumPy.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_acts.compat.torch import from_torch  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

# The PyTorch model, as nn.Sequential(*modules) would be written.
ARCHITECTURE = [
    ("Linear", {"in_features": 4, "out_features": 8}),
    ("LeakyReLU", {"negative_slope": 0.1}),
    ("Linear", {"in_features": 8, "out_features": 8}),
    ("PReLU", {"num_parameters": 8}),
    ("Linear", {"in_features": 8, "out_features": 8}),
    ("GELU", {"approximate": "tanh"}),
    ("Linear", {"in_features": 8, "out_features": 8}),
    ("Hardswish", {}),
    ("Linear", {"in_features": 8, "out_features": 3}),
    ("Softmax", {"dim": -1}),
]


def trained_weights(seed=0):
    """A state_dict of NumPy arrays, keyed as nn.Sequential names them."""
    rng = np.random.default_rng(seed)
    state = {}
    for index, (kind, args) in enumerate(ARCHITECTURE):
        if kind == "Linear":
            shape = (args["out_features"], args["in_features"])
            state[f"{index}.weight"] = rng.normal(scale=0.7, size=shape).astype(np.float32)
            state[f"{index}.bias"] = rng.normal(scale=0.2, size=shape[0]).astype(np.float32)
        elif kind == "PReLU":
            state[f"{index}.weight"] = rng.uniform(0.05, 0.4, args["num_parameters"]).astype(np.float32)
    return state


def torch_model(state):
    modules = [getattr(torch.nn, kind)(**args) for kind, args in ARCHITECTURE]
    model = torch.nn.Sequential(*modules)
    model.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
    return model.eval()


def keras_model(state, torch_modules=None):
    """The Keras model: Dense for Linear, from_torch for every activation."""
    layers = [keras.Input(shape=(ARCHITECTURE[0][1]["in_features"],))]
    for index, (kind, args) in enumerate(ARCHITECTURE):
        if kind == "Linear":
            dense = keras.layers.Dense(args["out_features"])
            layers.append(dense)
            continue
        if torch_modules is not None:
            layers.append(from_torch(torch_modules[index]))
        else:
            weight = {"weight": state[f"{index}.weight"]} if kind == "PReLU" else {}
            layers.append(from_torch(kind, **args, **weight))
    model = keras.Sequential(layers)
    for index, (kind, _) in enumerate(ARCHITECTURE):
        if kind == "Linear":
            # PyTorch stores (out, in) and computes x @ W.T; Keras stores (in, out).
            model.layers[index].set_weights(
                [state[f"{index}.weight"].T, state[f"{index}.bias"]]
            )
    return model


def numpy_pytorch_forward(state, x):
    """PyTorch's formulas for the same model, for runs without PyTorch."""
    h = x.astype(np.float64)
    for index, (kind, args) in enumerate(ARCHITECTURE):
        if kind == "Linear":
            h = h @ state[f"{index}.weight"].T.astype(np.float64) + state[f"{index}.bias"]
        elif kind == "LeakyReLU":
            h = np.where(h > 0, h, args["negative_slope"] * h)
        elif kind == "PReLU":
            h = np.where(h > 0, h, state[f"{index}.weight"] * h)
        elif kind == "GELU":
            h = 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h**3)))
        elif kind == "Hardswish":
            h = h * np.clip(h + 3, 0, 6) / 6
        elif kind == "Softmax":
            e = np.exp(h - h.max(axis=-1, keepdims=True))
            h = e / e.sum(axis=-1, keepdims=True)
    return h


def main():
    state = trained_weights()
    x = np.random.default_rng(1).normal(size=(32, 4)).astype(np.float32)
    if torch is not None:
        model = torch_model(state)
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).numpy()
        ported = keras_model(state, torch_modules=list(model))
        print(f"PyTorch {torch.__version__}: converted the modules of the model itself")
    else:
        expected = numpy_pytorch_forward(state, x)
        ported = keras_model(state)
        print("PyTorch is not installed: converted from class names and recorded weights, "
              "compared with PyTorch's formulas in NumPy")
    for layer in ported.layers:
        print(f"  {layer.__class__.__module__.split('.')[0]}.{layer.__class__.__name__}")
    predicted = np.asarray(ported(x))
    difference = float(np.max(np.abs(predicted - expected)))
    print(f"max abs difference between the two models: {difference:.2e}")
    match = difference < 1e-5
    print(f"outputs match: {match}")
    print("one layer by name:", from_torch("LeakyReLU", negative_slope=0.1).get_config()["negative_slope"])
    return 0 if match else 1


if __name__ == "__main__":
    raise SystemExit(main())
