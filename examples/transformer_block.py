"""A transformer block with a SwiGLU feed-forward: train, save, reload, port.

Run: python examples/transformer_block.py [--quick]

1. A pre-norm block: x + MultiHeadAttention(LayerNorm(x)), then
   h + Dense(d_model)(SwiGLU()(Dense(2 * hidden)(LayerNorm(h)))). SwiGLU
   halves its axis, so it is a layer after a Dense twice as wide, never a
   Dense's activation= (it has no string).
2. A few training steps on generated sequences (each position learns the
   sum of its neighbours), then save and reload: the same predictions.
3. Memory: the bytes one SwiGLU call keeps for its backward pass, ours
   (the input x, nothing else) against swiglu written with keras.ops
   (both halves and silu's output), counted in TensorFlow's traced graph.
4. Porting LLaMA: its MLP keeps two matrices, gate_proj and up_proj
   (PyTorch's weights, shaped (hidden, d_model)). They are one
   Dense(2 * hidden) whose kernel is the two transposed and concatenated,
   gate first; down_proj is Dense(d_model) with its weight transposed.
   Checked against silu(x @ gate.T) * (x @ up.T) @ down.T in NumPy.

--quick: smaller, three eager steps (what tests/test_examples.py runs).
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tempfile  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_acts  # noqa: E402  (registers the layers for loading)


def transformer_block(seq, d_model, heads, hidden):
    """One pre-norm block with a SwiGLU feed-forward."""
    inputs = keras.Input((seq, d_model))
    h = keras.layers.LayerNormalization()(inputs)
    h = keras.layers.MultiHeadAttention(heads, d_model // heads)(h, h)
    h = keras.layers.Add()([inputs, h])
    f = keras.layers.LayerNormalization()(h)
    f = keras.layers.Dense(2 * hidden, use_bias=False, name="gate_and_up")(f)  # gate first
    f = keras_acts.layers.SwiGLU()(f)  # silu(gate) * up: (..., 2 * hidden) -> (..., hidden)
    f = keras.layers.Dense(d_model, use_bias=False, name="down")(f)
    return keras.Model(inputs, keras.layers.Add()([h, f]))


def train_save_reload(quick):
    seq, d_model, heads, hidden = (8, 16, 2, 32) if quick else (32, 64, 4, 172)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64 if quick else 512, seq, d_model)).astype("float32")
    y = np.roll(x, 1, axis=1) + np.roll(x, -1, axis=1)  # attention has to look around
    model = transformer_block(seq, d_model, heads, hidden)
    model.compile(optimizer=keras.optimizers.Adam(1e-2 if quick else 3e-3), loss="mse",
                  run_eagerly=quick)
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, batch_size=len(x) if quick else 64, epochs=3 if quick else 20, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    print(f"loss {before:.4f} -> {after:.4f} after training")
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "block.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        same = np.array_equal(keras.ops.convert_to_numpy(model(x)), keras.ops.convert_to_numpy(loaded(x)))
    print("saved, loaded, identical predictions:", same)
    return after < before and same


def kept_for_backward(f, shape):
    """Bytes of the tensors that the backward pass of ``f`` reads from its
    forward pass, in the graph TensorFlow traces for one step (before its
    optimizer), the incoming gradient left out: what a training step holds
    between the passes for this call."""
    import tensorflow as tf

    marks = {}

    def step(x, dy):
        graph = tf.compat.v1.get_default_graph()
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        marks["forward_ops"], marks["dy"] = len(graph.get_operations()), dy
        return tape.gradient(y, x, output_gradients=dy)

    # The plain passes, not XLA-compiled ones (keras_acts.config): the same
    # tensors cross between them, and nothing compiles.
    with keras_acts.config.fusion("never"):
        out_shape = tf.function(f, autograph=False).get_concrete_function(
            tf.TensorSpec(shape)
        ).structured_outputs.shape
        graph = tf.function(step, autograph=False).get_concrete_function(
            tf.TensorSpec(shape), tf.TensorSpec(out_shape)
        ).graph
    ops = graph.get_operations()
    produced = {t.ref() for op in ops[: marks["forward_ops"]] for t in op.outputs}
    read = {t.ref(): t for op in ops[marks["forward_ops"]:] for t in op.inputs if t.ref() in produced}
    read.pop(marks["dy"].ref(), None)
    kept = [t for t in read.values() if (t.shape.num_elements() or 0) > 1]  # not constants
    return sum(t.shape.num_elements() * t.dtype.size for t in kept), sorted(t.op.type for t in kept)


def keras_ops_swiglu(x):
    a, b = keras.ops.split(x, 2, axis=-1)
    return keras.ops.silu(a) * b


def memory(quick):
    if keras.backend.backend() != "tensorflow":
        print("memory: counted on TensorFlow only (KERAS_BACKEND=tensorflow)")
        return True
    # (batch, sequence, 2 * hidden): LLaMA-7B's hidden is 11008, here 1376.
    shape = (8, 32, 2 * 172) if quick else (16, 1024, 2 * 1376)
    ours, ours_what = kept_for_backward(keras_acts.activations.swiglu, shape)
    theirs, theirs_what = kept_for_backward(keras_ops_swiglu, shape)
    print(f"kept for the backward pass of one SwiGLU call on an input of shape {shape}:")
    print(f"  keras_acts swiglu: {ours:>11,} bytes  {ours_what} (the input x)")
    print(f"  keras.ops swiglu:  {theirs:>11,} bytes  {theirs_what} (a, b, silu(a))")
    print(f"  saved: {theirs - ours:,} bytes ({1 - ours / theirs:.0%})")
    return ours < theirs


def port_llama_mlp():
    """LLaMA's MLP, down_proj(silu(gate_proj(x)) * up_proj(x)), as Keras layers."""
    d_model, hidden = 8, 12
    rng = np.random.default_rng(1)
    # PyTorch's nn.Linear weights are (out_features, in_features): y = x @ W.T.
    gate_proj = rng.normal(size=(hidden, d_model)).astype("float32")
    up_proj = rng.normal(size=(hidden, d_model)).astype("float32")
    down_proj = rng.normal(size=(d_model, hidden)).astype("float32")

    gate_and_up = keras.layers.Dense(2 * hidden, use_bias=False)
    down = keras.layers.Dense(d_model, use_bias=False)
    gate_and_up.build((None, d_model))
    down.build((None, hidden))
    # Keras kernels are (in, out): transpose, and concatenate gate FIRST.
    gate_and_up.set_weights([np.concatenate([gate_proj.T, up_proj.T], axis=1)])
    down.set_weights([down_proj.T])

    x = rng.normal(size=(5, d_model)).astype("float32")
    ours = keras.ops.convert_to_numpy(down(keras_acts.layers.SwiGLU()(gate_and_up(x))))
    g = x.astype(np.float64) @ gate_proj.T.astype(np.float64)
    u = x.astype(np.float64) @ up_proj.T.astype(np.float64)
    expected = (g / (1.0 + np.exp(-g)) * u) @ down_proj.T.astype(np.float64)
    worst = float(np.max(np.abs(ours - expected) / np.maximum(1.0, np.abs(expected))))
    print(f"LLaMA gate_proj/up_proj as one Dense(2 * hidden), gate first: "
          f"largest difference {worst:.1e} -> matches: {worst < 1e-5}")
    return worst < 1e-5


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and fast (the tests' run)")
    quick = parser.parse_args().quick
    ok = train_save_reload(quick)
    ok = memory(quick) and ok
    ok = port_llama_mlp() and ok
    if not ok:
        raise SystemExit("transformer_block: a check failed")


if __name__ == "__main__":
    main()
