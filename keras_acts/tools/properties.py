"""Properties of every activation, checked on batches of edge and random
inputs (zeros, subnormals, the dtype's extremes, infinities, NaN), in every
float dtype: the eager, ``tf.function``, fused (compiled forward and backward
passes) and ``jit_compile=True`` paths agree, values and gradients, to
``TOLERANCES`` (those are TensorFlow's paths; on JAX eager and ``jax.jit``
agree, and PyTorch has its eager path alone: ``backend_paths()``); NaN in
gives NaN out, gradients included (but the gradient of a piecewise-linear
activation, which declares ``branch_slope_at_nan``, is its branch's slope
there); finite in gives finite out where the
math is finite; monotone activations are monotone and bounded ones stay in
their range.

``check_batch(paths, x, dy)`` states the properties for one batch;
``run_properties`` feeds it seeded batches (``keras-acts check --stress``),
``tests/test_properties.py`` feeds it from hypothesis."""

import contextlib
import math
import re

import numpy as np

import keras_acts
from keras_acts import config
from keras_acts.tools import autodiff

DTYPES = ("float16", "bfloat16", "float32", "float64")
# (rtol, atol) between the four paths: float rounding only (XLA contracts
# a * b + c into FMAs and has exp/tanh/log of its own). Every path flushes
# subnormals to zero (TensorFlow's CPU kernels and XLA alike), so atol also
# covers a subnormal that one path keeps and another flushes.
TOLERANCES = {
    "float16": (1e-2, 1e-3),
    "bfloat16": (2e-2, 2e-2),
    "float32": (2e-5, 2e-6),
    "float64": (1e-12, 1e-14),
}
SHAPE = (6, 8)  # rows of 8: normalizers along the last axis, glu's halves of 4
PATHS = ("eager", "graph", "fused", "jit")
# Monotone to within a few ulps: TensorFlow's vectorized kernels and their
# scalar tails round differently (float32 Expm1: up to 3.4 ulps in 8-wide
# packets, 0.7 in the tail), so of two nearby inputs in one batch the larger
# may come out an ulp lower (elu: f(-17) = -0.99999994, f(-15.78) = -1.0).
MONOTONE_ULPS = 4
_EPS = {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23, "float64": 2.0**-52}
_RANGE = re.compile(r"^[\(\[](-?[0-9.]+|-inf), (-?[0-9.]+|inf)[\)\]]$")
def output_bounds(spec):
    """(low, high) of ``spec``'s outputs with its default parameters: the
    declared ``bounds`` where its ``output_range`` uses a parameter or
    words, otherwise parsed from that range."""
    if spec.edges.bounds is not None:
        return spec.edges.bounds
    match = _RANGE.match(str(spec.output_range or "").strip())
    if match is None:
        return (-math.inf, math.inf)
    return tuple(float(v) for v in match.groups())


def edge_values(dtype):
    """The values every batch should meet: signed zeros, subnormals, the
    smallest normal, small and moderate values, the tails' turning points,
    the largest finite value, infinities and NaN (float64 numbers, exactly
    representable in ``dtype``)."""
    tiny, big = _limits(dtype)
    magnitudes = [
        tiny / 8, tiny, 1e-8, 1e-4, 0.01, 0.5, 1.0, 2.0, 3.0, 6.0, 10.0, 17.0,
        20.0, 40.0, 88.0, 100.0, 1e4, big / 4, big,
    ]
    values = [0.0, -0.0, math.inf, -math.inf, math.nan]
    values += [s * m for m in magnitudes for s in (1.0, -1.0)]
    return representable(values, dtype)


def _limits(dtype):
    """The smallest normal and the largest finite value of ``dtype``."""
    if dtype == "bfloat16":
        return 2.0**-126, 3.3895313892515355e38
    info = np.finfo(dtype)
    return float(info.tiny), float(info.max)


def representable(values, dtype):
    """``values`` rounded to ``dtype`` and back to float64."""
    with autodiff.float64(), np.errstate(over="ignore", invalid="ignore"):
        x = autodiff.cast(autodiff.tensor(np.asarray(values, np.float64), "float64"), dtype)
        return autodiff.numpy(x, "float64")


