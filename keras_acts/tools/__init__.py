"""The tools on top of the package, using only its public API.

* ``cli``: the ``keras-acts`` command; one module per subcommand
  (``cmd_list``, ``cmd_plot``, ``cmd_check``, ``cmd_demo``, ``cmd_bench``,
  ``cmd_inspect``), and ``common`` for what they share. The entry point is
  ``keras_acts_cli`` at the top level, which answers ``--help`` before
  TensorFlow is imported.
* ``autodiff``: the active Keras backend as the commands see it (tensors,
  NumPy, gradients through its autodiff, its modes): ``plot``, ``check``
  and ``demo`` run on TensorFlow, JAX and PyTorch; ``export`` needs
  TensorFlow.
* ``bench`` and ``bench_memory_child``: speed and memory against Keras's
  built-ins.
* ``demo``: two spirals, one MLP, several activations.
* ``plotting``: pictures of activations and decision boundaries.
* ``export``: the ``export`` subcommand, and the model conversions and
  their comparison with Keras, which the checks behind docs/deploy.md use
  too.
* ``stress``, ``properties``, ``tampered``: ``keras-acts check --stress``.

The docs pages' generators live outside the package, in the repository's
``scripts/``.
"""
