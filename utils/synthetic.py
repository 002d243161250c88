"""The offline fallback corpus: spoken-digit-like utterances made by source-filter synthesis.

Used by :func:`utils.data.load_fsdd` when the real recordings can be neither
found nor downloaded, so that every notebook of the book still runs end to
end (see "Listening to the data", ``book/00_data.ipynb``). It is *not* speech:
it has the same layout as FSDD (10 digits, 6 speakers, 50 takes, 8 kHz,
``{digit}_{speaker}_{take}.wav`` names, the same splits) and a little of its
structure (voicing, formant movements, fricative noise, speaker-specific
pitch and vocal-tract length), so models have something to learn.

Each digit is a rough phonetic sketch: a list of segments, each with a
duration weight and formant targets (F1, F2, F3 in Hz) for voiced parts, or
a noise band for fricatives and bursts. A speaker scales pitch and formants;
a take jitters duration, pitch and formants. The excitation (a glottal pulse
train plus noise) is shaped frame by frame in the STFT domain by the
time-varying formant envelope, and resynthesized by overlap-add. Everything
is seeded by (digit, speaker, take), so the corpus is the same on every machine.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np

from .validation import SAMPLE_RATE

#: Synthetic speakers: name -> (mean f0 in Hz, formant scale = inverse vocal-tract length,
#: speaking rate).
SPEAKERS = {
    "alba": (210.0, 1.17, 1.00),
    "bruno": (105.0, 0.92, 0.95),
    "carmen": (190.0, 1.12, 1.10),
    "dmitri": (120.0, 0.96, 1.05),
    "eun": (235.0, 1.22, 0.92),
    "farid": (140.0, 1.00, 1.12),
}

# Segment: (kind, weight, parameters). kind "v" voiced (F1, F2, F3), "n" nasal (F1, F2, F3),
# "f" fricative noise (low Hz, high Hz, level), "s" silence or closure, "b" burst (low, high,
# level).
_I = (300, 2250, 3000)
_IH = (400, 1950, 2600)
_EH = (550, 1800, 2500)
_AH = (650, 1200, 2500)
_AA = (750, 1150, 2500)
_OW = (500, 900, 2400)
_UW = (320, 900, 2300)
_R = (420, 1250, 1650)
_W = (300, 650, 2300)
DIGITS = {
    0: [("f", 0.8, (3000, 3900, 0.35)), ("v", 0.7, _IH), ("v", 0.6, _R), ("v", 1.4, _OW)],
    1: [("v", 0.6, _W), ("v", 1.4, _AH), ("n", 0.9, (280, 1500, 2500))],
    2: [("s", 0.3, None), ("b", 0.3, (2500, 3900, 0.6)), ("v", 1.8, _UW)],
    3: [("f", 0.7, (1500, 3900, 0.2)), ("v", 0.5, _R), ("v", 1.6, _I)],
    4: [("f", 0.9, (800, 3900, 0.25)), ("v", 1.2, _OW), ("v", 0.8, _R)],
    5: [
        ("f", 0.8, (800, 3900, 0.25)),
        ("v", 0.9, _AA),
        ("v", 0.9, _I),
        ("f", 0.5, (800, 3000, 0.12)),
    ],
    6: [
        ("f", 0.9, (3200, 3950, 0.5)),
        ("v", 0.9, _IH),
        ("s", 0.3, None),
        ("b", 0.2, (1500, 3500, 0.4)),
        ("f", 0.8, (3200, 3950, 0.45)),
    ],
    7: [
        ("f", 0.8, (3200, 3950, 0.45)),
        ("v", 0.9, _EH),
        ("f", 0.3, (800, 3000, 0.1)),
        ("v", 0.5, (500, 1500, 2500)),
        ("n", 0.7, (280, 1500, 2500)),
    ],
    8: [
        ("v", 1.0, (480, 1850, 2500)),
        ("v", 0.8, (350, 2150, 2800)),
        ("s", 0.3, None),
        ("b", 0.3, (2500, 3900, 0.5)),
    ],
    9: [
        ("n", 0.7, (280, 1500, 2500)),
        ("v", 0.9, _AA),
        ("v", 0.7, _I),
        ("n", 0.8, (280, 1500, 2500)),
    ],
}
N_TAKES = 50
_N_FFT = 256
_HOP = 64


def _envelope(frequencies: np.ndarray, formants: np.ndarray, bandwidths: np.ndarray) -> np.ndarray:
    """Magnitude of a cascade of second-order resonators.

    frequencies: (n_bins,) Hz; formants, bandwidths: (n_frames, n_formants) Hz.
    Returns (n_frames, n_bins), normalized to 1 at 0 Hz.
    """
    f = frequencies[None, None, :]
    formant = formants[:, :, None]
    bandwidth = bandwidths[:, :, None]
    response = 1.0 / np.sqrt((1.0 - (f / formant) ** 2) ** 2 + (f * bandwidth / formant**2) ** 2)
    return np.prod(response, axis=1)


def synthesize_digit(
    digit: int, speaker: str, take: int, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """Synthesize one take of a spoken-digit-like utterance.

    Returns float32 audio of shape (n_samples,), peak about 0.5, at ``sample_rate`` Hz
    (0.3-0.9 s of sound between short silences). Deterministic in its arguments.
    """
    if digit not in DIGITS:
        raise ValueError(f"digit must be 0-9, got {digit!r}")
    if speaker not in SPEAKERS:
        raise ValueError(f"unknown synthetic speaker {speaker!r}; choose from {sorted(SPEAKERS)}")
    rng = np.random.default_rng(zlib.crc32(f"{digit}-{speaker}-{take}".encode()))
    f0_mean, formant_scale, rate = SPEAKERS[speaker]
    segments = DIGITS[digit]

    # Timing: segment durations from weights, jittered per take.
    seconds_per_weight = 0.13 / rate * rng.uniform(0.85, 1.15)
    weights = np.array([w for _, w, _ in segments]) * rng.uniform(0.8, 1.2, size=len(segments))
    seg_frames = np.maximum(2, np.round(weights * seconds_per_weight * sample_rate / _HOP)).astype(
        int
    )
    lead, tail = rng.integers(3, 12, size=2)
    n_frames = int(seg_frames.sum() + lead + tail)
    frame_times = np.arange(n_frames)

    # Frame-level controls: formants (n_frames, 3), voicing and noise gains, noise band.
    formants = np.tile(np.array(_AH, dtype=float), (n_frames, 1))
    voiced = np.zeros(n_frames)
    noise = np.zeros(n_frames)
    band = np.tile([1000.0, 3000.0], (n_frames, 1))
    take_scale = formant_scale * rng.uniform(0.96, 1.04, size=3)
    start = lead
    targets = []
    for (kind, _, params), length in zip(segments, seg_frames, strict=True):
        stop = start + length
        ramp = np.sin(np.linspace(0, np.pi, length)) ** 0.3
        if kind in "vn":
            target = np.array(params, dtype=float) * take_scale
            formants[start:stop] = target
            targets.append((start + length // 2, target))
            voiced[start:stop] = ramp * (0.35 if kind == "n" else 1.0)
        elif kind in "fb":
            low, high, level = params
            band[start:stop] = [low, min(high, 0.49 * sample_rate)]
            noise[start:stop] = ramp * level * (1.6 if kind == "b" else 1.0)
        start = stop
    if targets:  # glide smoothly between vowel targets (formant transitions)
        centres = np.array([c for c, _ in targets], dtype=float)
        values = np.array([t for _, t in targets])
        formants = np.stack(
            [np.interp(frame_times, centres, values[:, k]) for k in range(3)], axis=1
        )
    smooth = np.ones(5) / 5
    voiced = np.convolve(voiced, smooth, mode="same")

    # Excitation: a glottal pulse train with falling pitch, plus noise.
    n_samples = n_frames * _HOP
    f0_take = f0_mean * rng.uniform(0.92, 1.08)
    f0 = (
        f0_take
        * np.linspace(1.08, 0.9, n_samples)
        * (1 + 0.01 * rng.standard_normal(n_samples).cumsum() / 60)
    )
    phase = np.cumsum(f0 / sample_rate)
    pulses = np.diff(np.floor(phase), prepend=0.0)
    glottal = np.convolve(pulses, np.hanning(9), mode="same")
    white = rng.standard_normal(n_samples)

    # Shape both sources frame by frame in the STFT domain, then overlap-add.
    window = np.hanning(_N_FFT + 1)[:-1]
    pad = _N_FFT
    frequencies = np.fft.rfftfreq(_N_FFT, 1 / sample_rate)
    bandwidths = np.array([80.0, 110.0, 160.0]) * (1 + 0.3 * rng.random())
    voiced_shape = _envelope(frequencies, formants, np.tile(bandwidths, (n_frames, 1)))
    voiced_shape /= voiced_shape.max(axis=1, keepdims=True)
    tilt = 1.0 / (1.0 + frequencies / 1200.0)
    noise_shape = (
        (frequencies[None, :] >= band[:, :1]) & (frequencies[None, :] <= band[:, 1:])
    ).astype(float)

    def frames_of(signal):
        padded = np.pad(signal, (pad // 2, pad // 2 + _N_FFT))
        index = np.arange(n_frames)[:, None] * _HOP + np.arange(_N_FFT)[None, :]
        return np.fft.rfft(padded[index] * window, axis=1)

    spectrum = frames_of(glottal) * voiced[:, None] * voiced_shape * tilt + frames_of(
        white
    ) * 0.12 * (noise[:, None] * noise_shape)
    frames = np.fft.irfft(spectrum, n=_N_FFT, axis=1) * window
    output = np.zeros(n_samples + pad + _N_FFT)
    index = np.arange(n_frames)[:, None] * _HOP + np.arange(_N_FFT)[None, :]
    np.add.at(output, index.ravel(), frames.ravel())  # overlap-add
    audio = output[pad // 2 : pad // 2 + n_samples]
    audio += 1e-4 * rng.standard_normal(n_samples)  # a faint noise floor, as in a real room
    audio *= rng.uniform(0.35, 0.6) / (np.abs(audio).max() + 1e-9)
    return audio.astype(np.float32)


@functools.lru_cache(maxsize=1)
def _all_recordings():
    from .data import Recording

    return tuple(
        Recording(
            audio=synthesize_digit(digit, speaker, take),
            sample_rate=SAMPLE_RATE,
            digit=digit,
            speaker=speaker,
            take=take,
        )
        for speaker in sorted(SPEAKERS)
        for digit in range(10)
        for take in range(N_TAKES)
    )


def synthetic_corpus():
    """The whole fallback corpus: 10 digits x 6 speakers x 50 takes = 3,000 recordings at 8 kHz.

    Returns a :class:`utils.data.Corpus` with ``source == "synthetic"``.
    Generated once per process (about two seconds) and kept in memory.
    """
    from .data import Corpus

    return Corpus(_all_recordings(), source="synthetic", location="generated by utils.synthetic")
