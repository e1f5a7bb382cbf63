"""The machinery that turns one declaration into an activation's faces.

Modules, each with one job, importing only downwards in this list:

* ``hooks``: every private TensorFlow or Keras hook, feature-detected (it
  hands ``keras_acts.params`` its seed drawing).
* ``fusion``: when a pass is compiled by XLA; the settings and caches (the
  only module holding fusion state; ``keras_acts.config`` is its public face).
* ``gradient``, ``tf_core``: the custom-gradient core (``keep=``, parameters
  as tensors, gradients summed back to a parameter's shape; TensorFlow's,
  with fusion, in ``tf_core``).
* ``inputs``: what an activation takes as its input, checked before any
  kernel runs (the input-type policy and the axes' checks).
* ``description``: ``Activation``, everything known about one activation,
  and the binding and validation of its parameters.
* ``registry``: names, aliases, Keras strings, ``lookup``, ``get``,
  ``names`` and ``catalog`` (other libraries' spellings are added by
  ``keras_acts.compat``, above the engine).
* ``docs``: the generated docstrings of functions and layers.
* ``layers``, ``layer_bases``: the generated layer classes and the bases.
* ``define``: ``define_activation``, the pipeline description -> gradient ->
  layer -> registry.
"""
