"""utils.checkers for chapters 2-6: a correct function passes; each typical mistake is named.

The correct versions here are written the way a student might (librosa, SciPy, loops, Keras
ops), independently of the checkers' references; each wrong version is one mistake the issue of
the course edition lists, and the test asserts that the message names it.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import utils.checkers._common as common
from utils.checkers import (
    CheckFailed,
    check_dct_matrix,
    check_ema_update,
    check_gaussian_kl,
    check_masked_mean,
    check_masked_mse,
    check_mel_filterbank,
    check_nearest_codeword,
    check_reparameterize,
    check_sample_next,
    check_standardize,
    check_straight_through,
)

# --- chapter 2 ---------------------------------------------------------------------------------


def librosa_filterbank(sample_rate, n_fft, n_mels):
    import librosa

    return librosa.filters.mel(
        sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=0.0, fmax=sample_rate / 2
    )


def test_mel_filterbank():
    import librosa

    assert "OK" in check_mel_filterbank(librosa_filterbank)

    def htk(sample_rate, n_fft, n_mels):
        return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, htk=True)

    def peak_one(sample_rate, n_fft, n_mels):
        return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, norm=None)

    with pytest.raises(CheckFailed, match="HTK mel scale"):
        check_mel_filterbank(htk)
    with pytest.raises(CheckFailed, match="peak 1"):
        check_mel_filterbank(peak_one)
    with pytest.raises(CheckFailed, match=r"transposed\?"):
        check_mel_filterbank(lambda *a: librosa_filterbank(*a).T)


def test_dct_matrix():
    import scipy.fft

    def by_scipy(n):
        return scipy.fft.dct(np.eye(n), type=2, norm="ortho", axis=0)

    assert "OK" in check_dct_matrix(by_scipy)
    with pytest.raises(CheckFailed, match="transposed"):
        check_dct_matrix(lambda n: by_scipy(n).T)
    with pytest.raises(CheckFailed, match="not orthonormal"):
        check_dct_matrix(lambda n: scipy.fft.dct(np.eye(n), type=2, axis=0))


def test_standardize():
    from utils.features import Standardizer

    def train_only(X_train, X_test):
        scaler = Standardizer(epsilon=0.0).fit(X_train)
        return scaler.transform(X_train), scaler.transform(X_test)

    def sample_std(X_train, X_test):
        mean, std = X_train.mean(0), X_train.std(0, ddof=1)
        return (X_train - mean) / std, (X_test - mean) / std

    def leak(X_train, X_test):
        both = np.concatenate([X_train, X_test])
        return (X_train - both.mean(0)) / both.std(0), (X_test - both.mean(0)) / both.std(0)

    def one_scaler(X_train, X_test):
        return (X_train - X_train.mean()) / X_train.std(), (X_test - X_train.mean()) / X_train.std()

    def own_statistics(X_train, X_test):
        return train_only(X_train, X_train)[0], train_only(X_test, X_test)[0]

    assert "OK" in check_standardize(train_only)
    assert "OK" in check_standardize(sample_std)
    with pytest.raises(CheckFailed, match="leakage"):
        check_standardize(leak)
    with pytest.raises(CheckFailed, match="global scaler"):
        check_standardize(one_scaler)
    with pytest.raises(CheckFailed, match="test rows' own statistics"):
        check_standardize(own_statistics)


# --- chapter 3 ---------------------------------------------------------------------------------


def test_gaussian_kl():
    from utils.vae import gaussian_kl

    assert "OK" in check_gaussian_kl(gaussian_kl)

    def loop_kl(mu, log_var):  # one example and one axis at a time
        out = np.zeros(len(mu))
        for i in range(len(mu)):
            for j in range(mu.shape[1]):
                var = np.exp(log_var[i, j])
                out[i] += 0.5 * (mu[i, j] ** 2 + var - 1 - np.log(var))
        return out

    assert "OK" in check_gaussian_kl(loop_kl)
    with pytest.raises(CheckFailed, match="sign is flipped"):
        check_gaussian_kl(lambda m, v: -loop_kl(m, v))
    with pytest.raises(CheckFailed, match="mean over the latent axis"):
        check_gaussian_kl(lambda m, v: loop_kl(m, v) / m.shape[1])
    with pytest.raises(CheckFailed, match="one number for the whole batch"):
        check_gaussian_kl(lambda m, v: loop_kl(m, v).sum())
    with pytest.raises(CheckFailed, match="log sigma, not log sigma"):
        check_gaussian_kl(lambda m, v: (0.5 * (m**2 + np.exp(2 * v) - 1) - v).sum(1))


def test_reparameterize():
    assert "OK" in check_reparameterize(lambda m, v, e: m + np.exp(v / 2) * e)
    with pytest.raises(CheckFailed, match="the variance"):
        check_reparameterize(lambda m, v, e: m + np.exp(v) * e)
    with pytest.raises(CheckFailed, match="ignores the noise"):
        check_reparameterize(lambda m, v, e: m)


# --- chapter 4 ---------------------------------------------------------------------------------


def test_nearest_codeword():
    def loop_nearest(z, codebook):
        return np.array([np.argmin(np.linalg.norm(codebook - row, axis=1)) for row in z])

    assert "OK" in check_nearest_codeword(loop_nearest)
    with pytest.raises(CheckFailed, match="largest dot product"):
        check_nearest_codeword(lambda z, c: (z @ c.T).argmax(1))
    with pytest.raises(CheckFailed, match="argmax"):
        check_nearest_codeword(lambda z, c: ((z[:, None] - c[None]) ** 2).sum(2).argmax(1))
    with pytest.raises(CheckFailed, match="codewords themselves"):
        check_nearest_codeword(lambda z, c: c[loop_nearest(z, c)])


def test_straight_through():
    import tensorflow as tf

    assert "identity" in check_straight_through(lambda e, q: e + tf.stop_gradient(q - e))
    with pytest.raises(CheckFailed, match="the gradient goes to z_q, not to z_e"):
        check_straight_through(lambda e, q: tf.identity(q))
    with pytest.raises(CheckFailed, match="no gradient reaches z_e"):
        check_straight_through(lambda e, q: tf.constant(q.numpy()))
    with pytest.raises(CheckFailed, match="needs a stop_gradient"):
        check_straight_through(lambda e, q: e + (q - e))
    with pytest.raises(CheckFailed, match="a gradient reaches z_q"):
        check_straight_through(lambda e, q: e + tf.stop_gradient(q - e) + (q - tf.stop_gradient(q)))
    with pytest.raises(CheckFailed, match="doubled"):
        check_straight_through(lambda e, q: 2 * e + tf.stop_gradient(q - 2 * e))


def test_ema_update():
    def correct(N, M, C, z, k, gamma):
        N, M, C = N.copy(), M.copy(), C.copy()
        for j in range(len(N)):
            assigned = z[k == j]
            N[j] = gamma * N[j] + (1 - gamma) * len(assigned)
            M[j] = gamma * M[j] + (1 - gamma) * assigned.sum(0)
            if len(assigned):
                C[j] = M[j] / N[j]
        return N, M, C

    def moves_unused(N, M, C, z, k, gamma):
        N, M, _ = correct(N, M, C, z, k, gamma)
        return N, M, np.zeros_like(C) + M / np.maximum(N[:, None], 1e-9) * 0.5

    def swapped(N, M, C, z, k, gamma):
        return correct(N, M, C, z, k, 1 - gamma)

    def batch_means(N, M, C, z, k, gamma):
        N2, M2, _ = correct(N, M, C, z, k, gamma)
        C2 = C.copy()
        for j in np.unique(k):
            C2[j] = z[k == j].mean(0)
        return N2, M2, C2

    assert "OK" in check_ema_update(correct)
    with pytest.raises(CheckFailed, match="received no vector .* still moved"):
        check_ema_update(moves_unused)
    with pytest.raises(CheckFailed, match="swapped"):
        check_ema_update(swapped)
    with pytest.raises(CheckFailed, match="batch mean"):
        check_ema_update(batch_means)


# --- chapter 5 ---------------------------------------------------------------------------------


def test_masked_mse():
    from utils.sequences import masked_mse

    assert "OK" in check_masked_mse(masked_mse)
    with pytest.raises(CheckFailed, match="counts the padded frames"):
        check_masked_mse(lambda X, Y, m: np.mean((X - Y) ** 2))
    with pytest.raises(CheckFailed, match="divides by every frame"):
        check_masked_mse(lambda X, Y, m: np.mean(((X - Y) ** 2).mean(2) * m))
    with pytest.raises(CheckFailed, match="per-sequence means"):
        check_masked_mse(lambda X, Y, m: masked_mse(X, Y, m, per_sequence=True).mean())


def test_masked_mean():
    def correct(H, mask):
        return np.stack([h[: int(n)].mean(0) for h, n in zip(H, mask.sum(1), strict=True)])

    assert "OK" in check_masked_mean(correct)
    with pytest.raises(CheckFailed, match="averages the padded steps"):
        check_masked_mean(lambda H, m: H.mean(1))
    with pytest.raises(CheckFailed, match="divides by every step"):
        check_masked_mean(lambda H, m: (H * m[..., None]).mean(1))


# --- chapter 6 ---------------------------------------------------------------------------------


def test_sample_next():
    from utils.prior import sample_next

    assert "match" in check_sample_next(sample_next)

    def multiplies(logits, temperature, top_k, rng):
        return sample_next(logits * temperature**2, temperature, top_k, rng)

    def least_likely(logits, temperature, top_k, rng):
        if top_k is None:
            return sample_next(logits, temperature, None, rng)
        kept = logits.copy()  # the k smallest logits kept, the others masked
        np.put_along_axis(kept, np.argsort(logits, axis=1)[:, top_k:], -np.inf, axis=1)
        return sample_next(kept, temperature, None, rng)

    with pytest.raises(CheckFailed, match="multiplies the logits"):
        check_sample_next(multiplies)
    with pytest.raises(CheckFailed, match="least likely"):
        check_sample_next(least_likely)
    with pytest.raises(CheckFailed, match="argmax"):
        check_sample_next(lambda logits, t, k, rng: logits.argmax(1))


# --- bad submissions: raise, NaN, wrong type, too slow -----------------------------------------


def test_bad_submissions_are_reported_plainly(monkeypatch):
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_masked_mse(lambda X, Y, m: 1 / 0)
    with pytest.raises(CheckFailed, match="NaN"):
        check_masked_mean(lambda H, m: np.full((H.shape[0], H.shape[2]), np.nan))
    with pytest.raises(CheckFailed, match="forget to return"):
        check_reparameterize(lambda m, v, e: None)
    with pytest.raises(CheckFailed, match="not an array of numbers"):
        check_dct_matrix(lambda n: "a matrix")
    with pytest.raises(TypeError, match="pass your function itself"):
        check_gaussian_kl(np.zeros(3))
    monkeypatch.setattr(common, "TIME_LIMIT_S", 0.2)
    start = time.perf_counter()
    with pytest.raises(CheckFailed, match="did not return within 0.2 s"):
        check_nearest_codeword(lambda z, c: time.sleep(5))
    assert time.perf_counter() - start < 2.0
