"""Rectifiers: about x (or its square) for large x, a kink or a simple rule below; no exp.

relu, leaky_relu, relu6, threshold, linear, squareplus, sparse_plus,
relu_squared.
"""

import math

from keras_acts.backend import kernels, ops
from keras_acts.engine.define import backward_of, define_builtin
from keras_acts.numerics import const, in_float32
from keras_acts.params import Real


# -- leaky_relu --------------------------------------------------------------
def _leaky_relu_forward(x, negative_slope):
    return kernels.leaky_relu(x, negative_slope)


def _leaky_relu_keep(negative_slope):
    # With a slope >= 0, y > 0 exactly where x > 0, so the gradient can be
    # read from y: then the input (a BiasAdd's output, say) keeps a single
    # consumer and TensorFlow's MatMul + BiasAdd + activation fusion survives.
    return "y" if negative_slope >= 0 else "x"


@define_builtin(
    keep=_leaky_relu_keep,
    validators={"negative_slope": Real()},
    layer="LeakyReLU",
    layer_defaults={"negative_slope": 0.3},
    layer_checks={"negative_slope": Real(min=0.0)},
    formula="x if x > 0 else negative_slope * x",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=False,
    reference=(
        'Maas, Hannun & Ng, 2013, "Rectifier Nonlinearities Improve Neural Network '
        'Acoustic Models"'
    ),
    example_output=(-0.4, -0.1, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
    keras_takes=("integer",),  # Keras's gives floatx
)
def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: `x` where positive, `negative_slope * x` elsewhere.

    The function defaults to `negative_slope=0.2` and the layer to 0.3, as in
    Keras. The gradient at 0 is `negative_slope`, as TensorFlow's.
    """
    return _leaky_relu_forward(x, negative_slope)


@backward_of(leaky_relu)
def _leaky_relu_backward(dy, x, y, negative_slope):
    features = y if x is None else x
    return kernels.leaky_relu_grad(dy, features, negative_slope)


# -- relu --------------------------------------------------------------------
# Keras's relu is a composition whose branches differ at the kinks; the
# backward pass mirrors the gradient TensorFlow gives each branch.
def _relu_is_leaky(negative_slope, max_value, threshold):
    return negative_slope != 0.0 and max_value is None and threshold == 0.0


def _relu_uses_relu6(max_value, threshold):
    return threshold == 0.0 and max_value == 6.0


def _relu_positive_part(x, max_value, threshold):
    if threshold != 0.0:
        # `x <= t` (not `x > t`) so that NaN falls through as NaN.
        part = ops.where(x <= const(threshold, x), ops.zeros_like(x), x)
    elif _relu_uses_relu6(max_value, threshold):
        return ops.relu6(x)
    else:
        part = ops.relu(x)
    if max_value is not None:
        part = ops.clip(part, const(0.0, x), const(max_value, x))
    return part


def _relu_keep(negative_slope, max_value, threshold):
    # Where TensorFlow's native gradient reads the output (Relu, Relu6), so
    # does ours: one consumer of the input keeps grappler's fusions.
    if _relu_is_leaky(negative_slope, max_value, threshold):
        return _leaky_relu_keep(negative_slope)
    if negative_slope == 0.0 and threshold == 0.0 and max_value in (None, 6.0):
        return "y"
    return "x"


@define_builtin(
    keep=_relu_keep,
    validators={
        "negative_slope": Real(),
        "max_value": Real(min=0.0, optional=True),
        "threshold": Real(),
    },
    layer="ReLU",
    layer_params=("max_value", "negative_slope", "threshold"),
    layer_checks={"negative_slope": Real(min=0.0), "threshold": Real(min=0.0)},
    formula=(
        "max_value if x >= max_value; x if threshold <= x < max_value; "
        "negative_slope * (x - threshold) otherwise"
    ),
    output_range="[0, inf) (defaults); (-inf, max_value] with negative_slope",
    monotonic=True,
    smooth=False,
    reference=(
        'Nair & Hinton, 2010, "Rectified Linear Units Improve Restricted Boltzmann '
        'Machines"'
    ),
    example_output=(0.0, 0.0, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
    bounds=(0.0, math.inf),
    keras_takes=("integer",),  # Keras's keeps the int dtype (float with negative_slope)
)
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with Keras's options, exactly as Keras.

    With defaults, `max(x, 0)`. `negative_slope` leaks below `threshold`,
    `max_value` caps the output, `threshold` moves the kink. The layer's
    constructor order is Keras's: `ReLU(max_value, negative_slope, threshold)`.
    """
    if _relu_is_leaky(negative_slope, max_value, threshold):
        return _leaky_relu_forward(x, negative_slope)
    y = _relu_positive_part(x, max_value, threshold)
    if negative_slope != 0.0:
        below = ops.relu(const(threshold, x) - x)
        y = y - const(negative_slope, x) * below
    return y


@backward_of(relu)
def _relu_backward(dy, x, y, negative_slope, max_value, threshold):
    if _relu_is_leaky(negative_slope, max_value, threshold):
        return _leaky_relu_backward(dy, x, y, negative_slope)
    if x is None:  # plain relu or relu6: their native gradients, from y
        if max_value is None:
            return kernels.relu_grad(dy, y)
        return kernels.relu6_grad(dy, y)
    zero = ops.zeros_like(dy)
    if _relu_uses_relu6(max_value, threshold):
        passes = ops.logical_and(x > 0, x < const(6.0, x))
    else:
        passes = x > const(threshold, x)
        if max_value is not None:
            # clip_by_value's gradient passes at both of its bounds.
            within = ops.logical_and(x >= 0, x <= const(max_value, x))
            passes = ops.logical_and(passes, within)
    dx = ops.where(passes, dy, zero)
    if negative_slope != 0.0:
        below = x < const(threshold, x)
        dx = dx + ops.where(below, dy * const(negative_slope, x), zero)
    return dx


# -- relu6 -------------------------------------------------------------------
@define_builtin(
    keep="y",
    validators={},
    layer="ReLU6",
    formula="min(max(x, 0), 6)",
    output_range="[0, 6]",
    monotonic=True,
    smooth=False,
    reference='Krizhevsky, 2010, "Convolutional Deep Belief Networks on CIFAR-10"',
    example_output=(0.0, 0.0, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
    keras_takes=("integer",),  # Keras's keeps the int dtype
)
def relu6(x):
    """ReLU capped at 6. The gradient is 0 at both kinks, as TensorFlow's."""
    return ops.relu6(x)


@backward_of(relu6)
def _relu6_backward(dy, x, y):
    # TensorFlow's Relu6Grad: passes strictly inside (0, 6).
    return kernels.relu6_grad(dy, y)


# -- threshold -----------------------------------------------------------------
@define_builtin(
    keep="x",
    validators={"threshold": Real(), "default_value": Real()},
    formula="x if x > threshold else default_value",
    example={"threshold": 0.5, "default_value": -1.0},
    output_range="{default_value} and (threshold, inf)",
    monotonic=None,
    smooth=False,
    reference="no paper: PyTorch's `torch.nn.Threshold`",
    example_output=(-1.0, -1.0, -1.0, -1.0, 2.0),
    branch_slope_at_nan=True,
    bounds=(-1.0, math.inf),
)
def threshold(x, threshold, default_value):
    """`x` where `x > threshold`, `default_value` elsewhere; NaN stays NaN.

    Both parameters are required, as in Keras. The gradient is 0 at the
    threshold.
    """
    return ops.where(
        x <= const(threshold, x), ops.full_like(x, const(default_value, x)), x
    )


@backward_of(threshold)
def _threshold_backward(dy, x, y, threshold, default_value):
    return ops.where(x <= const(threshold, x), ops.zeros_like(dy), dy)


# -- linear ------------------------------------------------------------------
@define_builtin(
    keep="",
    validators={},
    formula="x",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    reference="no paper: the identity, Keras's `linear`",
    example_output=(-2.0, -0.5, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
    keras_takes=("integer", "bool"),  # Keras's returns the input itself
)
def linear(x):
    """The identity."""
    return ops.identity(x)


@backward_of(linear)
def _linear_backward(dy, x, y):
    return dy


# -- squareplus, sparse_plus ---------------------------------------------------

# Beyond this |x|, b is lost against x^2 to the last bit, and x^2 is close to
# overflowing: |x| stands in for sqrt(x^2 + b) there.
_SQUAREPLUS_BIG = {"float64": 1e150}
_SQUAREPLUS_BIG_DEFAULT = 1e18


def _squareplus_keep(b):
    # For b > 0 the output alone gives the slope; with b == 0 (relu with 1/2
    # at 0) y == 0 cannot tell x == 0 from x < 0.
    return "y" if b > 0 else "x"


@define_builtin(
    keep=_squareplus_keep,
    validators={"b": Real(min=0.0)},
    formula="(x + sqrt(x^2 + b)) / 2",
    output_range="(0, inf)",
    monotonic=True,
    smooth=True,
    reference='Barron, 2021, "Squareplus: A Softplus-Like Algebraic Rectifier"',
    example_output=(0.4142, 0.7808, 1.0, 1.2808, 2.4142),
)
def squareplus(x, b=4):
    """Squareplus, `(x + sqrt(x^2 + b)) / 2`: a softplus from square roots.

    Stable for any finite `x`: no overflow of `x^2`, and no cancellation for
    negative `x` (computed as `b / (2 (sqrt(x^2 + b) - x))` there). float16
    and bfloat16 compute in float32 and round once.
    """

    def forward(x):
        a = ops.abs(x)
        big = const(_SQUAREPLUS_BIG.get(ops.dtype_name(x), _SQUAREPLUS_BIG_DEFAULT), x)
        c = ops.minimum(a, big)
        s = ops.maximum(ops.sqrt(c * c + const(b, x)), a)  # sqrt(x^2 + b)
        half = const(0.5, x)
        m = half * a + half * s  # (|x| + s) / 2 without overflow: y where x >= 0
        # For x < 0, (x + s) / 2 == (b / 4) / m: no cancellation.
        return ops.where(x >= 0, m, const(0.25 * b, x) / m)

    return in_float32(forward, x)


@backward_of(squareplus)
def _squareplus_backward(dy, x, y, b):
    if y is None:  # b == 0: (1 + sign(x)) / 2, NaN for NaN
        half = const(0.5, x)
        return dy * (half + half * ops.sign(x))
    # With s = sqrt(x^2 + b), s - x = (b / 2) / y, so s = y + (b / 4) / y and
    # the slope (1 + x / s) / 2 = y / s = y^2 / (y^2 + b / 4): all terms
    # positive, no cancellation; y^2 capped so that it never overflows to
    # inf / inf. One division: on a small tensor each division is a kernel
    # that TensorFlow splits across threads (tens of microseconds on 2 cores).
    # Where y^2 is subnormal (flushed to 0) so is the slope but for b < 4:
    # there it flushes to 0 below FLT_MIN * 4 / b.
    def slope(y):
        square = ops.minimum(y * y, const(ops.largest(y), y))
        return square / (square + const(0.25 * b, y))

    return dy * in_float32(slope, y)


@define_builtin(
    keep="x",
    validators={},
    formula="0 if x <= -1; (x + 1)^2 / 4 if -1 < x < 1; x if x >= 1",
    output_range="[0, inf)",
    monotonic=True,
    smooth=True,
    reference='Blondel, Martins & Niculae, 2020, "Learning with Fenchel-Young Losses"',
    example_output=(0.0, 0.0625, 0.25, 0.5625, 2.0),
    branch_slope_at_nan=True,
)
def sparse_plus(x):
    """A piecewise-quadratic softplus, continuously differentiable."""
    one = const(1.0, x)
    xp1 = x + one
    return ops.where(
        x <= -one,
        ops.zeros_like(x),
        ops.where(x < one, const(0.25, x) * xp1 * xp1, x),
    )


@backward_of(sparse_plus)
def _sparse_plus_backward(dy, x, y):
    one = const(1.0, x)
    slope = ops.where(
        x <= -one,
        ops.zeros_like(x),
        ops.where(x < one, const(0.5, x) * (x + one), ops.ones_like(x)),
    )
    return dy * slope


# -- relu_squared ----------------------------------------------------------------
@define_builtin(
    keep="y",  # the next layer keeps it anyway: no memory of its own
    validators={},
    layer="ReLUSquared",
    formula="relu(x)^2",
    output_range="[0, inf)",
    monotonic=True,
    smooth=True,
    reference=(
        'So et al., 2021, "Primer: Searching for Efficient Transformers for Language '
        'Modeling"'
    ),
    example_output=(0.0, 0.0, 0.0, 0.25, 4.0),
    overflows_past=1e154,
)
def relu_squared(x):
    """Squared ReLU (So et al., 2021, Primer): `relu(x)^2`.

    Continuously differentiable: its slope, `2 relu(x)`, is 0 at 0. The
    backward pass reads the slope from the output (`2 sqrt(y)`), so it keeps
    no tensor beyond the one the next layer keeps; the price is in float16,
    where `y` is subnormal below x = 0.0078: the slope there is off by up to
    ~2e-4 (0 for x below ~1.7e-4, where the true one is below 3.5e-4).
    Each dtype computes in its own: the square is one correctly rounded
    product, which overflows only where the true value does.
    """
    # max(x, 0), not relu(x): grappler merges Relu -> Square (r * r) into
    # one _UnaryOpsComposition kernel (tests/test_graph_kernels.py); Maximum,
    # binary, ends the chain. NaN stays NaN, -inf gives 0.
    r = ops.maximum(x, const(0.0, x))
    return r * r


@backward_of(relu_squared)
def _relu_squared_backward(dy, x, y):
    # 2 relu(x) from the output, as 2 sqrt(y): the square root of a correctly
    # rounded square is the number squared, exactly (IEEE round to nearest),
    # so the slope is exact wherever y is normal. Where y overflowed (x above
    # 1.8e19 in float32, 255.9 in float16), it is capped at the dtype's
    # largest: a finite slope, 2 sqrt(largest), and the same one in every
    # path (model-wide XLA would otherwise rewrite sqrt(r * r) to |r| and give
    # the true slope where the eager path gives inf). NaN stays NaN.
    return dy * (const(2.0, y) * ops.sqrt(ops.minimum(y, const(ops.largest(y), y))))
