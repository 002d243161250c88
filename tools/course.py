"""The course edition (`make course`): student notebooks, instructor notebooks, autograders.

    python tools/course.py build [--out _build/course]
    python tools/course.py grade ch4 my_04_vq_compression.ipynb [--course _build/course]

One source of truth: the chapter notebooks and tools/course_tasks.toml, which names, for each
graded task, the function a chapter cell defines (found by parsing the cells for
``def <function>``, wherever the cell is), its points and its checker in ``utils.checkers``.
Nothing is written twice by hand:

- the **student notebook** of a chapter is the chapter with every solution removed (the cells
  between sphinx-exercise's ``solution-start`` and ``solution-end`` markers and every gated
  ``solution`` directive: what ``make book SOLUTIONS=hidden`` hides, see tools/solutions.py),
  and each task's function replaced by its *scaffold* (the same signature and docstring or
  leading comments, the body ``raise NotImplementedError``), followed by a check cell that runs
  the task's checker and prints its feedback without stopping the notebook;
- the **instructor notebook** is the same with the chapter's own code in place of each scaffold
  and the solutions kept;
- the **autograder** of a chapter is built by ``otter assign`` from a generated otter-format
  master notebook (one question per task, the tests call the same checkers as the check cells),
  and rewritten with fixed timestamps, so that the same input gives byte-identical output.

Grading does not execute the whole submitted chapter (about 100 s per chapter): it extracts
from the submission a small *task notebook*, the task functions with the functions, imports
and constants they use, and runs otter on that (seconds). A task whose function is missing,
raises, returns NaN or runs too long scores zero for that task only: the checkers turn every
such failure into a plain ``CheckFailed``, and otter goes on with the next question.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tools" / "course_tasks.toml"
OUT = ROOT / "_build" / "course"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
# what the autograder installs on Gradescope: the book's pins of what the tasks and checkers use
AUTOGRADER_PACKAGES = ("numpy", "scipy", "librosa", "keras", "tensorflow_cpu")
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # every file of an autograder zip, for reproducible bytes


@dataclass(frozen=True)
class Task:
    id: str
    chapter: str
    notebook: str
    function: str
    points: float
    checker: str
    week: int
    what: str
    adapter: str | None = None
    checked: str | None = None
    insert_after: str | None = None
    signature: str | None = None
    docstring: str | None = None
    solution: str | None = None
    imports: tuple[str, ...] = field(default=())
    options: dict = field(default_factory=dict, hash=False)

    def check_call(self) -> str:
        """The checker's call, e.g. ``check_gradients(gradients)``."""
        arguments = [self.checked or self.function]
        arguments += [f"{key}={value!r}" for key, value in sorted(self.options.items())]
        return f"{self.checker}({', '.join(arguments)})"

    @property
    def inserted(self) -> bool:
        """True when the chapter does not define the function inline (it is inserted)."""
        return self.insert_after is not None


def load_tasks(spec: Path = SPEC) -> list[Task]:
    """The tasks of tools/course_tasks.toml, in the file's order, checked for consistency."""
    tasks = []
    for entry in tomllib.loads(spec.read_text())["task"]:
        entry = dict(entry)
        entry["imports"] = tuple(entry.get("imports", ()))
        entry["options"] = dict(entry.get("options", {}))
        tasks.append(Task(**entry))
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{spec}: task ids must be unique, got {ids}")
    for t in tasks:
        if t.inserted and not (t.signature and t.docstring and t.solution):
            raise ValueError(f"{spec}: inserted task {t.id} needs signature, docstring, solution")
        if (t.adapter is None) != (t.checked is None):
            raise ValueError(f"{spec}: task {t.id}: give adapter and checked together")
    return tasks


def chapters(tasks: list[Task]) -> dict[str, list[Task]]:
    result: dict[str, list[Task]] = {}
    for t in tasks:
        result.setdefault(t.chapter, []).append(t)
    return result


# ---------------------------------------------------------------------------------------------
# Parsing code cells


def _parse(source: str) -> ast.Module | None:
    """The cell's syntax tree, IPython magics blanked out; None if it does not parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _definition(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    found = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            found = node
    return found


def _span(node: ast.stmt) -> tuple[int, int]:
    """0-based first line (decorators included) and end line (exclusive) of a statement."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first - 1, node.end_lineno


