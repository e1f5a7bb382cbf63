"""Every fact about an activation lives in its declaration, and what follows
from the declaration holds: each catalog row has its backward pass, its
paper and its example; the docstrings' examples run as doctests (on
TensorFlow, in this process); the generated pages list exactly the
catalog's activations (names compared, nothing regenerated: a failure says
which command regenerates the page); the tools read the declaration, not
tables by name; define_activation takes validators= (params=, deprecated,
still works) and portable_forward=."""

import doctest
import re
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_acts
from catalog_cases import catalog_specs
from keras_acts.tools import properties

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _regenerate(page):
    """How to regenerate ``page``: the command its own header names (as
    CONTRIBUTING's 'Adding an activation' does)."""
    found = re.search(r"Generated[^`]*`([^`]+)`", (DOCS / page).read_text())
    if found is None:
        return "regenerate it as CONTRIBUTING.md's 'Adding an activation' says"
    command = found.group(1)
    if page not in command:  # a command that prints the page
        command += f" > docs/{page}"
    how = f"run `{command}`"
    return f"a row was added, renamed or removed since it was generated: {how}"


def _run_doctest(obj, name):
    globs = {"keras": keras, "keras_acts": keras_acts, "np": np}
    test = doctest.DocTestParser().get_doctest(obj.__doc__, globs, name, None, 0)
    failures = []
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=failures.append)
    return test, "".join(failures)


@pytest.mark.parametrize("spec", catalog_specs(), ids=lambda spec: spec.name)
def test_function_and_layer_docstring_examples_run_as_doctests(spec):
    for obj, name in ((spec.function, spec.name), (spec.layer, spec.layer_name)):
        test, failures = _run_doctest(obj, name)
        assert test.examples, f"{name}'s docstring has no example"
        assert not failures, failures


def test_doctests_check_the_printed_output():
    spec = keras_acts.lookup("relu")
    assert "array([0. , 0. , 0. , 0.5, 2. ], dtype=float32)" in spec.function.__doc__
    wrong = type("Wrong", (), {"__doc__": spec.function.__doc__.replace("2. ]", "3. ]")})
    assert "Expected" in _run_doctest(wrong, "relu")[1]


def test_every_row_declares_its_backward_and_its_paper():
    for spec in catalog_specs():
        assert spec.backward is not None, spec.name
        assert re.search(r"(\d{4}, \"|no paper)", spec.docs.reference), spec.name
        assert spec.docs.example_output is not None, spec.name
        assert f"    {spec.docs.reference}" in spec.function.__doc__


def _listed_names(page, pattern):
    return set(re.findall(pattern, (DOCS / page).read_text(), re.M))


@pytest.mark.parametrize(
    "page, pattern",
    [
        ("catalog.md", r"^\| `(\w+)`(?:,| \|)"),
        ("deploy.md", r"^\| (\w+) \| "),
    ],
)
def test_generated_pages_list_exactly_the_catalog(page, pattern):
    names = {spec.name for spec in catalog_specs()}
    listed = _listed_names(page, pattern) - {"activation", "function"}
    assert listed == names, (
        f"docs/{page} lists {sorted(listed - names)} that the catalog lacks and lacks "
        f"{sorted(names - listed)}; {_regenerate(page)}."
    )


def test_the_porting_page_lists_exactly_the_torch_table():
    from keras_acts.compat.torch_names import TORCH_ACTIVATIONS

    page = (DOCS / "porting.md").read_text()
    rows = re.findall(r"^\| `nn\.(\w+)`.*?\| `keras_acts\.layers\.(\w+)`", page, re.M)
    modules = {module for module, _ in rows}
    expected = {row.module for row in TORCH_ACTIVATIONS}
    assert modules == expected, (
        f"docs/porting.md lists {sorted(modules - expected)} that keras_acts.compat.torch_names "
        f"lacks and lacks {sorted(expected - modules)}; {_regenerate('porting.md')}."
    )
    layers = {spec.layer_name for spec in catalog_specs()}
    assert {layer for _, layer in rows} <= layers


def test_kind_follows_from_the_declaration():
    kinds = {spec.name: spec.kind for spec in catalog_specs()}
    assert kinds["relu"] == "elementwise" and kinds["softmax"] == "axis"
    assert kinds["glu"] == kinds["swiglu"] == "reshaping"
    for spec in catalog_specs():
        axis = bool(spec.axis_names) and spec.output_shape is None
        assert (spec.kind == "axis") == axis, spec.name


def test_properties_read_the_declared_edges():
    relu, softplus = keras_acts.lookup("relu"), keras_acts.lookup("softplus")
    assert relu.edges.branch_slope_at_nan and not softplus.edges.branch_slope_at_nan
    assert properties.output_bounds(relu) == (0.0, float("inf"))
    assert properties.output_bounds(softplus) == (0.0, float("inf"))  # parsed from (0, inf)
    assert keras_acts.lookup("glu").edges.gate == "second"
    assert keras_acts.lookup("swiglu").edges.gate == "first"


def _identity_backward(dy, x, y):
    return dy


def test_params_keyword_still_works_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="validators="):
        old = keras_acts.define_activation(
            lambda x, gain: x * gain, backward=lambda dy, x, y, gain: dy * gain, keep="",
            params={"gain": keras_acts.params.Real()}, name="decl_old_keyword",
            package="test_declarations",
        )
    assert set(old.spec.validators) == {"gain"}
    np.testing.assert_allclose(old(np.array([1.0, 2.0], "float32"), gain=3.0), [3.0, 6.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = keras_acts.define_activation(
            lambda x: x, backward=_identity_backward, keep="", validators={},
            name="decl_new_keyword", package="test_declarations",
        )
    assert new.spec.validators == {}
    with pytest.raises(TypeError, match="both `params` and `validators`"):
        keras_acts.define_activation(
            lambda x: x, backward=_identity_backward, keep="", params={}, validators={},
            name="decl_both_keywords", package="test_declarations",
        )


def test_portable_forward_is_taken_in_portable_graphs_only():
    def plain(x):
        return x * 2.0

    def exported(x):
        return x * 3.0

    double = keras_acts.define_activation(
        plain, backward=lambda dy, x, y: dy * 2.0, keep="", validators={},
        portable_forward=exported, name="decl_portable", package="test_declarations",
    )
    x = np.array([1.0], "float32")
    np.testing.assert_allclose(double(x), [2.0])
    with keras_acts.config.portable():
        assert double.spec.forward is exported
        np.testing.assert_allclose(double(x), [3.0])
    assert double.spec.forward is plain
    with pytest.raises(ValueError, match="portable_forward"):
        keras_acts.define_activation(
            plain, backward=_identity_backward, keep="", validators={},
            portable_forward=lambda x, extra: x, name="decl_bad_portable",
            package="test_declarations",
        )
