"""Files saved by earlier versions of the package load and predict the same.

``fixtures/before_layout.keras`` was saved before the package was split into
its current modules: activation strings, layers, a functional call of a
function (``ActivationCall``), a trainable layer (PReLU, Snake) and a random
one (RReLU). It is loaded in a fresh process that only imports keras_acts.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

LOADER = textwrap.dedent(
    """
    import sys
    import numpy as np, keras
    import keras_acts
    model = keras.saving.load_model(sys.argv[1])
    np.save(sys.argv[2], np.asarray(model(np.load(sys.argv[3]), training=False)))
    """
)


def test_file_saved_before_the_layout_change_predicts_the_same(tmp_path):
    io = np.load(os.path.join(FIXTURES, "before_layout_io.npz"))
    np.save(tmp_path / "x.npy", io["x"])
    out = tmp_path / "y.npy"
    subprocess.run(
        [sys.executable, "-c", LOADER, os.path.join(FIXTURES, "before_layout.keras"),
         str(out), str(tmp_path / "x.npy")],
        check=True, capture_output=True, text=True, timeout=120,
    )
    np.testing.assert_array_equal(np.load(out), io["y"])
