"""Helpers that turn the registry into test cases for layers, strings and models."""

import inspect

import numpy as np

import keras_acts
from references import BY_NAME


def catalog_specs():
    return keras_acts.catalog(builtin=True)


def string_specs():
    """Activations usable as a Dense layer's activation= string: those with
    a string (none for those that need arguments, and none for those that
    change the shape, as glu halves an axis: Keras's Dense declares its
    output shape without its activation)."""
    return [spec for spec in catalog_specs() if spec.string]


def layer_kwargs(spec, params):
    """The subset of function params that the layer's constructor takes."""
    accepted = inspect.signature(spec.layer).parameters
    return {k: v for k, v in params.items() if k in accepted and not isinstance(v, np.ndarray)}


def layer_cases():
    """(spec, layer kwargs) for every reference parameter set a layer can take."""
    cases = []
    for spec in catalog_specs():
        required = [
            name
            for name, p in inspect.signature(spec.layer).parameters.items()
            if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
        ]
        for params in BY_NAME[spec.name].param_sets:
            kwargs = layer_kwargs(spec, params)
            if not all(name in kwargs for name in required):
                continue
            try:  # layers may be stricter than functions, as Keras's ReLU is
                spec.layer(**kwargs)
            except ValueError:
                continue
            cases.append((spec, kwargs))
    return cases


def layer_case_id(case):
    spec, kwargs = case
    return spec.layer_name + ("" if not kwargs else str(sorted(kwargs.items())))


def signed_input(spec, shape=(3, 8)):
    """Inputs with both signs, since Keras's own layer tests only feed [0, 3)."""
    rng = np.random.default_rng(3)
    return rng.uniform(-3.0, 3.0, size=shape).astype("float32")
