"""Activations with learned or random parameters.

prelu, snake and star_relu have tensor parameters with gradients
(``differentiable=``) that their layers learn as weights (prelu's and
snake's one per element unless shared, star_relu's one scalar each); rrelu
draws random slopes in training.
"""

import keras

from keras_acts.backend import ops, random
from keras_acts.engine.define import backward_of, define_builtin
from keras_acts.engine.layer_bases import ParametricLayer, StochasticLayer
from keras_acts.engine.layers import constructor_signature_of
from keras_acts.numerics import const, in_float32, scaled_negative
from keras_acts.params import Boolean, Integer, PositiveOrTensor, Real, Seed, Tensor, invalid


# -- prelu -------------------------------------------------------------------
@define_builtin(
    keep="x",
    validators={"alpha": Tensor()},
    differentiable=("alpha",),
    layer="PReLU",
    layer_defaults={"alpha": "Zeros"},
    layer_base=ParametricLayer,
    formula="x if x > 0 else alpha * x",
    example={"alpha": 0.25},
    output_range="(-inf, inf)",
    monotonic=None,
    smooth=False,
    reference=(
        'He, Zhang, Ren & Sun, 2015, "Delving Deep into Rectifiers: Surpassing '
        'Human-Level Performance on ImageNet Classification"'
    ),
    example_output=(-0.5, -0.125, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
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


@backward_of(prelu)
def _prelu_backward(dy, x, y, alpha):
    zero = ops.zeros_like(dy)
    negative = x < 0
    # At x == 0 both gradients are 0, as TensorFlow's for Keras's PReLU
    # (relu(x) - alpha * relu(-x)).
    dx = ops.where(x > 0, dy, ops.where(negative, dy * alpha, zero))
    dalpha = ops.where(negative, dy * x, zero)
    return dx, dalpha


# -- snake -------------------------------------------------------------------
@define_builtin(
    keep="x",
    validators={"frequency": PositiveOrTensor()},
    differentiable=("frequency",),
    layer_defaults={"frequency": "ones"},
    layer_base=ParametricLayer,
    formula="x + sin(frequency * x)^2 / frequency",
    output_range="(-inf, inf)",
    monotonic=True,
    smooth=True,
    reference=(
        'Liu, Hartwig & Ueda, 2020, "Neural Networks Fail to Learn Periodic Functions '
        'and How to Fix It"'
    ),
    example_output=(-1.1732, -0.2702, 0.0, 0.7298, 2.8268),
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


@backward_of(snake)
def _snake_backward(dy, x, y, frequency):
    fx = frequency * x
    s = ops.sin(fx)
    sin_2fx = const(2.0, x) * s * ops.cos(fx)
    dx = dy * (const(1.0, x) + sin_2fx)
    dfrequency = dy * (x * sin_2fx - s * s / frequency) / frequency
    return dx, dfrequency


# -- star_relu ---------------------------------------------------------------------
class ScalarWeightsLayer(ParametricLayer):
    """A layer that learns each ``differentiable`` parameter as one scalar
    weight, shared by every element (star_relu's ``scale`` and ``bias``),
    started at the constructor argument of the same name, a number.

    Unlike ``ParametricLayer`` (PReLU's weight per element), its constructor
    takes the activation's arguments only: no initializers or
    ``shared_axes``. The config saves the starting values; the learned ones
    are the layer's weights, saved with them.
    """

    @classmethod
    def constructor_signature(cls, spec):
        return constructor_signature_of(spec.layer_signature.parameters.values())

    @classmethod
    def describe_argument(cls, spec, name):
        described = spec.layer_validators[name].describe()
        if name in spec.differentiable:
            return f"the starting value of the learned scalar weight `{name}` ({described})"
        return described

    def _validated_arguments(self, arguments):
        values = self.spec.validate(self.spec.layer_validators, arguments)
        starts = {n: values.pop(n) for n in self.spec.differentiable}
        return {**values, "_starts": starts}

    def build(self, input_shape):
        if self.built:  # built from a config already: no second set of weights
            return
        for name in self.spec.differentiable:
            initializer = keras.initializers.Constant(self._starts[name])
            setattr(self, name, self.add_weight(shape=(), name=name, initializer=initializer))

    def _config_arguments(self):
        config = {n: getattr(self, n) for n in self._static_names(self.spec)}
        return {**config, **self._starts}


@define_builtin(
    keep="x",
    validators={"scale": Tensor(), "bias": Tensor()},
    differentiable=("scale", "bias"),
    layer="StarReLU",
    layer_checks={"scale": Real(), "bias": Real()},
    layer_base=ScalarWeightsLayer,
    formula="scale * relu(x)^2 + bias",
    output_range="[bias, inf) for scale > 0",
    monotonic=None,
    smooth=True,
    reference='Yu et al., 2022, "MetaFormer Baselines for Vision"',
    example_output=(0.0, 0.0, 0.0, 0.25, 4.0),
    overflows_past=1e154,
)
def star_relu(x, scale=1.0, bias=0.0):
    """StarReLU (Yu et al., 2022, "MetaFormer Baselines for Vision"):
    `scale * relu(x)^2 + bias`.

    The paper's values, `scale=0.8944` and `bias=-0.4472` (`1 / sqrt(1.25)`
    and `-0.5 / sqrt(1.25)`), make the output's mean 0 and its variance 1
    for standard normal inputs (`relu(x)^2` has mean 1/2 and variance 5/4
    there); the defaults, 1 and 0, are squared ReLU. `scale` and `bias` are
    numbers, or tensors, NumPy arrays or lists broadcastable to `x`; the
    gradient flows to `x`, `scale` and `bias`. The layer `StarReLU` learns
    them as two scalar weights, started at its arguments
    (`StarReLU(scale=0.8944, bias=-0.4472)`). The backward pass keeps `x`
    (the output cannot give `relu(x)` back without dividing by `scale`).
    Half types compute the forward pass in float32 (float16's `relu(x)^2`
    overflows from x = 256 where `0.8944 relu(x)^2` does not). At `-inf`
    the output is `bias`.
    """

    def forward(x, scale, bias):
        r = ops.relu(x)
        return scale * (r * r) + bias

    return in_float32(forward, x, scale, bias)


@backward_of(star_relu)
def _star_relu_backward(dy, x, y, scale, bias):
    # The core sums the parameters' gradients to their shapes (every
    # element, for the layer's scalars): each backend's reduction of a half
    # type accumulates in float32 (4096 bfloat16 ones sum to 4096).
    r = ops.relu(x)
    dx = dy * (r * (const(2.0, x) * scale))
    return dx, (dy * r) * r, dy


# -- rrelu -------------------------------------------------------------------
def _check_rrelu_bounds(lower=1.0 / 8.0, upper=1.0 / 3.0, **_):
    if upper < lower:
        raise invalid("upper", upper, f"upper >= lower (lower={lower!r})")


def _rrelu_slopes(x, lower, upper, training, seed):
    if not training:
        return const((lower + upper) / 2.0, x)
    return random.uniform_like(x, lower, upper, seed.tensor())


@define_builtin(
    keep="x",
    validators={
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
    reference=(
        'Xu, Wang, Chen & Li, 2015, "Empirical Evaluation of Rectified Activations in '
        'Convolutional Network"'
    ),
    example_output=(-0.4583, -0.1146, 0.0, 0.5, 2.0),
    branch_slope_at_nan=True,
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


@backward_of(rrelu)
def _rrelu_backward(dy, x, y, lower, upper, training, seed):
    slope = _rrelu_slopes(x, lower, upper, training, seed)
    return ops.where(x > 0, dy, dy * slope)
