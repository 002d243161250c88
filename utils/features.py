"""Speech features with one set of defaults for the whole book (explained in chapter 2).

Defaults: 8 kHz audio, 256-sample FFT (32 ms Hann window), 128-sample hop
(16 ms, 62.5 frames per second), 40 mel bands from 0 to 4 kHz, power in dB
with an absolute floor of -80 dB. Chapter 2 ("Speech features and feature
learning") builds each step by hand; every other chapter imports them from here.

Shapes follow librosa: a spectrogram is ``(n_bands, n_frames)``. Models see
frames as rows, so :func:`frames` transposes to ``(n_frames, n_bands)`` and
:func:`context_windows` stacks ``width`` consecutive frames into one row.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .validation import SAMPLE_RATE, check_audio, check_matrix

N_FFT = 256  #: samples per analysis window (32 ms at 8 kHz)
HOP_LENGTH = 128  #: samples between frames (16 ms at 8 kHz)
N_MELS = 40  #: mel bands
N_MFCC = 13  #: cepstral coefficients kept by default
DB_FLOOR = -80.0  #: floor of the log power, dB (power 1e-8)
MEL_FMIN = 0.0  #: lowest edge of the mel filterbank, Hz (the highest: sample_rate / 2, Nyquist)
FRAMES_PER_SECOND = SAMPLE_RATE / HOP_LENGTH  #: 62.5 frames/s


def log_mel(
    audio,
    sample_rate: int = SAMPLE_RATE,
    *,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
    n_mels: int = N_MELS,
    db_floor: float = DB_FLOOR,
) -> np.ndarray:
    """Log-mel power spectrogram in dB.

    audio: float array (n_samples,), mono, in [-1, 1], at ``sample_rate`` Hz (8,000 expected).
    Returns float32 (n_mels, n_frames) with n_frames = 1 + n_samples // hop_length, values
    ``10 log10(max(mel power, 10^(db_floor/10)))`` in dB (absolute, not relative to the peak).
    """
    import librosa

    audio = check_audio(audio, sample_rate, min_duration=n_fft / 2 / SAMPLE_RATE)
    power = librosa.feature.melspectrogram(
        y=audio,
        sr=sample_rate,
        n_fft=n_fft,
        hop_length=hop_length,
        n_mels=n_mels,
        fmin=MEL_FMIN,
        fmax=sample_rate / 2,
        power=2.0,
    )
    return (10.0 * np.log10(np.maximum(power, 10.0 ** (db_floor / 10.0)))).astype(np.float32)


def mfcc(
    audio, sample_rate: int = SAMPLE_RATE, *, n_mfcc: int = N_MFCC, **log_mel_options
) -> np.ndarray:
    """Mel-frequency cepstral coefficients: the DCT (type II, orthonormal) of :func:`log_mel`.

    Returns float32 (n_mfcc, n_frames). Davis & Mermelstein (1980); chapter 2 derives it.
    """
    import librosa

    log_mel_db = log_mel(audio, sample_rate, **log_mel_options)
    if not 1 <= n_mfcc <= log_mel_db.shape[0]:
        raise ValueError(
            "n_mfcc must be between 1 and the number of mel bands "
            f"({log_mel_db.shape[0]}), got {n_mfcc}."
        )
    return librosa.feature.mfcc(S=log_mel_db, n_mfcc=n_mfcc).astype(np.float32)


def corpus_log_mels(recordings: Iterable, **log_mel_options) -> list[np.ndarray]:
    """:func:`log_mel` of every recording of a corpus: a list of (n_mels, n_frames_i) arrays."""
    return [log_mel(r.audio, r.sample_rate, **log_mel_options) for r in recordings]


def frames(spectrograms) -> np.ndarray:
    """Stack spectrograms (n_bands, n_frames_i) into one matrix of frames.

    Returns (sum of n_frames_i, n_bands): one frame per row.
    """
    if isinstance(spectrograms, np.ndarray):
        spectrograms = [spectrograms]
    return np.concatenate([check_matrix(s, name="spectrogram").T for s in spectrograms], axis=0)


def context_windows(spectrogram, width: int, hop: int = 1) -> np.ndarray:
    """Stack ``width`` consecutive frames into one vector per window.

    spectrogram: (n_bands, n_frames). Returns (n_windows, width * n_bands) with
    n_windows = 1 + (n_frames - width) // hop; row ``i`` holds frames
    ``i*hop ... i*hop + width - 1``, time-major (the first n_bands values are the first frame).
    Utterances shorter than ``width`` frames are padded at the end with their last frame.
    """
    spectrogram = check_matrix(spectrogram, name="spectrogram")
    if not isinstance(width, (int, np.integer)) or width < 1:
        raise ValueError(f"width must be a positive number of frames, got {width!r}.")
    if not isinstance(hop, (int, np.integer)) or hop < 1:
        raise ValueError(f"hop must be a positive number of frames, got {hop!r}.")
    n_bands, n_frames = spectrogram.shape
    if n_frames < width:
        spectrogram = np.pad(spectrogram, ((0, 0), (0, width - n_frames)), mode="edge")
        n_frames = width
    starts = np.arange(0, n_frames - width + 1, hop)
    index = starts[:, None] + np.arange(width)[None, :]
    return spectrogram.T[index].reshape(len(starts), width * n_bands)


def overlap_average(
    windows, width: int, n_bands: int, n_frames: int | None = None, hop: int = 1
) -> np.ndarray:
    """Invert :func:`context_windows`: average the estimates of each frame; (n_bands, n_frames).

    windows: (n_windows, width * n_bands) in the layout of :func:`context_windows`.
    """
    windows = check_matrix(windows, n_columns=width * n_bands, name="windows")
    n_windows = windows.shape[0]
    total = (n_windows - 1) * hop + width
    n_frames = total if n_frames is None else n_frames
    sums = np.zeros((total, n_bands))
    counts = np.zeros((total, 1))
    blocks = windows.reshape(n_windows, width, n_bands)
    for offset in range(width):
        sums[offset : offset + n_windows * hop : hop] += blocks[:, offset]
        counts[offset : offset + n_windows * hop : hop] += 1
    return (sums / counts)[:n_frames].T.astype(np.float32)


class Standardizer:
    """Per-feature standardization ``(x - mean) / std`` fitted on training data only.

    ``fit`` takes X of shape (n_examples, n_features) from the *training* split;
    ``transform`` and ``inverse_transform`` apply the same statistics to any split,
    so nothing about the test speakers leaks into training (chapter 2 shows why).
    """

    def __init__(self, epsilon: float = 1e-6):
        self.epsilon = epsilon
        self.mean = None
        self.std = None

    def fit(self, X) -> Standardizer:
        X = check_matrix(X, name="X")
        if X.shape[0] < 2:
            raise ValueError("need at least two examples to estimate a standard deviation.")
        self.mean = X.mean(axis=0)
        self.std = np.maximum(X.std(axis=0), self.epsilon)
        return self

    def _check(self, X):
        if self.mean is None:
            raise RuntimeError(
                "call fit(X_train) before transform: the statistics come from the training split."
            )
        return check_matrix(X, n_columns=self.mean.shape[0], name="X")

    def transform(self, X) -> np.ndarray:
        """Standardize X (n_examples, n_features); returns float32."""
        return ((self._check(X) - self.mean) / self.std).astype(np.float32)

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo :meth:`transform`: Z (n_examples, n_features) back to the original units."""
        return (self._check(Z) * self.std + self.mean).astype(np.float32)

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)


