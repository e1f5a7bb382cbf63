"""keras_acts's own catalog, one module per family.

The rule: an activation belongs to the family that says what it *is*.

* ``sigmoids``: bounded, S-shaped or stepped, monotone (step, sigmoid, tanh,
  hard_sigmoid, ...).
* ``rectifiers``: about x (or its square) for large x, a kink or a simple
  rule below, no exp (relu, leaky_relu, relu6, threshold, linear,
  squareplus, sparse_plus, relu_squared).
* ``exponentials``: built on exp and log (exponential, elu, selu, celu,
  softplus, log_sigmoid).
* ``gated``: x times a gate of x (gelu, silu, mish, hard_silu, ...).
* ``gated_units``: a gate of the first half of x times the second half,
  halving an axis (swiglu, geglu, reglu: transformer feed-forwards).
* ``shrinkage``: 0 or nearly around 0, moved towards 0 outside.
* ``normalizers``: along an axis, each output depends on the whole slice
  (softmax, log_softmax, softmin, sparsemax, glu).
* ``learned``: learned or random parameters (prelu, snake, star_relu, rrelu).

Every row is one ``define_builtin`` declaration on its forward formula,
which comes first with its docstring: ``keep=`` (what the backward pass
holds), the validators of its parameters, its documentation (formula,
paper, example) and its ``Edges`` where they differ from the defaults. The
backward pass follows, attached with ``@backward_of(<row>)``, and an
export-only form, where there is one, with ``@portable_form_of(<row>)``.
Numerical tricks come from ``keras_acts.numerics`` by name. Conventions:
constants are cast to ``x.dtype`` (so every precision computes in its own);
gradients at kinks follow TensorFlow's native gradient of Keras's built-in
where Keras has the activation, PyTorch's otherwise; infinite inputs give
the mathematical limit; NaN gives NaN, in values and gradients, but for the
piecewise-linear rows' gradients (``branch_slope_at_nan``).

Importing this package defines the catalog; ``keras_acts.activations`` and
``keras_acts.layers`` export it from the registry.
"""

from keras_acts.families import (  # noqa: F401  (each module defines its rows)
    sigmoids,
    rectifiers,
    exponentials,
    gated,
    gated_units,
    shrinkage,
    normalizers,
    learned,
)

FAMILIES = (
    "sigmoids", "rectifiers", "exponentials", "gated", "gated_units", "shrinkage", "normalizers",
    "learned",
)
