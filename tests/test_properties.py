"""Property tests for every activation, every float dtype: the eager,
tf.function and jit_compile=True paths agree (values and gradients, to
keras_acts.tools.properties.TOLERANCES, subnormals included); NaN in gives
NaN out, gradients included (piecewise-linear ones: see
properties.SLOPE_AT_NAN); finite in gives finite out where the math is
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
on a user's install (docs/reliability.md)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import tensorflow as tf

from keras_acts import config
from keras_acts.tools import properties

EXAMPLES = 2


@pytest.fixture(scope="module", autouse=True)
def _drop_compiled_paths():
    yield
    properties.Paths._cache.clear()  # ~40 traced functions per dtype


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
# a parameter tensor.
ONE_OF_EACH_KIND = ("gelu", "mish", "elu", "softmax", "glu", "snake", "hard_shrink", "prelu")


@pytest.mark.parametrize("dtype", properties.DTYPES)
def test_the_fused_path_holds_the_properties(dtype):
    specs = [spec for spec in properties.stressed_specs() if spec.name in ONE_OF_EACH_KIND]
    assert len(specs) == len(ONE_OF_EACH_KIND)
    paths = properties.Paths(dtype, fused=True, specs=specs)
    assert set(paths.paths) == set(properties.PATHS)
    x = np.resize(properties.edge_values(dtype), properties.SHAPE)
    dy = np.random.default_rng(0).normal(size=properties.SHAPE)
    assert properties.check_batch(paths, x, dy) == []
    # The fused passes keep the input's dtype (check_batch compares in float64).
    x, dy = tf.cast(tf.constant(x), dtype), tf.constant(dy)
    with config.fusion("always", min_size=0):
        for case in paths.cases:
            assert [t.dtype for t in case.step(x, dy)] == [x.dtype, x.dtype], case.spec.name


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
