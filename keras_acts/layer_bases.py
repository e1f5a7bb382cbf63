"""Layer bases for activations whose layers do more than apply the function.

Pass one as ``define_activation(..., layer_base=...)``.
"""

import keras
import tensorflow as tf

from keras_acts.core import ActivationLayer


def _check_mask_shape(inputs, mask):
    if len(mask.shape) > len(inputs.shape):
        raise ValueError(
            "The `mask` must be broadcastable to `inputs` and must not have "
            f"more dimensions. Received: inputs.shape={inputs.shape}, "
            f"mask.shape={mask.shape}"
        )
    for mask_dim, input_dim in zip(mask.shape[::-1], inputs.shape[::-1]):
        if mask_dim is not None and input_dim is not None:
            if mask_dim != 1 and mask_dim != input_dim:
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs`: each mask "
                    "dimension must be 1 or match the input's. Received: "
                    f"inputs.shape={inputs.shape}, mask.shape={mask.shape}"
                )


class NormalizerLayer(ActivationLayer):
    """A normalizer over an axis that takes a ``mask`` in ``call``, as Keras's
    ``Softmax`` layer does.

    Masked positions (mask False, or <= 0.5) get no weight, and the output is
    0 there, even where a whole slice is masked.
    """

    # The sign of the value that masked inputs are replaced with: -1 for
    # normalizers that give large inputs large weights (softmax), +1 for
    # those that favour small inputs (softmin).
    mask_fill_sign = -1

    def _masked_input_value(self, dtype):
        magnitude = 3e4 if dtype == tf.float16 else 1e9
        return tf.constant(self.mask_fill_sign * magnitude, dtype=dtype)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        _check_mask_shape(inputs, mask)
        mask = tf.convert_to_tensor(mask)
        if mask.dtype != tf.bool:
            mask = tf.greater(mask, tf.cast(0.5, mask.dtype))
        inputs = tf.convert_to_tensor(inputs)
        inputs = tf.where(mask, inputs, self._masked_input_value(inputs.dtype))
        outputs = super().call(inputs)
        return tf.where(mask, outputs, tf.zeros_like(outputs))


keras.saving.register_keras_serializable(package="keras_acts")(NormalizerLayer)
