"""The tools on top of the package, using only its public API.

* ``cli``: the ``keras-acts`` command (list, plot, check, demo, bench).
* ``bench`` and ``bench_memory_child``: speed and memory against Keras's
  built-ins.
* ``demo``: two spirals, one MLP, several activations.
* ``plotting``: pictures of activations and decision boundaries.
* ``catalog_page``: docs/catalog.md, generated from the registry.
"""
