"""Run at start-up by the processes the suite starts (tests/background.py
puts this folder on their PYTHONPATH): on TensorFlow, their TensorFlow and
Keras imports leave JAX out, as pytest's own (tests/tensorflow_without_jax.py).
A process on JAX or PyTorch is left as it is."""

import importlib.util
import os

if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
    _PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tensorflow_without_jax.py")
    _spec = importlib.util.spec_from_file_location("tensorflow_without_jax", _PATH)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    _module.keep_jax_out()
