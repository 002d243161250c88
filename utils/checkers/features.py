"""Checkers for chapter 2: your mel filterbank, your DCT-II matrix, your standardization.

Chapter 2 ("Speech features") builds the log-mel spectrogram and MFCCs step by step and
standardizes features with statistics of the training data only. Use::

    from utils.checkers import check_mel_filterbank, check_dct_matrix, check_standardize
    check_mel_filterbank(my_mel_filterbank)  # (sample_rate, n_fft, n_mels) -> (n_mels, n_bins)
    check_dct_matrix(my_dct_matrix)          # (n) -> Phi (n, n), row j the j-th cosine
    check_standardize(my_standardize)        # (X_train, X_test) -> (Z_train, Z_test)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._common import CheckFailed, as_array, call, compare, require_callable

# ----------------------------------------------------------------------------------------------
# Mel filterbank
# ----------------------------------------------------------------------------------------------


def _slaney_mel(hz):
    # Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3.0)
    log_step = np.log(6.4) / 27.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / log_step, linear)


def _slaney_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * 200.0 / 3.0)


def _htk_mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _htk_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def reference_mel_filterbank(
    sample_rate: int, n_fft: int, n_mels: int, *, htk: bool = False, area_normalized: bool = True
) -> np.ndarray:
    """Triangular mel filters (n_mels, n_fft // 2 + 1) from 0 Hz to sample_rate / 2.

    n_mels + 2 points equally spaced on the mel scale; filter m rises linearly from point m to
    point m + 1 and falls to point m + 2 (in Hz, evaluated at the FFT bin frequencies k fs / N).
    With ``area_normalized`` each filter is scaled by 2 / (width in Hz), so every triangle has the
    same area (librosa's ``norm="slaney"``, the book's choice). Written independently of librosa.
    """
    to_mel, to_hz = (_htk_mel, _htk_hz) if htk else (_slaney_mel, _slaney_hz)
    edges = to_hz(np.linspace(to_mel(0.0), to_mel(sample_rate / 2), n_mels + 2))  # (n_mels + 2,)
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft  # (n_bins,) Hz
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    filters = np.maximum(0.0, np.minimum(rising, falling))
    if area_normalized:
        filters *= 2.0 / (upper - lower)
    return filters


def check_mel_filterbank(
    mel_filterbank: Callable,
    *,
    settings=((8000, 256, 40), (8000, 512, 24), (16000, 512, 40)),
    tolerance: float = 1e-6,
) -> str:
    """Check ``mel_filterbank(sample_rate, n_fft, n_mels)`` -> (n_mels, n_fft // 2 + 1).

    The reference is the book's filterbank (librosa's default: Slaney's mel scale, triangles of
    equal area, from 0 Hz to the Nyquist frequency). A filterbank on the HTK mel scale, or with
    triangles of peak 1 instead of equal area, is recognized and named.
    """
    require_callable(mel_filterbank, "check_mel_filterbank(mel_filterbank)")
    for sample_rate, n_fft, n_mels in settings:
        expected = reference_mel_filterbank(sample_rate, n_fft, n_mels)
        got = as_array(
            call(
                mel_filterbank,
                f"mel_filterbank({sample_rate}, {n_fft}, {n_mels})",
                sample_rate,
                n_fft,
                n_mels,
            ),
            "the filterbank",
        )
        if got.shape == expected.shape and np.all(np.isfinite(got)):
            scale = np.abs(expected).max()
            for htk, area, mistake in (
                (
                    True,
                    True,
                    "it uses the HTK mel scale (2595 log10(1 + f/700)); the book uses "
                    "Slaney's (linear below 1 kHz), librosa's default",
                ),
                (
                    False,
                    False,
                    "its triangles have peak 1; the book's have equal area: scale "
                    "filter m by 2 / (f_{m+2} - f_m)",
                ),
                (True, False, "it uses the HTK mel scale and triangles of peak 1"),
            ):
                variant = reference_mel_filterbank(
                    sample_rate, n_fft, n_mels, htk=htk, area_normalized=area
                )
                if np.abs(got - variant).max() <= tolerance * max(np.abs(variant).max(), 1e-12):
                    raise CheckFailed(f"wrong filterbank: {mistake}.")
            if np.abs(got - expected).max() <= tolerance * scale:
                continue
        compare(
            f"the filterbank (sample_rate={sample_rate}, n_fft={n_fft}, n_mels={n_mels})",
            got,
            expected,
            tolerance,
            ("band", "bin"),
        )
    return f"mel filterbank: OK for {len(settings)} settings of (sample rate, FFT size, bands)."


# ----------------------------------------------------------------------------------------------
# DCT-II
# ----------------------------------------------------------------------------------------------


def reference_dct_matrix(n: int) -> np.ndarray:
    """Orthonormal DCT-II, (n, n): Phi[j, m] = s_j cos(pi j (m + 1/2) / n), s_0 = sqrt(1/n),
    s_j = sqrt(2/n) for j > 0; row j is the j-th cosine, so the cepstrum is C = Phi S."""
    j, m = np.arange(n)[:, None], np.arange(n)[None, :]
    scale = np.where(j == 0, np.sqrt(1.0 / n), np.sqrt(2.0 / n))
    return scale * np.cos(np.pi * j * (m + 0.5) / n)


def check_dct_matrix(dct_matrix: Callable, *, sizes=(40, 13, 7), tolerance: float = 1e-9) -> str:
    """Check ``dct_matrix(n)`` -> Phi (n, n), the orthonormal DCT-II with row j the j-th cosine."""
    require_callable(dct_matrix, "check_dct_matrix(dct_matrix)")
    for n in sizes:
        expected = reference_dct_matrix(n)
        got = as_array(call(dct_matrix, f"dct_matrix({n})", n), "Phi")
        if got.shape == expected.shape and np.all(np.isfinite(got)):
            if np.allclose(got, expected.T, atol=tolerance):
                raise CheckFailed(
                    "Phi is transposed: row j must be the j-th cosine (C = Phi @ S), "
                    "so Phi[j, m] = s_j cos(pi j (m + 1/2) / n)."
                )
            unscaled = np.cos(np.pi * np.arange(n)[:, None] * (np.arange(n)[None, :] + 0.5) / n)
            if np.allclose(got, unscaled, atol=tolerance) or np.allclose(
                got, 2 * unscaled, atol=tolerance
            ):
                raise CheckFailed(
                    "the cosines are right but not orthonormal: scale row 0 by sqrt(1/n) and the "
                    "others by sqrt(2/n), so that Phi @ Phi.T is the identity."
                )
            if np.allclose(got, np.sqrt(2.0 / n) * unscaled, atol=tolerance):
                raise CheckFailed(
                    "row 0 has the scale sqrt(2/n) of the other rows; it needs sqrt(1/n) "
                    "(its cosine is constant), or Phi is not orthonormal."
                )
        compare(f"Phi (n = {n})", got, expected, tolerance, ("row j", "column m"))
    return f"DCT-II matrix: OK for n in {list(sizes)} (orthonormal, rows are cosines)."


# ----------------------------------------------------------------------------------------------
# Standardization without leakage
# ----------------------------------------------------------------------------------------------


def check_standardize(
    standardize: Callable, *, trials: int = 3, seed: int = 0, tolerance: float = 1e-5
) -> str:
    """Check ``standardize(X_train, X_test)`` -> (Z_train, Z_test), both (n, F).

    Each feature (column) is standardized with the mean and standard deviation of the *training*
    rows only: Z = (X - mean_train) / std_train. Statistics taken from the test rows or from both
    sets (leakage), one mean and deviation for all features (one global scaler), or statistics
    over the wrong axis are recognized and named.
    """
    require_callable(standardize, "check_standardize(standardize)")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        F = 6
        centre, spread = rng.normal(0, 20, F), rng.uniform(0.5, 8, F)
        X_train = centre + spread * rng.normal(size=(50, F))
        X_test = centre + 3 + spread * 1.5 * rng.normal(size=(20, F))  # another "voice"
        result = call(standardize, "standardize(X_train, X_test)", X_train, X_test)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed("standardize must return two arrays: (Z_train, Z_test).")
        Z_train, Z_test = as_array(result[0], "Z_train"), as_array(result[1], "Z_test")
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        if Z_train.shape == X_train.shape and np.allclose(
            Z_train, (X_train - mean) / X_train.std(axis=0, ddof=1), atol=1e-6
        ):
            std = X_train.std(axis=0, ddof=1)  # the sample deviation (n - 1) is fine too
        expected = ((X_train - mean) / std, (X_test - mean) / std)
        both = np.concatenate([X_train, X_test])
        mistakes = {
            "the test rows' own statistics were used for Z_test: fit on the training rows only "
            "and apply the same mean and deviation to the test rows": (X_test - X_test.mean(0))
            / X_test.std(0),
            "the statistics include the test rows (leakage): fit on the training rows only": (
                X_test - both.mean(0)
            )
            / both.std(0),
            "one mean and one deviation for all features (a global scaler): standardize each "
            "column with its own": (X_test - X_train.mean()) / X_train.std(),
            "the statistics are over the wrong axis (per row): take them over the rows, axis 0, "
            "one per feature": (X_test - X_test.mean(1, keepdims=True))
            / X_test.std(1, keepdims=True),
        }
        if Z_test.shape == X_test.shape:
            for mistake, wrong in mistakes.items():
                if np.allclose(Z_test, wrong, atol=1e-6):
                    raise CheckFailed(f"wrong Z_test: {mistake}.")
        compare("Z_train", Z_train, expected[0], tolerance, ("row", "feature"))
        compare("Z_test", Z_test, expected[1], tolerance, ("row", "feature"))
    return f"standardize: OK on {trials} random data sets (training statistics only)."
