"""The course edition's student notebooks, executed whole, on real speech and on the fallback.

Issue 17: "the student notebooks execute end to end with the scaffolds in place (the tasks fail
their checks; the rest of the chapter still runs, or stops at a clearly marked point)". Each
student notebook of ``make course`` (built here into a temporary folder) is executed from a
clean kernel, as a student who has written nothing yet would run it, and:

- a chapter without graded tasks (solutions removed only) must run to its end: no cell of the
  chapter may need a removed solution;
- a chapter with graded tasks runs to its end or stops at a clearly marked point: the first
  error is the ``NotImplementedError`` of one of *its own* tasks ("Task ch4-nearest: write
  nearest_codeword() ..."), raised by a later cell that calls the unwritten function; any other
  error (a name only a removed solution defined, a crash in a check cell) fails the test;
- every check cell that ran printed that its task is "not passed yet" (the feedback a student
  gets), and no cell wrote to stderr.

``real``: the recordings of ``FSDD_DIR`` (or the verified cache), which must be real FSDD: the
test fails rather than pass quietly on the fallback. ``fallback``: no data and no network, the
offline corpus (``SPEECH_AE_NO_DOWNLOAD=1``, an empty cache folder).

In ``make test`` as ``make test-student-notebooks``, in the CI lane with the most time to spare.
"""

from __future__ import annotations

import os
import pathlib
import re

import nbformat
import pytest

from tools import course

ROOT = pathlib.Path(__file__).resolve().parents[2]
TASKS = course.load_tasks()
NOTEBOOKS = [pathlib.Path(name).name for name in course.book_notebooks()]
TIMEOUT_S = 600  # per cell
# the first line of a scaffold's error: "Task <id>: write <function>() ..."
MARKED_STOP = re.compile(r"Task (?P<task>[a-z0-9-]+): write ")


@pytest.fixture(scope="module")
def student_folder(tmp_path_factory):
    return course.build(tmp_path_factory.mktemp("course") / "course") / "student"


def _data_environment(data: str, tmp_path: pathlib.Path) -> dict[str, str]:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), SPEECH_AE_NO_DOWNLOAD="1")
    environment["SPEECH_AE_MODEL_CACHE"] = "0"  # each run trains, as a student's first run does
    if data == "fallback":
        environment.pop("FSDD_DIR", None)
        environment["SPEECH_AE_CACHE"] = str(tmp_path / "empty-cache")
        return environment
    from utils.data import load_fsdd

    if not load_fsdd(verbose=False).is_real:
        pytest.fail(
            "no real FSDD recordings (set FSDD_DIR, as .ci/run does): the real-speech run of the "
            "student notebooks would silently run on the fallback corpus"
        )
    return environment


def _execute(path: pathlib.Path, environment: dict[str, str]):
    """Execute the notebook in its folder; returns (notebook, the error's ename and evalue or
    None). Stops at the first error, as Run all does."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)  # the kernel inherits this process's environment
    try:
        client.execute()
        error = None
    except CellExecutionError as failure:
        error = (failure.ename, failure.evalue)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb, error


@pytest.mark.parametrize("data", ["real", "fallback"])
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_student_notebook_runs_or_stops_at_a_task(student_folder, notebook, data, tmp_path):
    own_tasks = {t.id for t in TASKS if pathlib.Path(t.notebook).name == notebook}
    nb, error = _execute(student_folder / notebook, _data_environment(data, tmp_path))
    where = f"student {notebook} ({data})"
    if error is not None:
        ename, evalue = error
        marked = MARKED_STOP.match(evalue)
        assert ename == "NotImplementedError" and marked, (
            f"{where} stopped at an unmarked point: {ename}: {evalue[:300]}"
        )
        assert marked["task"] in own_tasks, f"{where} stopped at another chapter's task: {evalue}"
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    assert ran, f"{where}: no cell ran"
    for cell in ran:
        for output in cell.get("outputs", []):
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{where}, cell {cell.get('id')} wrote to stderr: {output.text[:300]}"
            )
    for task in own_tasks:
        check = next((c for c in ran if c.get("id") == f"{task}-check"), None)
        if check is None:
            continue  # after the stop: the student meets it once the earlier task is written
        printed = "".join(o.get("text", "") for o in check.get("outputs", []))
        assert f"Task {task} not passed yet" in printed, f"{where}: {task}'s check said {printed!r}"
    if not own_tasks:
        assert error is None
