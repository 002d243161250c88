"""The course edition (`make course`, tools/course.py; issue 17), in `make test-course`.

The course is built once for the module (student, instructor and task notebooks, and the
otter autograders, into a temporary folder), then:

- a second build is byte-identical (deterministic);
- no solution's code survives in a student notebook, nor the book's code of a task;
- grading the instructor notebooks gives full marks and the unmodified student notebooks zero,
  for every chapter, with no crash (in this process, with otter's own test files; and once per
  chapter family with ``otter run`` in a fresh kernel, as Gradescope grades);
- every typical wrong submission in tests/course/wrong/ loses marks on its task only, and the
  feedback names the mistake; a function that raises, returns NaN, or a cell that does not parse
  costs that task only;
- the scaffolds and check cells of every student notebook execute in a kernel (after the setup
  cell's path), each check printing "not passed yet" and nothing on stderr.

Executing whole student chapters (about 100 s each) is left out of `make test`.
"""

from __future__ import annotations

import ast
import pathlib
import re

import nbformat
import pytest

from tools import course

ROOT = pathlib.Path(__file__).resolve().parents[2]
WRONG = pathlib.Path(__file__).parent / "wrong"
TASKS = course.load_tasks()
CHAPTERS = course.chapters(TASKS)
BY_ID = {t.id: t for t in TASKS}
# otter and traitlets use APIs that Python and traitlets deprecate; not this project's code
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return course.build(tmp_path_factory.mktemp("course") / "course")


def _notebook_of(chapter: str) -> str:
    return pathlib.Path(CHAPTERS[chapter][0].notebook).name


def _files(folder: pathlib.Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_every_chapter_has_tasks_and_an_autograder(built):
    assert sorted(CHAPTERS) == ["ch1", "ch2", "ch3", "ch4", "ch5", "ch6"]
    for chapter in CHAPTERS:
        assert (built / "autograder" / f"{chapter}.zip").stat().st_size > 0
    for name in course.book_notebooks():
        assert (built / "student" / pathlib.Path(name).name).exists()
        assert (built / "instructor" / pathlib.Path(name).name).exists()
    assert "ch4-ema" in (built / "README.md").read_text()


def test_generation_is_deterministic(built, tmp_path):
    again = course.build(tmp_path / "course")
    first, second = _files(built), _files(again)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"not byte-identical: {different}"


def test_no_solution_code_in_student_notebooks(built):
    for name in course.book_notebooks():
        original = nbformat.read(ROOT / name, as_version=4)
        student = nbformat.read(built / "student" / pathlib.Path(name).name, as_version=4)
        code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
        text = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
        for solution in course.solution_code_cells(original):
            assert solution.strip() not in code, f"{name}: a solution's code survives"
        assert not re.search(r"\{solution(-start|-end)?\}", text), f"{name}: a solution stays"
        for task in (t for t in TASKS if t.notebook == name):
            if task.inserted:
                assert task.solution not in code
                continue
            index, node = course.find_task_cell(original, task.function)
            body = _body(original.cells[index].source, node)
            assert body not in code, f"{task.id}: the book's code survives in the student's"
            assert f'NotImplementedError("Task {task.id}' in code


def _body(source: str, node) -> str:
    """A function's statements after its docstring: the code a student must write."""
    lines, body = source.split("\n"), node.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return "\n".join(lines[body[0].lineno - 1 : node.end_lineno])


def test_instructor_notebooks_keep_the_book_and_its_solutions(built):
    for name in course.book_notebooks():
        original = nbformat.read(ROOT / name, as_version=4)
        instructor = nbformat.read(built / "instructor" / pathlib.Path(name).name, as_version=4)
        code = "\n".join(c.source for c in instructor.cells if c.cell_type == "code")
        for solution in course.solution_code_cells(original):
            assert solution.strip() in code


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_instructor_full_marks_student_zero(built, chapter):
    stem = _notebook_of(chapter)
    full = course.grade(built / "instructor" / stem, chapter, built, in_process=True)
    assert all(r.score == r.possible > 0 for r in full), course.report(full)
    zero = course.grade(built / "student" / stem, chapter, built, in_process=True)
    assert [r.task for r in zero] == [t.id for t in CHAPTERS[chapter]]
    for r in zero:
        assert r.score == 0 and r.possible > 0, course.report(zero)
        assert "NotImplementedError" in r.feedback and r.task in r.feedback


@pytest.mark.parametrize("chapter", ["ch1", "ch4"])
def test_otter_run_in_a_fresh_kernel(built, chapter, tmp_path):
    """The autograder itself (otter run in a fresh kernel, as on Gradescope), on a submission
    with one typical mistake: that task loses its marks with the checker's feedback, every other
    task gets full marks."""
    wrong = sorted(WRONG.glob(f"{chapter}_*.py"))[0]
    task, expected = _header(wrong)
    results = course.grade(_submission(built, task, wrong.read_text(), tmp_path), chapter, built)
    for r in results:
        if r.task == task:
            assert r.score < r.possible and expected in r.feedback, course.report(results)
        else:
            assert r.score == r.possible > 0, course.report(results)


def _header(path: pathlib.Path) -> tuple[str, str]:
    text = path.read_text()
    task = re.search(r"^# task: (\S+)$", text, re.M).group(1)
    return task, re.search(r"^# feedback: (.+)$", text, re.M).group(1).strip()


def _submission(built, task_id: str, code: str, folder: pathlib.Path) -> pathlib.Path:
    """The instructor notebook with one task's cell replaced by ``code``: a student who got
    every other task right."""
    task = BY_ID[task_id]
    nb = nbformat.read(built / "instructor" / pathlib.Path(task.notebook).name, as_version=4)
    (cell,) = [c for c in nb.cells if c.get("id") == f"{task.id}-code"]
    cell.source = code
    path = folder / f"{task.id}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("path", sorted(WRONG.glob("*.py")), ids=lambda p: p.stem)
def test_wrong_submission_loses_marks_and_is_named(built, path, tmp_path):
    task_id, expected = _header(path)
    chapter = BY_ID[task_id].chapter
    submission = _submission(built, task_id, path.read_text(), tmp_path)
    results = course.grade(submission, chapter, built, in_process=True)
    for r in results:
        if r.task == task_id:
            assert r.score < r.possible, course.report(results)
            assert expected in r.feedback, course.report(results)
        else:  # the student's other marks are kept
            assert r.score == r.possible, course.report(results)


def test_every_chapter_has_two_wrong_submissions():
    for chapter in CHAPTERS:
        assert len(list(WRONG.glob(f"{chapter}_*.py"))) >= 2, chapter


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "def kl_closed_form(z_mean, z_log_var):\n    raise ValueError('oops')",
            "raised ValueError: oops",
        ),
        (
            "import numpy as np\n\n\ndef kl_closed_form(z_mean, z_log_var):\n"
            "    return np.full(len(z_mean), np.nan)",
            "NaN",
        ),
        ("def kl_closed_form(z_mean, z_log_var)\n    return 0", "syntax error"),
        ("def kl_closed_form(z_mean, z_log_var):\n    return None", "None"),
    ],
    ids=["raises", "nan", "syntax-error", "returns-none"],
)
def test_a_broken_task_costs_that_task_only(built, tmp_path, code, expected):
    results = course.grade(
        _submission(built, "ch3-kl", code, tmp_path), "ch3", built, in_process=True
    )
    graded = {r.task: r for r in results}
    assert graded["ch3-kl"].score == 0 and expected in graded["ch3-kl"].feedback
    assert graded["ch3-reparameterize"].score == graded["ch3-reparameterize"].possible


