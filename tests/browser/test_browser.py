"""The web book in a real browser with no internet (`make test` runs it after `make book`).

For every page of the table of contents: it loads with no console error, uncaught exception or
failed request; its math is typeset by the book's own MathJax, and no stray backslash stands before
a letter in its math or text; every audio player decodes to a duration > 0; every explorer shows a
different figure and different audio for each setting of its slider, with no kernel; notebook pages
carry an "Open in Colab" button for the right file of the repository named in _config.yml; the page
fits its screen: at desktop width no code or output block scrolls sideways, the code column holds
the line length of book/ruff.toml, and every figure shows at its full intended size, drawn at twice
that size and opaque (dark mode); at phone width no table loses a column without a labelled scroll
container and a visible hint that it scrolls (and no table that fits shows one); and screenshots
of each chapter at a desktop and a phone width (and in dark mode) land in _build/screenshots/.
See conftest.py for the browser.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from html.parser import HTMLParser

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


# --- loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors(visits, name):
    visit = visits(name)
    # requests to anything but 127.0.0.1 are blocked, so they show up here
    problems = visit.problems()
    assert not problems, report(name, problems)
    errors = visit.page.locator(".jupyter-widgets-error-widget, .widget-error").count()
    assert errors == 0, f"{name}: {errors} widget(s) failed to render"


def test_index_leads_to_the_first_page(browser, base_url):
    # a redirect: do not wait on it
    visit = open_page(browser, base_url, "index.html", DESKTOP, wait=False)
    try:
        visit.page.wait_for_url(f"**/{PAGES[0]}.html")
        visit.page.wait_for_load_state("load")
        assert not visit.problems(), report("index.html", visit.problems())
    finally:
        visit.page.close()


# --- math ---------------------------------------------------------------------------------------

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


# A backslash before a letter that survives into the page is a typo in the source: in math,
# "\\rho" (two backslashes, as a Markdown cell gets when it is written like a Python string) is
# a line break followed by the letters r, h, o; in text, "\rho" is shown as it stands.
STRAY_IN_MATH = re.compile(r"(?<!\\)\\\\[A-Za-z]")
STRAY_IN_TEXT = re.compile(r"\\[A-Za-z]+")
NOT_PROSE = {"pre", "code", "script", "style", "textarea", "kbd", "samp"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
VOID_TAGS |= {"source", "track"}


def stray_backslashes(html: str) -> list[str]:
    r"""The stray backslashes before a letter in the math and the prose of one page.

    html: the page's HTML as built, before MathJax typesets it: math is the text of elements of
    class ``math`` (MyST writes ``\(...\)`` and ``\[...\]`` there). Returns one line per finding,
    e.g. ``"math: \\r in '\(\\rho\)'"`` (the match, then the text it is in); code,
    preformatted output and scripts are skipped.
    """
    findings: list[str] = []

    class Walker(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack: list[tuple[str, bool, bool]] = []  # (tag, in math, in code)

        def handle_starttag(self, tag, attrs):
            if tag in VOID_TAGS:
                return
            math, code = self.stack[-1][1:] if self.stack else (False, False)
            classes = (dict(attrs).get("class") or "").split()
            self.stack.append((tag, math or "math" in classes, code or tag in NOT_PROSE))

        def handle_endtag(self, tag):
            while self.stack:  # closes unclosed children too, as a browser does
                if self.stack.pop()[0] == tag:
                    break

        def handle_data(self, data):
            math, code = self.stack[-1][1:] if self.stack else (False, False)
            if code:
                return
            pattern, where = (STRAY_IN_MATH, "math") if math else (STRAY_IN_TEXT, "text")
            for match in pattern.finditer(data):
                findings.append(f"{where}: {match.group()} in {data.strip()[:80]!r}")

    Walker().feed(html)
    return findings


def test_stray_backslash_check_on_snippets():
    # the checking function itself, on the bug of chapter 3 and on what must pass
    def math(tex):
        return '<span class="math notranslate nohighlight">' + tex + "</span>"

    found = stray_backslashes("<p>a " + math(r"\(\\rho\)") + " b</p>")
    assert len(found) == 1 and found[0].startswith(r"math: \\r"), found
    assert len(stray_backslashes(r"<p>correlated with \rho between neighbours</p>")) == 1
    assert len(stray_backslashes("<div>" + math(r"\[a \\ \\beta\]") + "</div>")) == 1
    fine = (
        "<p>" + math(r"\(\rho\)") + " and " + math(r"\[a \\ b \\[2pt] c\]") + "</p>"
        r"<pre>print('\n')</pre><p><code>\\rho</code> <br> text</p><script>a='\x'</script>"
    )
    assert stray_backslashes(fine) == []


@pytest.mark.parametrize("name", PAGES)
def test_no_stray_backslash_in_math_or_text(visits, name):
    # the HTML as the server sends it (MathJax replaces the TeX source in the live DOM)
    html = visits(name).page.evaluate("async () => await (await fetch(location.href)).text()")
    findings = stray_backslashes(html)
    assert not findings, report(name, findings)


# --- audio --------------------------------------------------------------------------------------

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
                el.addEventListener('loadedmetadata', () => {
                    clearTimeout(timer);
                    resolve(el.duration);
                }, {once: true});
                el.addEventListener('error', () => {
                    clearTimeout(timer);
                    resolve('media error ' + (el.error && el.error.code));
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


# --- screenshots --------------------------------------------------------------------------------

NEXT_FRAME_JS = (
    "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_screenshots_at_desktop_and_phone_width(visits, name):
    """Whole-page JPEGs of each chapter for a person to look at: desktop, phone, desktop dark.

    JPEG, because it is quicker than PNG for pages 20 000 px tall.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit = visits(name)
    page = visit.page
    # problems of the load itself are reported by test_page_loads_without_errors
    before = len(visit.problems())
    stem = name.replace("/", "-")
    shots = (("desktop", DESKTOP, None), ("phone", PHONE, None), ("desktop-dark", DESKTOP, "dark"))
    theme = page.evaluate("() => document.documentElement.dataset.theme || ''")
    try:
        for label, viewport, mode in shots:
            page.set_viewport_size(viewport)
            if mode:
                page.evaluate("mode => { document.documentElement.dataset.theme = mode; }", mode)
            page.evaluate(NEXT_FRAME_JS)
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
        page.evaluate("mode => { document.documentElement.dataset.theme = mode; }", theme)
        page.set_viewport_size(DESKTOP)
    assert not visit.problems()[before:], report(
        f"{name} (while resizing)", visit.problems()[before:]
    )


