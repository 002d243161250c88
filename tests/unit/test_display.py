"""Audio players, figures and explorers: what a reader of the static page receives."""

import base64
import io
import re
import wave

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import audio, explorer, plots  # noqa: E402

SR = 8000
rng = np.random.default_rng(0)
LOUD = (0.5 * rng.standard_normal(SR)).astype(np.float32)
QUIET = (0.01 * rng.standard_normal(SR)).astype(np.float32)


def decode_players(html):
    clips = []
    for data in re.findall(r'src="data:audio/wav;base64,([^"]+)"', html):
        with wave.open(io.BytesIO(base64.b64decode(data))) as reader:
            assert reader.getframerate() == SR and reader.getnchannels() == 1
            clips.append(np.frombuffer(reader.readframes(reader.getnframes()), "<i2") / 32768)
    return clips


def test_compare_plays_clips_at_equal_loudness_with_captions():
    html = audio.compare({"digit 1, ann, original": LOUD, "digit 1, ann, autoencoder": QUIET}).html
    assert html.count("<audio") == 2 and "digit 1, ann, autoencoder</figcaption>" in html
    loud, quiet = decode_players(html)
    rms = [np.sqrt(np.mean(c**2)) for c in (loud, quiet)]
    assert np.isclose(rms[0], rms[1], rtol=0.02)
    assert max(np.abs(loud).max(), np.abs(quiet).max()) <= 1.0


def test_match_loudness_keeps_silence_and_avoids_clipping():
    spiky = np.zeros(SR, np.float32)
    spiky[10] = 1.0
    out = audio.match_loudness([spiky, LOUD, np.zeros(100)])
    assert max(np.abs(c).max() for c in out) <= 0.99 and not np.any(out[2])


def test_players_need_captions_and_valid_audio():
    with pytest.raises(ValueError, match="caption"):
        audio.play(LOUD, SR, "")
    with pytest.raises(ValueError, match="NaN"):
        audio.play(np.full(10, np.nan, np.float32), SR, "x")
    with pytest.raises(ValueError, match="mono"):
        audio.compare({"stereo": np.stack([LOUD, LOUD])})


def test_figures_are_png_with_alt_text_and_are_closed():
    fig, ax = plt.subplots()
    plots.spectrogram(np.random.default_rng(0).normal(-40, 10, (40, 30)), ax)
    html = plots.show(fig, alt="A test spectrogram", caption="caption here")._repr_html_()
    assert (
        'alt="A test spectrogram"' in html
        and "data:image/png;base64," in html
        and "caption here" in html
    )
    assert not plt.fignum_exists(fig.number)
    with pytest.raises(ValueError, match="alt text"):
        plots.show(plt.figure(), alt=" ")


def test_figures_have_twice_their_display_size_in_pixels_are_opaque_and_fit_the_page():
    from PIL import Image

    fig, ax = plt.subplots(figsize=(5, 2))
    ax.plot([0, 1], [1, 0])
    html = plots.figure_html(fig, alt="A falling line")
    width, height = map(int, re.search(r'width="(\d+)" height="(\d+)"', html).groups())
    png = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1))
    pixels = plots.png_size(png)
    assert abs(pixels[0] - 2 * width) <= 1 and abs(pixels[1] - 2 * height) <= 1
    assert 0 < width <= 5 * 96 and 'style="max-width:100%;height:auto"' in html
    alpha = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))[..., 3]
    assert alpha.min() == 255, "figures must be opaque, for the page's dark mode"
    wide, ax = plt.subplots(figsize=(9, 2))
    ax.plot([0, 1])
    with pytest.raises(ValueError, match="narrower"):
        plots.show(wide, alt="A figure wider than the page")
    assert not plt.fignum_exists(wide.number)


def test_explorer_links_slider_to_panels_on_the_client_side():
    import ipywidgets as widgets

    panels = {
        size: explorer.panel_html(
            numbers={"latent size": size, "LSD (dB)": 1.0 / size}, clips={f"clip {size}": LOUD}
        )
        for size in (2, 4, 8)
    }
    box = explorer.explorer(panels, "latent size", initial=4)
    slider, stack = box.children
    assert isinstance(stack, widgets.Stack) and stack.selected_index == 1 and slider.value == "4"
    assert [child.value for child in stack.children] == list(panels.values())
    from ipywidgets.widgets.widget_link import Link

    assert (
        isinstance(box.link, Link) and box.link.model_id
    )  # a widget model: saved with the notebook's state
    assert box.link.source == (slider, "index") and box.link.target == (stack, "selected_index")
    with pytest.raises(ValueError):
        explorer.explorer({}, "x")
    with pytest.raises(ValueError, match="figure, clips or numbers"):
        explorer.panel_html()
