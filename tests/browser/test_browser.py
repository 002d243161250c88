"""The web book in a real browser with no internet (`make test`, after `make book`; conftest.py).

For every page of the table of contents: it loads with no console error, uncaught exception or
failed request; its math is typeset by the book's own MathJax; every audio player decodes to a
duration > 0;
every explorer shows a different figure and different audio for each setting of its slider, with no
kernel; notebook pages carry an "Open in Colab" button for the right file of the repository named in
_config.yml; and screenshots of each chapter at a desktop and a phone width land in
_build/screenshots/.
"""

from __future__ import annotations

import hashlib

import pytest
import yaml

from tests.browser.conftest import BOOK_DIR, DESKTOP, PHONE, SCREENSHOTS, open_page
from tests.toc import toc_files

PAGES = toc_files(BOOK_DIR / "_toc.yml")
NOTEBOOK_PAGES = [name for name in PAGES if (BOOK_DIR / f"{name}.ipynb").exists()]

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def visits(browser, base_url):
    """Each page opened once at desktop width, shared by the tests below (in file order)."""
    opened = {}

    def visit(name):
        if name not in opened:
            opened[name] = open_page(browser, base_url, f"{name}.html", DESKTOP)
        return opened[name]

    yield visit
    for item in opened.values():
        item.page.close()


def report(name, problems):
    return f"{name}:\n  " + "\n  ".join(problems)


# --- loading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors(visits, name):
    visit = visits(name)
    problems = (
        visit.problems()
    )  # requests to anything but 127.0.0.1 are blocked, so they show up here
    assert not problems, report(name, problems)
    errors = visit.page.locator(".jupyter-widgets-error-widget, .widget-error").count()
    assert errors == 0, f"{name}: {errors} widget(s) failed to render"


def test_index_leads_to_the_first_page(browser, base_url):
    visit = open_page(
        browser, base_url, "index.html", DESKTOP, wait=False
    )  # a redirect: do not wait on it
    try:
        visit.page.wait_for_url(f"**/{PAGES[0]}.html")
        visit.page.wait_for_load_state("load")
        assert not visit.problems(), report("index.html", visit.problems())
    finally:
        visit.page.close()


# --- math ----------------------------------------------------------------------------------------

RAW_TEX_JS = r"""() => {
    const main = document.querySelector('main') || document.body;
    const mathNodes = [...main.querySelectorAll('.math')]
        .filter(n => !n.closest('pre, code, .math .math'));
    const untypeset = mathNodes.filter(n => !n.querySelector('mjx-container'))
        .map(n => n.textContent.trim().slice(0, 80));
    const skip = 'PRE, CODE, SCRIPT, STYLE, TEXTAREA, MJX-CONTAINER, MJX-ASSISTIVE-MML';
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
        acceptNode: t => t.parentElement.closest(skip)
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    const raw = [];
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const m = t.textContent.match(/\\\(|\\\[|\\begin\{|\$\$/);
        if (m) raw.push(t.textContent.trim().slice(0, 80));
    }
    return {math: mathNodes.length, containers: main.querySelectorAll('mjx-container').length,
            errors: [...main.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
            untypeset, raw};
}"""


@pytest.mark.parametrize("name", PAGES)
def test_math_is_typeset(visits, name):
    result = visits(name).page.evaluate(RAW_TEX_JS)
    if result["math"]:
        assert result["containers"] >= result["math"], (
            f"{name}: MathJax typeset {result['containers']} of {result['math']}"
        )
    assert not result["untypeset"], f"{name}: math not typeset: {result['untypeset']}"
    assert not result["errors"], f"{name}: MathJax errors: {result['errors']}"
    assert not result["raw"], f"{name}: raw TeX on the page: {result['raw']}"


# --- audio ---------------------------------------------------------------------------------------

