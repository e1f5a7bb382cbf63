"""Training with keras_acts activations on several devices and machines.

    python examples/distributed_training.py mirrored OUT_DIR
        MirroredStrategy over two logical CPUs: fit with activation strings,
        PReLU, Snake and RReLU layers, then save the model as
        OUT_DIR/mirrored.keras and load it back.

    python examples/distributed_training.py worker INDEX PORT0,PORT1 OUT_DIR
        One of two MultiWorkerMirroredStrategy workers on 127.0.0.1 (start
        one process per index, 0 and 1, with the same two free ports): a
        custom training loop, since Keras's fit fails under this strategy
        today, for Keras's own layers too. Each worker writes its final
        weights to OUT_DIR/workerINDEX.npz, so that the two can be compared.

Each mode prints its report as one line of JSON (the mirrored one says
whether the replicas' weights are identical, and how far the reloaded
model's predictions are from the trained one's). With ``--every-activation``,
the model has one branch per activation of the catalog
(scripts/distribution_checks.py, which needs the repository root on
PYTHONPATH), and the mirrored report says per activation whether its
weights stayed finite and equal across replicas: the checks behind
docs/deploy.md (scripts/deploy_page.py runs them). Without a mode, the
script prints its usage.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# NumPy and TensorFlow are imported where they are used, so that a usage
# error answers at once.


def split_cpu(count=2):
    """Make ``count`` logical CPUs, so one machine shows MirroredStrategy at
    work; must run before TensorFlow first touches a device."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * count
    )


def build_model():
    import keras

    import keras_acts

    return keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(16, activation="mish_custom"),
            keras_acts.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25)),
            keras_acts.layers.Snake(),
            keras_acts.layers.RReLU(seed=1),
            keras.layers.Dense(1, activation="softplus_custom"),
        ]
    )


def data(seed, rows=256):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 8)).astype("float32")
    return x, np.abs(x[:, :1] * x[:, 1:2]).astype("float32")


def make_model(every_activation):
    from scripts import distribution_checks

    return distribution_checks.catalog_model() if every_activation else build_model()


def mirrored(out_dir, every_activation=False):
    split_cpu()
    import keras
    import numpy as np
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = make_model(every_activation)
        model.compile(optimizer="adam", loss="mse")
    x, y = data(0)
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    path = os.path.join(out_dir, "mirrored.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    report = {
        "fusion_in_replicas": fusion_seen_by_replicas(strategy),
        "loss": [float(v) for v in history.history["loss"]],
        "replicas_identical": all(
            all(np.array_equal(v.values[0].numpy(), r.numpy()) for r in v.values)
            for v in (w.value for w in model.weights)
            if hasattr(v, "values")
        ),
        # Predictions of the trained model (split over the replicas) and of
        # the reloaded one (on one device): equal up to float rounding.
        "reload_difference": float(
            np.max(np.abs(model.predict(x, verbose=0) - loaded.predict(x, verbose=0)))
        ),
    }
    if every_activation:
        from scripts import distribution_checks

        report["verdicts"] = distribution_checks.mirrored_verdicts(model)
    print(json.dumps(report))
    return report


def fusion_seen_by_replicas(strategy):
    """The fusion mode each replica sees inside ``fusion("never")``:
    MirroredStrategy runs replicas in threads of their own."""
    import keras_acts

    seen = []
    with keras_acts.config.fusion("never"):
        strategy.run(lambda: seen.append(keras_acts.config.fusion_mode()))
    return seen


def worker(index, ports, out_dir, every_activation=False):
    os.environ["TF_CONFIG"] = json.dumps(
        {
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
            "task": {"type": "worker", "index": index},
        }
    )
    import keras
    import numpy as np
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = make_model(every_activation)
        optimizer = keras.optimizers.SGD(0.05)
    x, y = data(seed=10 + index)  # each worker its own shard

    @tf.function
    def train_step(x, y):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                error = model(x, training=True) - y
                # The mean over the global batch: gradients are summed over
                # workers.
                loss = tf.reduce_sum(error * error) / (
                    tf.cast(tf.shape(x)[0], tf.float32) * strategy.num_replicas_in_sync
                )
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        losses = strategy.run(replica_step, args=(x, y))
        return strategy.reduce("SUM", losses, axis=None)

    for start in range(0, len(x), 32):
        loss = train_step(x[start : start + 32], y[start : start + 32])
    np.savez(
        os.path.join(out_dir, f"worker{index}.npz"),
        **{f"{layer.name}/{i}": w.numpy() for layer in model.layers for i, w in enumerate(layer.weights)},
    )
    print(json.dumps({"worker": index, "loss": float(loss)}))


def _ports(text):
    try:
        ports = [int(p) for p in text.split(",")]
    except ValueError:
        ports = []
    if len(ports) != 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give two ports, such as 12345,12346")
    return ports


def parser():
    p = argparse.ArgumentParser(
        prog="distributed_training.py",
        usage="%(prog)s mirrored OUT_DIR [--every-activation]\n"
        "       %(prog)s worker INDEX PORT0,PORT1 OUT_DIR [--every-activation]",
        description=__doc__.split("\n", 1)[0],
        epilog="For two workers on this machine, start one process for each index "
        "with the same two free ports, e.g. `worker 0 12345,12346 out` and "
        "`worker 1 12345,12346 out`.",
    )
    modes = p.add_subparsers(dest="mode", metavar="MODE", required=True)
    one = modes.add_parser("mirrored", help="MirroredStrategy over two logical CPUs: fit, save, load")
    one.add_argument("out_dir", metavar="OUT_DIR", help="folder for mirrored.keras")
    many = modes.add_parser("worker", help="one of two MultiWorkerMirroredStrategy workers")
    many.add_argument("index", type=int, choices=(0, 1), metavar="INDEX", help="0 or 1")
    many.add_argument("ports", type=_ports, metavar="PORT0,PORT1", help="the two workers' ports")
    many.add_argument("out_dir", metavar="OUT_DIR", help="folder for workerINDEX.npz")
    for mode in (one, many):
        mode.add_argument("--every-activation", action="store_true",
                          help="one branch per activation of the catalog")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.mode == "mirrored":
        mirrored(args.out_dir, args.every_activation)
    else:
        worker(args.index, args.ports, args.out_dir, args.every_activation)


if __name__ == "__main__":
    main(sys.argv[1:])