def sample_batch(rng, dtype, shape=SHAPE, edge_share=0.3):
    """A seeded batch: edge values (``edge_share`` of them) and random ones
    of every magnitude, in random places (so each row of a normalizer meets
    a few), and a dy."""
    edges = edge_values(dtype)
    size = int(np.prod(shape))
    magnitude = 10.0 ** rng.uniform(-6, 2.5, size=size)
    x = magnitude * rng.choice([-1.0, 1.0], size=size)
    picks = rng.random(size) < edge_share
    x[picks] = rng.choice(edges, size=int(picks.sum()))
    dy = rng.normal(size=size)
    return representable(x, dtype).reshape(shape), dy.reshape(shape)


class Case:
    """One activation in one dtype: its parameters, its kind of output and
    its value-and-gradient step."""

    def __init__(self, spec, dtype, params=None):
        self.spec, self.dtype = spec, dtype
        self.params = spec.example_params if params is None else params
        # "elementwise", "axis" (normalizers) or "reshaping" (glu and the
        # gated units halve the last axis), as the declaration says.
        self.kind = spec.kind

    def out_cols(self, x):  # glu halves the last axis
        return x.shape[-1] // (2 if self.kind == "reshaping" else 1)

    def step(self, x, dy):
        """(y, dx) for ``dy`` as wide as ``x``; glu's output takes its first half."""
        dy = dy[..., : self.out_cols(x)]
        if not autodiff.is_tensorflow():
            y, (dx,) = autodiff.vjp_step(lambda x: self.spec.function(x, **self.params))(dy, x)
            return y, dx
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            y = self.spec.function(x, **self.params)
        return y, tape.gradient(y, x, output_gradients=tf.cast(dy, y.dtype))


class Paths:
    """Every stressed activation in one dtype, along the paths of
    ``backend_paths()``: on TensorFlow the four of ``PATHS``. The graph and
    jit paths are each one ``tf.function`` over all the activations: one
    trace and one XLA compile per dtype, not per activation (on JAX, jit is
    one ``jax.jit`` over them all). The fused path compiles each
    activation's own passes, as the fusion engine does in use;
    ``fused=False`` leaves it out (``run`` then gives three paths)."""

    def __init__(self, dtype, fused=True, specs=None):
        self.dtype = dtype
        self.cases = [Case(spec, dtype) for spec in (specs or stressed_specs())]
        every = self._every
        if not autodiff.is_tensorflow():
            self.paths = {"eager": (None, every)}
            if "jit" in backend_paths():
                import jax

                self.paths["jit"] = (None, jax.jit(every))
            return
        import tensorflow as tf

        graph = tf.function(every, autograph=False)
        jit = tf.function(every, jit_compile=True, autograph=False)
        self.paths = {"eager": ("never", every), "graph": ("never", graph)}
        if fused:
            self.paths["fused"] = ("always", every)
        self.paths["jit"] = ("never", jit)

    def _every(self, x, dy):
        return [case.step(x, dy) for case in self.cases]

    def run(self, x, dy):
        """{activation: {path: (y, dx)}} as float64 arrays, for float64
        ``x`` and ``dy`` of ``SHAPE``."""
        out = {case.spec.name: {} for case in self.cases}
        with autodiff.float64():
            xt = autodiff.cast(autodiff.tensor(x, "float64"), self.dtype)
            dyt = autodiff.tensor(dy, "float64")
            for path, (mode, fn) in self.paths.items():
                with _fusion(mode):
                    results = fn(xt, dyt)
                for case, (y, dx) in zip(self.cases, results):
                    out[case.spec.name][path] = tuple(autodiff.numpy(t, "float64") for t in (y, dx))
        return out

    def reference(self, x, dy):
        """{activation: (y, dx)} computed eagerly in float64, for
        finiteness; None for float64 itself."""
        if self.dtype == "float64":
            return None
        with autodiff.float64(), _fusion("never"):
            x64, dy64 = (autodiff.tensor(v, "float64") for v in (x, dy))
            return {
                case.spec.name: tuple(
                    autodiff.numpy(t) for t in Case(case.spec, "float64", case.params).step(x64, dy64)
                )
                for case in self.cases
            }

    _cache = {}

    @classmethod
    def cached(cls, dtype, fused=True):
        key = (dtype, fused)
        if key not in cls._cache:
            cls._cache[key] = cls(dtype, fused)
        return cls._cache[key]


def _fusion(mode):
    """A fusion block on TensorFlow (``mode`` None: none); fusion is
    TensorFlow's XLA alone."""
    if mode is None or not autodiff.is_tensorflow():
        return contextlib.nullcontext()
    return config.fusion(mode, min_size=0)