def find_task_cell(nb, function: str) -> tuple[int, ast.FunctionDef]:
    """Index of the first code cell that defines ``function`` at top level, and its node."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            tree = _parse(cell.source)
            node = tree and _definition(tree, function)
            if node:
                return index, node
    raise LookupError(f"no code cell defines {function}()")


def find_anchor_cell(nb, text: str, skip: set[str] = frozenset()) -> int:
    """Index of the first code cell of the chapter (not one in ``skip``) containing ``text``."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and text in cell.source and cell.get("id") not in skip:
            return index
    raise LookupError(f"no code cell contains {text!r}")


# ---------------------------------------------------------------------------------------------
# Scaffolds, solutions, check cells


def _not_implemented(task: Task) -> str:
    return f'raise NotImplementedError("Task {task.id}: write {task.function}()")'


def scaffold_from_definition(task: Task, source: str, node: ast.FunctionDef) -> str:
    """The definition's header, docstring and leading comments, then NotImplementedError."""
    lines = source.split("\n")
    first, _ = _span(node)
    body = node.body
    keep_to = body[0].lineno - 1  # header and the comments before the first statement
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    if has_docstring:
        keep_to = body[0].end_lineno
        after = body[1].lineno - 1 if len(body) > 1 else keep_to
        while keep_to < after and lines[keep_to].strip().startswith("#"):
            keep_to += 1
    kept = lines[first:keep_to]
    indent = " " * body[0].col_offset
    if len(kept) == 1:  # no docstring, no comment: say what the function computes
        kept.append(f"{indent}# {task.what}")
    return "\n".join(kept + [indent + _not_implemented(task)])


def _inserted_definition(task: Task, body: str) -> str:
    doc = textwrap.indent(f'"""{task.docstring}"""', "    ")
    return f"def {task.signature}:\n{doc}\n{textwrap.indent(body, '    ')}"


def inserted_solution(task: Task) -> str:
    imports = "\n".join(task.imports)
    return (imports + "\n\n\n" if imports else "") + _inserted_definition(task, task.solution)


def inserted_scaffold(task: Task) -> str:
    imports = "\n".join(task.imports)
    definition = _inserted_definition(task, _not_implemented(task))
    return (imports + "\n\n\n" if imports else "") + definition


def check_source(task: Task) -> str:
    """The student's check cell: the task's checker, its feedback printed, never raised."""
    adapter = (task.adapter + "\n\n\n") if task.adapter else ""
    return (
        f"# Check task {task.id} (the autograder runs the same check)\n"
        f"from utils.checkers import CheckFailed, {task.checker}\n\n"
        f"{adapter}"
        "try:\n"
        f"    print({task.check_call()})\n"
        "except CheckFailed as failure:\n"
        f'    print(f"Task {task.id} not passed yet: {{failure}}")'
    )


def without_checker_calls(source: str, checker: str) -> str:
    """``source`` without its top-level expressions that call ``checker``.

    A chapter may check its own task function in the cell that defines it (chapter 6:
    ``print(check_sample_next(sample_step))``). In the student's notebook that call would stop
    Run all with a ``CheckFailed`` traceback at the scaffold, before the check cell (which runs
    the same checker and prints its feedback instead); so it is left out there.
    """
    tree = _parse(source)
    if tree is None:
        return source
    lines, dropped = source.split("\n"), set()
    for node in tree.body:
        calls = (n for n in ast.walk(node) if isinstance(n, ast.Call))
        if isinstance(node, ast.Expr) and any(
            isinstance(c.func, ast.Name) and c.func.id == checker for c in calls
        ):
            first, end = _span(node)
            dropped.update(range(first, end))
    return "\n".join(line for i, line in enumerate(lines) if i not in dropped).strip("\n")


def task_markdown(task: Task) -> str:
    where = (
        "Write it in the cell below"
        if task.inserted
        else "The book's code for it is replaced by a scaffold below: write its body"
    )
    points = f"{task.points:g} point" + ("" if task.points == 1 else "s")
    return (
        f"**Task {task.id}** ({points}): write `{task.function}()`, {task.what}. {where}, "
        "then run the check cell after it: it prints what is wrong, or OK. Later cells that "
        "call the function stop with this task's `NotImplementedError` until it is written."
    )


