"""Unit tests of utils.quantization (chapter 4): k-means/LBG codebooks, usage, perplexity, scalar
quantizer."""

import numpy as np
import pytest

from utils.quantization import (
    UniformScalarQuantizer,
    codebook_usage,
    lbg,
    lloyd,
    nearest_codeword,
    perplexity,
    quantization_error,
)


def _clusters(seed=0, n=600):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [12.0, 1.0], [3.0, 9.0], [10.0, 14.0]])
    return (centres[rng.integers(0, 4, n)] + 0.1 * rng.standard_normal((n, 2))).astype(
        np.float32
    ), centres


def test_nearest_codeword_matches_brute_force():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20000, 5)).astype(np.float32)  # more rows than one block
    C = rng.standard_normal((37, 5)).astype(np.float32)
    brute = np.argmin(((X[:, None, :] - C[None]) ** 2).sum(-1), axis=1)
    assert np.array_equal(nearest_codeword(X, C), brute)


def test_nearest_codeword_rejects_bad_shapes():
    with pytest.raises(ValueError, match="columns"):
        nearest_codeword(np.zeros((4, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="2-D"):
        nearest_codeword(np.zeros(4), np.zeros((2, 1)))


def test_lloyd_never_increases_error_and_lbg_finds_clusters():
    X, centres = _clusters()
    start = X[:4].copy()
    errors = [quantization_error(X, lloyd(X, start, i)) for i in range(4)]
    assert all(b <= a + 1e-9 for a, b in zip(errors, errors[1:], strict=False))
    codebooks = lbg(X, (1, 4), iterations=10)
    assert set(codebooks) == {1, 4} and codebooks[4].shape == (4, 2)
    assert np.allclose(codebooks[1][0], X.mean(0), atol=1e-5)
    found = {tuple(row) for row in np.round(codebooks[4]).astype(int)}
    assert found == {tuple(row) for row in centres.astype(int)}, found
    assert quantization_error(X, codebooks[4]) < 0.05


def test_lbg_error_decreases_with_size():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3000, 3)).astype(np.float32)
    codebooks = lbg(X, (2, 8, 32), iterations=5)
    errors = [quantization_error(X, codebooks[K]) for K in (2, 8, 32)]
    assert errors[0] > errors[1] > errors[2]


def test_lbg_rejects_bad_sizes():
    X = np.random.default_rng(0).standard_normal((10, 2))
    with pytest.raises(ValueError, match="powers of two"):
        lbg(X, (3,))
    with pytest.raises(ValueError, match="at least as many"):
        lbg(X, (16,))
    with pytest.raises(ValueError, match="epsilon"):
        lbg(X, (2,), epsilon=0)
    with pytest.raises(ValueError, match="iterations"):
        lloyd(X, X[:2], iterations=-1)


def test_usage_and_perplexity_bounds():
    assert np.array_equal(codebook_usage(np.array([0, 0, 2]), 4), [2, 0, 1, 0])
    assert perplexity(np.arange(8), 8) == pytest.approx(8.0)
    assert perplexity(np.zeros(10, dtype=int), 8) == pytest.approx(1.0)
    codes = np.random.default_rng(0).integers(0, 16, 1000)
    assert 1.0 <= perplexity(codes, 16) <= 16.0
    with pytest.raises(ValueError, match="lie in"):
        codebook_usage(np.array([0, 5]), 4)
    with pytest.raises(TypeError, match="integer"):
        codebook_usage(np.array([0.5]), 4)
    with pytest.raises(ValueError, match="positive"):
        perplexity(np.array([0]), 0)


def test_uniform_scalar_quantizer():
    rng = np.random.default_rng(3)
    Z = rng.uniform(-1, 1, (5000, 3))
    errors = []
    for bits in (1, 2, 4, 8):
        quantizer = UniformScalarQuantizer(bits, coverage=1.0).fit(Z)
        indices = quantizer.encode(Z)
        assert indices.min() >= 0 and indices.max() <= 2**bits - 1
        Z_hat = quantizer.reconstruct(Z)
        assert np.all(
            np.abs(Z_hat - Z) <= quantizer.step / 2 + 1e-12
        )  # inside the range: half a step at most
        errors.append(np.mean((Z - Z_hat) ** 2))
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False))
    step = 2 / 2**8
    assert errors[-1] == pytest.approx(step**2 / 12, rel=0.1)  # the classic Delta^2 / 12
    clipped = (
        UniformScalarQuantizer(2, coverage=1.0).fit(Z).reconstruct(np.array([[5.0, -5.0, 0.0]]))
    )
    assert clipped[0, 0] < 1 and clipped[0, 1] > -1


def test_uniform_scalar_quantizer_errors():
    with pytest.raises(ValueError, match="bits"):
        UniformScalarQuantizer(0)
    with pytest.raises(ValueError, match="coverage"):
        UniformScalarQuantizer(2, coverage=0)
    with pytest.raises(RuntimeError, match="fit"):
        UniformScalarQuantizer(2).encode(np.zeros((2, 2)))
    quantizer = UniformScalarQuantizer(2).fit(np.random.default_rng(0).standard_normal((50, 2)))
    with pytest.raises(ValueError, match="columns"):
        quantizer.encode(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="lie in"):
        quantizer.decode(np.array([[0, 4]]))
