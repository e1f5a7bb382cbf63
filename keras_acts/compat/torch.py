"""Turn a PyTorch activation into the equivalent keras-acts layer.

``from_torch(nn.LeakyReLU(0.1))`` and ``from_torch("LeakyReLU",
negative_slope=0.1)`` both return ``keras_acts.layers.LeakyReLU(
negative_slope=0.1)``. The translation of every argument is the table in
``keras_acts.compat.torch_names``; PyTorch is imported only when a PyTorch
module is passed, so class names work without it.
"""

from __future__ import annotations

import sys

import keras
import numpy as np

from keras_acts.compat.torch_names import BY_FUNCTIONAL
from keras_acts.compat.torch_names import BY_MODULE
from keras_acts.compat.torch_names import REQUIRED
from keras_acts.compat.torch_names import TorchActivation
from keras_acts.compat.torch_names import our_name_for_torch
from keras_acts.compat.torch_names import torch_row_for
from keras_acts.engine import registry
from keras_acts.engine.registry import lookup

# keras_acts.lookup (and so get and the strings' errors) knows PyTorch's
# names from here: the registry, below compat, imports nothing of it.
registry.add_other_spellings(our_name_for_torch)

__all__ = ["from_torch"]

DATA_FORMATS = ("channels_first", "channels_last")
APPROXIMATE = {"none": False, "tanh": True}


def from_torch(spec, /, *, data_format="channels_first", input_rank=2, name=None, **torch_kwargs):
    """The keras-acts layer equivalent to a PyTorch activation module.

    Args:
        spec: a ``torch.nn`` activation module instance (``nn.PReLU(3)``; its
            arguments and learned weight are read from it), or its class name
            (``"PReLU"``, ``"nn.PReLU"``, ``"torch.nn.PReLU"``) with PyTorch's
            keyword arguments in ``torch_kwargs``. PyTorch's defaults apply to
            arguments not given (``LeakyReLU``: ``negative_slope=0.01``, not
            Keras's 0.3).
        data_format: how the Keras model lays out what PyTorch calls dim 1,
            the channels. ``"channels_first"`` (default): as PyTorch, nothing
            moves. ``"channels_last"``: the Keras model holds PyTorch's
            channels last (Keras's own convention for images); ``dim``
            arguments and PReLU's per-channel slopes move with them.
        input_rank: rank of the tensors the layer will see, batch axis
            included: 2 (default) for ``(batch, features)`` after a Linear
            layer, 3, 4 or 5 after 1D, 2D or 3D convolutions. PReLU needs it
            to share its slopes over the right axes, and ``channels_last`` to
            move negative ``dim`` values.
        name: the Keras layer's name (optional).
        **torch_kwargs: PyTorch's constructor arguments when ``spec`` is a
            class name; for ``"PReLU"`` also ``weight=`` (the learned slopes,
            as in its ``state_dict``).

    Returns:
        A ``keras_acts.layers`` instance.

    Raises:
        ValueError: an unknown name, an argument value with no counterpart
            (``approximate="erf"``, ``dim=None``), a weight of the wrong size.
        TypeError: an argument the PyTorch class does not take, a missing
            required one, or a ``spec`` that is neither a name nor a module.
    """
    _check_layout(data_format, input_rank)
    if isinstance(spec, str):
        row = _row_for_class_name(spec)
        given = dict(torch_kwargs)
    elif _is_torch_module(spec):
        if torch_kwargs:
            raise TypeError(
                "from_torch reads the arguments of a PyTorch module from the module "
                f"itself; got extra keyword arguments {sorted(torch_kwargs)} for {spec!r}."
            )
        row = _row_for_module(spec)
        given = _arguments_of_module(spec, row)
    else:
        raise TypeError(
            "from_torch expects a torch.nn activation module or its class name; "
            f"got spec={spec!r} of type {type(spec).__name__}."
        )
    layout = {"data_format": data_format, "input_rank": input_rank}
    layer_kwargs = _layer_arguments(row, given, layout)
    if name is not None:
        layer_kwargs["name"] = name
    return _build_layer(row, given, layer_kwargs)


