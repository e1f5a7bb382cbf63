"""Activations with learned or random parameters.

prelu and snake have tensor parameters with gradients (``differentiable=``)
that their layers learn as weights; rrelu draws random slopes in training.
"""

from keras_acts.backend import ops, random
from keras_acts.engine.define import define_builtin
from keras_acts.engine.layer_bases import ParametricLayer, StochasticLayer
from keras_acts.numerics import const, scaled_negative
from keras_acts.params import Boolean, Integer, PositiveOrTensor, Real, Seed, Tensor, invalid


# -- prelu -------------------------------------------------------------------
def _prelu_backward(dy, x, y, alpha):
    zero = ops.zeros_like(dy)
    negative = x < 0
    # At x == 0 both gradients are 0, as TensorFlow's for Keras's PReLU
    # (relu(x) - alpha * relu(-x)).
    dx = ops.where(x > 0, dy, ops.where(negative, dy * alpha, zero))
    dalpha = ops.where(negative, dy * x, zero)
    return dx, dalpha


@define_builtin(
    backward=_prelu_backward,
    keep="x",
    params={"alpha": Tensor()},
    differentiable=("alpha",),
    layer="PReLU",
    layer_defaults={"alpha": "Zeros"},
    layer_base=ParametricLayer,
    formula="x if x > 0 else alpha * x",
    example={"alpha": 0.25},
    output_range="(-inf, inf)",
    monotonic=None,
    smooth=False,
)


def prelu(x, alpha):
    """Parametric ReLU: `x` where positive, `alpha * x` elsewhere.

    `alpha` (required) is a number, or a tensor, NumPy array or list of
    numbers broadcastable to `x`; the gradient flows to both `x` and
    `alpha`. At `x == 0` both gradients are 0, as TensorFlow's gradient of
    Keras's `PReLU` layer. The layer `PReLU` learns `alpha` exactly as
    Keras's `PReLU` does (same constructor, weight shape, `shared_axes` and
    config).
    """
    return scaled_negative(x, alpha)


# -- snake -------------------------------------------------------------------
def _snake_backward(dy, x, y, frequency):
    fx = frequency * x
    s = ops.sin(fx)
    sin_2fx = const(2.0, x) * s * ops.cos(fx)
    dx = dy * (const(1.0, x) + sin_2fx)
    dfrequency = dy * (x * sin_2fx - s * s / frequency) / frequency
    return dx, dfrequency


@define_builtin(
    backward=_snake_backward,
    keep="x",
    params={"frequency": PositiveOrTensor()},
    differentiable=("frequency",),
    layer_defaults={"frequency": "ones"},
    layer_base=ParametricLayer,
    formula="x + sin(frequency * x)^2 / frequency",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
)


def snake(x, frequency=1.0):
    """Snake (Liu et al., 2020): `x + sin(frequency * x)^2 / frequency`.

    A periodic activation for periodic signals. The gradient flows to `x`
    and `frequency` (a positive number, or a tensor, NumPy array or list of
    them broadcastable to `x`); the layer `Snake` learns `frequency` as a
    weight, one per input element unless `shared_axes` shares it
    (`frequency_initializer="ones"`). At `+-inf` the output is `+-inf`, its
    limit; where `frequency * x` overflows (float16) the output is `x`, to
    which the result rounds.
    """
    fx = frequency * x
    s = ops.sin(fx)
    # Not s * s: the optimizer makes that Square(Sin(fx)), which it merges
    # into a slow composite kernel (see keras_acts.numerics.negated).
    y = x + s * (s / frequency)
    # An infinite frequency * x (x infinite, or the product overflowing in
    # float16) means sin^2(fx) / frequency is below half an ulp of x: the
    # output rounds to x. A frequency of exactly 0 (a number is refused; a
    # tensor or a learned weight can reach it) divides by 0: NaN, where the
    # limit is x. Selecting the limit would cost the hot path two kernels a
    # pass for a point a positive-frequency model never reaches; a learned
    # frequency is kept off 0 with a constraint if it ever heads there.
    return ops.where(ops.isinf(fx), x, y)


# -- rrelu -------------------------------------------------------------------
def _check_rrelu_bounds(lower=1.0 / 8.0, upper=1.0 / 3.0, **_):
    if upper < lower:
        raise invalid("upper", upper, f"upper >= lower (lower={lower!r})")


def _rrelu_slopes(x, lower, upper, training, seed):
    if not training:
        return const((lower + upper) / 2.0, x)
    return random.uniform_like(x, lower, upper, seed.tensor())


def _rrelu_backward(dy, x, y, lower, upper, training, seed):
    slope = _rrelu_slopes(x, lower, upper, training, seed)
    return ops.where(x > 0, dy, dy * slope)


@define_builtin(
    backward=_rrelu_backward,
    keep="x",
    params={
        "lower": Real(min=0.0),
        "upper": Real(min=0.0),
        "training": Boolean(),
        "seed": Seed(),
    },
    layer="RReLU",
    layer_checks={"seed": Integer(optional=True)},
    layer_base=StochasticLayer,
    check=_check_rrelu_bounds,
    formula=(
        "x if x > 0 else slope * x; slope ~ U[lower, upper] per element in "
        "training, (lower + upper) / 2 in inference"
    ),
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=False,
)


def rrelu(x, lower=1.0 / 8.0, upper=1.0 / 3.0, training=False, seed=None):
    """Randomized leaky ReLU (Xu et al., 2015).

    `x` where positive, else `slope * x`. With `training=True` each element
    draws its slope uniformly in `[lower, upper]` (reproducibly for an int
    `seed` or a `keras.random.SeedGenerator`); otherwise the slope is
    `(lower + upper) / 2`. The gradient uses the same slopes as the forward
    pass (regenerated from the same stateless seed); at `x == 0` it is the
    slope, as PyTorch's. The layer `RReLU(lower, upper, seed)` follows
    Keras's training flag: random in `fit`, deterministic in `predict`.
    """
    _check_rrelu_bounds(lower, upper)
    return scaled_negative(x, _rrelu_slopes(x, lower, upper, training, seed))
