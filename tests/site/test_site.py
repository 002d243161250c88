"""Checks of the built web book (_build/html), run by `make test` after `make book`.

Every page of the table of contents exists; audio players carry playable WAV data and a caption;
figures carry alt text; no traceback, error output, stderr or TensorFlow log line reached a page;
pages stay light.
"""

import base64
import io
import itertools
import json
import re
import wave

import pytest
from bs4 import BeautifulSoup

from tests.toc import ROOT, toc_files

HTML = ROOT / "_build" / "html"
PAGE_BUDGET_BYTES = 5 * 1024 * 1024
NOTEBOOK_PAGES = [name for name in toc_files() if (ROOT / f"{name}.ipynb").exists()]
ALL_PAGES = toc_files()

# Lines TensorFlow, absl or oneDNN print when they are not silenced.
LOG_NOISE = re.compile(
    r"(^|\n)\s*[IWEF]\d{4} \d\d:\d\d:\d\d|tensorflow/core|oneDNN custom operations|"
    r"WARNING:tensorflow|WARNING:absl|cuda_(drivers|dnn|blas)|Unable to register cu|"
    r"This TensorFlow binary is optimized|"
    r"DeprecationWarning|FutureWarning|UserWarning|RuntimeWarning|ConvergenceWarning"
)

if not HTML.exists():
    pytest.skip("the book is not built: run `make book` first", allow_module_level=True)


def page(name):
    path = HTML / f"{name}.html"
    assert path.exists(), f"{path} was not built"
    return path


def soup_of(name):
    return BeautifulSoup(page(name).read_text(encoding="utf-8"), "html.parser")


def widget_fragments(soup):
    """HTML held in saved widget state (explorer panels), which the widget manager shows."""
    fragments = []
    for script in soup.find_all("script", type="application/vnd.jupyter.widget-state+json"):
        state = json.loads(script.string or "{}").get("state", {})
        for model in state.values():
            value = model.get("state", {}).get("value")
            if model.get("model_name") == "HTMLModel" and isinstance(value, str):
                fragments.append(BeautifulSoup(value, "html.parser"))
    return fragments


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_exists_and_has_no_error_output(name):
    soup = soup_of(name)
    main = soup.find("main") or soup
    text = main.get_text("\n")
    assert "Traceback (most recent call last)" not in text, f"{name}: a traceback reached the page"
    assert not main.select(
        ".output.error, .output.traceback, .output.stderr, div.cell_output .stderr"
    ), f"{name}: an error or stderr output reached the page"
    noise = LOG_NOISE.search(text)
    assert noise is None, (
        f"{name}: log noise on the page: {text[max(0, noise.start() - 80) : noise.end() + 80]!r}"
    )


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_notebook_page_plays_audio_with_data_and_captions(name):
    soup = soup_of(name)
    players = soup.find_all("audio") + [
        a for f in widget_fragments(soup) for a in f.find_all("audio")
    ]
    assert players, f"{name}: a chapter about speech must let the reader listen"
    for player in players:
        source = player.get("src") or (player.find("source") or {}).get("src", "")
        match = re.match(r"data:audio/wav;base64,(.+)", source or "")
        assert match, f"{name}: an <audio> element without embedded WAV data"
        with wave.open(io.BytesIO(base64.b64decode(match[1]))) as reader:
            assert reader.getnframes() > 0 and reader.getframerate() > 0
        caption = player.find_next_sibling("figcaption") if player.parent.name == "figure" else None
        label = (caption.get_text(strip=True) if caption else "") or player.get("aria-label", "")
        assert len(label) > 5, f"{name}: an audio player without a caption saying what is heard"


@pytest.mark.parametrize("name", ALL_PAGES)
def test_every_figure_has_alt_text(name):
    soup = soup_of(name)
    main = soup.find("main") or soup
    images = main.find_all("img") + [i for f in widget_fragments(soup) for i in f.find_all("img")]
    for image in images:
        alt = (image.get("alt") or "").strip()
        assert alt and not re.fullmatch(r"[\w./-]+\.(png|svg|jpg)", alt), (
            f"{name}: an image without alt text ({str(image)[:120]})"
        )


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_weight_within_budget(name):
    path = page(name)
    size = path.stat().st_size
    for source in re.findall(
        r'src="((?!data:|https?:)[^"]+\.(?:png|jpg|svg|wav))"', path.read_text(encoding="utf-8")
    ):
        local = (path.parent / source).resolve()
        if local.exists():
            size += local.stat().st_size
    assert size <= PAGE_BUDGET_BYTES, f"{name}: {size / 1e6:.1f} MB, the budget is 5 MB"


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_glued_numbers_were_filled_in(name):
    text = (soup_of(name).find("main") or soup_of(name)).get_text(" ")
    assert "{glue:" not in text and "glue:text" not in text, f"{name}: an unresolved glue reference"


@pytest.mark.parametrize("name", ALL_PAGES)
def test_headings_are_in_order(name):
    """One h1 per page, and no level skipped on the way down (h2 -> h4 confuses a screen reader)."""
    main = soup_of(name).find("main") or soup_of(name)
    article = main.find("article") or main
    levels = [int(h.name[1]) for h in article.find_all(re.compile(r"^h[1-6]$"))]
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"{name}: headings {levels}"
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, (
            f"{name}: heading level jumps from h{previous} to h{current}"
        )
