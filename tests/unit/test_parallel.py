"""tools/parallel.py, which `make test` uses to run two notebook-executing steps side by side."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAKEFILE = """\
slow:
\t@sleep 1; echo slow done
fast:
\t@echo fast done
broken:
\t@echo about to fail; false
after:
\t@echo after ran
"""


def parallel(tmp_path, *lanes):
    (tmp_path / "Makefile").write_text(MAKEFILE)
    env = dict(os.environ, MAKE=f"make -f {tmp_path / 'Makefile'}")
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "parallel.py"), *lanes],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_lanes_run_side_by_side_with_prefixed_output(tmp_path):
    result = parallel(tmp_path, "slow", "fast+after")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "[slow ] slow done" in lines and "[fast ] fast done" in lines
    assert "[after] after ran" in lines
    # fast and after finish while slow still sleeps: side by side, not one after the other
    assert lines.index("[after] after ran") < lines.index("[slow ] slow done")
    assert any(line.startswith("== make slow passed in") for line in lines)


def test_a_failure_stops_its_lane_and_fails_the_run(tmp_path):
    result = parallel(tmp_path, "slow", "broken+after")
    assert result.returncode != 0
    assert "after ran" not in result.stdout
    assert "== make broken FAILED" in result.stdout
    assert "== make after not run" in result.stdout
    assert "slow done" in result.stdout, "the other lane still runs to its end"
