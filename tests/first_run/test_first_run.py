"""A newcomer's first build, for real: `jupyter-book build -W` of the data chapter, empty cache.

The download goes to an archive in FSDD's own layout, made here from the real recordings
(``FSDD_DIR`` or ``../shared/data/fsdd/recordings``) and served from 127.0.0.1 through the mirror
setting ``SPEECH_AE_FSDD_URL``, so the real manifest and the real verification run. Then the
same build against a server that fails (an HTTP error, a transfer that breaks off, an archive cut
short): the build still passes, on the offline fallback, the page says what happened, and the
cache holds nothing half-written. Run by `make test-first-run` (after `make static-assets`).
"""

from __future__ import annotations

import http.server
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import zipfile

import pytest
from bs4 import BeautifulSoup

from tests.conftest import real_fsdd_dir
from tests.toc import ROOT
from utils import data

REAL_FSDD = real_fsdd_dir()
CHAPTER = "00_data"
BUILD_TIMEOUT_S = 600

pytestmark = pytest.mark.skipif(REAL_FSDD is None, reason="needs the real FSDD recordings")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> bytes:
    """The bytes of a zip in the layout of GitHub's archive of the pinned FSDD commit."""
    path = tmp_path_factory.mktemp("archive") / "fsdd.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in sorted(data.read_manifest()):
            zipped.write(pathlib.Path(REAL_FSDD) / name, data.FSDD_ARCHIVE_FOLDER + name)
    return path.read_bytes()


@pytest.fixture(scope="module")
def server(archive):
    """A mirror on 127.0.0.1. Paths: /fsdd.zip (good), /error.zip (HTTP 503), /broken.zip (the
    transfer stops half-way though the header promised all of it), /short.zip (a complete
    transfer of half an archive). Yields (base URL, list of requested paths)."""
    requested = []

    class Mirror(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            requested.append(self.path)
            if self.path == "/error.zip":
                self.send_error(503, "Service Unavailable")
                return
            body = archive[: len(archive) // 2] if self.path != "/fsdd.zip" else archive
            if self.path not in ("/fsdd.zip", "/broken.zip", "/short.zip"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            promised = len(archive) if self.path == "/broken.zip" else len(body)
            self.send_header("Content-Length", str(promised))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requested
    httpd.shutdown()
    httpd.server_close()


def make_book(folder: pathlib.Path) -> pathlib.Path:
    """A book of the data chapter with the book's own _config.yml (links it needs kept working)."""
    (folder / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", folder)
    for name in ("references.bib", "glossary.md", "notation.md", "bibliography.md"):
        shutil.copy(ROOT / "book" / name, folder / "book")
    shutil.copy(ROOT / "book" / f"{CHAPTER}.ipynb", folder / "book")
    (folder / "book" / "instructor_guide.md").write_text("# Instructor guide\n\nLinked to.\n")
    (folder / "_toc.yml").write_text(
        "format: jb-book\n"
        f"root: book/{CHAPTER}\n"
        "chapters:\n"
        "  - file: book/notation\n"
        "  - file: book/glossary\n"
        "  - file: book/bibliography\n"
        "  - file: book/instructor_guide\n"
    )
    for name in ("utils", "tools", "_vendor"):  # the setup cell finds utils in a parent folder
        (folder / name).symlink_to(ROOT / name)
    return folder


def build(folder: pathlib.Path, cache: pathlib.Path, url: str) -> subprocess.CompletedProcess:
    """`jupyter-book build -W`, as `make book` runs it, with no data but the mirror at ``url``."""
    if not (ROOT / "_vendor" / "npm").is_dir():
        pytest.fail("the offline JavaScript is missing: run `make static-assets` first")
    env = {k: v for k, v in os.environ.items() if k not in {"FSDD_DIR", "SPEECH_AE_NO_DOWNLOAD"}}
    env.update(SPEECH_AE_CACHE=str(cache), SPEECH_AE_FSDD_URL=url)
    env.pop("SPEECH_AE_SYNTHETIC", None)
    jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(folder), "--warningiserror", "--nitpick"]
    command.append("--keep-going")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)


def page_outputs(page: pathlib.Path) -> tuple[str, list[str]]:
    """A built page's text of cell outputs, and the classes of any stderr/error output.

    ``page`` is the page's HTML file, or a book folder (then its data chapter's page)."""
    if page.is_dir():
        page = page / "_build" / "html" / "book" / f"{CHAPTER}.html"
    html = page.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    outputs = soup.select(".cell_output")
    bad = [
        " ".join(element.get("class", []))
        for element in soup.select(".cell_output .stderr, .cell_output .error, .output.stderr")
    ]
    return "\n".join(output.get_text(" ") for output in outputs), bad


def assert_built(result: subprocess.CompletedProcess) -> None:
    log = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, f"jupyter-book build failed:\n{log}"
    assert "build succeeded" in result.stdout, log
    assert not re.search(r"\bWARNING:", result.stdout + result.stderr), log


def leftovers(cache: pathlib.Path) -> list[str]:
    """Anything a failed or interrupted download could leave behind in the cache."""
    patterns = ("recordings", "recordings.*", "fsdd.zip", "*.part", "tmp*")
    return sorted({path.name for pattern in patterns for path in cache.glob(pattern)})


def test_first_build_downloads_verifies_caches_then_second_uses_the_cache(tmp_path, server):
    base, requested = server
    book, cache = make_book(tmp_path / "first"), tmp_path / "cache"
    requested.clear()
    assert_built(build(book, cache, f"{base}/fsdd.zip"))
    text, bad = page_outputs(book)
    assert not bad, f"stderr or error output on the page: {bad}"
    assert "Downloaded" in text and "from 127.0.0.1" in text, text[:2000]
    assert "loaded from download" in text and "OFFLINE FALLBACK" not in text, text[:2000]
    assert requested == ["/fsdd.zip"]
    manifest = data.read_manifest()
    assert len(data.verify_directory(cache / "recordings", manifest)) == len(manifest)
    assert leftovers(cache) == ["fsdd.zip", "recordings"]

    again = make_book(tmp_path / "second")
    assert_built(build(again, cache, f"{base}/fsdd.zip"))
    text, bad = page_outputs(again)
    assert not bad and "loaded from cache" in text and "Downloaded" not in text, text[:2000]
    assert requested == ["/fsdd.zip"], "the second build must not download again"


FAILURES = {
    "error.zip": "the server answered HTTP 503",
    "broken.zip": "the transfer broke off before the end",
    "short.zip": "the archive was damaged or incomplete, twice",
}


@pytest.mark.parametrize("path", sorted(FAILURES))
def test_failing_server_falls_back_says_why_and_leaves_nothing_half_written(tmp_path, server, path):
    base, _ = server
    book, cache = make_book(tmp_path / "book"), tmp_path / "cache"
    assert_built(build(book, cache, f"{base}/{path}"))
    text, bad = page_outputs(book)
    assert not bad, f"stderr or error output on the page: {bad}"
    flat = " ".join(text.split())
    assert f"Could not download FSDD from 127.0.0.1:{base.rsplit(':', 1)[1]}" in flat, flat[:2000]
    assert FAILURES[path] in flat, flat[:2000]
    assert "SPEECH_AE_FSDD_URL" in flat and flat.count("OFFLINE FALLBACK") == 1, flat[:2000]
    assert leftovers(cache) == [], f"left in the cache: {leftovers(cache)}"
