"""Quantization helpers for chapter 4 ("Vector quantization and VQ-VAE for speech compression").

The chapter writes the vector quantizer of the VQ-VAE out in full (nearest
codeword, straight-through gradient, EMA codebook, dead-code restart, residual
stages); this module holds the classical pieces it compares against and the
bookkeeping it shares:

- :func:`nearest_codeword` and :func:`lbg`: k-means codebooks grown by splitting
  (Linde, Buzo & Gray 1980) for vectors such as log-mel frames;
- :func:`quantization_error`: mean squared error of a codebook;
- :func:`codebook_usage` and :func:`perplexity`: how many codewords are really used;
- :class:`UniformScalarQuantizer`: a per-dimension uniform quantizer with ``bits`` bits
  per value (the "PCA + scalar quantization" baseline).

Shapes: data ``X`` is (n_vectors, dimension), a codebook ``C`` is (K, dimension),
codes are integer arrays (n_vectors,) with values in ``0 … K-1``. Units are those
of ``X`` (dB for log-mel frames); errors are in those units squared.
"""

from __future__ import annotations

import numpy as np

from .validation import check_matrix

#: Rows per block when computing distances, so that (block, K) fits easily in memory.
_BLOCK = 8192


def _check_codebook(codebook, dimension: int) -> np.ndarray:
    return check_matrix(codebook, n_columns=dimension, name="codebook")


def nearest_codeword(X, codebook) -> np.ndarray:
    """Index of the nearest codeword (squared Euclidean distance) for every row of X.

    X: (n_vectors, D); codebook: (K, D). Returns int64 (n_vectors,) with values in 0 … K-1.
    Uses ``||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2`` (the ``||x||^2`` term does not change the
    argmin), in blocks of rows to bound memory. Ties go to the lowest index."""
    X = check_matrix(X, name="X")
    codebook = _check_codebook(codebook, X.shape[1]).astype(X.dtype, copy=False)
    squared_norms = np.sum(codebook**2, axis=1)
    codes = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], _BLOCK):
        block = X[start : start + _BLOCK]
        codes[start : start + _BLOCK] = np.argmin(
            squared_norms[None, :] - 2.0 * block @ codebook.T, axis=1
        )
    return codes


def _centroids(X, codes, codebook) -> np.ndarray:
    """Mean of the rows of X assigned to each codeword. An empty cell is re-seeded with one of the
    rows that are worst represented (largest squared error), so that no codeword is wasted."""
    K = codebook.shape[0]
    counts = np.bincount(codes, minlength=K)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    used = counts > 0
    sums = np.zeros_like(codebook, dtype=np.float64)
    sums[used] = np.add.reduceat(X[order].astype(np.float64), starts[used], axis=0)
    updated = codebook.astype(np.float64).copy()
    updated[used] = sums[used] / counts[used, None]
    n_empty = int(np.sum(~used))
    if n_empty:
        errors = np.sum((X - codebook[codes]) ** 2, axis=1)
        worst = np.argsort(errors, kind="stable")[::-1][:n_empty]
        updated[~used] = X[worst]
    return updated.astype(codebook.dtype)


def lloyd(X, codebook, iterations: int = 10) -> np.ndarray:
    """``iterations`` steps of Lloyd's algorithm (k-means) from ``codebook``: assign every row of X
    to its nearest codeword, move each codeword to the mean of its rows. Returns the new (K, D)
    codebook.

    Each step never increases the mean squared error on X. A codeword left without rows is moved
    onto the row that is currently represented worst."""
    X = check_matrix(X, name="X")
    codebook = _check_codebook(codebook, X.shape[1]).copy()
    if not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ValueError(f"iterations must be a non-negative integer, got {iterations!r}.")
    for _ in range(int(iterations)):
        codebook = _centroids(X, nearest_codeword(X, codebook), codebook)
    return codebook


def lbg(X, sizes, *, iterations: int = 10, epsilon: float = 0.01, seed: int = 0) -> dict:
    """k-means codebooks grown by splitting (the LBG algorithm, Linde, Buzo & Gray 1980).

    Start from the mean of X (K = 1); repeatedly split every codeword c into c + d and c - d, with d
    a small random direction (``epsilon`` times the per-dimension standard deviation of X times a
    standard normal draw, seeded by ``seed``), then run ``iterations`` Lloyd steps.

    X: (n_vectors, D); sizes: codebook sizes to return, each a power of two (e.g. (16, 64, 256,
    1024)). Returns ``{K: codebook (K, D)}`` for every K in ``sizes``; the same inputs give the
    same codebooks.
    """
    X = check_matrix(X, name="X")
    sizes = sorted({int(K) for K in sizes})
    if not sizes or any(K < 1 or K & (K - 1) for K in sizes):
        raise ValueError(f"codebook sizes must be powers of two (1, 2, 4, …), got {sizes}.")
    if sizes[-1] > X.shape[0]:
        raise ValueError(
            f"a codebook of {sizes[-1]} codewords needs at least as many vectors; "
            f"X has {X.shape[0]}."
        )
    if epsilon <= 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}.")
    rng = np.random.default_rng(seed)
    scale = epsilon * X.std(axis=0)
    codebook = X.mean(axis=0, keepdims=True)
    codebooks = {1: codebook.copy()} if 1 in sizes else {}
    while codebook.shape[0] < sizes[-1]:
        delta = (scale * rng.standard_normal(codebook.shape)).astype(X.dtype)
        codebook = lloyd(X, np.concatenate([codebook + delta, codebook - delta]), iterations)
        if codebook.shape[0] in sizes:
            codebooks[codebook.shape[0]] = codebook.copy()
    return codebooks


