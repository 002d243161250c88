"""Metrics every chapter shares: log-spectral distance, SNR and bit-rate accounting.

Log-spectral distance (LSD) is introduced in chapter 1 and used throughout;
bit rates are the subject of chapter 4.
"""

from __future__ import annotations

import numpy as np

from .features import FRAMES_PER_SECOND


def log_spectral_distance(reference_db, estimate_db, *, band_axis: int = 0) -> float:
    """Log-spectral distance in dB between two spectrograms in dB.

    For each frame, the root mean square over bands of the difference in dB;
    then the mean over frames:
    ``LSD = mean_t sqrt( mean_m (S_ref[m, t] - S_est[m, t])^2 )``.

    reference_db, estimate_db: arrays of the same shape, e.g. (n_mels, n_frames) with
    ``band_axis=0`` (librosa's layout) or (n_frames, n_mels) with ``band_axis=-1``.
    Any further axes are treated as more frames. Returns a float in dB (0 when equal).
    """
    reference_db = np.asarray(reference_db, dtype=np.float64)
    estimate_db = np.asarray(estimate_db, dtype=np.float64)
    if reference_db.shape != estimate_db.shape:
        raise ValueError(
            f"the spectrograms differ in shape: {reference_db.shape} vs {estimate_db.shape}."
        )
    if reference_db.size == 0:
        raise ValueError("the spectrograms are empty.")
    if not (np.all(np.isfinite(reference_db)) and np.all(np.isfinite(estimate_db))):
        raise ValueError("the spectrograms contain NaN or infinite values.")
    per_frame = np.sqrt(np.mean((reference_db - estimate_db) ** 2, axis=band_axis))
    return float(per_frame.mean())


def snr_db(reference, estimate) -> float:
    """Signal-to-noise ratio in dB: ``10 log10( sum ref^2 / sum (ref - est)^2 )``.

    reference, estimate: arrays of the same shape (waveforms or features). Returns ``inf`` when equal.
    """
    reference = np.asarray(reference, dtype=np.float64)
    estimate = np.asarray(estimate, dtype=np.float64)
    if reference.shape != estimate.shape:
        raise ValueError(f"shapes differ: {reference.shape} vs {estimate.shape}.")
    signal = np.sum(reference**2)
    if signal == 0:
        raise ValueError("the reference is silent (all zeros): SNR is undefined.")
    noise = np.sum((reference - estimate) ** 2)
    return float("inf") if noise == 0 else float(10 * np.log10(signal / noise))


def bit_rate(
    bits_per_code: float, *, codes_per_second: float = FRAMES_PER_SECOND, stages: int = 1
) -> float:
    """Bits per second of a quantized code: ``codes_per_second * bits_per_code * stages``.

    With a codebook of K entries, ``bits_per_code = log2(K)`` (see :func:`bits_per_code`).
    ``codes_per_second`` defaults to the book's 62.5 frames per second.
    """
    if bits_per_code < 0 or codes_per_second <= 0 or stages < 1:
        raise ValueError("bits_per_code must be >= 0, codes_per_second > 0 and stages >= 1.")
    return float(codes_per_second * bits_per_code * stages)


def bits_per_code(codebook_size: int) -> float:
    """log2(K): the bits needed to name one of ``codebook_size`` codewords."""
    if codebook_size < 1:
        raise ValueError(f"a codebook needs at least one codeword, got {codebook_size}.")
    return float(np.log2(codebook_size))
