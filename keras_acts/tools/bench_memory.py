"""``keras-acts bench``'s memory part: the extra memory one training step of
a deep MLP costs with an activation, ours against Keras's, each case in a
fresh process on the active backend (``keras_acts.tools.bench_memory_child``
says how each backend's figure is measured)."""

import json
import os
import subprocess
import sys
import tempfile

import keras

import keras_acts
from keras_acts.tools.keras_builtins import keras_builtin


def _memory_case(activation, depth, width, batch, xla_cache):
    """Peak MiB of one training step; XLA's compiled code comes from
    ``xla_cache`` (a persistent cache directory) where an earlier process put
    it. A first step compiles whatever it fuses (~30 MiB of compiler memory
    each time), a one-time cost no later step pays: where a cold run compiled
    anything, the same case runs again on a warm cache, and that is the
    step's figure; the cold one is kept as ``first``."""
    # A fixed mmap threshold makes glibc map every large tensor and unmap it
    # when freed, so resident memory follows what is alive; by default the
    # threshold grows after the first large free and freed tensors stay.
    flags = os.environ.get("TF_XLA_FLAGS", "")
    env = dict(
        os.environ,
        MALLOC_MMAP_THRESHOLD_="131072",
        KERAS_BACKEND=keras.backend.backend(),
        TF_XLA_FLAGS=f"{flags} --tf_xla_persistent_cache_directory={xla_cache}".strip(),
    )

    def measured():
        out = subprocess.run(
            [sys.executable, "-m", "keras_acts.tools.bench_memory_child",
             activation, str(depth), str(width), str(batch)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def cached():
        return sorted(os.listdir(xla_cache))

    before = cached()
    first = measured()
    compiled = cached() != before
    step = measured() if compiled else first
    case = {"step": step["step_peak_bytes"] / 2**20, "first": first["step_peak_bytes"] / 2**20,
            "compiled": compiled}
    if "saved_bytes" in step:  # PyTorch: what autograd saved for the backward pass
        case["saved"] = step["saved_bytes"] / 2**20
    return case


QUICK_SIZES = (4, 512, 1024)
FULL_SIZES = (8, 1024, 8192)


def bench_memory(names, quick, log, sizes=None):
    """Rows of extra memory over ``linear``; ``sizes`` (depth, width, batch)
    replace the part's own (the fit part measures at its batch)."""
    depth, width, batch = sizes or (QUICK_SIZES if quick else FULL_SIZES)
    tensor_mib = width * batch * 4 / 2**20
    cases = [("linear", "linear")]
    for name in names:
        spec = keras_acts.lookup(name)
        if spec.string is None:
            continue
        cases.append((name + "/ours", spec.string))
        if keras_builtin(spec.name) is not None:
            cases.append((name + "/keras", spec.name))
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="keras-acts-xla-cache-") as xla_cache:
        for label, act in cases:
            peaks[label] = _memory_case(act, depth, width, batch, xla_cache)
            first = f" (first step, compiling: {peaks[label]['first']:.0f})" if peaks[label]["compiled"] else ""
            saved = f", saved for backward {peaks[label]['saved']:.0f} MiB" if "saved" in peaks[label] else ""
            log(f"  {label:<16} peak {peaks[label]['step']:.0f} MiB{first}{saved}")
    base = peaks["linear"]["step"]
    rows = []
    for name in names:
        if name + "/ours" not in peaks:
            continue
        ours = peaks[name + "/ours"]
        keras_peak = peaks.get(name + "/keras")
        ours_extra = ours["step"] - base
        keras_extra = None if keras_peak is None else keras_peak["step"] - base
        row = {
            "name": name,
            "ours_extra_mib": ours_extra,
            "ours_first_step_extra_mib": ours["first"] - base,
            "ours_compiled": ours["compiled"],
            "keras_extra_mib": keras_extra,
            "ours_extra_tensors": ours_extra / (depth * tensor_mib),
            "keras_extra_tensors": None if keras_extra is None else keras_extra / (depth * tensor_mib),
        }
        if "saved" in ours:
            row["ours_saved_extra_mib"] = ours["saved"] - peaks["linear"]["saved"]
            row["keras_saved_extra_mib"] = None if keras_peak is None else keras_peak["saved"] - peaks["linear"]["saved"]
        rows.append(row)
    return {
        "backend": keras.backend.backend(),
        "depth": depth,
        "width": width,
        "batch": batch,
        "tensor_mib": tensor_mib,
        "linear_peak_mib": base,
        "rows": rows,
    }