AUDIO_JS = """async (elements) => {
    const results = [];
    for (const el of elements) {
        const src = el.currentSrc || el.src || (el.querySelector('source') || {}).src || '';
        const label = el.getAttribute('aria-label')
            || el.closest('figure')?.textContent?.trim() || src.slice(0, 60);
        let duration = el.duration;
        if (!(duration > 0)) {
            duration = await new Promise(resolve => {
                const timer = setTimeout(() => resolve('no metadata after 10 s'), 10000);
                el.addEventListener('loadedmetadata',
                    () => { clearTimeout(timer); resolve(el.duration); }, {once: true});
                el.addEventListener('error', () => {
                    clearTimeout(timer); resolve('media error ' + (el.error && el.error.code));
                }, {once: true});
                el.preload = 'metadata';
                el.load();
            });
        }
        let decoded;
        try {
            const bytes = await (await fetch(src)).arrayBuffer();
            const buffer = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(bytes);
            decoded = buffer.duration;
        } catch (error) { decoded = 'cannot decode: ' + error; }
        results.push({label, src: src.slice(0, 200), duration, decoded});
    }
    return results;
}"""


def audio_problems(locator) -> tuple[list, list[str]]:
    """Decode every <audio> the locator finds; return (results, problems)."""
    results = locator.evaluate_all(AUDIO_JS)
    problems = [
        f"audio '{r['label']}': duration {r['duration']}, decoded {r['decoded']}"
        for r in results
        if not (
            isinstance(r["duration"], (int, float))
            and r["duration"] > 0
            and isinstance(r["decoded"], (int, float))
            and r["decoded"] > 0
        )
    ]
    problems += [f"audio '{r['label']}' has no source" for r in results if not r["src"]]
    return results, problems


@pytest.mark.parametrize("name", PAGES)
def test_audio_decodes(visits, name):
    _, problems = audio_problems(visits(name).page.locator("main audio"))
    assert not problems, report(name, problems)


