"""Benchmark the book: run time and peak memory of every notebook, the weight of every built page.

    .venv/bin/python benchmarks/run.py            # real data (FSDD_DIR or the cache), page sizes
    .venv/bin/python benchmarks/run.py --fallback # on the offline fallback corpus
    .venv/bin/python benchmarks/run.py --markdown benchmarks/results.md
    .venv/bin/python benchmarks/run.py --pages    # only the page weights of the built site
    .venv/bin/python benchmarks/run.py book/04_vq_compression.ipynb  # one notebook

Each notebook is executed from a clean kernel by `jupyter execute` in its own process, one after
the other; peak memory is the largest total resident set of that process tree (runner and kernel),
sampled every 0.2 s; the load average is sampled with it, and its mean over the run is reported, so
a time measured while other work shared the cores says so. Trained weights are not reused between
notebooks (``SPEECH_AE_MODEL_CACHE=0``): each time is a first run's.
Budgets: 120 s per notebook, 8 minutes for the book, 5 MB per page. Timings
belong here, not in the tests.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.toc import notebooks  # noqa: E402

NOTEBOOK_BUDGET_S = 120
BOOK_BUDGET_S = 8 * 60
PAGE_BUDGET_MB = 5.0


def slowest_cells(executed: pathlib.Path, count: int = 3) -> list[tuple[float, int, str]]:
    """The ``count`` slowest code cells of an executed notebook: (seconds, cell index, first line).

    From the timestamps nbclient records in each cell's ``metadata.execution``."""
    from datetime import datetime

    import nbformat

    if not executed.exists():
        return []
    timed = []
    for index, cell in enumerate(nbformat.read(executed, as_version=4).cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            begin, end = (
                datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
                for key in ("iopub.execute_input", "shell.execute_reply")
            )
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            timed.append(((end - begin).total_seconds(), index, first[:60]))
    return sorted(timed, reverse=True)[:count]


def run_notebook(path: pathlib.Path, env: dict) -> tuple[float, float, float, bool]:
    """Execute one notebook: (wall seconds, peak resident memory of its process tree in MB,
    mean 1-minute load average during the run, ok).

    Prints the notebook's three slowest cells on stderr."""
    import psutil

    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "jupyter"),
                "execute",
                "--timeout=600",
                f"--output={scratch}/out.ipynb",
                path.name,
            ],
            cwd=path.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak, loads = 0, []
        parent = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                tree = [parent, *parent.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            loads.append(os.getloadavg()[0])
            time.sleep(0.2)
        wall = time.perf_counter() - start
        stderr = process.stderr.read()
        for seconds, index, first in slowest_cells(pathlib.Path(scratch) / "out.ipynb"):
            print(f"    {path.stem} cell {index}: {seconds:6.1f} s  {first}", file=sys.stderr)
    if process.returncode != 0:
        print(stderr[-3000:], file=sys.stderr)
    load = sum(loads) / len(loads) if loads else os.getloadavg()[0]
    return wall, peak / 1e6, load, process.returncode == 0


def page_sizes() -> dict[str, float]:
    """Size in MB of each built notebook page, with its embedded data and the images it links."""
    import re

    sizes = {}
    for path in notebooks():
        page = ROOT / "_build" / "html" / "book" / f"{path.stem}.html"
        if not page.exists():
            continue
        size = page.stat().st_size
        for source in re.findall(
            r'src="((?!data:|https?:)[^"]+\.(?:png|jpg|svg))"', page.read_text("utf-8")
        ):
            local = (page.parent / source).resolve()
            size += local.stat().st_size if local.exists() else 0
        sizes[path.stem] = size / 1e6
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fallback", action="store_true", help="run on the offline fallback corpus"
    )
    parser.add_argument(
        "--markdown", type=pathlib.Path, help="also write the table to this Markdown file"
    )
    parser.add_argument(
        "--pages", action="store_true", help="only the page weights (no notebook is run)"
    )
    parser.add_argument(
        "notebooks", nargs="*", type=pathlib.Path, help="only these (default: the whole book)"
    )
    args = parser.parse_args()
    if args.pages:
        sizes = page_sizes()
        for name, size in sizes.items():
            fits = "yes" if size <= PAGE_BUDGET_MB else "NO"
            print(f"| {name}.ipynb | {size:.2f} | {fits} |")
        return 0 if sizes and max(sizes.values()) <= PAGE_BUDGET_MB else 1
    env = dict(os.environ, SPEECH_AE_MODEL_CACHE="0")
    if args.fallback:
        env["SPEECH_AE_SYNTHETIC"] = "1"
    rows, total, ok = [], 0.0, True
    sizes = page_sizes()
    for path in [p.resolve() for p in args.notebooks] or notebooks():
        wall, peak_mb, load, succeeded = run_notebook(path, env)
        total += wall
        ok &= succeeded and wall <= NOTEBOOK_BUDGET_S
        size = sizes.get(path.stem)
        rows.append((path.name, wall, peak_mb, load, size, succeeded))
        print(f"  ran {path.name}: {wall:.1f} s", file=sys.stderr)
    data = "offline fallback corpus" if args.fallback else "FSDD (real speech)"
    lines = [
        f"Benchmark on {os.cpu_count()} CPU cores, data: {data}",
        "",
        "| notebook | wall time (s) | within 120 s | load | peak memory (MB) | page (MB) "
        "| within 5 MB |",
        "|---|---:|:---:|---:|---:|---:|:---:|",
    ]
    for name, wall, peak_mb, load, size, succeeded in rows:
        page = f"{size:.2f}" if size is not None else "not built"
        fits = (
            "yes"
            if size is not None and size <= PAGE_BUDGET_MB
            else ("n/a" if size is None else "NO")
        )
        status = (
            "yes"
            if succeeded and wall <= NOTEBOOK_BUDGET_S
            else ("FAILED" if not succeeded else "NO")
        )
        lines.append(
            f"| {name} | {wall:.1f} | {status} | {load:.1f} | {peak_mb:.0f} | {page} | {fits} |"
        )
    book_fits = "yes" if total <= BOOK_BUDGET_S else "NO"
    lines.append(f"| **total** | **{total:.1f}** | {book_fits} (≤ 480 s) | | | | |")
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0 if ok and total <= BOOK_BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
