"""Sigmoid-like activations: bounded, S-shaped or stepped, monotone.

step, sigmoid, tanh, hard_sigmoid, sparse_sigmoid, softsign, hard_tanh.
"""

from keras_acts.backend import kernels, ops
from keras_acts.engine.define import backward_of, define_builtin
from keras_acts.numerics import const
from keras_acts.params import Boolean, Real


# -- step --------------------------------------------------------------------
def _step_keep(threshold, straight_through):
    return "x" if straight_through else ""


@define_builtin(
    keep=_step_keep,
    validators={"threshold": Real(), "straight_through": Boolean()},
    formula="1 if x > threshold else 0",
    output_range="{0, 1}",
    monotonic=True,
    smooth=False,
    reference=(
        'McCulloch & Pitts, 1943, "A logical calculus of the ideas immanent in nervous '
        'activity"; straight-through: Bengio, Léonard & Courville, 2013, "Estimating or '
        'Propagating Gradients Through Stochastic Neurons for Conditional Computation"'
    ),
    example_output=(0.0, 0.0, 0.0, 1.0, 1.0),
    branch_slope_at_nan=True,
    bounds=(0.0, 1.0),
)
def step(x, threshold=0.0, straight_through=False):
    """Heaviside step: 1 where `x > threshold`, else 0; NaN stays NaN.

    Its true derivative is 0 everywhere, so nothing before it can learn.
    `straight_through=True` uses the clipped straight-through estimator
    instead: the gradient passes unchanged where `abs(x - threshold) <= 1`.
    """
    t = const(threshold, x)
    return ops.where(x > t, ops.ones_like(x), ops.where(x <= t, ops.zeros_like(x), x))


@backward_of(step)
def _step_backward(dy, x, y, threshold, straight_through):
    if not straight_through:
        return ops.zeros_like(dy)
    near = ops.abs(x - const(threshold, x)) <= const(1.0, x)
    return ops.where(near, dy, ops.zeros_like(dy))


# -- sigmoid -----------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={},
    keras_logits=True,
    formula="1 / (1 + exp(-x))",
    output_range="(0, 1)",
    monotonic=True,
    smooth=True,
    reference=(
        'Rumelhart, Hinton & Williams, 1986, "Learning representations by '
        'back-propagating errors"'
    ),
    example_output=(0.1192, 0.3775, 0.5, 0.6225, 0.8808),
)
def sigmoid(x):
    """Logistic sigmoid, stable for large `abs(x)`.

    The output carries `_keras_logits = x`, as Keras's does, so a following
    cross-entropy loss works from the logits.
    """
    return ops.sigmoid(x)


@backward_of(sigmoid)
def _sigmoid_backward(dy, x, y):
    return kernels.sigmoid_grad(dy, y)


# -- tanh --------------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={},
    formula="(exp(x) - exp(-x)) / (exp(x) + exp(-x))",
    output_range="(-1, 1)",
    monotonic=True,
    smooth=True,
    reference='LeCun, Bottou, Orr & Müller, 1998, "Efficient BackProp"',
    example_output=(-0.964, -0.4621, 0.0, 0.4621, 0.964),
    keras_takes=("integer", "bool"),  # Keras's gives floatx
)
def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


@backward_of(tanh)
def _tanh_backward(dy, x, y):
    return kernels.tanh_grad(dy, y)


# -- hard_sigmoid, sparse_sigmoid, softsign, hard_tanh ------------------------
@define_builtin(
    keep="x",
    validators={},
    formula="relu6(x + 3) / 6",
    output_range="[0, 1]",
    monotonic=True,
    smooth=False,
    reference='Howard et al., 2019, "Searching for MobileNetV3"',
    example_output=(0.1667, 0.4167, 0.5, 0.5833, 0.8333),
    branch_slope_at_nan=True,
)
def hard_sigmoid(x):
    """Piecewise-linear sigmoid (Keras 3's form); float64 math for float64."""
    # Eager PyTorch: its hardsigmoid kernel, the same rule in one pass.
    return kernels.eager_or(
        "hard_sigmoid", lambda x: ops.relu6(x + const(3.0, x)) / const(6.0, x), x
    )