# --- fitting the screen: code, figures, tables ---------------------------------------------------

#: The longest code line ruff allows in a notebook (book/ruff.toml); the page must show it whole.
RUFF_NOTEBOOKS = tomllib.loads((BOOK_DIR / "book" / "ruff.toml").read_text("utf-8"))
NOTEBOOK_LINE_LENGTH = RUFF_NOTEBOOKS["line-length"]

# Everything a reader can unfold (hidden cells, solutions, dropdowns) is unfolded for the checks,
# then folded again; returns how many were unfolded.
UNFOLD_JS = """() => {
    window.__unfolded = [];
    for (const d of document.querySelectorAll('main details:not([open])')) {
        d.open = true;
        window.__unfolded.push(['open', d]);
    }
    for (const e of document.querySelectorAll('main .toggle-hidden')) {
        e.classList.remove('toggle-hidden');
        window.__unfolded.push(['toggle-hidden', e]);
    }
    return window.__unfolded.length;
}"""
FOLD_JS = """() => {
    for (const [how, e] of window.__unfolded || []) {
        if (how === 'open') e.open = false; else e.classList.add('toggle-hidden');
    }
    window.__unfolded = [];
}"""

# Every visible <pre> of the page: does it scroll sideways, and how many characters of its own
# font fit on one line of it (clientWidth without padding, over the width of one character)?
PRE_JS = """() => {
    const shown = e => e.getClientRects().length > 0;
    return [...document.querySelectorAll('main pre')].filter(shown).map(pre => {
        const style = getComputedStyle(pre);
        const probe = document.createElement('span');
        probe.textContent = 'x'.repeat(200);
        for (const property of ['fontFamily', 'fontSize', 'fontWeight', 'letterSpacing'])
            probe.style[property] = style[property];
        probe.style.position = 'absolute';
        probe.style.whiteSpace = 'pre';
        document.body.appendChild(probe);
        const character = probe.getBoundingClientRect().width / 200;
        probe.remove();
        const inner = pre.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
        const lines = pre.textContent.split('\\n');
        const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
        return {
            code: !!pre.closest('.cell_input'),
            scrolls: pre.scrollWidth > pre.clientWidth,
            columns: inner / character,
            longest: longest.length,
            line: longest.trim().slice(0, 70),
        };
    });
}"""


