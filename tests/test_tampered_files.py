"""Tampered .keras files (keras_acts.tools.tampered): each one fails to load
with a clean error naming what was tampered with, or loads and predicts what
the untampered model predicts; none of the payloads ever runs."""

import os

from keras_acts.tools import tampered


def test_tampered_files_fail_cleanly_or_load_the_same(tmp_path):
    figures = tampered.run_corpus(str(tmp_path))
    assert figures["failures"] == []
    assert figures["cases"] >= 60
    assert figures["clean_errors"] + figures["loaded_same"] == figures["cases"]
    assert figures["loaded_same"] >= 1  # the controls: harmless edits load
    assert figures["executions"] == 0
    assert not os.path.exists(tmp_path / tampered.MARKER)


def test_the_payloads_would_leave_the_marker(tmp_path):
    # The marker check means something only if the payload's code does run.
    import codecs
    import marshal
    import types

    marker = str(tmp_path / tampered.MARKER)
    code = tampered.payloads(marker)["lambda"]["config"]["code"]
    function = types.FunctionType(marshal.loads(codecs.decode(code.encode(), "base64")), {})
    assert function("x") == "x"
    assert os.path.exists(marker)
