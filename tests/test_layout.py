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

# The layers, bottom first, as CONTRIBUTING's layout table lists them: a
# module imports from its own layer or lower ones, never from a higher one.
# A package's own __init__ stands with its layer ("keras_acts.backend" with
# backend/); a name ending in "." covers the package and everything in it.
LAYERS = [
    ["keras_acts._backend", "keras_acts.backend."],
    ["keras_acts.params"],
    ["keras_acts.engine", "keras_acts.engine.hooks"],
    ["keras_acts.engine.fusion"],
    ["keras_acts.engine.gradient", "keras_acts.engine.tf_core"],
    ["keras_acts.engine.inputs"],
    ["keras_acts.engine.description"],
    ["keras_acts.engine.registry"],
    ["keras_acts.engine.docs"],
    ["keras_acts.engine.layers", "keras_acts.engine.layer_bases"],
    ["keras_acts.engine.define"],
    ["keras_acts.config"],
    ["keras_acts.numerics"],
    ["keras_acts.families."],
    ["keras_acts.activations", "keras_acts.layers"],
    ["keras_acts.compat."],
    ["keras_acts"],
    ["keras_acts.tools."],
]


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


def _layer_of(name):
    for rank, layer in enumerate(LAYERS):
        for entry in layer:
            if name == entry.rstrip(".") or (entry.endswith(".") and name.startswith(entry)):
                return rank
    return None


def test_every_module_has_a_layer():
    assert not [name for name in MODULES if _layer_of(name) is None], "add them to LAYERS and CONTRIBUTING"


def test_imports_run_down_the_layers():
    upward = []
    for name, path in sorted(MODULES.items()):
        rank = _layer_of(name)
        for imported in sorted(_imports(path)):
            if imported.startswith(name + "."):
                continue  # a package exporting its own modules
            if rank is not None and (_layer_of(imported) or 0) > rank:
                upward.append(f"{name} imports {imported}, a higher layer")
    assert not upward, "\n".join(upward)


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