# ---------------------------------------------------------------------------------------------
# Solutions (sphinx-exercise's layout, the one tools/solutions.py hides)

_GATED_START = re.compile(r"^(:{3,})\{solution-start\}", re.M)
_GATED_END = re.compile(r"^(:{3,})\{solution-end\}[^\n]*\n\1[ \t]*$\n?", re.M)
_SOLUTION = re.compile(r"^(:{3,})\{solution\}.*?^\1[ \t]*$\n?", re.M | re.S)


def remove_solutions(cells: list) -> list:
    """The cells without any solution: gated blocks (start to end, code cells included) and
    ``solution`` directives; the exercises and the prose around them stay."""
    result, inside = [], False
    for cell in cells:
        cell = copy.deepcopy(cell)
        if inside:
            if cell.cell_type != "markdown":
                continue
            end = _GATED_END.search(cell.source)
            if not end:
                continue
            cell.source = cell.source[end.end() :]
            inside = False
        if cell.cell_type == "markdown":
            cell.source = _SOLUTION.sub("", cell.source)
            start = _GATED_START.search(cell.source)
            if start:
                end = _GATED_END.search(cell.source, start.end())
                if end:  # start and end in one cell
                    cell.source = cell.source[: start.start()] + cell.source[end.end() :]
                else:
                    cell.source = cell.source[: start.start()]
                    inside = True
            cell.source = cell.source.strip("\n")
            if not cell.source.strip():
                continue
        result.append(cell)
    if inside:
        raise ValueError("a solution-start has no solution-end")
    return result


def solution_code_cells(nb) -> list[str]:
    """The source of every code cell inside a gated solution (what a student must not see)."""
    sources, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if inside and _GATED_END.search(cell.source):
                inside = False
            start = _GATED_START.search(cell.source)
            if start and not _GATED_END.search(cell.source, start.end()):
                inside = True
        elif inside and cell.source.strip():
            sources.append(cell.source)
    return sources


# ---------------------------------------------------------------------------------------------
# Course notebooks


