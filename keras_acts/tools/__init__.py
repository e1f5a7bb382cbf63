"""The tools on top of the package, using only its public API.

* the ``keras-acts`` subcommands that need the library, one module each
  (``cmd_list``, ``cmd_plot``, ``cmd_check``, ``cmd_demo``, ``cmd_bench``,
  ``export``), and ``common`` for what they share. Their options, the
  launcher and ``inspect`` live outside the library, in the top-level
  package ``keras_acts_cli``, which answers ``--help`` before TensorFlow is
  imported and runs ``run(args)`` of these modules.
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
