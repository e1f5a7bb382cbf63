"""Property tests for every activation, every float dtype: the eager,
tf.function and jit_compile=True paths agree (values and gradients, to
keras_acts.tools.properties.TOLERANCES, subnormals included); NaN in gives
NaN out, gradients included (but a piecewise-linear activation's gradient
is its branch's slope: its declaration's Edges.branch_slope_at_nan); finite in gives finite out where the math is
finite; monotone activations are monotone; bounded ones stay in range.

hypothesis draws the batches (each example is a whole batch of 48 values,
edge values mixed in) and every activation of the dtype meets each one. The
graph and jit paths of a dtype are one traced function over all the
activations, built once (one trace and one XLA compile per dtype).

The fourth path, fused (each activation's forward and backward compiled on
their own by the fusion engine), compiles the same XLA forms as the jit path
and costs about a quarter second per activation and dtype: here it runs on
the edge batch for one activation of each kind, in every dtype;
``keras-acts check --stress`` runs it for every activation in every dtype
on a user's install (docs/reliability.md). The same compiled paths then
meet rows where log_softmax's peak is far below 1 ulp of 1: there every
path must give the float64 value, not merely agree with eager."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import tensorflow as tf

from keras_acts import config
from keras_acts.tools import properties
from references import BY_NAME

EXAMPLES = 2


@pytest.fixture(scope="module", autouse=True)
def _drop_compiled_paths():
    yield
    properties.Paths._cache.clear()  # ~40 traced functions per dtype
    _FUSED_PATHS.clear()


def _paths(dtype):
    return properties.Paths.cached(dtype, fused=False)


@pytest.mark.parametrize("dtype", properties.DTYPES)
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(seed=st.integers(0, 2**32 - 1), edge_share=st.floats(0.0, 1.0))
def test_properties_hold(dtype, seed, edge_share):
    rng = np.random.default_rng(seed)
    x, dy = properties.sample_batch(rng, dtype, edge_share=edge_share)
    assert properties.check_batch(_paths(dtype), x, dy) == []


@pytest.mark.parametrize("dtype", properties.DTYPES)
def test_every_edge_value_at_once(dtype):
    paths = _paths(dtype)
    x = np.resize(properties.edge_values(dtype), properties.SHAPE)
    dy = np.random.default_rng(0).normal(size=properties.SHAPE)
    assert properties.check_batch(paths, x, dy) == []
    # And shifted, so every edge value meets every other in a row.
    assert properties.check_batch(paths, np.roll(x, 5), dy) == []


def test_every_activation_meets_every_path():
    names = {case.spec.name for case in _paths("float32").cases}
    assert names == {spec.name for spec in properties.stressed_specs()}
    assert set(_paths("float32").paths) == set(properties.PATHS) - {"fused"}


# One activation of each kind the fusion engine compiles: erf, softplus and
# tanh, expm1, a normalizer, a halving axis, a periodic one, a piecewise one,
# a parameter tensor; and log_softmax, for its peaks (below).
ONE_OF_EACH_KIND = (
    "gelu", "mish", "elu", "softmax", "glu", "snake", "hard_shrink", "prelu", "log_softmax",
)
_FUSED_PATHS = {}


def _fused_paths(dtype):
    """The four paths of ``ONE_OF_EACH_KIND``: one trace and one XLA compile
    per dtype (and each activation's fused passes), shared by the tests."""
    if dtype not in _FUSED_PATHS:
        specs = [spec for spec in properties.stressed_specs() if spec.name in ONE_OF_EACH_KIND]
        assert len(specs) == len(ONE_OF_EACH_KIND)
        _FUSED_PATHS[dtype] = properties.Paths(dtype, fused=True, specs=specs)
    return _FUSED_PATHS[dtype]


@pytest.mark.parametrize("dtype", properties.DTYPES)
def test_the_fused_path_holds_the_properties(dtype):
    paths = _fused_paths(dtype)
    assert set(paths.paths) == set(properties.PATHS)
    x = np.resize(properties.edge_values(dtype), properties.SHAPE)
    dy = np.random.default_rng(0).normal(size=properties.SHAPE)
    assert properties.check_batch(paths, x, dy) == []
    # The fused passes keep the input's dtype (check_batch compares in float64).
    x, dy = tf.cast(tf.constant(x), dtype), tf.constant(dy)
    with config.fusion("always", min_size=0):
        for case in paths.cases:
            assert [t.dtype for t in case.step(x, dy)] == [x.dtype, x.dtype], case.spec.name


# Rows whose log_softmax at the peak, -log1p(sum of the other exps), is far
# below 1 ulp of 1: the log of the whole sum (TensorFlow's LogSoftmax kernel)
# gives 0 there, or a value off by up to 1 ulp of 1. Padded with -1e4 (exp 0).
PEAK_ROWS = [
    [17.0, -0.7587099671363831, -2.086369037628174, -9.079590954140602e-15],  # -6.59e-8
    [0.0, -7.0, -8.0, -9.0],  # -1.37e-3
    [1e4, 1e4 - 16.0, -30.0],  # -1.1e-7, and an entry near -16
    [3.0, 3.0 - 2.0**-10, -20.0, 1.0],  # an entry near the peak: -0.69
    [5.0, 5.0, -12.0, 4.0],  # a tie
    [-40.0, -57.0, -60.0, -41.5, -48.0],  # a negative peak: -0.2
]
# (rtol, atol) against the float64 reference rounded to the dtype: a few ulp
# (x - max rounds in the dtype; half types round a float32 value once),
# where the log of the whole sum is off by up to 1 ulp of 1 at every entry.
PEAK_TOLERANCES = {
    "float16": (2.0**-10, 2.0**-14),
    "bfloat16": (2.0**-7, 2.0**-126),
    "float32": (2.0**-21, 2.0**-126),
    "float64": (2.0**-49, 2.0**-1022),
}


@pytest.mark.parametrize("dtype", properties.DTYPES)
def test_log_softmax_at_a_peak_is_the_float64_value_in_every_path(dtype):
    # The batch has the shape the paths were built for: no new trace or compile.
    rows = [row + [-1e4] * (properties.SHAPE[1] - len(row)) for row in PEAK_ROWS]
    x = properties.representable(np.array(rows), dtype)
    dy = np.random.default_rng(1).normal(size=properties.SHAPE)
    out = _fused_paths(dtype).run(x, dy)["log_softmax"]
    want = BY_NAME["log_softmax"].numpy(x)
    want = tf.cast(tf.cast(want, dtype), tf.float64).numpy()
    rtol, atol = PEAK_TOLERANCES[dtype]
    for path in properties.PATHS:
        np.testing.assert_allclose(out[path][0], want, rtol=rtol, atol=atol, err_msg=path)


def test_a_violation_is_reported_by_name(monkeypatch):
    paths = _paths("float32")
    x, dy = properties.sample_batch(np.random.default_rng(0), "float32")
    honest = paths.run

    def one_path_off(x, dy):
        out = honest(x, dy)
        y, dx = out["mish"]["jit"]
        out["mish"]["jit"] = (y * 1.01, dx)
        return out

    monkeypatch.setattr(paths, "run", one_path_off)
    found = properties.check_batch(paths, x, dy)
    assert found and all(line.startswith("mish float32: jit value differs") for line in found)
