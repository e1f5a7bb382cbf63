"""The machinery that turns one declaration into an activation's faces.

Modules, each with one job, importing only downwards in this list:

* ``hooks``: every private TensorFlow or Keras hook, feature-detected.
* ``fusion``: when a pass is compiled by XLA; the settings and caches (the
  only module holding fusion state; ``keras_acts.config`` is its public face).
* ``gradient``: the custom-gradient core (``keep=``, parameters as tensors,
  gradients summed back to a parameter's shape).
* ``description``: ``Activation``, everything known about one activation,
  and the binding and validation of its parameters.
* ``registry``: names, aliases, Keras strings, ``lookup``, ``get``,
  ``names`` and ``catalog``.
* ``docs``: the generated docstrings of functions and layers.
* ``layers``: the layer bases and the generated layer classes.
* ``define``: ``define_activation``, the pipeline description -> gradient ->
  layer -> registry.
"""
