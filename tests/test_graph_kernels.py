"""What TensorFlow's graph optimizer makes of the plain (unfused) path.

Not timings: the kernels the optimized graph runs. Grappler merges a chain of
unary ops (``sigmoid(-x)``, ``exp(-|x|)``, ``square(sin(x))``) into one
``_UnaryOpsComposition`` kernel, which costs tens of microseconds more than
the chain on a small tensor (measured in keras_acts.bench at 2^14 elements);
no activation may leave such a chain in its forward or backward pass.
"""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import background
import graph_probe
import keras_acts
import producers
from references import CASES, case_id

DTYPES = graph_probe.DTYPES
# The graphs are built in the background (tests/graph_probe.py).
CHAINS = background.Job(lambda folder: producers.made("graph_chains"))


@pytest.fixture(scope="module")
def chains():
    with open(os.path.join(CHAINS.result(), "graph_chains.json")) as f:
        made = json.load(f)
    return {dtype: {int(index): ops for index, ops in found.items()} for dtype, found in made.items()}


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
        nodes = graph_probe.nodes_run(graph, [loss] + grads, feed)
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
