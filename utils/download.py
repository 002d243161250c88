"""Downloads that show their progress to the person, never on a page's stderr (chapter 0).

:func:`fetch` wraps :func:`pooch.retrieve`. pooch logs its "Downloading data from …"
line and draws its tqdm bar on *standard error*; in an executed notebook that
text lands on the page as an error stream (and the web book's build, which turns
stderr into a warning and warnings into errors, fails). Here instead:

- in a notebook (Jupyter, Colab, or a notebook the book's build executes), one
  line of text is shown and updated in place (an IPython display with a
  ``display_id``): the reader sees it move, and the built page keeps only its
  final state, e.g. ``Downloaded 9.9 MB from github.com in 3.1 s.``;
- in a terminal (``python -m utils.data``, or ``make book`` before it executes
  the chapters), the same line is redrawn on the terminal's standard error;
- a failure becomes one sentence a student understands
  (:func:`explain_download_error`), not a page of ``requests`` internals.

``SPEECH_AE_FSDD_URL`` (read by :mod:`utils.data`) points the download at a
mirror, e.g. a classroom server or a copy behind a firewall.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import sys
import time
import urllib.parse

#: Seconds to wait for the server to answer (pooch's default is 30).
TIMEOUT_S = 30
#: Text lines on a page fit this many characters (book/ruff.toml: the code column).
LINE_WIDTH = 76


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (Jupyter, Colab, or the book's build), False in a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


class DownloadProgress:
    """A progress display for :class:`pooch.HTTPDownloader`, shown in the notebook or the terminal.

    pooch sets ``total`` (bytes, 0 when the server does not say) and calls
    ``update(n_bytes)`` per chunk, then ``reset()``, ``update(total)`` and
    ``close()`` at the end. Updates are drawn at most every ``interval_s`` seconds.
    """

    def __init__(self, url: str, *, interval_s: float = 0.25, notebook: bool | None = None):
        self.host = urllib.parse.urlsplit(url).netloc or url
        self.total = 0
        self.done = 0
        self.interval_s = interval_s
        self.notebook = _in_notebook() if notebook is None else notebook
        self.started = time.perf_counter()
        self._drawn_at = 0.0
        self._handle = None
        self.closed = False

    def text(self) -> str:
        """The line shown now, e.g. ``Downloading from github.com: 41 % (4.1 of 9.9 MB)``."""
        if self.closed:
            seconds = time.perf_counter() - self.started
            return f"Downloaded {_megabytes(self.done)} from {self.host} in {seconds:.1f} s."
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * round(20 * share) + "-" * (20 - round(20 * share))
            return (
                f"Downloading from {self.host}: [{bar}] {100 * share:3.0f} % "
                f"of {_megabytes(self.total)}"
            )
        return f"Downloading from {self.host}: {_megabytes(self.done)}"

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._drawn_at < self.interval_s:
            return
        self._drawn_at = now
        if self.notebook:
            from IPython.display import Pretty, display

            if self._handle is None:
                self._handle = display(Pretty(self.text()), display_id=True)
            else:
                self._handle.update(Pretty(self.text()))
        else:
            end = "\n" if self.closed else ""
            print(f"\r{self.text()}", end=end, file=sys.stderr, flush=True)

    def update(self, n_bytes: int) -> None:
        self.done += n_bytes
        self._draw()

    def reset(self) -> None:
        self.done = 0

    def close(self) -> None:
        self.closed = True
        self._draw(force=True)


@contextlib.contextmanager
def _pooch_quiet():
    """Keep pooch's own log lines ("Downloading data from …", the SHA-256 hint) off stderr."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def fetch(url: str, path: str | os.PathLike, *, progressbar: bool = True) -> pathlib.Path:
    """Download ``url`` to the file ``path`` (its folder is created), showing progress.

    Returns ``path``.

    The file appears only when the download is complete (pooch writes a
    temporary file beside it and renames it), so a broken download leaves
    nothing behind. Errors are the ones of ``requests`` (see
    :func:`explain_download_error`).
    """
    import pooch

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    progress = DownloadProgress(url) if progressbar else False
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=TIMEOUT_S)
    with _pooch_quiet():
        pooch.retrieve(
            url, known_hash=None, fname=path.name, path=path.parent, downloader=downloader
        )
    return path


def explain_download_error(error: BaseException, url: str) -> str:
    """One plain sentence on why downloading ``url`` failed (network, HTTP status, transfer)."""
    import requests

    host = urllib.parse.urlsplit(url).netloc or url
    if isinstance(error, requests.exceptions.HTTPError) and error.response is not None:
        reason = f"the server answered HTTP {error.response.status_code}"
    elif isinstance(error, requests.exceptions.Timeout):
        reason = f"the server did not answer within {TIMEOUT_S} s"
    elif isinstance(error, requests.exceptions.ChunkedEncodingError | ConnectionResetError):
        reason = "the transfer broke off before the end"
    elif isinstance(error, requests.exceptions.ConnectionError):
        reason = "the server could not be reached (no network, or a firewall?)"
    elif isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        reason = f"{url!r} is not a valid URL"
    else:
        reason = str(error) or type(error).__name__
    return f"Could not download FSDD from {host}: {reason}."