def pre_blocks(page) -> list[dict]:
    """PRE_JS on ``page`` with everything unfolded (and folded again afterwards)."""
    page.evaluate(UNFOLD_JS)
    try:
        page.evaluate(NEXT_FRAME_JS)
        return page.evaluate(PRE_JS)
    finally:
        page.evaluate(FOLD_JS)


@pytest.mark.parametrize("name", PAGES)
def test_code_and_output_fit_the_column_at_desktop_width(visits, name):
    blocks = pre_blocks(visits(name).page)
    problems = [
        f"a {'code' if b['code'] else 'text'} block scrolls sideways: its longest line has "
        f"{b['longest']} characters, {math.floor(b['columns'])} fit: {b['line']!r}"
        for b in blocks
        if b["scrolls"]
    ]
    assert not problems, report(name, problems)


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_code_column_holds_the_notebook_line_length(visits, name):
    """book/ruff.toml's line length fits every code cell: the config and the page cannot drift."""
    code = [b for b in pre_blocks(visits(name).page) if b["code"]]
    assert code, f"{name}: no code cell found"
    columns = math.floor(min(b["columns"] for b in code))
    assert columns >= NOTEBOOK_LINE_LENGTH, (
        f"{name}: the narrowest code cell shows {columns} characters at {DESKTOP['width']} px, "
        f"but book/ruff.toml allows lines of {NOTEBOOK_LINE_LENGTH}"
    )


