"""tools/solutions.py: `make book SOLUTIONS=hidden` leaves every solution off the page.

A one-page book (an exercise with a gated solution holding a code cell, as the chapters write
them) is built with Jupyter Book, without executing, once with solutions shown and once hidden.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
JUPYTER_BOOK = pathlib.Path(sys.executable).with_name("jupyter-book")

CONFIG = f"""\
title: Solutions test
only_build_toc_files: true
execute:
  execute_notebooks: "off"
repository:
  url: https://github.com/speech-autoencoders/speech-autoencoders
  branch: main
launch_buttons:
  colab_url: https://colab.research.google.com
html:
  use_download_button: true
sphinx:
  extra_extensions: [sphinx_exercise]
  local_extensions:
    solutions: {ROOT / "tools"}
"""


def small_book(folder: pathlib.Path) -> pathlib.Path:
    cells = [
        nbformat.v4.new_markdown_cell("# Chapter\n\nSome prose a reader always sees."),
        nbformat.v4.new_markdown_cell(
            ":::{exercise}\n:label: ex-one\nWrite the function EXERCISE_TEXT asks for.\n:::"
        ),
        nbformat.v4.new_markdown_cell(":::{solution-start} ex-one\n:class: dropdown\n:::"),
        nbformat.v4.new_markdown_cell("SOLUTION_PROSE explains the answer."),
        nbformat.v4.new_code_cell("SOLUTION_CODE = 42"),
        nbformat.v4.new_markdown_cell(":::{solution-end}\n:::"),
        nbformat.v4.new_markdown_cell("PROSE_AFTER the solution stays."),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, folder / "chapter.ipynb")
    (folder / "_config.yml").write_text(CONFIG)
    (folder / "_toc.yml").write_text("format: jb-book\nroot: chapter\n")
    return folder


def build(folder: pathlib.Path, solutions: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SPEECH_AE_SOLUTIONS"}
    if solutions is not None:
        env["SPEECH_AE_SOLUTIONS"] = solutions
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(folder), "--warningiserror", "--keep-going"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    built = {}
    for mode in ("shown", "hidden"):
        folder = small_book(tmp_path_factory.mktemp(mode))
        result = build(folder, mode)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        built[mode] = (folder / "_build" / "html" / "chapter.html").read_text()
    return built


def test_shown_is_the_book_as_it_is(pages):
    page = pages["shown"]
    for text in ("EXERCISE_TEXT", "SOLUTION_PROSE", "SOLUTION_CODE", "PROSE_AFTER"):
        assert text in page
    assert "colab.research.google.com" in page


def test_hidden_drops_every_solution_and_the_notebook_buttons(pages):
    page = pages["hidden"]
    assert "EXERCISE_TEXT" in page and "PROSE_AFTER" in page
    assert "SOLUTION_PROSE" not in page and "SOLUTION_CODE" not in page
    assert "Solution to" not in page
    assert "colab.research.google.com" not in page
    assert "chapter.ipynb" not in page  # no download button for the notebook


def test_a_wrong_setting_is_explained(tmp_path):
    result = build(small_book(tmp_path), "maybe")
    assert result.returncode != 0
    assert "SOLUTIONS must be 'shown'" in result.stdout + result.stderr
