"""Execute notebooks the way Colab does, under Colab's package versions (``make test-colab``).

Usage (with the Python of ``.venv-colab``)::

    .venv-colab/bin/python tests/colab/run_notebooks.py [--timeout SECONDS] book/00_data.ipynb ...

For each notebook: a fresh, empty temporary working folder holding only a copy of the notebook;
a kernel of ``.venv-colab`` started there, with ``google.colab`` imported at start-up
(:mod:`colab_runtime`); every cell executed in order with Colab's ``nbclient``. So the setup cell
clones the repository named by ``SPEECH_AE_REPOSITORY`` (default: this checkout as a ``file://``
URL, which clones its committed HEAD), and the data come from ``FSDD_DIR`` or the cache. The
notebook, too, is the one committed at HEAD (what Colab would open), not the working copy.

The optional "Try it on your voice" sections of chapters 1, 4 and 5 run on a file: the kernels get
``SPEECH_AE_VOICE_FILE`` (read by ``utils.audio.your_voice``), a WAV this runner writes from one
FSDD test take (:data:`VOICE_TAKE`, from ``FSDD_DIR``; the fallback corpus's when none), and a
notebook whose section did not run to its end on that file fails.

A notebook fails when a cell raises or writes anything to stderr. After its last cell, a check in
the same kernel confirms that ``utils`` came from the clone, that the kernel is this interpreter
with Colab's versions, and that ``myst_nb`` is absent. Every notebook runs even when one fails;
the report names notebook, cell and text. Prints each notebook's time and the total.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

import colab_runtime
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

HERE = pathlib.Path(__file__).resolve().parent
MARKER = "@@colab-check@@"
#: What utils.audio.your_voice reads when a notebook names no recording (the tests' way in).
VOICE_FILE_VARIABLE = "SPEECH_AE_VOICE_FILE"
#: The FSDD test take (official split: takes 0-4) the voice sections run on: a voice chapter 5
#: holds out, as a reader's is.
VOICE_TAKE = "3_theo_0.wav"
#: What a voice section prints once it has shown its reconstruction (utils.audio.show_voice).
VOICE_DONE = "log-spectral distance to your recording"


def pins() -> dict[str, str]:
    """``{canonical name: version}`` from ``constraints.txt``."""
    result = {}
    for line in (HERE / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            result[re.sub(r"[-_.]+", "-", name).lower()] = version
    return result


def top_level() -> list[str]:
    """The packages of ``requirements.txt``: what the notebooks import, the kernel, the runner."""
    names = (
        line.split("#")[0].strip() for line in (HERE / "requirements.txt").read_text().splitlines()
    )
    return [re.sub(r"[-_.]+", "-", name).lower() for name in names if name]


CHECK = textwrap.dedent(
    """\
    import importlib.metadata as _md, importlib.util as _iu, json as _json
    import pathlib as _pl, sys as _sys
    import utils as _utils
    print({marker!r} + _json.dumps({{
        "utils": str(_pl.Path(_utils.__file__).resolve()),
        "executable": _sys.executable,
        "google_colab_stand_in": getattr(_sys.modules.get("google.colab"), "IS_STAND_IN", False),
        "myst_nb": _iu.find_spec("myst_nb") is not None,
        "versions": {{name: _md.version(name) for name in {names!r}}},
    }}))
    """
)


def short(text: str, limit: int = 3000) -> str:
    text = text.rstrip()
    return (
        text if len(text) <= limit else text[: limit // 3] + "\n[...]\n" + text[-2 * limit // 3 :]
    )


def strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def cell_label(notebook, index: int) -> str:
    """``cell 12 (code cell 7): <its first line>``; ``index`` counts every cell from 0."""
    cell = notebook.cells[index]
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    code_number = sum(c.cell_type == "code" for c in notebook.cells[:index]) + 1
    return f"cell {index} (code cell {code_number}): {first[:100]}"


def problems_in(notebook) -> list[str]:
    """Every stderr stream and error output of the executed notebook, as report lines."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                found.append(
                    f"{cell_label(notebook, index)}\n  wrote to stderr:\n"
                    + textwrap.indent(short(output.text), "    | ")
                )
            elif output.output_type == "error":
                trace = strip_ansi("\n".join(output.get("traceback", [])))
                found.append(
                    f"{cell_label(notebook, index)}\n  raised {output.ename}: {output.evalue}\n"
                    + textwrap.indent(short(trace), "    | ")
                )
    return found