# -- what was passed ------------------------------------------------------------


def _check_layout(data_format, input_rank):
    if data_format not in DATA_FORMATS:
        raise ValueError(
            f"Invalid value for argument `data_format`: {data_format!r}. "
            f"Expected one of {DATA_FORMATS}."
        )
    if isinstance(input_rank, bool) or not isinstance(input_rank, int) or input_rank < 1:
        raise ValueError(
            f"Invalid value for argument `input_rank`: {input_rank!r}. Expected the "
            "rank of the layer's inputs, batch axis included (2 for (batch, features))."
        )


def _row_for_class_name(spec):
    row = torch_row_for(spec)
    short = spec.rsplit(".", 1)[-1]
    if row is not None and short == row.module:
        return row
    if row is not None or short in BY_FUNCTIONAL:
        row = row or BY_FUNCTIONAL[short]
        raise ValueError(
            f"from_torch takes a torch.nn module or its class name; {spec!r} is the "
            f"torch.nn.functional name of {row.module}: use from_torch({row.module!r}, ...)."
        )
    raise ValueError(
        f"Unknown PyTorch activation {spec!r}. Known torch.nn classes: "
        f"{', '.join(sorted(BY_MODULE))}."
    )


def _is_torch_module(obj):
    # Nothing can be a PyTorch module unless PyTorch was imported already,
    # so this never imports it for a plain object.
    if "torch" not in sys.modules:
        return False
    import torch

    return isinstance(obj, torch.nn.Module)


def _row_for_module(module):
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn") and cls.__name__ in BY_MODULE:
            return BY_MODULE[cls.__name__]
    raise ValueError(
        f"{type(module).__name__} has no keras-acts counterpart: from_torch converts "
        f"the element-wise activations of torch.nn ({', '.join(sorted(BY_MODULE))})."
    )


def _arguments_of_module(module, row):
    """The constructor arguments a module was built with, read back from it."""
    given = {}
    for argument in row.arguments:
        if argument.rule in ("deprecated_alias", "not_layer_argument"):
            continue
        if hasattr(module, argument.torch):
            given[argument.torch] = getattr(module, argument.torch)
    if row.module == "PReLU":
        given["weight"] = module.weight
    return given


# -- translation ----------------------------------------------------------------


def _layer_arguments(row: TorchActivation, given, layout):
    """Our layer's keyword arguments for PyTorch's, by the rules of the table."""
    values = _torch_values(row, given)
    layer_kwargs = {}
    for argument in (*row.arguments, *row.fixed):
        value = values.get(argument.torch, argument.default)
        translate = _TRANSLATIONS[argument.rule]
        translate(row, argument, value, layer_kwargs, layout)
    if row.module == "PReLU":
        layer_kwargs.update(_prelu_arguments(values, **layout))
    return layer_kwargs


def _torch_values(row, given):
    accepted = {argument.torch for argument in row.arguments}
    if row.module == "PReLU":
        accepted.add("weight")
    for key, value in given.items():
        if key not in accepted:
            takes = ", ".join(sorted(accepted)) or "no arguments"
            raise TypeError(
                f"PyTorch's {row.module} has no argument `{key}` (got {key}={value!r}); "
                f"it takes {takes}."
            )
    for argument in row.arguments:
        if argument.default == REQUIRED and argument.torch not in given:
            raise TypeError(
                f"PyTorch's {row.module} needs the argument `{argument.torch}`, which "
                "has no default."
            )
    return given


def _pass_value(row, argument, value, layer_kwargs, layout):
    layer_kwargs[argument.ours] = value


def _drop(row, argument, value, layer_kwargs, layout):
    pass


def _pass_deprecated_alias(row, argument, value, layer_kwargs, layout):
    # PyTorch lets the deprecated spelling win when it is given.
    if value is not None:
        layer_kwargs[argument.ours] = value


def _approximate(row, argument, value, layer_kwargs, layout):
    if value not in APPROXIMATE:
        raise ValueError(
            f"Invalid value for argument `approximate` of {row.module}: {value!r}. "
            'PyTorch takes "none" or "tanh".'
        )
    layer_kwargs[argument.ours] = APPROXIMATE[value]


