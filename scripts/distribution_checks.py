"""Every activation under tf.distribute: one model with a branch per
activation, trained under a strategy, and a verdict per branch.

``examples/distributed_training.py --every-activation`` trains it under
MirroredStrategy (``fit``) and MultiWorkerMirroredStrategy (a custom loop),
with the repository root on its path (scripts/deploy_page.py runs it so);
docs/deploy.md reads the verdicts from here, and tests/test_distribute.py
its free ports.
"""

import socket

import numpy as np

from scripts import deploy_checks

BRANCH_WIDTH = 4


def free_ports(count):
    """``count`` distinct free ports on loopback, for a local cluster."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:  # closed together, so the ports differ
        s.close()
    return ports


def catalog_model(features=8):
    """``x -> mean over activations of Dense(1)(activation(Dense(4)(x)))``,
    each branch's layers named ``<case key>__in`` / ``<case key>__out`` (and
    the activation's own layer ``<case key>``)."""
    import keras

    inputs = keras.Input((features,))
    heads = []
    for case in deploy_checks.cases():
        h = keras.layers.Dense(BRANCH_WIDTH, name=f"{case.key}__in")(inputs)
        h = case.build(h)
        heads.append(keras.layers.Dense(1, name=f"{case.key}__out")(h))
    # The mean, not the sum: a sum of 42 branches takes steps 42 times too
    # large for a learning rate chosen for one, and diverges.
    return keras.Model(inputs, keras.layers.Average()(heads))


def _case_of(layer_name, keys):
    key = layer_name.split("__")[0]
    return key if key in keys else None


def mirrored_verdicts(model):
    """{case key: True where every weight of the branch is finite and the
    same on every replica} after training under MirroredStrategy."""
    keys = {case.key for case in deploy_checks.cases()}
    verdicts = {key: True for key in keys}
    for layer in model.layers:
        key = _case_of(layer.name, keys)
        if key is None:
            continue
        for weight in layer.weights:
            copies = [v.numpy() for v in getattr(weight.value, "values", [weight.value])]
            same = all(np.array_equal(copies[0], c) for c in copies)
            verdicts[key] = verdicts[key] and same and bool(np.all(np.isfinite(copies[0])))
    return verdicts


def workers_agree(first, second):
    """{case key: True where two workers' branch weights are finite and
    identical}, from the ``.npz`` files the workers saved (arrays named
    ``<layer name>/<index>``)."""
    keys = {case.key for case in deploy_checks.cases()}
    verdicts = {key: True for key in keys}
    for name in first.files:
        key = _case_of(name.split("/")[0], keys)
        if key is not None:
            a, b = first[name], second[name]
            verdicts[key] = verdicts[key] and np.array_equal(a, b) and bool(np.all(np.isfinite(a)))
    return verdicts
