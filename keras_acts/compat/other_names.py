"""Other libraries' names for our parameters: plain data and one lookup.

Where a call or a layer gets a keyword it does not take, but that another
library uses for one of its parameters (Keras 2's ``alpha`` for what Keras 3
and keras_acts call ``negative_slope``, PyTorch's ``dim`` for ``axis``), the
error names the parameter to pass instead (``Activation.check_other_names``).
Nothing is translated silently: a name may mean something slightly different
there.

It adds its table to the engine's (``add_other_names``) when the package
loads, before the catalog is defined (``keras_acts/__init__``): the engine
imports nothing from compat.
"""

from __future__ import annotations

from typing import NamedTuple

from keras_acts.compat.torch_names import RULES, TORCH_ACTIVATIONS
from keras_acts.engine.description import add_other_names


class OtherName(NamedTuple):
    """Another library's keyword for one of our parameters."""

    ours: str  # our parameter (of the function, or of the layer's constructor)
    where: str  # where it is that parameter's name: "Keras 2's LeakyReLU"
    note: str = ""  # more to say: how the value translates where not as it is
    as_is: bool = True  # whether the value means the same under our name


# Keras 2 (tf.keras) and TensorFlow's names of parameters that Keras 3 renamed,
# for the activations of the same name: our name -> {their keyword: OtherName}.
KERAS_2 = {
    "leaky_relu": {
        "alpha": OtherName(
            "negative_slope", "Keras 2's LeakyReLU and tf.nn.leaky_relu", "as in Keras 3"
        ),
    },
    "relu": {
        "alpha": OtherName("negative_slope", "Keras 2's keras.activations.relu", "as in Keras 3"),
    },
}

_TRANSLATED_AS_IS = ("same", "renamed", "deprecated_alias")
_FROM_TORCH = "keras_acts.compat.torch.from_torch translates PyTorch's arguments"


def _torch_names():
    names = {}
    for row in TORCH_ACTIVATIONS:
        for argument in (*row.arguments, *row.fixed):
            if argument.ours is None or argument.ours == argument.torch:
                continue
            as_is = argument.rule in _TRANSLATED_AS_IS
            note = _FROM_TORCH if as_is else f"{RULES[argument.rule]}; {_FROM_TORCH}"
            where = f"PyTorch's {row.module}"
            names.setdefault(row.ours, {}).setdefault(
                argument.torch, OtherName(argument.ours, where, note, as_is)
            )
    return names


_BY_ACTIVATION = _torch_names()
for _name, _keywords in KERAS_2.items():
    _BY_ACTIVATION.setdefault(_name, {}).update(_keywords)


def other_name(activation: str, keyword: str) -> OtherName | None:
    """What another library means by ``keyword`` for our ``activation``
    (its name, not an alias), or None where no library we know uses it."""
    return _BY_ACTIVATION.get(activation, {}).get(keyword)


def has_other_names(activation: str) -> bool:
    """Whether any library we know names a parameter of ``activation`` otherwise."""
    return bool(_BY_ACTIVATION.get(activation))


add_other_names(_BY_ACTIVATION)
