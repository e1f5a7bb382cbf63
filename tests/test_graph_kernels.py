"""What TensorFlow's graph optimizer makes of the plain (unfused) path.

Not timings: the kernels the optimized graph runs. Grappler merges a chain of
unary ops (``sigmoid(-x)``, ``exp(-|x|)``, ``square(sin(x))``) into one
``_UnaryOpsComposition`` kernel, which costs tens of microseconds more than
the chain on a small tensor (measured in keras_acts.bench at 2^14 elements);
no activation may leave such a chain in its forward or backward pass.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_acts
from references import CASES, case_id

# Not bfloat16: TensorFlow has no _UnaryOpsComposition kernel for it, so
# grappler merges nothing there (the probe below finds no composite).
DTYPES = ["float32", "float64", "float16"]


def _nodes_run(graph, fetches, feed_dict):
    """The nodes of the graph TensorFlow actually ran for ``fetches``."""
    metadata = tf.compat.v1.RunMetadata()
    with tf.compat.v1.Session(graph=graph) as session:
        session.run(
            fetches, feed_dict=feed_dict, run_metadata=metadata,
            options=tf.compat.v1.RunOptions(output_partition_graphs=True),
        )
    return [node for partition in metadata.partition_graphs for node in partition.node]


def composed_chains(functions, dtype, shape=(16, 1024)):
    """{index: [the ops each composite merged]} for the functions (by
    index) whose forward or backward grappler merged into a
    ``_UnaryOpsComposition`` kernel. All of them in one graph, each under a
    name scope of its own: one optimization and one run per dtype.

    Both passes feed on into another op, as in a model: grappler leaves a
    fetched tensor's op alone. Placeholders keep constant folding from running
    the whole step at build time."""
    dtype = tf.as_dtype(dtype)
    graph = tf.Graph()
    rng = np.random.default_rng(0)
    with graph.as_default():
        w = tf.compat.v1.placeholder(dtype, ())
        fetches, feed = [], {w: 0.5}
        for index, f in enumerate(functions):
            with tf.name_scope(f"case{index}"):
                x = tf.compat.v1.placeholder(dtype, shape)
                out = f(x) * w
                dx = tf.gradients(out, x)[0]
            fetches += [out, dx * w]
            feed[x] = rng.normal(size=shape).astype(dtype.as_numpy_dtype)
        nodes = _nodes_run(graph, fetches, feed)
    found = {}
    for node in nodes:
        if node.op == "_UnaryOpsComposition":
            index = int(node.name.split("/")[0].removeprefix("case"))
            found.setdefault(index, []).append([n.decode() for n in node.attr["op_names"].list.s])
    return found


def _case_function(case):
    name, params = case
    return lambda x: getattr(keras_acts.activations, name)(x, **params)


# The probe's own check: a bare sigmoid(-x) is merged, or this file tests
# nothing. It rides along in every dtype's graph, as its last function.
PROBE = lambda x: tf.sigmoid(-x)  # noqa: E731


@pytest.fixture(scope="module")
def chains():
    functions = [_case_function(case) for case in CASES] + [PROBE]
    return {dtype: composed_chains(functions, dtype) for dtype in DTYPES}


def test_the_probe_sees_a_composed_chain(chains):
    assert chains["float32"][len(CASES)] == [["Neg", "Sigmoid"]]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_no_unary_chain_is_merged_into_a_composite_kernel(chains, case):
    index = CASES.index(case)
    for dtype in DTYPES:
        composed = chains[dtype].get(index)
        assert not composed, f"{case_id(case)} {dtype}: {composed}"


def dense_step_fused_ops(activation):
    """The ``fused_ops`` of every fused MatMul in the optimized graph of a
    Dense layer's forward and backward (MatMul + BiasAdd + activation)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, (64, 128))
        w = tf.constant(np.random.default_rng(1).normal(size=(128, 256)).astype("float32"))
        b = tf.compat.v1.placeholder(tf.float32, (256,))
        h = activation(tf.nn.bias_add(tf.matmul(x, w), b))
        loss = tf.reduce_sum(h * h)
        grads = tf.gradients(loss, [x, b])
        feed = {x: np.ones((64, 128), "float32"), b: np.zeros(256, "float32")}
        nodes = _nodes_run(graph, [loss] + grads, feed)
    return [
        [name.decode() for name in node.attr["fused_ops"].list.s]
        for node in nodes
        if "FusedMatMul" in node.op
    ]


@pytest.mark.parametrize(
    "name,op",
    [("relu", "Relu"), ("relu6", "Relu6"), ("elu", "Elu"), ("sigmoid", "Sigmoid"),
     ("tanh", "Tanh"), ("leaky_relu", "LeakyRelu")],
)
def test_dense_keeps_grapplers_matmul_bias_activation_fusion(name, op):
    # TensorFlow fuses MatMul + BiasAdd + these activations into one kernel;
    # a custom gradient that kept the pre-activation (or went through other
    # ops) would break the pattern and lose that speed.
    # Which activations TensorFlow fuses depends on its build and the CPU
    # (Sigmoid and Tanh need oneDNN's kernels): wherever Keras's own gets the
    # fused kernel, ours must too.
    fused = dense_step_fused_ops(getattr(keras_acts.activations, name))
    if ["BiasAdd", op] not in dense_step_fused_ops(getattr(keras.activations, name)):
        pytest.skip(f"this TensorFlow does not fuse MatMul + BiasAdd + {op}, not even for Keras's")
    assert ["BiasAdd", op] in fused, fused
