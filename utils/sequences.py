"""Variable-length sequences: trim, pad to one length with a mask, a loss that ignores the padding.

Explained in chapter 5 ("Sequence autoencoders", ``book/05_sequence_autoencoders.ipynb``).
A batch of utterances of different lengths becomes one array ``X`` of shape
``(n_sequences, n_steps, n_features)`` plus a ``mask`` of shape
``(n_sequences, n_steps)`` that is 1 on real frames and 0 on padding. Every
average over frames is then taken over real frames only, so that how much
padding a batch happens to carry changes nothing.

Sequences are *time-major* here (one row per frame, as models see them):
transpose a log-mel spectrogram ``(n_mels, n_frames)`` with ``.T`` first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .validation import check_matrix


def trim_silence(log_mel_db, top_db: float = 40.0, max_frames: int | None = None) -> np.ndarray:
    """Cut the silence before and after the word from a log-mel spectrogram.

    log_mel_db: (n_mels, n_frames) in dB, as made by :func:`utils.features.log_mel`.
    Keeps the frames from the first to the last one whose total power is within ``top_db`` dB
    of the loudest frame, then at most the first ``max_frames`` of them (``None``: no limit).
    Returns (n_mels, n_kept) with 1 <= n_kept <= n_frames, float32.
    """
    log_mel_db = check_matrix(log_mel_db, name="log_mel_db")
    if not np.isfinite(top_db) or top_db <= 0:
        raise ValueError(f"top_db must be a positive number of decibels, got {top_db!r}.")
    if max_frames is not None and (not isinstance(max_frames, (int, np.integer)) or max_frames < 1):
        raise ValueError(
            f"max_frames must be a positive number of frames or None, got {max_frames!r}."
        )
    frame_db = 10.0 * np.log10(np.sum(10.0 ** (log_mel_db.astype(np.float64) / 10.0), axis=0))
    loud = np.flatnonzero(frame_db >= frame_db.max() - top_db)
    kept = log_mel_db[:, loud[0] : loud[-1] + 1]
    if max_frames is not None:
        kept = kept[:, :max_frames]
    return kept.astype(np.float32)


def pad_sequences(
    sequences: Sequence, n_steps: int | None = None, *, value: float = 0.0, multiple_of: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Pad time-major sequences to one length and return them with their mask.

    sequences: list of arrays of shape (n_frames_i, n_features), the same ``n_features`` for all.
    n_steps: the common length; ``None`` takes the longest sequence, rounded up to a multiple of
    ``multiple_of`` (useful when a strided convolution follows). A sequence longer than ``n_steps``
    is an error: crop it first (e.g. with :func:`trim_silence`).
    value: what the padded frames hold (0 is the mean frame of standardized features).
    Returns ``X`` float32 (n_sequences, n_steps, n_features), padded at the end, and ``mask``
    float32 (n_sequences, n_steps): 1 on the first n_frames_i steps of row i, 0 after.
    """
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        raise TypeError(
            "pass a list of (n_frames, n_features) arrays, not one array; wrap it as [array]."
        )
    sequences = [check_matrix(s, name=f"sequence {i}") for i, s in enumerate(sequences)]
    if not sequences:
        raise ValueError("no sequences given.")
    n_features = sequences[0].shape[1]
    for i, s in enumerate(sequences):
        if s.shape[1] != n_features:
            raise ValueError(
                f"sequence {i} has {s.shape[1]} features per frame, sequence 0 has {n_features}; "
                "did you forget to transpose a (n_mels, n_frames) spectrogram with .T?"
            )
    if not isinstance(multiple_of, (int, np.integer)) or multiple_of < 1:
        raise ValueError(f"multiple_of must be a positive integer, got {multiple_of!r}.")
    longest = max(s.shape[0] for s in sequences)
    if n_steps is None:
        n_steps = -(-longest // multiple_of) * multiple_of
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive number of steps, got {n_steps!r}.")
    if longest > n_steps:
        raise ValueError(
            f"a sequence has {longest} frames, more than n_steps={n_steps}; crop it first."
        )
    X = np.full((len(sequences), n_steps, n_features), value, dtype=np.float32)
    mask = np.zeros((len(sequences), n_steps), dtype=np.float32)
    for i, s in enumerate(sequences):
        X[i, : s.shape[0]] = s
        mask[i, : s.shape[0]] = 1.0
    return X, mask


def _check_mask(mask, X) -> np.ndarray:
    mask = np.asarray(mask, dtype=np.float64)
    if mask.shape != X.shape[:2]:
        raise ValueError(
            f"mask has shape {mask.shape}, expected (n_sequences, n_steps) = {X.shape[:2]}."
        )
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError("mask must hold only 0 (padding) and 1 (real frame).")
    return mask


def lengths(mask) -> np.ndarray:
    """Real frames per sequence, (n_sequences,) int, from a mask (n_sequences, n_steps)."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"mask must have shape (n_sequences, n_steps), got {mask.shape}.")
    return mask.sum(axis=1).astype(int)


def masked_mse(X, X_hat, mask, *, per_sequence: bool = False):
    """Mean squared error over real frames only (padding does not count).

    X, X_hat: (n_sequences, n_steps, n_features); mask: (n_sequences, n_steps) of 0/1.
    Returns ``sum(mask * (X - X_hat)**2) / (n_features * sum(mask))``, a float in the squared units
    of X; with ``per_sequence=True`` the same average within each sequence, shape (n_sequences,).
    """
    X = np.asarray(X, dtype=np.float64)
    X_hat = np.asarray(X_hat, dtype=np.float64)
    if X.ndim != 3 or X_hat.shape != X.shape:
        raise ValueError(
            f"X and X_hat must have the same shape (n_sequences, n_steps, n_features); "
            f"got {X.shape} and {X_hat.shape}."
        )
    mask = _check_mask(mask, X)
    if np.any(mask.sum(axis=1) == 0):
        raise ValueError(
            "every sequence needs at least one real frame (a row of the mask is all zeros)."
        )
    squared = np.mean((X - X_hat) ** 2, axis=2) * mask  # (n_sequences, n_steps), 0 on padding
    if per_sequence:
        return squared.sum(axis=1) / mask.sum(axis=1)
    return float(squared.sum() / mask.sum())