def backend_paths(fused=True):
    """The paths the active backend runs: TensorFlow's of ``PATHS``
    (``fused=False``: without the fused one), ``("eager", "jit")`` on JAX
    (``jax.jit``), ``("eager",)`` on PyTorch."""
    backend = autodiff.name()
    if backend == "tensorflow":
        return tuple(p for p in PATHS if fused or p != "fused")
    return ("eager", "jit") if backend == "jax" else ("eager",)


def describe_paths(paths):
    """The paths in words: ``eager, tf.function, fused, XLA`` on TensorFlow,
    ``eager, jax.jit`` on JAX."""
    words = {"graph": "tf.function", "jit": "XLA" if autodiff.is_tensorflow() else "jax.jit"}
    return ", ".join(words.get(p, p) for p in paths)


def stressed_specs():
    """The catalog's activations the properties cover: all that run with
    their example arguments (rrelu runs at inference here, its documented
    default)."""
    specs = []
    for spec in keras_acts.catalog(builtin=True):
        try:
            spec.example_params
        except ValueError:
            continue
        specs.append(spec)
    return specs


# -- the properties -----------------------------------------------------------


def check_batch(paths, x, dy):
    """Every property of every activation of ``paths`` on one batch: a list
    of violations (empty when all hold), each a line naming the activation,
    dtype and property."""
    out, ref = paths.run(x, dy), paths.reference(x, dy)
    found = []
    for case in paths.cases:
        name = case.spec.name
        found += [f"{name} {case.dtype}: {line}" for line in _check_case(case, x, out[name], ref and ref[name])]
    return found


def _check_case(case, x, out, ref):
    y, dx = out["eager"]
    return (
        _agreement(out, case.dtype)
        + _nan_propagation(case, x, y, dx)
        + _finiteness(case, x, ref, y, dx)
        + _shape_properties(case, x, y)
    )


def _close(a, b, dtype):
    """Where ``a`` and ``b`` differ beyond the dtype's tolerance (a value at
    the dtype's largest that one path rounds to inf is close)."""
    rtol, atol = TOLERANCES[dtype]
    big = _limits(dtype)[1] * (1 - rtol)
    with np.errstate(invalid="ignore", over="ignore"):
        same = (a == b) | (np.abs(a - b) <= atol + rtol * np.abs(b))
        same |= (np.abs(a) >= big) & (np.abs(b) >= big) & (np.sign(a) == np.sign(b))
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    return np.where(nan_a | nan_b, nan_a != nan_b, ~same)


def _agreement(out, dtype):
    y0, dx0 = out["eager"]
    found = []
    for path in PATHS[1:]:
        if path not in out:
            continue
        y, dx = out[path]
        for what, a, b in (("value", y, y0), ("gradient", dx, dx0)):
            bad = _close(a, b, dtype)
            if bad.any():
                i = tuple(np.argwhere(bad)[0])
                found.append(f"{path} {what} differs from eager at {i}: {a[i]!r} vs {b[i]!r}")
    return found


def _nan_masks(case, x):
    """Where NaN must come out: (in y, in dx), from where NaN went in."""
    nan = np.isnan(x)
    if case.kind == "axis":
        rows = nan.any(axis=-1, keepdims=True)
        return np.broadcast_to(rows, x.shape), np.broadcast_to(rows, x.shape)
    if case.kind == "reshaping":
        a, b = np.split(nan, 2, axis=-1)
        if case.spec.edges.gate == "first":  # d/db = gate(a) does not involve b
            return a | b, np.concatenate([a | b, a], axis=-1)
        # d/da = sigmoid(b) does not involve a; d/db involves both.
        return a | b, np.concatenate([b, a | b], axis=-1)
    # Piecewise-linear activations declare ``branch_slope_at_nan``: at NaN
    # their gradient is the slope of the branch NaN falls into, in every
    # path, as TensorFlow's own ReluGrad, EluGrad and the like give for
    # Keras's built-ins (a NaN select in each backward would cost two more
    # kernels on the hottest passes).
    return nan, nan & (not case.spec.edges.branch_slope_at_nan)


def _nan_propagation(case, x, y, dx):
    in_y, in_dx = _nan_masks(case, x)
    found = []
    if not np.isnan(y[in_y]).all():
        found.append(f"NaN in, not NaN out: x {x[in_y & ~np.isnan(y)][:3]}")
    if not np.isnan(dx[in_dx]).all():
        found.append(f"NaN in, gradient not NaN: {dx[in_dx & ~np.isnan(dx)][:3]}")
    return found


