"""Property tests for every activation, every float dtype: the eager,
tf.function, fused and jit_compile=True paths agree (values and gradients,
to keras_acts.tools.stress.TOLERANCES, subnormals included); NaN in gives
NaN out, gradients included (piecewise-linear ones: see
stress.SLOPE_AT_NAN); finite in gives finite out where the math is finite;
monotone activations are monotone; bounded ones stay in range.

hypothesis draws the batches (each example is a whole batch of 48 values,
edge values mixed in); each activation's four paths are built once and
reused. The properties themselves live in keras_acts.tools.stress, which
`keras-acts check --stress` runs on a user's install."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keras_acts.tools import stress

SPECS = stress.stressed_specs()
EXAMPLES = 3


@pytest.mark.parametrize("dtype", stress.DTYPES)
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(seed=st.integers(0, 2**32 - 1), edge_share=st.floats(0.0, 1.0))
def test_properties_hold(spec, dtype, seed, edge_share):
    case = stress.Case.cached(spec, dtype)
    rng = np.random.default_rng(seed)
    x, dy = stress.sample_batch(rng, dtype, edge_share=edge_share)
    assert stress.check_batch(case, x, dy) == []


@pytest.mark.parametrize("dtype", stress.DTYPES)
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_edge_value_at_once(spec, dtype):
    case = stress.Case.cached(spec, dtype)
    edges = stress.edge_values(dtype)
    x = np.resize(edges, stress.SHAPE)
    dy = np.random.default_rng(0).normal(size=stress.SHAPE)
    assert stress.check_batch(case, x, dy) == []
    # And shifted, so every edge value meets every other in a row.
    assert stress.check_batch(case, np.roll(x, 5), dy) == []
