"""Bridges from other libraries' activations to keras-acts.

``keras_acts.compat.torch_names`` maps PyTorch's activation names and
arguments to ours (plain data); ``keras_acts.compat.torch.from_torch`` turns a
PyTorch activation module into the equivalent keras-acts layer; importing
``keras_acts.compat.tfa`` lets Keras 3 load models that name TensorFlow
Addons activations (``"Addons>mish"``, ...).
"""
