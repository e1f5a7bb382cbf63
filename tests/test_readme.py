"""Every code block of README.md works as pasted.

The ```python blocks run in a scratch folder (a block may use a file an
earlier one wrote, as a reader's session would). Each runs in a fresh
namespace, so a block that leaves out an import fails; the blocks that load a
saved model each get a fresh process after the others, where a missing
``import keras_acts`` fails as it would for a user. The others share one
process, in order: each would pay TensorFlow's import again for nothing. The ```bash blocks are checked
without running them: every ``keras-acts`` line names a real subcommand and
real options, and the install and test commands are the ones CI runs.
"""

import re
import shlex
import textwrap
from pathlib import Path

import pytest

import background

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, re.S | re.M)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
BASH = [code for lang, code in BLOCKS if lang == "bash"]

RUNNER = textwrap.dedent(
    """
    import sys
    for number, path in enumerate(sys.argv[1:], 1):
        source = open(path).read()
        try:
            exec(compile(source, path, "exec"), {"__name__": "__main__"})
        except BaseException as error:
            print(f"README python block {path} failed: {type(error).__name__}: {error}")
            raise
    """
)


def _loads_a_model(code):
    return any("load_model(" in line.split("#")[0] for line in code.splitlines())


def _run_blocks(folder):
    """The blocks that load nothing, in order, in one process; then each
    block that loads a model, in a fresh process of its own (they only read
    files the first process wrote)."""
    paths = [Path(folder, f"block{number}.py") for number in range(1, len(PYTHON) + 1)]
    for path, code in zip(paths, PYTHON):
        path.write_text(code)
    plain = [p for p, code in zip(paths, PYTHON) if not _loads_a_model(code)]
    loading = [[p] for p, code in zip(paths, PYTHON) if _loads_a_model(code)]
    return [
        (group, background.run(background.python("-c", RUNNER, *group), cwd=folder))
        for group in [plain] + loading
    ]


RUNS = background.Job(_run_blocks)


@pytest.fixture(scope="module")
def runs():
    return RUNS.result()


def test_every_python_block_runs_as_pasted(runs):
    assert len(PYTHON) >= 4
    assert sum(len(group) for group, _ in runs) == len(PYTHON)
    for paths, done in runs:
        assert done.returncode == 0, (paths, done.stdout, done.stderr[-3000:])


def test_porting_blocks_print_what_they_say(runs):
    out = runs[0][1].stdout
    assert "hard_silu log_sigmoid" in out  # PyTorch's names, in ours


def test_loading_blocks_import_keras_acts_first():
    for code in filter(_loads_a_model, PYTHON):
        assert code.index("import keras_acts") < code.index("load_model(")


def _command_lines():
    for block in BASH:
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("keras-acts "):
                yield line


def test_command_lines_name_real_subcommands_and_options():
    import keras_acts_cli

    parser = keras_acts_cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    lines = list(_command_lines())
    assert {line.split()[1] for line in lines} == set(subparsers)  # every one, documented
    for line in lines:
        words = shlex.split(line.replace("[", " ").replace("]", " ").replace("|", " "))
        command = subparsers[words[1]]
        known = {s for action in command._actions for s in action.option_strings}
        for word in words[2:]:
            if word.startswith("-"):
                assert word in known, f"{line}: {word} is not an option of {words[1]}"


def test_install_and_test_commands_are_what_ci_runs():
    commands = [line for block in BASH for line in block.splitlines() if "python3 -m venv" in line]
    install, tests = commands
    assert "pytest" in tests and '".[test]"' in tests
    venv = re.search(r"venv (\S+)", tests).group(1)
    assert venv != re.search(r"venv (\S+)", install).group(1)  # the second does not reuse the first
    ci = (REPO / ".ci" / "run").read_text()
    assert tests.replace('pip install ".[test]"', 'pip install -q ".[test]"') in ci


@pytest.mark.parametrize("claim", ["bad values fail at construction", "--save FILE.keras"])
def test_readme_says_what_the_code_does(claim):
    assert claim in " ".join(README.split())