def _code(source: str, cell_id: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.id = cell_id
    return cell


def _markdown(source: str, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cell_id
    return cell


def course_notebook(nb, tasks: list[Task], role: str):
    """The student (``role="student"``) or instructor notebook of one chapter notebook."""
    if role not in ("student", "instructor"):
        raise ValueError(f"role must be 'student' or 'instructor', got {role!r}")
    nb = copy.deepcopy(nb)
    if role == "student":
        nb.cells = remove_solutions(nb.cells)
    created: set[str] = set()  # the cells made here: never an anchor
    for task in tasks:
        created |= {f"{task.id}-task", f"{task.id}-code", f"{task.id}-check"}
        if task.inserted:
            index = find_anchor_cell(nb, task.insert_after, created)
            code = inserted_scaffold(task) if role == "student" else inserted_solution(task)
            new = [
                _markdown(task_markdown(task), f"{task.id}-task"),
                _code(code, f"{task.id}-code"),
                _code(check_source(task), f"{task.id}-check"),
            ]
            index += 1
            while index < len(nb.cells) and nb.cells[index].get("id") in created:
                index += 1  # after the tasks inserted here before this one
            nb.cells[index:index] = new
            continue
        index, node = find_task_cell(nb, task.function)
        cell = nb.cells[index]
        lines = cell.source.split("\n")
        first, end = _span(node)
        before = "\n".join(lines[:first]).strip("\n")
        after = "\n".join(lines[end:]).strip("\n")
        definition = "\n".join(lines[first:end])
        if role == "student":
            definition = scaffold_from_definition(task, cell.source, node)
            after = without_checker_calls(after, task.checker)
        new = []
        if before:
            new.append(_code(before, cell.id))
        new += [
            _markdown(task_markdown(task), f"{task.id}-task"),
            _code(definition, f"{task.id}-code"),
            _code(check_source(task), f"{task.id}-check"),
        ]
        if after:
            new.append(_code(after, f"{cell.id}-after" if before else cell.id))
        nb.cells[index : index + 1] = new
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata["otter"] = {"assignment_name": tasks[0].chapter} if tasks else {}
    if not tasks:
        del nb.metadata["otter"]
    return nb


# ---------------------------------------------------------------------------------------------
# Task notebooks: what is graded


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    if isinstance(node, ast.FunctionDef):
        return [node.name]
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        if isinstance(node.targets[0], ast.Name):
            try:
                ast.literal_eval(node.value)
            except ValueError:
                return []
            return [node.targets[0].id]
    return []


def task_notebook(nb, tasks: list[Task]):
    """A small otter-format notebook of a submission: the task functions, with the functions,
    imports and constants (literal assignments) they use, the last definition of each name."""
    statements: dict[str, str] = {}  # name -> source of the statement that binds it last
    order: dict[str, int] = {}
    broken: dict[str, str] = {}  # task function -> why its cell could not be read
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source)
        if tree is None:  # this cell's tasks score zero, with a reason; the others are graded
            for t in tasks:
                if re.search(rf"^def {t.function}\b", cell.source, re.M):
                    broken[t.function] = _syntax_error(cell.source)
            continue
        for node in tree.body:
            for name in _bound_names(node):
                source = ast.get_source_segment(cell.source, node, padded=False)
                if isinstance(node, ast.FunctionDef) and node.decorator_list:
                    first, end = _span(node)
                    source = "\n".join(cell.source.split("\n")[first:end])
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    alias = next(
                        a for a in node.names if (a.asname or a.name).split(".")[0] == name
                    )
                    source = _one_import(node, alias)
                statements[name] = source
                order.setdefault(name, len(order))
    for t in tasks:
        if t.function not in statements:
            reason = broken.get(t.function, f"the submission defines no {t.function}()")
            message = f"Task {t.id}: {reason}"
            statements[t.function] = (
                f"def {t.function}(*args, **kwargs):\n    raise NotImplementedError({message!r})"
            )
            order.setdefault(t.function, len(order))
    needed, todo = set(), [t.function for t in tasks]
    while todo:
        name = todo.pop()
        if name in needed or name not in statements:
            continue
        needed.add(name)
        tree = ast.parse(statements[name])
        todo += sorted(_names_used(tree) - needed)
    ordered = sorted(needed, key=order.get)
    is_import = {n for n in ordered if statements[n].startswith(("import ", "from "))}
    imports = [statements[n] for n in ordered if n in is_import]
    out = nbformat.v4.new_notebook()
    out.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "otter": {"assignment_name": tasks[0].chapter},
    }
    # TensorFlow (imported by keras) stays quiet in the grading kernel
    quiet = 'import os\n\nos.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")'
    out.cells.append(_code(quiet, "quiet"))
    if imports:
        out.cells.append(_code("\n".join(imports), "imports"))
    for name in ordered:
        if name not in is_import:
            out.cells.append(_code(statements[name], f"def-{name}"))
    return out


def _syntax_error(source: str) -> str:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return f"its cell has a syntax error (line {error.lineno}: {error.msg})"
    return "its cell could not be read"


def _one_import(node, alias) -> str:
    name = alias.name + (f" as {alias.asname}" if alias.asname else "")
    if isinstance(node, ast.Import):
        return f"import {name}"
    return f"from {'.' * node.level}{node.module or ''} import {name}"


# ---------------------------------------------------------------------------------------------
# Autograders (otter assign)


def test_source(task: Task) -> str:
    """The otter test of a task: an exception-based test that calls the task's checker."""
    adapter = textwrap.indent(task.adapter + "\n", "    ") if task.adapter else ""
    name = task.id.replace("-", "_")
    return (
        f"def test_{name}({task.function}):\n"
        f"    from utils.checkers import {task.checker}\n\n"
        f"{adapter}"
        f"    print({task.check_call()})"
    )


