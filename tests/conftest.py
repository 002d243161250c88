"""Shared pytest configuration: tests never touch the network or the user's cache."""

import os

import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    """No downloads and a private cache unless a test says otherwise; FSDD_DIR is kept for tests
    that want it."""
    monkeypatch.setenv("SPEECH_AE_NO_DOWNLOAD", "1")
    monkeypatch.setenv("SPEECH_AE_CACHE", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("SPEECH_AE_SYNTHETIC", raising=False)
    yield


def real_fsdd_dir():
    """The local copy of FSDD for tests (FSDD_DIR, else ../shared/data/fsdd/recordings), or None."""
    candidates = [
        os.environ.get("FSDD_DIR"),
        os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "fsdd", "recordings"),
    ]
    for candidate in candidates:
        if candidate and os.path.isdir(candidate):
            return os.path.abspath(candidate)
    return None
