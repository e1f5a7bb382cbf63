"""``keras-acts bench`` on the active Keras backend: how a forward + backward
step, its inputs and the floor are made on each (``KERAS_BACKEND``).

* TensorFlow: ``tf.function`` without and with ``jit_compile`` (modes
  ``graph`` and ``xla``); the bench's own code (``keras_acts.tools.bench``),
  unchanged.
* JAX: ``jax.jit`` of the forward pass and its VJP (mode ``jit``: XLA
  compiles every JAX step, as Keras's ``fit`` does by default there).
* PyTorch: eager autograd (mode ``eager``: Keras's ``fit`` on PyTorch runs
  eagerly unless ``jit_compile=True``), ``torch.autograd.grad`` with the
  upstream gradient.

Each step returns both ``y`` and ``dx`` and, on JAX, waits for them.
"""

import datetime
import os
import platform

import keras

BACKEND = keras.backend.backend()

#: (mode, compiled) pairs the kernels part measures on each backend.
MODES = {
    "tensorflow": (("graph", False), ("xla", True)),
    "jax": (("jit", True),),
    "torch": (("eager", False),),
}
#: Keras's ``jit_compile`` for the training part: ``fit``'s default on CPU.
TRAINING_JIT = {"tensorflow": False, "jax": True, "torch": False}


def _cpu():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu


def _backend_versions():
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return {"gpus": len(tf.config.list_physical_devices("GPU")), "tensorflow": tf.__version__}
    if BACKEND == "jax":
        import jax

        return {"gpus": sum(d.platform != "cpu" for d in jax.devices()), "jax": jax.__version__}
    import torch

    return {"gpus": torch.cuda.device_count(), "torch": torch.__version__,
            "threads": torch.get_num_threads()}


def machine():
    """The machine and the versions a run's numbers belong to."""
    versions = _backend_versions()
    info = {"backend": BACKEND, "cpu": _cpu(), "cores": os.cpu_count(), "gpus": versions.pop("gpus"),
            "python": platform.python_version()}
    info.update(versions)
    info.update({"keras": keras.__version__, "date": datetime.date.today().isoformat()})
    return info


# -- inputs -------------------------------------------------------------------------


def normal(shape, seed):
    """A float32 tensor of standard normal values on the active backend."""
    import numpy as np

    values = np.random.default_rng(seed).standard_normal(shape).astype("float32")
    return keras.ops.convert_to_tensor(values)


# -- the floor: a custom-gradient y = 2x ----------------------------------------------


def floor_fn():
    """``y = 2x`` with the backward ``2 dy``: one read and one write each way."""
    if BACKEND == "jax":
        import jax

        @jax.custom_vjp
        def floor(x):
            return x * 2.0

        floor.defvjp(lambda x: (x * 2.0, None), lambda _, dy: (dy * 2.0,))
        return floor
    import torch

    class Floor(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, dy):
            return dy * 2.0

    return Floor.apply


# -- one forward + backward step ---------------------------------------------------------


def step(f, compiled):
    """``(x, dy) -> (f(x), dx)``, finished when it returns."""
    if BACKEND == "jax":
        import jax

        def both(x, dy):
            y, vjp = jax.vjp(f, x)
            return y, vjp(dy)[0]

        run = jax.jit(both) if compiled else both
        return lambda x, dy: jax.block_until_ready(run(x, dy))
    import torch

    def eager(x, dy):
        x = x.detach().requires_grad_(True)
        y = f(x)
        (dx,) = torch.autograd.grad(y, x, dy)
        return y, dx

    return eager
