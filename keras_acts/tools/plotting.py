"""Pictures for the ``keras-acts`` command: activations and decision boundaries.

matplotlib is an optional dependency (the ``plot`` extra); it is imported
only when a picture is drawn, and a missing install says how to get it.
The derivative drawn is the gradient the active Keras backend (TensorFlow,
JAX or PyTorch) takes through our function, i.e. our hand-written backward
pass, so a picture checks it by eye: the dotted line is the numeric slope of
the drawn function.
"""

import numpy as np


class MissingPlotExtra(ImportError):
    """matplotlib is not installed."""


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or a clear error."""
    try:
        import matplotlib
    except ImportError:
        raise MissingPlotExtra(
            "Plotting needs matplotlib, which is not installed. Install the "
            "plot extra: pip install \"keras-acts[plot]\" (or pip install "
            "matplotlib)."
        ) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# How a 1-D curve is drawn, by the declaration's kind (``spec.kind``): an
# activation along an axis (softmax) as the first output for the pair
# ``(x, 0)``; one that halves its axis (glu) as the output for ``(x, x)``.
_DRAWN_INPUT = {"elementwise": "x", "axis": "[x, 0]", "reshaping": "[x, x]"}


def curve_label(spec, params):
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    label = f"{spec.name}({_DRAWN_INPUT[spec.kind]}{', ' + args if args else ''})"
    return label if spec.kind == "elementwise" else label + "[0]"


def curves(spec, params, lo=-4.0, hi=4.0, points=801):
    """``x, f(x), f'(x)`` in float64, the derivative through our gradient
    (taken by the active Keras backend's autodiff)."""
    import keras

    from keras_acts.tools import autodiff

    def f(x):
        if spec.kind == "elementwise":
            return spec.function(x, **params)
        other = x if spec.kind == "reshaping" else keras.ops.zeros_like(x)
        return spec.function(keras.ops.stack([x, other], axis=1), **params)[:, 0]

    x = np.linspace(lo, hi, points)
    with autodiff.float64():
        # Each output depends on its own x alone: the product with ones is the slope.
        y, (dy,) = autodiff.vjp_step(f)(autodiff.tensor(np.ones(points), "float64"),
                                        autodiff.tensor(x, "float64"))
        return x, autodiff.numpy(y), autodiff.numpy(dy)


DPI = 110
MIN_WIDTH_IN = 8.0  # at DPI: 880 pixels, whatever the number of panels


def activation_figure(items, lo=-4.0, hi=4.0):
    """The figure of ``f`` and ``f'`` for each ``(spec, params)`` of ``items``,
    its shared legend below the panels and inside the figure."""
    plt = pyplot()
    n = len(items)
    cols = min(n, 6 if n > 16 else 4 if n > 4 else n)
    rows = -(-n // cols)
    panel = max(3.2, MIN_WIDTH_IN / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(panel * cols, 0.8 * panel * rows + 0.5), squeeze=False
    )
    for ax, (spec, params) in zip(axes.flat, items):
        _draw_panel(ax, spec, params, lo, hi)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False)
    legend_height = 0.45 / fig.get_figheight()  # inches of the legend's row, as a fraction
    fig.tight_layout(rect=(0, legend_height, 1, 1))
    return fig


def _draw_panel(ax, spec, params, lo, hi):
    span = max(abs(lo), abs(hi), 1.0)
    x, y, dy = curves(spec, params, lo, hi)
    numeric = np.gradient(y, x)
    ax.axhline(0, color="0.85", lw=0.8)
    ax.axvline(0, color="0.85", lw=0.8)
    ax.plot(x, y, color="C0", lw=1.8, label="f(x)")
    ax.plot(x, dy, color="C1", lw=1.4, label="f'(x), our gradient")
    ax.plot(x, numeric, color="k", lw=0.8, ls=":", label="numeric slope of f")
    finite = np.concatenate([y[np.isfinite(y)], dy[np.isfinite(dy)]])
    if finite.size:
        bottom = max(finite.min(), -1.5 * span)
        top = min(finite.max(), 1.5 * span)
        pad = 0.08 * max(top - bottom, 1e-3)
        ax.set_ylim(bottom - pad, top + pad)
    ax.set_xlim(lo, hi)
    ax.set_title(curve_label(spec, params), fontsize=9)
    ax.tick_params(labelsize=7)


def plot_activations(items, path, lo=-4.0, hi=4.0):
    """Draw ``f`` and ``f'`` for each ``(spec, params)`` of ``items`` to ``path``;
    returns the image's ``(width, height)`` in pixels."""
    plt = pyplot()
    fig = activation_figure(items, lo, hi)
    width, height = (round(v * DPI) for v in fig.get_size_inches())
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return width, height


def plot_decision_boundaries(outcome, path, resolution=200):
    """Side-by-side decision boundaries of the demo's trained models."""
    plt = pyplot()
    (x_train, y_train), (x_test, y_test) = outcome["data"]
    models = outcome["models"]
    results = outcome["results"]
    n = len(results)
    cols = min(n, 4)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.3 * rows), squeeze=False)
    everything = np.concatenate([x_train, x_test])
    lo, hi = everything.min(axis=0) - 0.3, everything.max(axis=0) + 0.3
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype("float32")
    for ax, result in zip(axes.flat, results):
        model = models[result["activation"]]
        logits = model.predict(grid, batch_size=8192, verbose=0)[:, 0]
        ax.contourf(gx, gy, (logits > 0).reshape(gx.shape), levels=[-0.5, 0.5, 1.5],
                    colors=["#c6dbef", "#fdd0a2"])
        ax.scatter(x_test[:, 0], x_test[:, 1], c=y_test, cmap="coolwarm", s=4, lw=0)
        ax.set_title(f"{result['activation']}: {result['accuracy']:.3f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Two spirals: decision boundary and test accuracy", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
