"""``keras-acts inspect MODEL.keras``: which activations and layers of keras_acts
(or of another package) a saved model uses, with their arguments; whether it
loads here; and the Python that loads it.

A ``.keras`` file is a zip holding ``config.json``: the objects a file uses
are read from it without TensorFlow. Keras finds a package's objects only
once the package is imported (``import keras_acts`` registers them); it
never imports a package for a file (only its own ones), so a missing import
fails with ``Could not locate function 'keras_acts>mish'`` or ``... class
'Mish'``. This command names the imports a file needs.

It lives beside the launcher, outside the library: reading a file needs
neither Keras nor keras_acts, which are imported only to check that the
file loads here.
"""

import dataclasses
import json
import zipfile

from keras_acts_cli.terminal import CliError, import_quietly, tensorflow_start_hidden

SKIP = {"name", "trainable", "dtype"}


@dataclasses.dataclass
class Use:
    package: str
    name: str  # the registered name: a function's, or a layer's class
    kind: str  # "layer" or "function"
    where: str  # what it is in the model: "layer 'x' of ...", "the activation argument of ..."
    arguments: dict
    activation: str = None  # what it computes, where the file says (functions, ActivationCall)


def read_archive(path):
    """``(config, metadata)`` of a .keras file, or a CliError naming the path."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            try:
                metadata = json.loads(archive.read("metadata.json"))
            except KeyError:
                metadata = {}
    except FileNotFoundError:
        raise CliError(f"no such file: {path!r}") from None
    except (zipfile.BadZipFile, KeyError, ValueError, IsADirectoryError) as error:
        raise CliError(
            f"{path!r} is not a .keras file (a zip holding config.json): {error}"
        ) from None
    return config, metadata


def _short(value):
    """A serialized value in a few characters: objects by class name."""
    if isinstance(value, dict) and "class_name" in value:
        inner = value.get("config")
        if isinstance(inner, dict) and inner:
            return f"{value['class_name']}({', '.join(f'{k}={_short(v)}' for k, v in inner.items())})"
        return value["class_name"] if not isinstance(inner, str) else inner
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


def _owner(node):
    """How a line names the object whose config holds others: "Dense layer 'dense'",
    "Sequential model 'sequential'" (a config with layers is a model's)."""
    config = node["config"]
    kind = "model" if "layers" in config else "layer"
    return f"{node['class_name']} {kind} {config['name']!r}"


def _layer_use(package, name, config, owner, key):
    arguments = {k: _short(v) for k, v in config.items() if k not in SKIP and v is not None}
    layer = f"layer {config.get('name', '?')!r}"
    if name == "ActivationCall" and isinstance(config.get("activation"), str):
        # What ``keras_acts.activations.mish(keras.Input(...))`` leaves in a functional model.
        where = f"called on a symbolic tensor as {layer} (an ActivationCall) of {owner}"
        return Use(package, name, "layer", where, arguments, config["activation"])
    if key in (None, "layers"):
        where = f"{layer} of {owner}"
    else:  # a layer object given as another layer's argument: Dense(8, activation=Mish())
        where = f"the {key} argument of {owner}, as {layer}"
    return Use(package, name, "layer", where, arguments)


def find_uses(node, owner="the model", key=None, found=None):
    """Every object of a package other than Keras in a config: registered
    layers (``registered_name`` "package>Name") and functions ("package>name")."""
    found = [] if found is None else found
    if isinstance(node, list):
        for item in node:
            find_uses(item, owner, key, found)
    if not isinstance(node, dict):
        return found
    config = node.get("config")
    if node.get("class_name") == "function" and isinstance(config, str) and ">" in config:
        package, name = config.split(">", 1)
        found.append(Use(package, name, "function", f"the {key} argument of {owner}", {}, name))
        return found
    registered = node.get("registered_name")
    if isinstance(config, dict) and "class_name" in node:
        if isinstance(registered, str) and ">" in registered:
            package, name = registered.split(">", 1)
            found.append(_layer_use(package, name, config, owner, key))
        if "name" in config:
            owner = _owner(node)
    for child_key, child in node.items():
        if child_key not in ("inbound_nodes", "build_config"):
            find_uses(child, owner, key if child_key == "config" else child_key, found)
    return found


def loading_code(path, packages):
    lines = ["import keras"]
    for package in packages:
        if package == "keras_acts":
            lines.append("import keras_acts  # registers its activations and layers with Keras")
        else:
            lines.append(f"import ...  # the code that defines package {package!r}'s objects "
                         "(define_activation(..., package=...) or register_keras_serializable)")
    lines.append(f"model = keras.saving.load_model({path!r})")
    return lines


def check_here(path, uses):
    """``(loads, detail, unknown)``: whether the file loads in this process
    (with keras_acts imported), why not, and the names nothing registers here."""
    import_quietly("keras_acts")
    import keras

    unknown = sorted({f"{u.package}>{u.name}" for u in uses
                      if keras.saving.get_registered_object(f"{u.package}>{u.name}") is None})
    try:
        with tensorflow_start_hidden():  # Keras's loading imports it where it is installed
            model = keras.saving.load_model(path)
    except Exception as error:  # noqa: BLE001 -- reported, not raised
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return False, f"{type(error).__name__}: {first[:300]}", unknown
    return True, f"{len(model.layers)} layers, {model.count_params()} parameters", unknown


def _version(distribution):
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def run(args):
    config, metadata = read_archive(args.path)
    uses = find_uses(config)
    packages = sorted({u.package for u in uses}, key=lambda p: (p != "keras_acts", p))
    report = {
        "path": args.path,
        "saved_with_keras": metadata.get("keras_version"),
        "keras_here": _version("keras"),
        "uses": [dataclasses.asdict(u) for u in uses],
        "packages": packages,
        "load_with": loading_code(args.path, packages),
    }
    if not args.no_load:
        loads, detail, unknown = check_here(args.path, uses)
        report.update(loads_here=loads, load_detail=detail, unknown_here=unknown)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0 if report.get("loads_here", True) else 1


def use_sentence(use):
    """One use as a sentence: "leaky_relu (function) is the activation argument
    of Dense layer 'dense_1'.", "LeakyReLU (layer) is layer 'leaky_re_lu' of
    Sequential model 'sequential', with negative_slope=0.1."."""
    arguments = use["arguments"]
    if use["kind"] == "layer" and use.get("activation"):  # an ActivationCall
        subject = f"{use['activation']} (function)"
        arguments = arguments.get("params") or {}
    else:
        subject = f"{use['name']} ({use['kind']})"
    shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"{subject} is {use['where']}" + (f", with {shown}." if shown else ".")


def _ended(text):
    return text if text.endswith((".", "!", "?")) else text + "."


def print_report(report):
    saved = report["saved_with_keras"] or "an unknown version"
    print(f"{report['path']}: saved with Keras {saved}; Keras here: {report['keras_here'] or 'none'}.")
    if not report["uses"]:
        print("It uses no keras_acts activation or other package's object: Keras alone loads it.")
    for package in report["packages"]:
        print(f"\nObjects of package {package!r}:")
        for use in (u for u in report["uses"] if u["package"] == package):
            print("  " + use_sentence(use))
    if "loads_here" in report:
        verdict = "yes" if report["loads_here"] else "NO"
        print(f"\nLoads here (keras_acts imported): {verdict}: {_ended(report['load_detail'])}")
        if report["unknown_here"]:
            print("  Not registered here: " + _ended(", ".join(report["unknown_here"])))
    print("\nLoad it with:\n" + "\n".join("  " + line for line in report["load_with"]))
