"""What TensorFlow's graph optimizer merges into ``_UnaryOpsComposition``
kernels, for every reference case: the probe tests/test_graph_kernels.py
checks. It builds one graph per dtype (a few seconds each, all of it
Python's graph building), so the process of tests/producers.py runs it,
beside pytest's (``all_chains``).
"""

import numpy as np
import tensorflow as tf

import keras_acts
from references import CASES

# Not bfloat16: TensorFlow has no _UnaryOpsComposition kernel for it, so
# grappler merges nothing there (the probe below finds no composite).
DTYPES = ["float32", "float64", "float16"]


def nodes_run(graph, fetches, feed_dict):
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
        nodes = nodes_run(graph, fetches, feed)
    found = {}
    for node in nodes:
        if node.op == "_UnaryOpsComposition":
            index = int(node.name.split("/")[0].removeprefix("case"))
            found.setdefault(index, []).append([n.decode() for n in node.attr["op_names"].list.s])
    return found


def case_function(case):
    name, params = case
    return lambda x: getattr(keras_acts.activations, name)(x, **params)


# The probe's own check: a bare sigmoid(-x) is merged, or this file tests
# nothing. It rides along in every dtype's graph, as its last function.
PROBE = lambda x: tf.sigmoid(-x)  # noqa: E731


def all_chains():
    """{dtype: {case index: composed op lists}}, the probe's own last; JSON-able."""
    functions = [case_function(case) for case in CASES] + [PROBE]
    return {dtype: composed_chains(functions, dtype) for dtype in DTYPES}