def write_voice_file(folder: pathlib.Path) -> pathlib.Path:
    """Write the WAV the voice sections run on into ``folder``; return its path.

    :data:`VOICE_TAKE` copied from ``FSDD_DIR`` when it is there; otherwise the same digit and
    take of the fallback corpus's last speaker (``utils.synthetic``), as 16-bit PCM at 8 kHz.
    """
    path = folder / "voice.wav"
    fsdd = pathlib.Path(os.environ.get("FSDD_DIR") or "/nonexistent")
    if (fsdd / VOICE_TAKE).is_file():
        shutil.copyfile(fsdd / VOICE_TAKE, path)
        return path
    sys.path.insert(0, str(colab_runtime.REPO_ROOT))
    from utils.audio import to_wav_bytes
    from utils.synthetic import SPEAKERS, synthesize_digit

    digit, _, take = VOICE_TAKE.removesuffix(".wav").split("_")
    path.write_bytes(to_wav_bytes(synthesize_digit(int(digit), sorted(SPEAKERS)[-1], int(take))))
    return path


def voice_section_problems(notebook) -> list[str]:
    """A notebook with a voice section (a cell calling ``your_voice(``) must have run it to its end
    on the file: some output of that cell says :data:`VOICE_DONE`."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "your_voice(" not in cell.source:
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", []))
        if VOICE_DONE not in text:
            problems.append(
                f"{cell_label(notebook, index)}\n  the voice section did not run on "
                f"${VOICE_FILE_VARIABLE} (no '{VOICE_DONE}' in its output)"
            )
    return problems


def committed_or_file(path: pathlib.Path) -> bytes:
    """The notebook as committed at HEAD (what Colab opens, and what the setup cell clones).

    A notebook that git does not track (a scratch notebook) is read from the file.
    """
    root = colab_runtime.REPO_ROOT
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        return path.read_bytes()
    shown = subprocess.run(
        ["git", "-C", str(root), "show", f"HEAD:{relative.as_posix()}"], capture_output=True
    )
    if shown.returncode != 0:
        return path.read_bytes()
    if shown.stdout != path.read_bytes():
        print(
            f"note: {relative} has uncommitted changes; testing the committed version", flush=True
        )
    return shown.stdout


def run_one(path: pathlib.Path, env: dict, timeout: int, expected: dict[str, str]):
    """Execute one notebook as Colab would.

    Returns (problems, seconds from kernel start to the end of the last cell,
    ``{cell index: seconds}``).
    """
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="colab-content-"))
    problems, cell_seconds = [], {}
    try:
        if not colab_runtime.outside_any_checkout(workdir):
            message = f"{workdir} lies inside a checkout of the book: set TMPDIR elsewhere"
            return [message], 0.0, {}
        copy = workdir / path.name
        copy.write_bytes(committed_or_file(path))
        notebook = nbformat.read(copy, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name=colab_runtime.KERNEL_NAME,
            resources={"metadata": {"path": str(workdir)}},
        )
        start = time.perf_counter()
        with client.setup_kernel(env=env, cwd=str(workdir)):
            for index, cell in enumerate(notebook.cells):
                cell_start = time.perf_counter()
                try:
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                except CellTimeoutError:
                    problems.append(
                        f"{cell_label(notebook, index)}\n  did not finish within {timeout} s"
                    )
                    break
                except CellExecutionError:
                    break  # like Run all in Colab: stop at the first error (problems_in reports it)
                except DeadKernelError as error:
                    problems.append(f"{cell_label(notebook, index)}\n  the kernel died: {error}")
                    break
                finally:
                    cell_seconds[index] = time.perf_counter() - cell_start
            seconds = time.perf_counter() - start
            if not problems and not problems_in(notebook):
                problems += voice_section_problems(notebook)
                problems += check_kernel(client, notebook, workdir, expected)
        return problems_in(notebook) + problems, seconds, cell_seconds
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def check_kernel(client, notebook, workdir: pathlib.Path, expected: dict[str, str]) -> list[str]:
    """After the last cell: where ``utils`` came from, which interpreter and versions ran."""
    check = nbformat.v4.new_code_cell(CHECK.format(marker=MARKER, names=sorted(expected)))
    notebook.cells.append(check)  # in memory only, after the notebook's own cells
    try:
        client.execute_cell(check, len(notebook.cells) - 1)
    except CellExecutionError as error:
        return [f"the check after the last cell failed: {error}"]
    finally:
        notebook.cells.pop()
    text = "".join(
        o.get("text", "") for o in check.outputs if o.output_type == "stream" and o.name == "stdout"
    )
    found = json.loads(text.split(MARKER, 1)[1])
    problems = []
    clone = (workdir / "speech-autoencoders" / "utils" / "__init__.py").resolve()
    if found["utils"] != str(clone):
        problems.append(
            f"utils was imported from {found['utils']}, not from the setup cell's clone {clone}"
        )
    if found["executable"] != os.path.abspath(sys.executable):
        problems.append(f"the kernel ran {found['executable']}, not {sys.executable}")
    if not found["google_colab_stand_in"]:
        problems.append(
            "google.colab in the kernel is not the stand-in: the kernel did not start as in Colab"
        )
    if found["myst_nb"]:
        problems.append("myst_nb is importable in the kernel; Colab has none")
    for name, version in found["versions"].items():
        if version != expected[name]:
            problems.append(
                f"the kernel has {name} {version}, Colab's snapshot pins {expected[name]}"
            )
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)

    pinned = pins()
    expected = {name: pinned[name] for name in top_level()}
    installed = {name: importlib.metadata.version(name) for name in expected}
    stale = {
        name: (installed[name], expected[name])
        for name in expected
        if installed[name] != expected[name]
    }
    if stale:
        raise SystemExit(
            f"{sys.prefix} does not match tests/colab/constraints.txt ({stale}): "
            "rebuild it (make test-colab)"
        )
    snapshot = re.search(r"snapshot of (\S+)", (HERE / "constraints.txt").read_text()).group(1)
    print(
        f"Colab's package set (snapshot of {snapshot}) "
        f"on this machine's Python {sys.version.split()[0]} (Colab's is 3.13): "
        + ", ".join(
            f"{name} {installed[name]}"
            for name in (
                "tensorflow-cpu",
                "keras",
                "numpy",
                "scipy",
                "scikit-learn",
                "matplotlib",
                "librosa",
                "ipywidgets",
                "ipython",
                "ipykernel",
                "nbclient",
            )
        ),
        flush=True,
    )

    runtime = pathlib.Path(tempfile.mkdtemp(prefix="colab-runtime-"))
    failures, total = {}, 0.0
    try:
        env = colab_runtime.make_runtime(runtime)
        env.setdefault(VOICE_FILE_VARIABLE, str(write_voice_file(runtime)))
        print(
            f"cloning from {env['SPEECH_AE_REPOSITORY']} (its committed HEAD), "
            f"FSDD_DIR={env.get('FSDD_DIR', '(unset)')}, "
            f"{VOICE_FILE_VARIABLE}={env[VOICE_FILE_VARIABLE]}",
            flush=True,
        )
        for path in args.notebooks:
            problems, seconds, cell_seconds = run_one(path.resolve(), env, args.timeout, expected)
            total += seconds
            slowest = sorted(cell_seconds, key=cell_seconds.get, reverse=True)[:3]
            print(
                f"{'FAIL' if problems else 'ok  '} {seconds:7.1f} s  {path}  (slowest cells: "
                + ", ".join(f"{index}: {cell_seconds[index]:.1f} s" for index in slowest)
                + ")",
                flush=True,
            )
            if problems:
                failures[path] = problems
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"     {total:7.1f} s  total, {len(args.notebooks)} notebooks (load average now: {load})")
    for path, problems in failures.items():
        print(f"\n=== {path} ===")
        for problem in problems:
            print(problem)
    print(f"{len(args.notebooks) - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
