"""``keras-acts check``: a self-test of the install (see ``selfcheck``)."""

import keras_acts
from keras_acts.tools.common import (
    EXIT_FAILED,
    example_params,
    quiet_tensorflow,
    resolve,
    runnable,
    table,
)


def _print_stress(figures):
    files = figures["files"]
    rows = [
        ["property paths", f"{figures.get('backend', '?')}: {figures.get('paths', '?')}"],
        ["property batches (values)", f"{figures['property_batches']} ({figures['property_values']})"],
        ["property violations", figures["property_violations"]],
        ["threads (errors)", f"{figures['threads']} ({len(figures['thread_errors'])})"],
    ]
    if files is not None:
        rows += [
            ["tampered files tried", files["cases"]],
            ["clean errors / loaded the same", f"{files['clean_errors']} / {files['loaded_same']}"],
            ["code executed from a file", files["executions"]],
            ["failures", len(files["failures"])],
        ]
    print(table(["stress check", "figure"], rows))
    for line in figures["violations"]:
        print(f"  {line}")
    failed = figures["property_violations"] or figures["thread_errors"]
    return bool(failed or (files and (files["executions"] or files["failures"])))


def _progress(line):
    import sys

    print(line, file=sys.stderr)


def run(args):
    from keras_acts.tools import selfcheck

    skipped = []
    if args.names:
        specs = resolve(args.names)
    else:
        specs, skipped = runnable(keras_acts.catalog())
    quiet_tensorflow()
    rows, failures, notes = selfcheck.check_all(specs, example_params, verbose=args.verbose)
    print(table(["activation", "gradient vs numeric (float64)", "save/load .keras", "result"], rows))
    for note in notes:
        print(f"  {note} (no defaults)")
    for name in skipped:
        print(f"  {name}: skipped, its required parameters have no example arguments")
    print(f"\n{len(specs) - failures} of {len(specs)} activations passed.")
    print(selfcheck.modes_note(stress=args.stress))
    if args.stress:
        from keras_acts.tools import stress

        print()
        failures += _print_stress(stress.run_stress(log=_progress))
    return EXIT_FAILED if failures else 0
