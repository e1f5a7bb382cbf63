"""``keras-acts demo``: one MLP on two spirals with several activations (see ``demo``)."""

import json
import shutil
import sys
import tempfile
import time

from keras_acts.tools.common import EXIT_FAILED, CliError, quiet_tensorflow, table


def _check_arguments(args):
    if args.plot:
        if not args.plot.lower().endswith(".png"):
            raise CliError(f"--plot must name a .png file, got {args.plot!r}")
        from keras_acts.tools import plotting

        plotting.pyplot()  # fail before training if matplotlib is missing
    if args.save and not args.save.endswith(".keras"):
        raise CliError(f"--save must name a .keras file, got {args.save!r}")


def run(args):
    from keras_acts.tools import demo

    _check_arguments(args)
    quiet_tensorflow()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="keras-acts-demo-") as directory:
        outcome = demo.run(quick=args.quick, stream=sys.stderr, save_dir=directory)
        saved = None
        if args.save:
            saved = shutil.move(outcome["saved"], args.save)
        if args.plot:
            from keras_acts.tools import plotting

            plotting.plot_decision_boundaries(outcome, args.plot)
    total = time.perf_counter() - start
    if args.json:
        report = {
            "results": outcome["results"],
            "best": outcome["best"],
            "saved": saved,
            "round_trip_identical": outcome["round_trip_identical"],
            "seconds": round(total, 2),
        }
        if args.plot:
            report["plot"] = args.plot
        print(json.dumps(report, indent=2))
    else:
        _print_table(outcome, saved, total, args.plot)
    return 0 if outcome["round_trip_identical"] else EXIT_FAILED


def _print_table(outcome, saved, total, plot):
    from keras_acts.tools import demo

    _, solved, problems = demo.verdict(outcome)
    rows = [
        [r["activation"], f"{r['accuracy']:.3f}", r["epochs"], f"{r['seconds']:.1f}"]
        for r in outcome["results"]
    ]
    print()
    print(table(["activation", "test accuracy", "epochs", "seconds"], rows))
    print()
    linear = [r for r in outcome["results"] if r["name"] == "linear"]
    if linear:
        print(f"No activation (linear) cannot separate the spirals: {linear[0]['accuracy']:.3f}.")
    print(f"Solved (test accuracy > {demo.SOLVED_ABOVE}): {', '.join(solved) if solved else 'none'}.")
    for line in problems:
        print(line)
    identical = "identical" if outcome["round_trip_identical"] else "DIFFERENT"
    where = f"saved to {saved}" if saved else "saved to a temporary file (removed; --save FILE.keras keeps it)"
    print(f"Best: {outcome['best']}, {where}; loaded back: {identical} predictions on the test set.")
    if plot:
        print(f"Decision boundaries: {plot}")
    print(f"Total {total:.1f} s.")