# --- screenshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_screenshots_at_desktop_and_phone_width(visits, name):
    """Whole-page JPEGs of each chapter (quicker than PNG for 20 000 px pages) for a person."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit = visits(name)
    page = visit.page
    before = len(
        visit.problems()
    )  # problems of the load itself are reported by test_page_loads_without_errors
    stem = name.replace("/", "-")
    try:
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.evaluate(
                "() => new Promise(resolve => "
                "requestAnimationFrame(() => requestAnimationFrame(resolve)))"
            )
            path = SCREENSHOTS / f"{stem}-{label}.jpg"
            page.screenshot(
                path=path, full_page=True, type="jpeg", quality=70, animations="disabled"
            )
            assert path.stat().st_size > 0
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, (
                f"{name}: the page scrolls sideways at {label} width ({width} px)"
            )
    finally:
        page.set_viewport_size(DESKTOP)
    assert not visit.problems()[before:], report(
        f"{name} (while resizing)", visit.problems()[before:]
    )


# --- explorers -----------------------------------------------------------------------------------

EXPLORER_JS = """(box) => {
    const shown = el => el.getClientRects().length > 0
        && getComputedStyle(el).visibility !== 'hidden';
    const handle = box.querySelector('.noUi-handle');
    const readout = box.querySelector('.widget-readout');
    return {
        index: handle ? Number(handle.getAttribute('aria-valuenow')) : null,
        last: handle ? Number(handle.getAttribute('aria-valuemax')) : null,
        readout: readout ? readout.textContent.trim() : null,
        panels: [...box.querySelectorAll('.sae-panel')].filter(shown).length,
        figures: [...box.querySelectorAll('img')].filter(shown)
            .map(img => img.currentSrc || img.src),
        audio: [...box.querySelectorAll('audio')].filter(shown)
            .map(a => a.currentSrc || a.src || (a.querySelector('source') || {}).src || ''),
    };
}"""


def digest(sources) -> str:
    return hashlib.sha1("\n".join(sources).encode()).hexdigest()[:10]


def calls_explorer(name: str) -> bool:
    return "explorer(" in (BOOK_DIR / f"{name}.ipynb").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_explorers_switch_figure_and_audio(visits, name):
    visit = visits(name)
    page = visit.page
    before = len(visit.problems())
    boxes = page.locator(".sae-explorer")
    if boxes.count() == 0:
        assert not calls_explorer(name), (
            f"{name}: the notebook calls explorer() but the page shows none "
            "(was the widget state saved?)"
        )
        pytest.skip(f"{name} has no explorer")
    for number in range(boxes.count()):
        box = boxes.nth(number)
        box.scroll_into_view_if_needed()
        handle = box.locator(".noUi-handle")
        assert handle.count() == 1, f"{name}: explorer {number + 1} has no slider"
        handle.focus()
        handle.press("Home")
        page.wait_for_function(
            "h => h.getAttribute('aria-valuenow') == 0", arg=handle.element_handle()
        )
        first = box.evaluate(EXPLORER_JS)
        settings = int(first["last"]) + 1
        assert settings >= 2, f"{name}: explorer {number + 1} has only {settings} setting"
        seen = []
        for index in range(settings):
            if index:
                handle.press("ArrowRight")
                page.wait_for_function(
                    "([h, i]) => h.getAttribute('aria-valuenow') == i",
                    arg=[handle.element_handle(), index],
                )
                page.wait_for_function(
                    "([box, before]) => { const r = box.querySelector('.widget-readout'); "
                    "return r && r.textContent.trim() != before; }",
                    arg=[box.element_handle(), seen[-1]["readout"]],
                )
            state = box.evaluate(EXPLORER_JS)
            where = (
                f"{name}: explorer {number + 1}, setting {state['readout']!r} "
                f"({index + 1} of {settings})"
            )
            assert state["panels"] == 1, f"{where}: {state['panels']} panels visible, expected 1"
            assert state["figures"] or state["audio"], (
                f"{where}: the panel shows neither a figure nor audio"
            )
            _, problems = audio_problems(box.locator("audio"))
            assert not problems, report(where, problems)
            if seen:
                previous = seen[-1]
                if state["figures"] and previous["figures"]:
                    assert digest(state["figures"]) != digest(previous["figures"]), (
                        f"{where}: the figure did not change"
                    )
                if state["audio"] and previous["audio"]:
                    assert digest(state["audio"]) != digest(previous["audio"]), (
                        f"{where}: the audio did not change"
                    )
                assert (
                    state["figures"] != previous["figures"] or state["audio"] != previous["audio"]
                ), f"{where}: the panel did not change"
            seen.append(state)
        readouts = [state["readout"] for state in seen]
        assert len(set(readouts)) == settings, f"{name}: explorer {number + 1} readouts {readouts}"
        handle.press("Home")  # leave it as the reader finds it
    assert not visit.problems()[before:], report(
        f"{name} (while using the explorers)", visit.problems()[before:]
    )


# --- launch buttons ------------------------------------------------------------------------------


def expected_colab_url(name: str) -> str:
    config = yaml.safe_load((BOOK_DIR / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]
    owner_repo = repository["url"].rstrip("/").removesuffix(".git").split("github.com/", 1)[1]
    branch = repository.get("branch", "main")
    folder = (repository.get("path_to_book") or "").strip("/")
    path = f"{folder}/{name}.ipynb" if folder else f"{name}.ipynb"
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    return f"{colab}/github/{owner_repo}/blob/{branch}/{path}"


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_colab_button_opens_this_notebook(visits, name):
    page = visits(name).page
    expected = expected_colab_url(name)
    links = page.locator('a[href*="colab.research.google.com"]')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [expected], f"{name}: Colab links {hrefs}, expected [{expected}]"
    config = yaml.safe_load((BOOK_DIR / "_config.yml").read_text(encoding="utf-8"))
    folder = (config["repository"].get("path_to_book") or "").strip("/")
    assert (BOOK_DIR / folder / f"{name}.ipynb").is_file(), (
        f"{name}: the Colab link names a file the repository lacks"
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    page.locator(".dropdown-launch-buttons button").first.click()
    link = links.first
    link.wait_for(state="visible", timeout=5_000)
    assert link.is_visible(), f"{name}: the Colab button is not shown in the launch menu"
    page.keyboard.press("Escape")
