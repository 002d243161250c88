"""Notebook hygiene: committed without outputs, the canonical setup cell first, Colab-ready."""

import ast
import os
import pathlib
import subprocess
import sys
import textwrap

import nbformat
import pytest
import yaml

from tests.setup_cell import SETUP_CELL, SETUP_CELL_TAGS
from tests.toc import ROOT, notebooks, toc_files

NOTEBOOKS = notebooks()


def test_every_toc_entry_exists_and_every_notebook_is_in_the_toc():
    for name in toc_files():
        assert (ROOT / f"{name}.ipynb").exists() or (ROOT / f"{name}.md").exists(), name
    in_toc = {path.resolve() for path in NOTEBOOKS}
    assert set((ROOT / "book").glob("*.ipynb")) <= in_toc, (
        "a notebook in book/ is missing from _toc.yml"
    )
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}, cell {number} has outputs"
            assert cell.execution_count is None, (
                f"{path.name}, cell {number} has an execution count"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_title_then_the_setup_cell(path):
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# "), (
        "first cell: '# Title'"
    )
    first_code = next(cell for cell in cells if cell.cell_type == "code")
    assert first_code is cells[1], "the setup cell comes right after the title"
    assert first_code.source == SETUP_CELL, "the setup cell differs from tests/setup_cell.py"
    assert tuple(first_code.metadata.get("tags", ())) == SETUP_CELL_TAGS


def test_setup_cell_url_matches_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    calls = [
        node
        for node in ast.walk(ast.parse(SETUP_CELL))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get"
    ]
    defaults = {
        call.args[0].value: call.args[1].value
        for call in calls
        if len(call.args) == 2 and all(isinstance(arg, ast.Constant) for arg in call.args)
    }
    assert defaults.get("SPEECH_AE_REPOSITORY") == url


def test_setup_cell_fetches_utils_in_a_simulated_colab(tmp_path):
    """No `utils` importable, a stand-in `google.colab`, the repository URL set to this checkout."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to clone from")
    program = textwrap.dedent(
        """
        import sys, types
        google = types.ModuleType("google"); colab = types.ModuleType("google.colab")
        google.colab = colab; sys.modules["google"] = google; sys.modules["google.colab"] = colab
        try:
            import utils
        except ImportError:
            pass
        else:
            raise SystemExit("utils was importable before the setup cell ran")
        exec(compile(open(sys.argv[1]).read(), "setup-cell", "exec"))
        import utils, pathlib
        print(pathlib.Path(utils.__file__).resolve())
        """
    )
    cell = tmp_path / "setup_cell.py"
    cell.write_text(SETUP_CELL)
    workdir = tmp_path / "content"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}}
    env["SPEECH_AE_REPOSITORY"] = ROOT.as_uri()
    result = subprocess.run(
        [sys.executable, "-c", program, str(cell)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    location = pathlib.Path(result.stdout.strip().splitlines()[-1])
    assert location == workdir / "speech-autoencoders" / "utils" / "__init__.py"
    assert "TensorFlow" not in result.stderr and "oneDNN" not in result.stderr, result.stderr[
        -2000:
    ]
