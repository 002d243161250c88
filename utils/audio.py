"""Audio players for the page: one clip, or "original | reconstruction" rows at equal loudness.

Used from "Listening to the data" onwards. Players are plain HTML5 ``<audio>``
elements with the WAV embedded as a data URI, so they play on the static web
page with no kernel, in Jupyter and in Colab. Every player carries a caption
that says what is heard (digit, speaker, and which model made it).
"""

from __future__ import annotations

import base64
import html
import io
import wave
from collections.abc import Mapping, Sequence

import numpy as np

from .validation import SAMPLE_RATE, check_audio

#: Loudness every clip of a comparison is brought to, in dB relative to full scale (RMS).
TARGET_RMS_DB = -23.0


def to_wav_bytes(audio, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Encode float audio (n_samples,) in [-1, 1] (clipped to it) as 16-bit PCM mono WAV bytes."""
    audio = check_audio(audio, sample_rate, expected_rate=None, allow_silence=True)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(int(sample_rate))
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


def match_loudness(
    clips: Sequence, target_rms_db: float = TARGET_RMS_DB, peak: float = 0.99
) -> list[np.ndarray]:
    """Scale every clip to the same RMS level (``target_rms_db`` dBFS), then all by one common
    factor if any would clip above ``peak``. Silent clips stay silent. Returns float32 arrays.
    """
    clips = [np.asarray(c, dtype=np.float64) for c in clips]
    target = 10 ** (target_rms_db / 20)
    scaled = []
    for clip in clips:
        rms = np.sqrt(np.mean(clip**2)) if clip.size else 0.0
        scaled.append(clip * (target / rms) if rms > 0 else clip)
    loudest = max((np.abs(c).max() for c in scaled if c.size), default=0.0)
    if loudest > peak:
        scaled = [c * (peak / loudest) for c in scaled]
    return [c.astype(np.float32) for c in scaled]


def player_html(audio, sample_rate: int = SAMPLE_RATE, caption: str = "") -> str:
    """HTML of one captioned player: ``<figure><audio controls src="data:audio/wav;base64,…">``."""
    if not caption:
        raise ValueError(
            "every audio player needs a caption that says what is heard (digit, speaker, model)."
        )
    data = base64.b64encode(to_wav_bytes(audio, sample_rate)).decode("ascii")
    label = html.escape(caption)
    return (
        '<figure class="sae-audio" style="display:inline-block;margin:0 1em 0.5em 0">'
        f'<audio controls preload="metadata" aria-label="{label}" '
        f'src="data:audio/wav;base64,{data}"></audio>'
        f'<figcaption style="font-size:0.85em">{label}</figcaption></figure>'
    )


def players_html(clips, sample_rate: int = SAMPLE_RATE, *, equal_loudness: bool = True) -> str:
    """HTML of a row of captioned players.

    ``clips``: ``{caption: audio}`` or ``[(caption, audio), ...]``.
    """
    items = list(clips.items()) if isinstance(clips, Mapping) else list(clips)
    if not items:
        raise ValueError("no clips given.")
    captions = [caption for caption, _ in items]
    audios = [
        check_audio(a, sample_rate, expected_rate=None, allow_silence=True, name=c)
        for c, a in items
    ]
    if equal_loudness:
        audios = match_loudness(audios)
    players = "".join(player_html(a, sample_rate, c) for c, a in zip(captions, audios, strict=True))
    return f'<div class="sae-audio-row">{players}</div>'


class Players:
    """A row of audio players that displays itself in a notebook (the last line of a cell)."""

    def __init__(self, clips, sample_rate: int = SAMPLE_RATE, *, equal_loudness: bool = True):
        self.html = players_html(clips, sample_rate, equal_loudness=equal_loudness)

    def _repr_html_(self) -> str:
        return self.html


def play(audio, sample_rate: int = SAMPLE_RATE, caption: str = "") -> Players:
    """One captioned player, e.g. ``play(recording.audio, 8000, "digit 3, george, original")``."""
    return Players([(caption, audio)], sample_rate, equal_loudness=False)


def compare(clips, sample_rate: int = SAMPLE_RATE) -> Players:
    """Players side by side at equal loudness.

    E.g. ``compare({"original": x, "autoencoder (z=8)": x_hat})``.

    Captions should say what is heard: digit, speaker, and which model made the clip.
    """
    return Players(clips, sample_rate, equal_loudness=True)