def master_notebook(chapter: str, tasks: list[Task], instructor_nb):
    """The otter-format master notebook of a chapter: one question per task."""
    solution = task_notebook(instructor_nb, tasks)
    config = (
        "# ASSIGNMENT CONFIG\n"
        f"name: {chapter}\n"
        "requirements: requirements.txt\n"
        "files:\n  - utils\n"
        "init_cell: false\n"
        "check_all_cell: false\n"
        "export_cell: false\n"
        "run_tests: false\n"
        "generate: true\n"
        "tests:\n  ok_format: false\n"
    )
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    raw = nbformat.v4.new_raw_cell
    nb.cells = [raw(config)] + [c for c in solution.cells]
    for task in tasks:
        nb.cells += [
            raw(f"# BEGIN QUESTION\nname: {task.id}\npoints: {task.points:g}"),
            nbformat.v4.new_markdown_cell(f"{task.what}: `{task.function}()`."),
            nbformat.v4.new_code_cell(f"# BEGIN SOLUTION\n{task.function}\n# END SOLUTION"),
            raw("# BEGIN TESTS"),
            nbformat.v4.new_code_cell(test_source(task)),
            raw("# END TESTS"),
            raw("# END QUESTION"),
        ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
    return nb


def autograder_requirements() -> str:
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.split("==")[0].strip().lower() in AUTOGRADER_PACKAGES:
            pins.append(line.strip())
    return "\n".join(pins) + "\n"


def build_autograder(chapter: str, tasks: list[Task], instructor_nb, target: Path) -> None:
    """``otter assign`` on the master notebook; the zip rewritten with fixed timestamps."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nbformat.write(master_notebook(chapter, tasks, instructor_nb), tmp / "master.ipynb")
        (tmp / "requirements.txt").write_text(autograder_requirements())
        utils = tmp / "utils"
        shutil.copytree(
            ROOT / "utils", utils, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        result = subprocess.run(
            [str(Path(sys.executable).parent / "otter"), "assign", "master.ipynb", "dist"],
            cwd=tmp,
            capture_output=True,
            text=True,
        )
        zips = sorted((tmp / "dist" / "autograder").glob("*.zip"))
        if result.returncode != 0 or len(zips) != 1:
            raise RuntimeError(f"otter assign failed for {chapter}:\n{result.stderr[-3000:]}")
        with zipfile.ZipFile(zips[0]) as source:
            entries = {name: source.read(name) for name in source.namelist()}
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name.endswith(".sh") or "/" not in name else 0o644) << 16
            out.writestr(info, entries[name])


# ---------------------------------------------------------------------------------------------
# The build


def _write(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb) + "\n")


def book_notebooks() -> list[str]:
    """The notebooks of the table of contents (_toc.yml), in reading order."""
    sys.path.insert(0, str(ROOT))
    from tests.toc import toc_files

    files = [f"{name}.ipynb" for name in toc_files()]
    return [name for name in files if (ROOT / name).exists()]


def build(out: Path = OUT, tasks: list[Task] | None = None, autograders: bool = True) -> Path:
    """Write the course edition into ``out`` (replaced): see the README it writes."""
    tasks = load_tasks() if tasks is None else tasks
    if out.exists():
        shutil.rmtree(out)
    by_notebook: dict[str, list[Task]] = {}
    for t in tasks:
        by_notebook.setdefault(t.notebook, []).append(t)
    notebooks = book_notebooks()
    instructor = {}
    for name in notebooks:
        nb = nbformat.read(ROOT / name, as_version=4)
        here = by_notebook.get(name, [])
        stem = Path(name).name
        _write(course_notebook(nb, here, "student"), out / "student" / stem)
        instructor[name] = course_notebook(nb, here, "instructor")
        _write(instructor[name], out / "instructor" / stem)
    if autograders:
        for chapter, chapter_tasks in chapters(tasks).items():
            nb = instructor[chapter_tasks[0].notebook]
            build_autograder(chapter, chapter_tasks, nb, out / "autograder" / f"{chapter}.zip")
    (out / "README.md").write_text(readme(tasks))
    return out


def readme(tasks: list[Task]) -> str:
    rows = "\n".join(
        f"| {t.chapter} | week {t.week} | `{t.id}` | {t.points:g} | "
        f"`{Path(t.notebook).name}`: `{t.function}()` | `{t.checker}` |"
        for t in tasks
    )
    return f"""# The course edition of *Speech Autoencoders*

Built by `make course` from the chapter notebooks and `tools/course_tasks.toml`; do not edit
(it is rebuilt from scratch). The instructor kit is the book's page "The course edition"
(book/course_edition.md).

- `student/`: one notebook per chapter notebook, to hand out: every solution removed, each
  task's function replaced by a scaffold (`NotImplementedError`) and followed by a check cell.
- `instructor/`: the same notebooks with the book's code in place of the scaffolds and every
  solution kept.
- `autograder/chN.zip`: the otter-grader autograder of chapter N, for Gradescope (upload it
  as the assignment's autograder) or for grading locally:
  `python tools/course.py grade chN submitted.ipynb` (no Docker needed).

| chapter | week | task | points | in the notebook | checker |
|---|---|---|---|---|---|
{rows}
"""


# ---------------------------------------------------------------------------------------------
# Grading


@dataclass
class TaskResult:
    task: str
    score: float
    possible: float
    feedback: str


def _feedback(message: str) -> str:
    """The checker's own sentence from otter's message (the last line that names an error)."""
    if "failed" not in message and ("Test case passed" in message or "passed!" in message):
        return "OK"
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^\w+(Error|Failed|Exception)\b.*:", line):
            return line
    return lines[-1] if lines else message


def grade(
    submission: Path, chapter: str, course: Path = OUT, in_process: bool = False
) -> list[TaskResult]:
    """Grade a submitted student notebook of ``chapter`` with its autograder.

    By default with ``otter run`` (a fresh kernel, as Gradescope does). ``in_process=True`` runs
    the same otter test files on the task notebook executed in this process (for the tests)."""
    tasks = chapters(load_tasks())[chapter]
    nb = nbformat.read(submission, as_version=4)
    small = task_notebook(nb, tasks)
    autograder = course / "autograder" / f"{chapter}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if in_process:
            results = _grade_in_process(small, autograder, tmp)
        else:
            path = tmp / "submission.ipynb"
            nbformat.write(small, path)
            (tmp / "out").mkdir()
            run = subprocess.run(
                [
                    str(Path(sys.executable).parent / "otter"),
                    "run",
                    "-a",
                    str(autograder),
                    "-o",
                    str(tmp / "out"),
                    str(path),
                ],
                capture_output=True,
                text=True,
                cwd=tmp,
            )
            report = tmp / "out" / "results.json"
            if not report.exists():
                raise RuntimeError(f"otter run failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
            results = {
                t["name"]: (t["score"], t["max_score"], t.get("output", ""))
                for t in json.loads(report.read_text())["tests"]
                if "max_score" in t
            }
    return [
        TaskResult(
            t.id, float(results[t.id][0]), float(results[t.id][1]), _feedback(results[t.id][2])
        )
        for t in tasks
    ]


def _grade_in_process(small, autograder: Path, tmp: Path) -> dict:
    from otter.nbmeta_config import NBMetadataConfig
    from otter.test_files import create_test_file

    with zipfile.ZipFile(autograder) as source:
        source.extractall(tmp)
    env: dict = {"__name__": "__main__"}
    for cell in small.cells:
        try:
            exec(compile(cell.source, f"<{cell.id}>", "exec"), env)
        except Exception:  # as otter does: a cell that raises is left, the rest still runs
            pass
    results = {}
    for path in sorted((tmp / "tests").glob("*.py")):
        test = create_test_file(str(path), NBMetadataConfig())
        test.run(env)
        message = "\n".join(r.message for r in test.test_case_results)
        results[test.name] = (test.score, test.possible, message)
    return results


def report(results: list[TaskResult]) -> str:
    """A grade report: one line per task (score and the checker's feedback), then the total."""
    lines = [f"{r.task:<22} {r.score:g}/{r.possible:g}  {r.feedback}" for r in results]
    total, possible = sum(r.score for r in results), sum(r.possible for r in results)
    return "\n".join(lines + [f"{'total':<22} {total:g}/{possible:g}"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the course edition")
    b.add_argument("--out", type=Path, default=OUT)
    g = sub.add_parser("grade", help="grade a submitted student notebook")
    g.add_argument("chapter", help="ch1 ... ch6")
    g.add_argument("submission", type=Path)
    g.add_argument("--course", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.command == "build":
        out = build(args.out)
        print(f"Course edition written to {out} (see {out / 'README.md'}).")
    else:
        print(report(grade(args.submission, args.chapter, args.course)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
