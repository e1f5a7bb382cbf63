"""The package's layout holds: imports run one way, the tools (and the
docs generators of scripts/) use only the public API, and no module or
function grows past what a reader takes in."""

import ast
import os

import pytest

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "keras_acts")
SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "scripts")
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
# What the tools may import from the package: its public face.
PUBLIC = {
    "keras_acts",
    "keras_acts.activations",
    "keras_acts.layers",
    "keras_acts.config",
    "keras_acts.params",
    "keras_acts.families",
    "keras_acts.compat",
    "keras_acts.compat.torch",
    "keras_acts.compat.torch_names",
    "keras_acts.compat.tfa",
}


def _modules():
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, os.path.join(PACKAGE, ".."))[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path):
    """Every keras_acts module a module imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                names.add(child if child in MODULES else node.module)
    return {n for n in names if n in MODULES}


def test_no_import_cycle():
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    # A package's __init__ importing its own submodules is how it exports
    # them; a submodule importing its package back is the cycle to catch.
    for name in graph:
        graph[name] = {n for n in graph[name] if not n.startswith(name + ".")}
    state = {}

    def visit(name, path):
        state[name] = "open"
        for child in graph[name]:
            if state.get(child) == "open":
                pytest.fail("import cycle: " + " -> ".join(path + [child]))
            if child not in state:
                visit(child, path + [child])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])


def test_tools_use_only_the_public_api():
    for name, path in MODULES.items():
        if not name.startswith("keras_acts.tools"):
            continue
        private = {n for n in _imports(path) if n not in PUBLIC and not n.startswith("keras_acts.tools")}
        assert not private, f"{name} imports {sorted(private)}"


def test_scripts_use_only_the_public_api_and_the_tools():
    scripts = [name for name in sorted(os.listdir(SCRIPTS)) if name.endswith(".py")]
    assert "catalog_page.py" in scripts
    for name in scripts:
        imported = _imports(os.path.join(SCRIPTS, name))
        private = {n for n in imported if n not in PUBLIC and not n.startswith("keras_acts.tools")}
        assert not private, f"scripts/{name} imports {sorted(private)}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_functions_stay_small(name):
    source = open(MODULES[name]).read()
    assert source.count("\n") <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                body = body[1:] or body  # the docstring is documentation, not code
            length = body[-1].end_lineno - body[0].lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{node.name} has {length} lines"
