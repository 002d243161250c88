"""Input checks shared by every helper (foundation; used in all chapters).

Each check raises ``TypeError`` or ``ValueError`` with a message that names the
problem and says what to do, so that a student who passes the wrong thing
learns why instead of reading a stack trace from deep inside librosa.
"""

from __future__ import annotations

import numpy as np

#: Sample rate of the Free Spoken Digit Dataset and of every feature in the book (Hz).
SAMPLE_RATE = 8000


def check_sample_rate(sample_rate, expected: int | None = SAMPLE_RATE) -> int:
    """Check a sample rate in Hz; return it as ``int``.

    Raises ``TypeError`` when it is missing or not a number, ``ValueError`` when
    it is not positive or differs from ``expected`` (``None`` accepts any rate).
    """
    if sample_rate is None:
        raise TypeError(
            "sample_rate is missing: pass the rate of the audio in Hz "
            f"(the book's recordings are {SAMPLE_RATE} Hz)."
        )
    if isinstance(sample_rate, bool) or not isinstance(
        sample_rate, (int, np.integer, float, np.floating)
    ):
        raise TypeError(
            f"sample_rate must be a number of samples per second, got {type(sample_rate).__name__}."
        )
    if not np.isfinite(sample_rate) or sample_rate <= 0 or int(sample_rate) != sample_rate:
        raise ValueError(f"sample_rate must be a positive whole number of Hz, got {sample_rate!r}.")
    sample_rate = int(sample_rate)
    if expected is not None and sample_rate != expected:
        raise ValueError(
            f"this audio is sampled at {sample_rate} Hz but {expected} Hz is expected; "
            "resample it first, e.g. "
            f"librosa.resample(audio, orig_sr={sample_rate}, target_sr={expected})."
        )
    return sample_rate


def check_audio(
    audio,
    sample_rate=None,
    *,
    expected_rate: int | None = SAMPLE_RATE,
    min_duration: float = 0.0,
    allow_silence: bool = False,
    name: str = "audio",
) -> np.ndarray:
    """Check a mono waveform and return it as a ``float32`` array of shape ``(n_samples,)``.

    Parameters
    ----------
    audio : array of shape (n_samples,), floats in [-1, 1]
    sample_rate : int, Hz. Checked against ``expected_rate`` unless that is ``None``.
    min_duration : float, seconds. Shorter audio is refused.
    allow_silence : bool. When false, all-zero audio is refused.

    Raises
    ------
    TypeError
        not an array of numbers, integer PCM (e.g. ``int16``) instead of floats,
        or a missing sample rate.
    ValueError
        stereo or multi-channel audio, empty, silent or too-short audio, NaN or
        Inf samples, or a wrong sample rate.
    """
    if sample_rate is not None or expected_rate is not None:
        sample_rate = check_sample_rate(sample_rate, expected_rate)
    if isinstance(audio, (list, tuple)):
        audio = np.asarray(audio)
    if not isinstance(audio, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array of samples, got {type(audio).__name__}.")
    if audio.dtype.kind in "iu":
        raise TypeError(
            f"{name} holds integer PCM samples ({audio.dtype}); convert them to floats in [-1, 1] "
            "first, "
            "e.g. audio.astype(np.float32) / 32768 for 16-bit PCM."
        )
    if audio.dtype.kind != "f":
        raise TypeError(f"{name} must hold floating-point samples, got dtype {audio.dtype}.")
    if audio.ndim == 2 and 1 in audio.shape:
        audio = audio.reshape(-1)
    if audio.ndim != 1:
        raise ValueError(
            f"{name} must be mono with shape (n_samples,), got shape {audio.shape}; "
            "for stereo audio average the channels first, e.g. librosa.to_mono(audio)."
        )
    if audio.size == 0:
        raise ValueError(f"{name} is empty: it has no samples.")
    if not np.all(np.isfinite(audio)):
        bad = int(np.size(audio) - np.count_nonzero(np.isfinite(audio)))
        raise ValueError(
            f"{name} contains {bad} NaN or infinite samples; clean or re-load the audio."
        )
    if not allow_silence and not np.any(audio):
        raise ValueError(f"{name} is silent (every sample is zero); there is nothing to analyse.")
    if min_duration > 0:
        if sample_rate is None:
            raise TypeError("sample_rate is needed to check the duration of the audio.")
        if audio.size < min_duration * sample_rate:
            raise ValueError(
                f"{name} is too short: {audio.size} samples = "
                f"{audio.size / sample_rate * 1000:.1f} ms, "
                f"at least {min_duration * 1000:.0f} ms are needed."
            )
    return audio.astype(np.float32, copy=False)


def check_matrix(
    matrix, *, n_rows: int | None = None, n_columns: int | None = None, name: str = "features"
) -> np.ndarray:
    """Check a finite 2-D float matrix, e.g. a log-mel spectrogram of shape ``(n_mels, n_frames)``.

    ``n_rows`` / ``n_columns`` fix the expected size of each axis (``None``: any).
    Returns the matrix as a float array.
    """
    if not isinstance(matrix, np.ndarray):
        if hasattr(matrix, "numpy"):
            matrix = matrix.numpy()
        else:
            matrix = np.asarray(matrix)
    if matrix.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold numbers, got dtype {matrix.dtype}.")
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {matrix.shape}.")
    for axis, expected, what in ((0, n_rows, "rows"), (1, n_columns, "columns")):
        if expected is not None and matrix.shape[axis] != expected:
            raise ValueError(
                f"{name} has {matrix.shape[axis]} {what} but {expected} are expected "
                f"(shape {matrix.shape})."
            )
    if matrix.size == 0:
        raise ValueError(f"{name} is empty (shape {matrix.shape}).")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return matrix.astype(np.float64 if matrix.dtype == np.float64 else np.float32, copy=False)
