"""utils.runtime: the measured execution time every chapter states at its top."""

import time

import pytest

from utils import runtime


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