def _axis(row, argument, value, layer_kwargs, layout):
    if value is None:
        raise ValueError(
            f"{row.module}(dim=None) leaves the axis to PyTorch's deprecated rule "
            "(chosen from the input's rank at each call); pass dim explicitly, "
            f"e.g. from_torch({row.module!r}, dim=-1)."
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            f"Invalid value for argument `dim` of {row.module}: {value!r}. Expected an int."
        )
    layer_kwargs[argument.ours] = keras_axis(value, **layout)


def keras_axis(dim, data_format="channels_first", input_rank=2):
    """The Keras axis for PyTorch's ``dim``, given where the channels live."""
    if data_format == "channels_first":
        return dim
    axis = dim + input_rank if dim < 0 else dim
    if not 0 <= axis < input_rank:
        raise ValueError(
            f"Invalid value for argument `dim`: {dim} is outside inputs of rank "
            f"{input_rank}; pass input_rank= for the tensors the layer will see."
        )
    if axis <= 1:
        return -1 if axis == 1 else 0  # channels go last; the batch axis stays
    return axis - 1


_TRANSLATIONS = {
    "same": _pass_value,
    "renamed": _pass_value,
    "ignored": _drop,
    "not_layer_argument": _drop,
    "deprecated_alias": _pass_deprecated_alias,
    "approximate": _approximate,
    "axis": _axis,
    # PReLU's two arguments and its weight are one decision: see _prelu_arguments.
    "prelu_count": _drop,
    "prelu_init": _drop,
}


# -- PReLU: its count, initial value and learned weight are one decision -----------


def _prelu_arguments(values, data_format, input_rank):
    """alpha_initializer and shared_axes reproducing PyTorch's slopes."""
    count = values.get("num_parameters", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(
            f"Invalid value for argument `num_parameters` of PReLU: {count!r}. "
            "Expected 1 or the number of channels."
        )
    slopes = _prelu_slopes(values, count)
    if count == 1:
        # One slope for everything: share it over every axis but the batch.
        return {
            "alpha_initializer": _constant(slopes[:1]),
            "shared_axes": list(range(1, input_rank)) or None,
        }
    if input_rank < 2:
        raise ValueError(
            f"Invalid value for argument `input_rank`: {input_rank}. PReLU with "
            f"num_parameters={count} needs inputs with a channel axis (rank >= 2)."
        )
    if data_format == "channels_first":
        # PyTorch's channel axis is 1: the slopes vary along it, broadcast after.
        shape = (count,) + (1,) * (input_rank - 2)
        shared_axes = list(range(2, input_rank))
    else:
        shape = (count,)
        shared_axes = list(range(1, input_rank - 1))
    return {
        "alpha_initializer": _constant(slopes.reshape(shape)),
        "shared_axes": shared_axes or None,
    }


def _constant(values):
    # A float64 array, not a Python float or list: Keras casts a Python value
    # through float32 first, which would round the slopes of a float64 model,
    # and serializes an array with its dtype.
    return keras.initializers.Constant(np.asarray(values, dtype=np.float64))


def _prelu_slopes(values, count):
    weight = values.get("weight")
    if weight is None:
        init = values.get("init", 0.25)
        return np.full((count,), float(init))
    if hasattr(weight, "detach"):  # a torch tensor or parameter
        weight = weight.detach().cpu().double().numpy()
    slopes = np.asarray(weight, dtype=np.float64).reshape(-1)
    if slopes.size != count:
        raise ValueError(
            f"Invalid value for argument `weight` of PReLU: {slopes.size} slopes for "
            f"num_parameters={count}."
        )
    return slopes


# -- building the layer ---------------------------------------------------------


def _build_layer(row, given, layer_kwargs):
    layer_class = lookup(row.ours).layer
    try:
        return layer_class(**layer_kwargs)
    except (ValueError, TypeError) as error:
        raise type(error)(
            f"PyTorch's {row.module}({_format_kwargs(given)}) -> "
            f"{layer_class.__name__}({_format_kwargs(layer_kwargs)}): {error}"
        ) from error


def _format_kwargs(kwargs):
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