def _finite_inputs(case, x, like_x):
    """Where every input an output (or a gradient, ``like_x``) depends on
    is finite."""
    finite = np.isfinite(x)
    if case.kind == "axis":
        return np.broadcast_to(finite.all(axis=-1, keepdims=True), x.shape)
    if case.kind == "reshaping":
        a, b = np.split(finite, 2, axis=-1)
        return np.concatenate([a & b, a & b], axis=-1) if like_x else a & b
    return finite


def _finite_expected(case, x, ref, like_x):
    """Where the math is finite, for finite inputs: where the float64
    reference is, and fits the dtype; for float64 itself, below the
    overflow of the few activations that grow faster than x."""
    finite = _finite_inputs(case, x, like_x)
    if ref is not None:
        with np.errstate(invalid="ignore"):
            # Within 1% of the largest value, rounding decides (exp(88.7) in
            # float32 times a dy of 1.003).
            top = _limits(case.dtype)[1] * 0.99
            return finite & np.isfinite(ref) & (np.abs(ref) <= top)
    edges = case.spec.edges
    if edges.span_overflows:  # x - max(x) overflows past a span of max
        with np.errstate(invalid="ignore", over="ignore"):
            span = np.nanmax(x, axis=-1, keepdims=True) - x
        return finite & (span < _limits(case.dtype)[1])
    if case.kind == "reshaping" and edges.gate == "first":
        # The gated units: |gate(a)| <= max(|a|, 0.3), slope <= 1.13, |dy| < 8.
        a, b = np.split(np.abs(x), 2, axis=-1)
        top = _limits(case.dtype)[1] / 16
        with np.errstate(over="ignore", invalid="ignore"):
            fits = np.tile((a < top) & (b < top), 2) if like_x else np.maximum(a, 1.0) * b < top
        return finite & fits
    if edges.overflows_past is None:
        return finite
    with np.errstate(invalid="ignore"):
        return finite & (x < edges.overflows_past)


def _finiteness(case, x, ref, y, dx):
    ref_y, ref_dx = (None, None) if ref is None else ref
    want_y = _finite_expected(case, x, ref_y, like_x=False)
    want_dx = _finite_expected(case, x, ref_dx, like_x=True)
    if case.kind == "elementwise":
        # A backward that works from y (exponential's dy * y) overflows
        # where y does, even if dy * exp(x) would fit.
        want_dx = want_dx & want_y
    found = []
    for what, got, want in (("value", y, want_y), ("gradient", dx, want_dx)):
        bad = want & ~np.isfinite(got)
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            found.append(f"finite in, {what} {got[i]} out (x row {x[i[:-1]]})")
    return found


def _shape_properties(case, x, y):
    found = []
    low, high = output_bounds(case.spec)
    rtol = TOLERANCES[case.dtype][0]
    seen = y[~np.isnan(y)]
    slack_low, slack_high = rtol * max(1.0, abs(low)), rtol * max(1.0, abs(high))
    if seen.size and (seen.min() < low - slack_low or seen.max() > high + slack_high):
        found.append(f"outside [{low}, {high}]: {seen.min()}, {seen.max()}")
    if case.kind == "elementwise" and case.spec.monotonic:
        keep = ~np.isnan(x.ravel())
        xs, ys = x.ravel()[keep], y.ravel()[keep]
        order = np.argsort(xs, kind="stable")
        ys = ys[order]
        with np.errstate(invalid="ignore"):  # inf - inf between equal infinities
            drops = np.diff(ys) < -MONOTONE_ULPS * _EPS[case.dtype] * np.abs(ys[1:])
        if drops.any():
            i = int(np.argmax(drops))
            found.append(f"not monotone: f({xs[order][i]}) = {ys[i]} > "
                         f"f({xs[order][i + 1]}) = {ys[i + 1]}")
    return found


# -- the run ------------------------------------------------------------------


def run_properties(batches=2, seed=0, log=None):
    """Every activation, every dtype: the edge batch, its roll, and
    ``batches`` seeded random ones. Returns (batches checked, violations)."""
    rng = np.random.default_rng(seed)
    checked, violations = 0, []
    for dtype in DTYPES:
        paths = Paths.cached(dtype)
        edges = np.resize(edge_values(dtype), SHAPE)
        dy = rng.normal(size=SHAPE)
        found = check_batch(paths, edges, dy) + check_batch(paths, np.roll(edges, 5), dy)
        for _ in range(batches):
            found += check_batch(paths, *sample_batch(rng, dtype))
        checked += (2 + batches) * len(paths.cases)
        violations += found
        if log:
            log(f"  properties: {dtype} ({checked} batches so far)")
    return checked, violations
