"""Save in one process, load in a fresh one that only imports keras_acts.

tests/saved_models.py saves, in the process of tests/producers.py, and one
fresh process loads everything it saved (each would otherwise pay
TensorFlow's import again); both run in the background. Saved: a
Sequential model of every string, a functional model of every layer and
some functional calls (PReLU and Snake also started from a list and an
array, prelu called with an array), both in .keras and legacy .h5; a model
of the trainable and random layers. Loaded besides: a file saved by an earlier
version of the package (``fixtures/before_layout.keras``, saved before the
package was split into its current modules: strings, layers, a functional
call of a function, PReLU, Snake and RReLU). What this run saved and loaded
is compared bit for bit (one machine, one set of kernels); the fixture's
outputs, stored on another machine, within float32 rounding
(``ACROSS_MACHINES``). SavedModel exports are served in a process without
keras_acts in tests/test_export.py.
"""

import json
import os
import textwrap

import numpy as np
import pytest

import background
import producers

FIXTURES = os.path.join(background.TESTS_DIR, "fixtures")

LOADER = textwrap.dedent(
    """
    import json, sys
    import numpy as np, keras
    import keras_acts
    import custom_acts  # the user's own activation module, as a user would import it

    folder = sys.argv[1]
    x = np.load(folder + "/x.npy")
    report = {}
    # One model of each kind and format keeps training, eagerly: loading is
    # what is tested here, and a compiled step of these models traces ~90
    # branches. The .h5 files are loaded uncompiled: Keras's legacy loader
    # fails on a string loss ("mse") and drops the optimizer state.
    trained = {"sequential.keras", "functional.h5"}
    for name in ("sequential", "functional"):
        for ext in ("keras", "h5"):
            key = f"{name}.{ext}"
            model = keras.saving.load_model(f"{folder}/{key}", compile=ext == "keras")
            np.save(f"{folder}/{key}.out.npy", model(x))
            report[key] = {}
            if key in trained:
                model.compile(optimizer="adam", loss="mse", run_eagerly=True)
                # One step per epoch: each epoch's loss is the one before its step.
                history = model.fit(x, np.zeros((len(x), 1)), epochs=2, batch_size=len(x), verbose=0)
                report[key]["loss"] = history.history["loss"]

    for key in ("trainable.keras", "before_layout.keras"):
        model = keras.saving.load_model(sys.argv[2] if key == "before_layout.keras" else f"{folder}/{key}")
        inputs = np.load(f"{folder}/{key}.in.npy")
        outputs = model(inputs, training=False)
        np.savez(f"{folder}/{key}.out.npz", *(outputs if isinstance(outputs, list) else [outputs]))
        np.savez(f"{folder}/{key}.weights.npz", *model.get_weights())
    print(json.dumps(report))
    """
)


def _load(folder):
    made = producers.made("saved")
    before_layout = np.load(os.path.join(FIXTURES, "before_layout_io.npz"))
    np.save(f"{made}/before_layout.keras.in.npy", before_layout["x"])
    fixture = os.path.join(FIXTURES, "before_layout.keras")
    return made, background.run(background.python("-c", LOADER, made, fixture), env=background.TESTS_ON_PATH)


SAVED = background.Job(_load)


@pytest.fixture(scope="module")
def saved():
    """The folder where tests/saved_models.py saved, and the loader's report."""
    folder, done = SAVED.result()
    assert done.returncode == 0, done.stderr[-4000:]
    return folder, json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", ["sequential.keras", "functional.keras", "sequential.h5", "functional.h5"])
def test_fresh_process_predicts_identically(saved, key):
    folder, _ = saved
    expected = np.load(f"{folder}/{key.split('.')[0]}.expected.npy")
    np.testing.assert_array_equal(np.load(f"{folder}/{key}.out.npy"), expected)


@pytest.mark.parametrize("key", ["sequential.keras", "functional.h5"])
def test_fresh_process_keeps_training(saved, key):
    loss = saved[1][key]["loss"]
    assert np.isfinite(loss).all()
    assert loss[-1] < loss[0]


def _same_arrays(got_file, expected_file):
    """How many arrays the two .npz files hold, once they are equal bit for bit."""
    with np.load(got_file) as got, np.load(expected_file) as expected:
        assert got.files == expected.files
        for name in expected.files:
            np.testing.assert_array_equal(got[name], expected[name])
        return len(expected.files)


def test_trainable_and_random_layers_keep_weights_and_predictions(saved):
    trainable = f"{saved[0]}/trainable.keras"
    assert _same_arrays(f"{trainable}.out.npz", f"{trainable}.expected.npz") == 3
    # Two Dense layers' kernels and biases, PReLU's alpha, Snake's frequency.
    assert _same_arrays(f"{trainable}.weights.npz", f"{trainable}.expected-weights.npz") == 6


#: The tolerance of outputs stored on one machine and computed on another.
#: TensorFlow's oneDNN picks its matmul kernels for the CPU it runs on (its
#: vector width, AVX-512 or AMX) and they sum a dot product in another order
#: (TF_ENABLE_ONEDNN_OPTS=0 keeps the choice per CPU): on a Xeon with AVX-512
#: and AMX, 16 of the fixture's 20 outputs come out up to 1.8e-7 away (3 ulps
#: of 0.5). A float32 sum of n terms taken in another order moves by up to
#: about n * 2**-24 (~5e-7 for these Dense layers' sums of 6 or 8) of the
#: sum of the terms' magnitudes; measured on this model (3 Dense layers, 6
#: activations, a softmax: outputs in [0, 1], at most ~0.67), its whole
#: float32 evaluation is 1.4e-7 from the same weights evaluated in float64.
#: rtol = atol = 1e-5 of the output's scale is ~50 times these, so any CPU's
#: kernels pass. What it lets through is a change of the outputs below ~7e-6
#: (moving RReLU's inference slope by 0.0025 moves them 4e-6): the values of
#: each activation are held tighter by the reference tests, computed in the
#: same run (tests/references_*.py).
ACROSS_MACHINES = {"rtol": 1e-5, "atol": 1e-5}


def test_file_saved_before_the_layout_change_predicts_the_same(saved):
    folder = saved[0]
    expected = np.load(os.path.join(FIXTURES, "before_layout_io.npz"))["y"]
    scale = float(np.abs(expected).max())  # probabilities: ~0.67
    with np.load(f"{folder}/before_layout.keras.out.npz") as got:
        np.testing.assert_allclose(got["arr_0"], expected, rtol=ACROSS_MACHINES["rtol"],
                                   atol=ACROSS_MACHINES["atol"] * scale)
