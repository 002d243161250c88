"""utils.runtime: the measured execution time every chapter states at its top."""

import logging
import pathlib
import subprocess
import sys
import time

import pytest

from utils import runtime

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_seconds_since_setup_needs_the_setup_cell(monkeypatch):
    monkeypatch.setattr(runtime, "_setup_time", None)
    with pytest.raises(RuntimeError, match="run the setup cell"):
        runtime.seconds_since_setup()


def test_seconds_since_setup_measures_wall_time(monkeypatch):
    monkeypatch.setattr(runtime, "_setup_time", time.perf_counter() - 2.5)
    assert 2.5 <= runtime.seconds_since_setup() < 60


def test_glue_execution_time_returns_the_glued_seconds(monkeypatch):
    glued = {}
    monkeypatch.setattr(
        runtime, "glue", lambda name, value, display=False: glued.setdefault(name, value)
    )
    monkeypatch.setattr(runtime, "_setup_time", time.perf_counter() - 1.0)
    seconds = runtime.glue_execution_time()
    assert seconds == glued["runtime_s"] >= 1.0 and glued["cpu_count"] >= 1


def test_one_blas_thread_limits_blas_to_one_thread_inside_the_block():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with runtime.one_blas_thread():
        blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        assert all(p["num_threads"] == 1 for p in blas)


def test_setup_notebook_keeps_tensorflow_warnings_off_the_page_in_jupyter():
    """In an interactive shell (Jupyter sets sys.ps1 too) TensorFlow sets its logger to INFO on
    stdout when Keras first imports it; after setup_notebook it must be at ERROR, or a warning
    such as "... triggered tf.function retracing" is printed into the page."""
    code = (
        "import logging, sys\n"
        "sys.ps1 = '>>> '\n"  # what TensorFlow checks to decide it runs interactively
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import utils\n"
        "utils.setup_notebook(seed=0)\n"
        "import tensorflow as tf\n"
        "print(logging.getLogger('tensorflow').getEffectiveLevel())\n"
        "tf.get_logger().warning('this warning must not be printed')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == [str(logging.ERROR)], result.stdout
    assert "must not be printed" not in result.stdout + result.stderr