def test_student_scaffolds_and_checks_execute(built):
    """Each student notebook's course cells run in a kernel: every check prints its feedback
    ("not passed yet"), nothing is written to stderr and nothing raises."""
    from nbclient import NotebookClient

    cells = [nbformat.v4.new_code_cell(f"import sys\n\nsys.path.insert(0, {str(ROOT)!r})")]
    for chapter in sorted(CHAPTERS):
        nb = nbformat.read(built / "student" / _notebook_of(chapter), as_version=4)
        ours = {f"{t.id}-{part}" for t in CHAPTERS[chapter] for part in ("code", "check")}
        cells += [c for c in nb.cells if c.get("id") in ours]
    small = nbformat.v4.new_notebook(cells=cells)
    small.metadata["kernelspec"] = course.KERNELSPEC
    NotebookClient(small, timeout=120, kernel_name="python3").execute()
    printed = []
    for cell in small.cells:
        for output in cell.outputs:
            assert output.output_type == "stream" and output.name == "stdout", output
            printed.append(output.text)
    checks = [line for line in "".join(printed).splitlines() if "not passed yet" in line]
    assert len(checks) == len(TASKS), printed


def test_the_chapters_own_check_of_a_task_leaves_the_student_notebook():
    after = "print(check_sample_next(sample_step))\nsamples = sample_step(logits)\ncheck_other(f)"
    kept = course.without_checker_calls(after, "check_sample_next")
    assert kept == "samples = sample_step(logits)\ncheck_other(f)"
    student = nbformat.read(ROOT / "book" / "06_generating_speech.ipynb", as_version=4)
    student = course.course_notebook(student, CHAPTERS["ch6"], "student")
    outside_the_check_cell = [
        c.source for c in student.cells if c.cell_type == "code" and c.id != "ch6-sample-check"
    ]
    assert not any("check_sample_next(sample_step)" in s for s in outside_the_check_cell)
    instructor = course.course_notebook(
        nbformat.read(ROOT / "book" / "06_generating_speech.ipynb", as_version=4),
        CHAPTERS["ch6"],
        "instructor",
    )
    assert any(
        "print(check_sample_next(sample_step))" in c.source
        for c in instructor.cells
        if c.cell_type == "code"
    )