# Every image of a cell's output or a figure: its intended size (the width attribute), the size
# it is drawn at, the room its container has, its pixels, and whether its corner is opaque.
FIGURES_JS = """async () => {
    const images = [...document.querySelectorAll('main figure img, main .cell_output img')];
    const results = [];
    for (const img of images) {
        try { await img.decode(); } catch (error) { /* reported below as 0 pixels */ }
        let box = img.parentElement;
        while (box && box.getClientRects().length === 0) box = box.parentElement;
        const style = getComputedStyle(box);
        const room = box.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
        let alpha = null;
        if (img.naturalWidth) {
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = 1;
            const context = canvas.getContext('2d');
            context.drawImage(img, 0, 0, 1, 1, 0, 0, 1, 1);
            alpha = context.getImageData(0, 0, 1, 1).data[3];
        }
        const own = getComputedStyle(img);
        const edges = ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth']
            .reduce((sum, property) => sum + parseFloat(own[property]), 0);
        // the caption's colour and the first opaque background behind it
        const caption = img.closest('figure')?.querySelector('figcaption');
        let ink = null, paper = null;
        if (caption && caption.getClientRects().length) {
            ink = getComputedStyle(caption).color;
            for (let n = caption; n && !paper; n = n.parentElement) {
                const color = getComputedStyle(n).backgroundColor;
                if (color && !color.startsWith('rgba(0, 0, 0, 0)')) paper = color;
            }
            paper = paper || 'rgb(255, 255, 255)';
        }
        results.push({
            ink, paper,
            alt: (img.getAttribute('alt') || '').slice(0, 60),
            intended: img.hasAttribute('width') ? Number(img.getAttribute('width')) : null,
            shown: img.getClientRects().length > 0,
            drawn: img.getBoundingClientRect().width - edges,
            room, natural: img.naturalWidth, alpha,
        });
    }
    return results;
}"""


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS colours written ``rgb(r, g, b)`` or ``rgba(r, g, b, a)``."""

    def luminance(color: str) -> float:
        channels = [float(v) / 255 for v in re.findall(r"[\d.]+", color)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("name", PAGES)
def test_figures_show_at_their_intended_size_sharp_and_opaque(visits, name):
    """At desktop width, in light and dark mode, no figure is drawn smaller than its width
    attribute (hidden explorer panels: no wider than the room in their explorer), each has twice
    as many pixels (high-density screens), an opaque corner (dark mode), and a readable caption."""
    page = visits(name).page
    figures = [dict(f, mode="light") for f in page.evaluate(FIGURES_JS)]
    theme = page.evaluate("() => document.documentElement.dataset.theme || ''")
    try:
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.evaluate(NEXT_FRAME_JS)
        figures += [dict(f, mode="dark") for f in page.evaluate(FIGURES_JS)]
    finally:
        page.evaluate("mode => { document.documentElement.dataset.theme = mode; }", theme)
    problems = []
    for f in figures:
        where = f"figure {f['alt']!r} ({f['mode']} mode)"
        if f["intended"] is None:
            problems.append(f"{where} has no width attribute (no intended size)")
            continue
        if f["shown"] and f["drawn"] < f["intended"] - 0.5:
            problems.append(f"{where} is drawn {f['drawn']:.0f} px wide, not {f['intended']}")
        if f["intended"] > f["room"] + 0.5:
            problems.append(f"{where} wants {f['intended']} px, its column has {f['room']:.0f}")
        if f["natural"] < 2 * f["intended"] - 1:
            problems.append(f"{where} has {f['natural']} pixels for {f['intended']} CSS px")
        if f["alpha"] != 255:
            problems.append(f"{where} is transparent at its corner (alpha {f['alpha']})")
        if f["ink"] and contrast(f["ink"], f["paper"]) < 4.5:
            problems.append(
                f"{where}: its caption ({f['ink']} on {f['paper']}) has a contrast of "
                f"{contrast(f['ink'], f['paper']):.1f}, below WCAG AA's 4.5"
            )
    assert not problems, report(name, problems)


# Every visible table at phone width: is it wider than the space around it, and if so, which
# element scrolls it (overflow-x auto or scroll), and is that element labelled and focusable?
TABLES_JS = """() => {
    const shown = e => e.getClientRects().length > 0;
    return [...document.querySelectorAll('main table')].filter(shown).map(table => {
        let scroller = table.parentElement;
        while (scroller && scroller.tagName !== 'MAIN'
               && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowX))
            scroller = scroller.parentElement;
        if (scroller && scroller.tagName === 'MAIN') scroller = null;
        const space = (scroller || table.parentElement).clientWidth;
        const head = [...table.querySelectorAll('th')].map(th => th.textContent.trim());
        return {
            columns: head.slice(0, 4).join(', ').slice(0, 60),
            width: table.getBoundingClientRect().width, space,
            scroller: !!scroller,
            scrolls: scroller ? scroller.scrollWidth > scroller.clientWidth : false,
            role: scroller && scroller.getAttribute('role'),
            label: scroller && (scroller.getAttribute('aria-label') || ''),
            tabindex: scroller && scroller.getAttribute('tabindex'),
            // tools/page_layout.js: the hint above the table's frame, shown only when it scrolls
            hint: (() => {
                const frame = scroller && scroller.parentElement;
                const hint = frame && frame.previousElementSibling;
                return !!(hint && hint.classList.contains('sae-scroll-hint') && shown(hint));
            })(),
        };
    });
}"""


@pytest.mark.parametrize("name", PAGES)
def test_tables_keep_every_column_at_phone_width(browser, base_url, name):
    visit = open_page(browser, base_url, f"{name}.html", PHONE)
    try:
        tables = visit.page.evaluate(TABLES_JS)
    finally:
        visit.page.close()
    problems = []
    for t in tables:
        if t["width"] <= t["space"] + 1:
            if t["hint"]:
                problems.append(f"table ({t['columns']}) fits, but says to scroll sideways")
            continue
        where = f"table ({t['columns']}) is {t['width']:.0f} px wide in {t['space']} px"
        if not t["hint"]:
            problems.append(f"{where} and shows no hint that it scrolls sideways")
        if not t["scroller"]:
            problems.append(f"{where} and cut off: nothing scrolls it")
        elif not t["scrolls"]:
            problems.append(f"{where} and its scroll container does not scroll")
        elif t["role"] != "region" or not t["label"].strip() or t["tabindex"] != "0":
            problems.append(
                f"{where}; its scroll container needs role=region, an aria-label and "
                f"tabindex=0 (has {t['role']!r}, {t['label']!r}, {t['tabindex']!r})"
            )
    assert not problems, report(name, problems)


# --- explorers ----------------------------------------------------------------------------------

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
                    "([box, before]) => { const r = box.querySelector('.widget-readout');"
                    " return r && r.textContent.trim() != before; }",
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


# --- launch buttons -----------------------------------------------------------------------------


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
