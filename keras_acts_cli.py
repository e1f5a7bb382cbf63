"""The entry point of the ``keras-acts`` command, outside the package on purpose.

Importing anything under ``keras_acts`` runs ``keras_acts/__init__.py``,
which imports Keras and its backend (TensorFlow, JAX or PyTorch: seconds)
and registers the activations with Keras.
``keras-acts --help``, ``--version`` and usage errors need neither. So this
launcher makes the package known to Python without running its
``__init__`` (``importlib.util.module_from_spec``, as the import system
itself does), builds the parser from ``keras_acts.tools.cli``, and runs the
``__init__`` only when a subcommand needs the package
(``keras_acts.tools.cli.load_package``).
"""

import importlib.util
import sys

DEFERRED = "_keras_acts_deferred"  # set on the package while its __init__ has not run


def main(argv=None):
    if "keras_acts" not in sys.modules:
        spec = importlib.util.find_spec("keras_acts")
        if spec is not None:
            package = importlib.util.module_from_spec(spec)
            setattr(package, DEFERRED, True)
            sys.modules["keras_acts"] = package
    from keras_acts.tools import cli

    try:
        return cli.main(argv)
    finally:
        package = sys.modules.get("keras_acts")
        if getattr(package, DEFERRED, False):
            # Never ran: leave no half-made package behind for a later import.
            for name in [n for n in sys.modules if n == "keras_acts" or n.startswith("keras_acts.")]:
                del sys.modules[name]


if __name__ == "__main__":
    sys.exit(main())