def invert_log_mel(
    log_mel_db,
    sample_rate: int = SAMPLE_RATE,
    *,
    n_fft: int = N_FFT,
    hop_length: int = HOP_LENGTH,
    n_iter: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Audio from a log-mel spectrogram (dB), to listen to: mel -> power (NNLS) -> Griffin-Lim.

    log_mel_db: (n_mels, n_frames) in dB as made by :func:`log_mel`. Returns float32 (n_samples,)
    with n_samples = (n_frames - 1) * hop_length. Griffin & Lim (1984); chapter 2 explains what
    the lost phase sounds like. Seeded, so the same spectrogram gives the same audio.
    """
    import librosa

    log_mel_db = check_matrix(log_mel_db, name="log_mel_db")
    power = 10.0 ** (log_mel_db.astype(np.float64) / 10.0)
    stft_magnitude = librosa.feature.inverse.mel_to_stft(
        power, sr=sample_rate, n_fft=n_fft, power=2.0
    )
    audio = librosa.griffinlim(
        stft_magnitude,
        n_iter=n_iter,
        hop_length=hop_length,
        n_fft=n_fft,
        random_state=seed,
        length=(log_mel_db.shape[1] - 1) * hop_length,
    )
    return audio.astype(np.float32)


def sample_windows(audio, length: int = N_FFT, hop: int = HOP_LENGTH) -> np.ndarray:
    """Cut a waveform into overlapping windows of raw samples, one window per row.

    The input of the raw-sample autoencoder of chapter 2, section 2d ("Why not autoencode the
    waveform?"). audio: float array (n_samples,), mono, in [-1, 1]; length, hop: in samples
    (defaults 256 and 128: 32 ms windows every 16 ms at 8 kHz, one per log-mel frame).
    Returns float32 (n_windows, length), row i = ``audio[i*hop : i*hop + length]``, with
    n_windows = 1 + ceil(max(n_samples - length, 0) / hop): the end is padded with zeros so
    that every sample lies in at least one window. :func:`overlap_add` puts them back together.
    """
    audio = check_audio(audio, expected_rate=None, allow_silence=True)
    for value, name in ((length, "length"), (hop, "hop")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive number of samples, got {value!r}.")
    if hop > length:
        raise ValueError(
            f"hop ({hop}) is longer than the window ({length}): samples between windows "
            "would be lost; use hop <= length."
        )
    n_windows = 1 + -(-max(audio.size - length, 0) // hop)
    padded = np.zeros((n_windows - 1) * hop + length, dtype=np.float32)
    padded[: audio.size] = audio
    starts = np.arange(n_windows) * hop
    return padded[starts[:, None] + np.arange(length)[None, :]]


def overlap_add(windows, hop: int = HOP_LENGTH, n_samples: int | None = None) -> np.ndarray:
    """Invert :func:`sample_windows`: a weighted overlap-average of windows of samples.

    windows: (n_windows, length) in the layout of :func:`sample_windows` (row i starts at sample
    i*hop), e.g. an autoencoder's reconstructions. Each sample n becomes the average of every
    window's estimate of it, weighted by a Hann taper w (strictly positive, so edges count a
    little): ``x_hat[n] = sum_i w[n - i*hop] y_i[n - i*hop] / sum_i w[n - i*hop]``. The taper
    hides the jumps between neighbouring windows' estimates. Returns float32 (n_samples,),
    n_samples defaulting to (n_windows - 1) * hop + length; windows cut from one signal give
    that signal back exactly. Chapter 2, section 2d.
    """
    windows = check_matrix(windows, name="windows")
    if isinstance(hop, bool) or not isinstance(hop, (int, np.integer)) or hop < 1:
        raise ValueError(f"hop must be a positive number of samples, got {hop!r}.")
    n_windows, length = windows.shape
    if hop > length:
        raise ValueError(f"hop ({hop}) is longer than the windows ({length} samples).")
    total = (n_windows - 1) * hop + length
    if n_samples is None:
        n_samples = total
    if not 1 <= n_samples <= total:
        raise ValueError(
            f"n_samples must be between 1 and {total} (what {n_windows} windows of {length} "
            f"samples at hop {hop} cover), got {n_samples}."
        )
    taper = np.hanning(length + 2)[1:-1]  # Hann without its two zeros
    sums = np.zeros(total)
    weights = np.zeros(total)
    for i, window in enumerate(windows):
        sums[i * hop : i * hop + length] += taper * window
        weights[i * hop : i * hop + length] += taper
    return (sums / weights)[:n_samples].astype(np.float32)
