"""Checkers for chapter 4: your nearest-codeword search, straight-through estimator, EMA update.

Chapter 4 ("Vector quantization and VQ-VAE") quantizes each encoder output z_e to its nearest
codeword, passes gradients straight through the quantizer, and keeps the codebook by moving
averages. Use::

    from utils.checkers import check_nearest_codeword, check_straight_through, check_ema_update
    check_nearest_codeword(my_nearest)   # (z (n, D), codebook (K, D)) -> indices (n,)
    check_straight_through(my_ste)       # (z_e, z_q) tensors (n, D) -> the quantizer's output
    check_ema_update(my_update)          # (N (K,), M (K, D), C (K, D), z (n, D), k (n,), gamma)
                                         #   -> (N_new, M_new, C_new)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._common import CheckFailed, as_array, call, compare, require_callable


def check_nearest_codeword(nearest: Callable, *, trials: int = 3, seed: int = 0) -> str:
    """Check ``nearest(z, codebook)`` -> (n,) int: argmin_k ||z_i - c_k||^2 for every row z_i.

    Recognizes the farthest codeword (argmax), the largest dot product instead of the smallest
    distance (wrong when codewords differ in length), and codewords returned instead of indices.
    """
    require_callable(nearest, "check_nearest_codeword(nearest)")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        K, D, n = 16, 3, 40
        # codewords of very different lengths: the dot product picks the longest one
        codebook = rng.normal(size=(K, D)) * rng.uniform(0.2, 3.0, size=(K, 1))
        z = codebook[rng.integers(K, size=n)] + rng.normal(0, 0.1, size=(n, D))
        distances = ((z[:, None, :] - codebook[None]) ** 2).sum(axis=2)  # (n, K)
        expected = distances.argmin(axis=1)
        got = as_array(call(nearest, "nearest(z, codebook)", z, codebook), "the indices")
        if got.shape == z.shape and np.allclose(got, codebook[expected]):
            raise CheckFailed(
                "it returns the nearest codewords themselves; return their indices, shape (n,)."
            )
        if got.shape != expected.shape:
            raise CheckFailed(
                f"wrong shape: the indices have shape {got.shape}, expected {expected.shape} "
                "(one index per row of z; take the argmin over the codebook axis)."
            )
        if np.array_equal(got, distances.argmax(axis=1)):
            raise CheckFailed("it picks the farthest codeword (argmax): take the argmin.")
        if np.array_equal(got, (z @ codebook.T).argmax(axis=1)) and not np.array_equal(
            got, expected
        ):
            raise CheckFailed(
                "it picks the largest dot product z . c_k; the nearest codeword minimizes "
                "||z - c_k||^2 = ||z||^2 - 2 z . c_k + ||c_k||^2, which includes ||c_k||^2."
            )
        wrong = np.flatnonzero(got != expected)
        if wrong.size:
            i = int(wrong[0])
            raise CheckFailed(
                f"wrong index for {wrong.size} of {n} rows; row {i}: got {got[i]:.0f} "
                f"(squared distance {distances[i, int(got[i])] if 0 <= got[i] < K else 'n/a'}), "
                f"nearest is {expected[i]} (squared distance {distances[i, expected[i]]:.4g})."
            )
    return f"nearest codeword: OK on {trials} random codebooks."


def check_straight_through(straight_through: Callable, *, seed: int = 0) -> str:
    """Check ``straight_through(z_e, z_q)`` -> z_e + stop_gradient(z_q - z_e), with TensorFlow.

    Its value must be z_q (what the decoder sees) and its Jacobian with respect to z_e the
    identity (the gradient passes straight through); with respect to z_q it must be zero.
    Recognizes z_q returned as it is (no gradient reaches the encoder) and a missing
    stop-gradient (the gradient is cancelled or doubled).
    """
    require_callable(straight_through, "check_straight_through(straight_through)")
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    z_e = tf.Variable(rng.normal(size=(6, 4)), dtype=tf.float32)
    z_q = tf.Variable(rng.normal(size=(6, 4)), dtype=tf.float32)
    weights = tf.constant(rng.normal(size=(6, 4)), dtype=tf.float32)  # a random loss direction
    with tf.GradientTape(persistent=True) as tape:
        output = call(straight_through, "straight_through(z_e, z_q)", z_e, z_q, same_thread=True)
        if output is None:
            raise CheckFailed("straight_through returned None: return the quantizer's output.")
        loss = tf.reduce_sum(weights * tf.cast(output, tf.float32))
    compare("the output", as_array(output, "the output"), z_q.numpy().astype(np.float64), 1e-6)
    grad_e, grad_q = tape.gradient(loss, [z_e, z_q])
    reaches_q = grad_q is not None and not np.allclose(grad_q.numpy(), 0.0, atol=1e-6)
    if (grad_e is None or np.allclose(grad_e.numpy(), 0.0)) and reaches_q:
        raise CheckFailed(
            "the gradient goes to z_q, not to z_e: z_q - z_e needs a stop_gradient (without it, "
            "z_e + (z_q - z_e) is just z_q, and the encoder gets no gradient)."
        )
    if grad_e is None or np.allclose(grad_e.numpy(), 0.0):
        raise CheckFailed(
            "no gradient reaches z_e: the output must be z_e + stop_gradient(z_q - z_e), not z_q "
            "itself, so that the encoder learns."
        )
    g = grad_e.numpy()
    w = weights.numpy()
    if np.allclose(g, 2 * w, atol=1e-5):
        raise CheckFailed("the gradient to z_e is doubled: put the stop_gradient around z_q - z_e.")
    compare("d(loss)/d(z_e)", g, w, 1e-5, ("row", "column"))
    if reaches_q:
        raise CheckFailed(
            "a gradient reaches z_q through the straight-through path: wrap z_q - z_e in "
            "stop_gradient (the codebook is kept by its own update, not by this gradient)."
        )
    return "straight-through: the output is z_q, the gradient to z_e is the identity, none to z_q."


def reference_ema_update(N, M, C, z, indices, gamma):
    """One moving-average step of the codebook (chapter 4; utils.codec.VectorQuantizer).

    n_k vectors z assigned to codeword k, with sum s_k:
        N_k <- gamma N_k + (1 - gamma) n_k,   M_k <- gamma M_k + (1 - gamma) s_k,
        c_k <- M_k / N_k if n_k > 0, else c_k stays where it was.
    """
    K = len(N)
    counts = np.bincount(indices, minlength=K).astype(np.float64)  # (K,)
    sums = np.zeros_like(M)
    np.add.at(sums, indices, z)  # (K, D)
    N_new = gamma * N + (1 - gamma) * counts
    M_new = gamma * M + (1 - gamma) * sums
    C_new = np.where(counts[:, None] > 0, M_new / N_new[:, None], C)
    return N_new, M_new, C_new


def check_ema_update(
    ema_update: Callable, *, trials: int = 3, seed: int = 0, tolerance: float = 1e-9
) -> str:
    """Check ``ema_update(N, M, C, z, indices, gamma)`` -> (N_new, M_new, C_new).

    N (K,) moving-average counts, M (K, D) moving-average sums, C (K, D) the codebook, z (n, D)
    the batch's encoder outputs, indices (n,) their nearest codewords, gamma the decay. Recognizes
    an update that moves unused codewords, swapped gamma and 1 - gamma, and batch means used in
    place of the moving averages. ``tolerance`` (relative) is for float64 code; an update written
    with ``keras.ops`` computes in float32 (about 1e-7): check it with ``tolerance=1e-6``.
    """
    require_callable(ema_update, "check_ema_update(ema_update)")
    rng = np.random.default_rng(seed)
    for trial in range(trials):
        K, D, n, gamma = 8, 3, 30, 0.9
        C = rng.normal(size=(K, D))
        N = rng.uniform(0.5, 5.0, size=K)
        M = C * N[:, None]  # consistent averages: c_k = M_k / N_k
        if trial % 2:
            # M_k / N_k need not be c_k (M started at 0, as in chapter 4's first version, or
            # c_k was restarted): an unused codeword must stay at c_k all the same
            M[K - 3 :] = 0.0
        indices = rng.choice(K - 3, size=n)  # the last three codewords receive nothing
        z = C[indices] + rng.normal(0, 0.3, size=(n, D))
        expected = reference_ema_update(N, M, C, z, indices, gamma)
        result = call(
            ema_update, "ema_update(N, M, C, z, indices, gamma)", N, M, C, z, indices, gamma
        )
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise CheckFailed("ema_update must return three arrays: (N_new, M_new, C_new).")
        got = [as_array(value, name) for value, name in zip(result, ("N", "M", "C"), strict=True)]
        swapped = reference_ema_update(N, M, C, z, indices, 1 - gamma)
        if all(a.shape == b.shape and np.allclose(a, b) for a, b in zip(got, swapped, strict=True)):
            raise CheckFailed(
                "gamma and 1 - gamma are swapped: the old average keeps the weight gamma "
                "(close to 1), the batch gets 1 - gamma."
            )
        unused = np.setdiff1d(np.arange(K), indices)
        C_got = got[2]
        if C_got.shape == C.shape and not np.allclose(C_got[unused], C[unused], atol=1e-9):
            k = int(unused[np.argmax(np.abs(C_got[unused] - C[unused]).sum(axis=1))])
            raise CheckFailed(
                f"codeword {k} received no vector in this batch and still moved (from "
                f"{np.round(C[k], 3).tolist()} to {np.round(C_got[k], 3).tolist()}): an unused "
                "codeword must stay exactly where it is."
            )
        counts = np.bincount(indices, minlength=K)
        batch_means = np.where(
            counts[:, None] > 0,
            np.array([z[indices == k].mean(0) if counts[k] else C[k] for k in range(K)]),
            C,
        )
        if C_got.shape == C.shape and np.allclose(C_got, batch_means, atol=1e-9):
            raise CheckFailed(
                "each used codeword jumps to its batch mean (k-means on one batch); the EMA "
                "update moves it only part of the way: c_k = M_k / N_k with the moving averages."
            )
        for name, value, reference in zip(("N_new", "M_new", "C_new"), got, expected, strict=True):
            labels = ("codeword",) if reference.ndim == 1 else ("codeword", "dimension")
            compare(name, value, reference, tolerance, labels)
    return f"EMA update: OK on {trials} random batches (unused codewords stay put)."
