"""A newcomer with no data and no network: the whole book, built as `make book` builds it.

`make book` runs `make data` (``python -m utils.data``) and then `jupyter-book build -W`. Here
both run for real on this checkout, with no ``FSDD_DIR``, an empty cache, and the download
pointed at a port of 127.0.0.1 where nothing listens (what a machine without network sees: the
server cannot be reached; no test ever touches the internet). The book must still build with
``--warningiserror``, every chapter on the offline fallback corpus: each page says so in exactly
one ``OFFLINE FALLBACK`` line, carries no stderr and no error, and the cache is left empty.
The build goes to a temporary folder, so the checkout's ``_build`` is left alone.
Run by `make test-fallback` (after `make static-assets`).
"""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys

from tests.first_run.test_first_run import assert_built, leftovers, page_outputs
from tests.toc import ROOT, notebooks

BOOK_TIMEOUT_S = 3600


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def offline_env(cache: pathlib.Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FSDD_DIR", "SPEECH_AE_NO_DOWNLOAD", "SPEECH_AE_SYNTHETIC"}
    }
    env.update(
        SPEECH_AE_CACHE=str(cache),
        SPEECH_AE_FSDD_URL=f"http://127.0.0.1:{closed_port()}/fsdd.zip",
    )
    return env


def test_make_data_without_network_says_so_and_succeeds(tmp_path):
    cache = tmp_path / "cache"
    result = subprocess.run(
        [sys.executable, "-m", "utils.data"],
        cwd=ROOT,
        env=offline_env(cache),
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 0, said
    assert "could not be reached" in said and "fallback" in said.lower(), said
    assert leftovers(cache) == [], f"left in the cache: {leftovers(cache)}"


def test_whole_book_builds_offline_on_the_fallback(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "out"
    jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--path-output", str(out)]
    command += ["--warningiserror", "--nitpick", "--keep-going"]
    result = subprocess.run(
        command, env=offline_env(cache), capture_output=True, text=True, timeout=BOOK_TIMEOUT_S
    )
    assert_built(result)
    chapters = notebooks()
    assert chapters, "the table of contents names no notebook"
    for path in chapters:
        page = out / "_build" / "html" / path.relative_to(ROOT).with_suffix(".html")
        text, bad = page_outputs(page)
        flat = " ".join(text.split())
        assert not bad, f"{path.name}: stderr or error output on the page: {bad}"
        assert flat.count("OFFLINE FALLBACK") == 1, f"{path.name}: {flat[:1500]}"
        assert "could not be reached" in flat, f"{path.name}: {flat[:1500]}"
    assert leftovers(cache) == [], f"left in the cache: {leftovers(cache)}"
