"""A real browser for the built web book: _build/html served on 127.0.0.1, driven by playwright.

The browser is Debian's Chromium. Every request that does not go to the local server is blocked
(and counted as a failure), so the tests see the book as a reader with no internet would.
``SPEECH_AE_BOOK_DIR`` points the tests at another built book (a directory with _config.yml,
_toc.yml and _build/html); the default is this repository.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import pathlib
import shutil
import tempfile
import threading

import pytest

from tests.toc import ROOT

BOOK_DIR = pathlib.Path(os.environ.get("SPEECH_AE_BOOK_DIR", ROOT)).resolve()
SITE = BOOK_DIR / "_build" / "html"
SCREENSHOTS = BOOK_DIR / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # belt and braces: no name resolves but ours
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOAD_TIMEOUT_MS = 30_000


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


@pytest.fixture(scope="session")
def base_url():
    """The site's URL on 127.0.0.1 (an ephemeral port), served for the whole session."""
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} is not built: run `make book` first")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(SITE))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright for the whole session: its sync API refuses a second one while the first
    runs, so every test module that opens a browser takes it from here."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(base_url, playwright_session):
    """A Chromium context with a fresh profile; only requests to the local server may leave."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: `apt-get install chromium` (`make test-browser` does it)"
        )
    profile = tempfile.mkdtemp(prefix="speech-ae-chromium-")  # a fresh profile every session

    def only_local(
        route,
    ):  # the network is cut off: anything not served by base_url fails, and is reported
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context = playwright_session.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=DESKTOP,
        service_workers="block",
    )
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    context.route("**/*", only_local)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


@dataclasses.dataclass
class Visit:
    """One page opened in the browser, with all that went wrong while it loaded and was used."""

    name: str
    page: object
    errors: list = dataclasses.field(
        default_factory=list
    )  # console errors, uncaught exceptions, failed requests

    def problems(self) -> list[str]:
        return list(self.errors)


def open_page(context, base_url: str, path: str, viewport: dict, *, wait: bool = True) -> Visit:
    """Open ``path`` at ``viewport``, wait for MathJax and the widgets, and record every problem."""
    page = context.new_page()
    page.set_viewport_size(viewport)
    # every page is opened as on a reader's first visit (themes keep state in localStorage)
    page.add_init_script("try { localStorage.clear(); sessionStorage.clear(); } catch (error) {}")
    visit = Visit(path, page)
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and visit.errors.append(
                f"console error: {message.text} ({message.location.get('url', '')})"
            )
        ),
    )
    page.on("pageerror", lambda error: visit.errors.append(f"uncaught exception: {error}"))
    page.on(
        "requestfailed",
        lambda request: visit.errors.append(
            f"failed request: {request.url[:200]} ({request.failure})"
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and visit.errors.append(f"HTTP {response.status}: {response.url[:200]}")
        ),
    )
    page.goto(base_url + path, wait_until="load")
    if wait:
        settle(page)
    return visit


def settle(page) -> None:
    """Wait for MathJax's first typesetting and for html-manager to render every widget view."""
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise)
            await MathJax.startup.promise;
    }""")
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    if views:
        page.wait_for_function(
            "n => document.querySelectorAll("
            "'.widget-subarea > .lm-Widget, .widget-subarea > .jupyter-widgets')"
            ".length >= n",
            arg=views,
            timeout=LOAD_TIMEOUT_MS,
        )
        page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise)
                await MathJax.startup.promise;
        }""")
