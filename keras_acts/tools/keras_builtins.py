"""Keras's own counterparts of our activations, for the benchmarks."""


def keras_builtin(name):
    import keras

    fn = getattr(keras.activations, name, None)
    if fn is None or name in ("get", "serialize", "deserialize"):
        return None
    return fn