def quantization_error(X, codebook) -> float:
    """Mean squared error per coordinate when every row of X is replaced by its nearest codeword
    (units of X squared, e.g. dB^2)."""
    X = check_matrix(X, name="X")
    codebook = _check_codebook(codebook, X.shape[1])
    residual = X - codebook[nearest_codeword(X, codebook)]
    return float(np.mean(residual.astype(np.float64) ** 2))


def codebook_usage(codes, codebook_size: int) -> np.ndarray:
    """How often each of the ``codebook_size`` codewords is used: int64 (K,) counts of ``codes``."""
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu":
        raise TypeError(f"codes must be integer indices, got dtype {codes.dtype}.")
    if not isinstance(codebook_size, (int, np.integer)) or codebook_size < 1:
        raise ValueError(f"codebook_size must be a positive integer, got {codebook_size!r}.")
    if codes.size == 0:
        raise ValueError("no codes given.")
    if codes.min() < 0 or codes.max() >= codebook_size:
        raise ValueError(
            f"codes must lie in 0 … {codebook_size - 1}, got {codes.min()} … {codes.max()}."
        )
    return np.bincount(codes.ravel(), minlength=codebook_size).astype(np.int64)


def perplexity(codes, codebook_size: int) -> float:
    """Perplexity of the code distribution, ``exp(H)`` with ``H = -sum_k p_k ln p_k`` (p: usage
    frequencies).

    Equals the number of codewords when all are used equally, 1 when a single codeword is used;
    always between 1 and ``codebook_size``.
    """
    counts = codebook_usage(codes, codebook_size)
    p = counts[counts > 0] / counts.sum()
    return float(np.exp(-np.sum(p * np.log(p))))


class UniformScalarQuantizer:
    """Uniform scalar quantization of every column with ``bits`` bits (2^bits levels).

    ``fit(Z)`` with Z (n_vectors, D) sets each column's range to its central ``coverage`` quantiles
    on the training data (values outside are clipped); the range is cut into 2^bits equal cells and
    a value is replaced by the centre of its cell. ``encode`` returns integer indices (n, D),
    ``decode`` the centres, ``reconstruct`` both. Bits per vector: ``bits * D``."""

    def __init__(self, bits: int, coverage: float = 0.998):
        if not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 16:
            raise ValueError(f"bits must be an integer between 1 and 16, got {bits!r}.")
        if not 0 < coverage <= 1:
            raise ValueError(f"coverage must be in (0, 1], got {coverage}.")
        self.bits = int(bits)
        self.levels = 2**self.bits
        self.coverage = float(coverage)
        self.low = None
        self.step = None

    def fit(self, Z) -> UniformScalarQuantizer:
        Z = check_matrix(Z, name="Z")
        tail = (1 - self.coverage) / 2
        self.low = np.quantile(Z, tail, axis=0)
        high = np.quantile(Z, 1 - tail, axis=0)
        self.step = np.maximum(high - self.low, 1e-12) / self.levels
        return self

    def _check(self, Z):
        if self.low is None:
            raise RuntimeError("call fit(Z_train) first: the ranges come from the training data.")
        return check_matrix(Z, n_columns=self.low.shape[0], name="Z")

    def encode(self, Z) -> np.ndarray:
        """Cell index of every value: int64 (n, D) in 0 … 2^bits - 1."""
        Z = self._check(Z)
        return np.clip(np.floor((Z - self.low) / self.step), 0, self.levels - 1).astype(np.int64)

    def decode(self, indices) -> np.ndarray:
        """Centres of the cells: float (n, D)."""
        if self.low is None:
            raise RuntimeError("call fit(Z_train) first.")
        indices = np.asarray(indices)
        if indices.ndim != 2 or indices.shape[1] != self.low.shape[0]:
            raise ValueError(
                f"indices must have shape (n, {self.low.shape[0]}), got {indices.shape}."
            )
        if indices.min() < 0 or indices.max() >= self.levels:
            raise ValueError(f"indices must lie in 0 … {self.levels - 1}.")
        return self.low + (indices + 0.5) * self.step

    def reconstruct(self, Z) -> np.ndarray:
        """``decode(encode(Z))``: Z with every value replaced by the centre of its cell."""
        return self.decode(self.encode(Z))
