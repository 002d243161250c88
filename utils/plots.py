"""Figures for the page: spectrograms and waveforms, shown as PNG with alt text.

Every figure of the book goes through :func:`show`, which embeds the PNG in an
HTML ``<figure>`` with an ``alt`` text that says what the figure shows and an
optional caption, so that readers of the web page (including those using a
screen reader) get the figure's content. Colormaps are perceptually uniform
and colour-blind safe (``magma`` for spectrograms, ``viridis``/``cividis`` elsewhere).
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .features import HOP_LENGTH
from .runtime import FIGURE_CSS_PX_PER_INCH, FIGURE_MAX_WIDTH_IN, FIGURE_PIXEL_RATIO
from .validation import SAMPLE_RATE, check_audio, check_matrix

SPECTROGRAM_CMAP = "magma"


def spectrogram(
    log_mel_db,
    ax=None,
    *,
    sample_rate: int = SAMPLE_RATE,
    hop_length: int = HOP_LENGTH,
    title: str | None = None,
    colorbar: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
):
    """Draw a log-mel spectrogram (n_mels, n_frames) in dB on time (s) and mel-frequency (Hz) axes.

    Returns the Matplotlib ``Axes``. Uses ``librosa.display.specshow``.
    """
    import librosa.display
    import matplotlib.pyplot as plt

    log_mel_db = check_matrix(log_mel_db, name="log_mel_db")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 2.6))
    image = librosa.display.specshow(
        log_mel_db,
        sr=sample_rate,
        hop_length=hop_length,
        x_axis="time",
        y_axis="mel",
        fmax=sample_rate / 2,
        cmap=SPECTROGRAM_CMAP,
        vmin=vmin,
        vmax=vmax,
        ax=ax,
    )
    ax.set(xlabel="time (s)", ylabel="frequency (Hz, mel scale)")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, format="%+.0f dB", pad=0.01)
    return ax


def waveform(audio, ax=None, *, sample_rate: int = SAMPLE_RATE, title: str | None = None):
    """Draw a waveform (n_samples,) against time in seconds. Returns the ``Axes``."""
    import matplotlib.pyplot as plt

    audio = check_audio(audio, sample_rate, expected_rate=None, allow_silence=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 2))
    ax.plot(np.arange(audio.size) / sample_rate, audio, linewidth=0.6, color="#1f4e79")
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(0, audio.size / sample_rate))
    if title:
        ax.set_title(title)
    return ax


def png_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` in pixels of a PNG, read from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image.")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def figure_png(fig) -> tuple[bytes, int, int]:
    """``(png, width, height)``: ``fig`` as PNG at twice its display size, and that size (CSS px).

    One inch of the figure is shown as one CSS inch (96 px), drawn with
    :data:`~utils.runtime.FIGURE_PIXEL_RATIO` image pixels per CSS pixel, on opaque white.
    Fails if the figure, as saved, is wider than the page column shows at full size.
    """
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        bbox_inches="tight",
        dpi=FIGURE_CSS_PX_PER_INCH * FIGURE_PIXEL_RATIO,
        facecolor="white",
        transparent=False,
    )
    png = buffer.getvalue()
    width, height = png_size(png)
    width_in = width / (FIGURE_CSS_PX_PER_INCH * FIGURE_PIXEL_RATIO)
    if width_in > FIGURE_MAX_WIDTH_IN + 0.01:
        raise ValueError(
            f"the figure is {width_in:.2f} in wide as saved; the page shows at most "
            f"{FIGURE_MAX_WIDTH_IN} in at full size: make figsize narrower (or stack the panels)."
        )
    return png, round(width / FIGURE_PIXEL_RATIO), round(height / FIGURE_PIXEL_RATIO)


def figure_html(fig, alt: str, caption: str | None = None, *, close: bool = True) -> str:
    """HTML ``<figure>``: the PNG of a Matplotlib figure, its ``alt`` text and an optional caption.

    The ``<img>`` carries its display size (``width``/``height`` in CSS px, half the PNG's
    pixels; see :func:`figure_png`) and shrinks only where the column is narrower (a phone).
    """
    import matplotlib.pyplot as plt

    if not alt or not alt.strip():
        raise ValueError("a figure needs alt text that says what it shows.")
    try:
        png, width, height = figure_png(fig)
    finally:
        if close:
            plt.close(fig)
    data = base64.b64encode(png).decode("ascii")
    text = (
        f'<figcaption style="font-size:0.9em">{html.escape(caption)}</figcaption>'
        if caption
        else ""
    )
    return (
        f'<figure class="sae-figure" style="margin:0 0 1em 0">'
        f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" '
        f'alt="{html.escape(alt)}" style="max-width:100%;height:auto">{text}</figure>'
    )


class Figure:
    """A rendered figure that displays itself as HTML (PNG with alt text) in a notebook."""

    def __init__(self, fig, alt: str, caption: str | None = None):
        self.html = figure_html(fig, alt, caption)

    def _repr_html_(self) -> str:
        return self.html


def show(fig, alt: str, caption: str | None = None) -> Figure:
    """Render ``fig`` as PNG with ``alt`` text (and a caption), close it, return what displays it.

    Use as the last line of a cell: ``show(fig, alt="Log-mel spectrogram of ...")``.
    """
    return Figure(fig, alt, caption)