@backward_of(hard_sigmoid)
def _hard_sigmoid_backward(dy, x, y):
    # As TensorFlow differentiates Keras's relu6(x + 3) / 6: the mask is taken
    # on the rounded x + 3, strictly inside (0, 6).
    z = x + const(3.0, x)
    return kernels.relu6_grad(dy / const(6.0, x), z)


@define_builtin(
    keep="x",
    validators={},
    formula="0 if x <= -1; 1 if x >= 1; else (x + 1) / 2",
    output_range="[0, 1]",
    monotonic=True,
    smooth=False,
    reference='Blondel, Martins & Niculae, 2020, "Learning with Fenchel-Young Losses"',
    example_output=(0.0, 0.25, 0.5, 0.75, 1.0),
    branch_slope_at_nan=True,
)
def sparse_sigmoid(x):
    """A piecewise-linear sigmoid; the gradient is 0 at -1 and 1."""
    one = const(1.0, x)
    return ops.where(
        x <= -one,
        ops.zeros_like(x),
        ops.where(x >= one, ops.ones_like(x), const(0.5, x) * (x + one)),
    )


@backward_of(sparse_sigmoid)
def _sparse_sigmoid_backward(dy, x, y):
    one = const(1.0, x)
    inside = ops.logical_and(x > -one, x < one)
    return ops.where(inside, const(0.5, x) * dy, ops.zeros_like(dy))


@define_builtin(
    keep="x",
    validators={},
    formula="x / (1 + abs(x))",
    output_range="(-1, 1)",
    monotonic=True,
    smooth=True,
    reference=(
        'Glorot & Bengio, 2010, "Understanding the difficulty of training deep '
        'feedforward neural networks"'
    ),
    example_output=(-0.6667, -0.3333, 0.0, 0.3333, 0.6667),
)
def softsign(x):
    """`x / (1 + abs(x))`; +-1 at +-inf."""
    # At the dtype's largest finite value softsign already rounds to +-1, so
    # clamping infinities there gives the limit (inf / inf would be NaN).
    big = const(ops.largest(x), x)
    return ops.softsign(ops.clip(x, -big, big))


@backward_of(softsign)
def _softsign_backward(dy, x, y):
    return kernels.softsign_grad(dy, x)


def _check_hard_tanh_bounds(min_val=-1.0, max_val=1.0):
    if not min_val < max_val:
        raise ValueError(
            f"Invalid values for arguments `min_val` and `max_val`: {min_val!r} "
            f"and {max_val!r}. Expected min_val < max_val."
        )


@define_builtin(
    keep="x",
    validators={"min_val": Real(), "max_val": Real()},
    check=_check_hard_tanh_bounds,
    layer="HardTanh",
    formula="clip(x, min_val, max_val)",
    output_range="[min_val, max_val]",
    monotonic=True,
    smooth=False,
    reference='Collobert, 2004, "Large Scale Machine Learning" (PhD thesis)',
    example_output=(-1.0, -0.5, 0.0, 0.5, 1.0),
    branch_slope_at_nan=True,
    bounds=(-1.0, 1.0),
)
def hard_tanh(x, min_val=-1.0, max_val=1.0):
    """`x` clipped to `[min_val, max_val]` (Keras's with the defaults).

    The gradient is 1 at both bounds, as TensorFlow's `clip_by_value`.
    """
    return kernels.eager_or(
        "hard_tanh",
        lambda x: ops.clip(x, const(min_val, x), const(max_val, x)),
        x,
        min_val=min_val,
        max_val=max_val,
    )


@backward_of(hard_tanh)
def _hard_tanh_backward(dy, x, y, min_val, max_val):
    # clip_by_value's gradient passes at both bounds.
    def formula(dy, x):
        outside = ops.logical_or(x < const(min_val, x), x > const(max_val, x))
        return ops.where(outside, ops.zeros_like(dy), dy)

    bounds = {"min_val": min_val, "max_val": max_val}
    return kernels.eager_or("hard_tanh_grad", formula, dy, x, **bounds)
