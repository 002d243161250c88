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
