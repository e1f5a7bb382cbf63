"""Independent float64 NumPy references for every activation in the catalog.

This table is the only thing a new catalog row needs in the tests: every
test module is parametrized over it. Its rows are filed by family, in
references_pointwise.py and references_parametric.py. Each entry gives

* ``numpy``: the formula in float64 NumPy, written from the catalog's
  definition, never from our TensorFlow code;
* ``plain``: the same formula in plain TensorFlow ops, whose autodiff is the
  second gradient reference;
* ``param_sets``: parameter sets to test (the first is the defaults);
* ``kinks``: where the derivative is undefined, to keep numeric
  differentiation away from them;
* ``axis``: True for normalizers, which are tested on 2-D inputs;
* ``surrogate``: for parameter sets whose gradient is deliberately not the
  derivative (step's straight-through estimator), the gradient it gives;
* ``keras_gradient_wrong_at``: points where autodiff of Keras's built-in is an
  artifact, not a convention (celu at 0 is smooth, yet Keras's gradient is 2);
* ``keras_values_wrong_in``: dtypes in which Keras's values are wrong or lose
  precision (we are right there, not a drop-in: see README.md, Conventions).
"""

import dataclasses
from typing import Callable

import numpy as np


@dataclasses.dataclass
class Reference:
    name: str
    numpy: Callable
    plain: Callable
    param_sets: list = dataclasses.field(default_factory=lambda: [{}])
    kinks: Callable = lambda **params: ()
    axis: bool = False
    surrogate: Callable = lambda x, **params: None
    keras_gradient_wrong_at: tuple = ()
    keras_values_wrong_in: tuple = ()


# The rows, filed by the family of their activation (keras_acts/families/):
# the element-wise families' in references_pointwise.py, those of the
# learned, normalizing and gated-unit families in references_parametric.py.
# Imported here, after Reference, which they use.
from references_parametric import REFERENCES as _PARAMETRIC  # noqa: E402
from references_pointwise import REFERENCES as _POINTWISE  # noqa: E402

REFERENCES = _POINTWISE + _PARAMETRIC

BY_NAME = {ref.name: ref for ref in REFERENCES}

# (name, params) pairs, one per tested parameter set, with readable ids.
CASES = [(ref.name, params) for ref in REFERENCES for params in ref.param_sets]


def case_id(case):
    name, params = case
    if not params:
        return name
    return name + "[" + ",".join(f"{k}={v}" for k, v in params.items()) + "]"


def sample_inputs(reference, dtype=np.float64, extremes=True):
    """Inputs covering both signs, the kinks, and (optionally) +-1e4, +-inf."""
    rng = np.random.default_rng(0)
    points = [-6.0, -3.0, -1.5, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 3.0, 6.0]
    points += list(rng.uniform(-8.0, 8.0, size=19))
    if extremes:
        points += [-1e4, 1e4, -np.inf, np.inf, -100.0, 100.0]
    x = np.array(points, dtype=np.float64)
    if reference.axis:
        finite = x[np.isfinite(x)]
        x = finite[: (finite.size // 4) * 4].reshape(-1, 4)
    return x.astype(dtype)


def smooth_inputs(reference, params, size=24, margin=1e-2):
    """Float64 points at least ``margin`` away from every kink."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-4.0, 4.0, size=size * 3)
    for kink in reference.kinks(**params):
        x = x[np.abs(x - kink) > margin]
    x = x[:size]
    if reference.axis:
        x = x[: (x.size // 4) * 4].reshape(-1, 4)
    return x
