"""Checkers for chapter 5: your masked reconstruction loss and your masked mean pooling.

Chapter 5 ("Sequence autoencoders") pads utterances of different lengths to one array and keeps
a mask of the real frames; padded frames must never count. Use::

    from utils.checkers import check_masked_mse, check_masked_mean
    check_masked_mse(my_loss)   # (X, X_hat, mask): (B, T, F), (B, T, F), (B, T) -> float
    check_masked_mean(my_pool)  # (H, mask): (B, T, U), (B, T) -> (B, U)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._common import CheckFailed, as_array, call, compare, require_callable


def _padded_batch(rng, batch=5, steps=12, features=4):
    lengths = rng.integers(3, steps + 1, size=batch)
    lengths[0] = steps  # one sequence without padding
    mask = (np.arange(steps)[None, :] < lengths[:, None]).astype(np.float64)
    X = rng.normal(size=(batch, steps, features))
    X_hat = X + rng.normal(0, 0.5, size=X.shape)
    # padding holds large junk: a loss or a mean that reads it is visibly wrong
    X_hat[mask == 0] += 25.0
    return X, X_hat, mask


def check_masked_mse(
    masked_mse: Callable, *, trials: int = 3, seed: int = 0, tolerance: float = 1e-6
) -> str:
    """Check ``masked_mse(X, X_hat, mask)`` -> the mean squared error over real frames only.

    sum_{b,t,f} m_bt (x_btf - x_hat_btf)^2 / (F sum_{b,t} m_bt): every real frame counts once,
    padding not at all. Recognizes a loss that counts the padded frames, one that zeroes them
    but still divides by all B T frames, and a mean of per-sequence means.
    """
    require_callable(masked_mse, "check_masked_mse(masked_mse)")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        X, X_hat, mask = _padded_batch(rng)
        squared = ((X - X_hat) ** 2).mean(axis=2)  # (B, T)
        expected = np.array((squared * mask).sum() / mask.sum())
        got = as_array(call(masked_mse, "masked_mse(X, X_hat, mask)", X, X_hat, mask), "the loss")
        if got.size != 1:
            raise CheckFailed(f"the loss must be one number, got an array of shape {got.shape}.")
        got = got.reshape(())
        wrong = {
            "it counts the padded frames: multiply by the mask before averaging": squared.mean(),
            "it zeroes the padding but divides by every frame, padded ones included: divide by "
            "the number of real frames, mask.sum()": (squared * mask).sum() / mask.size,
            "it averages per-sequence means, so a short utterance weighs as much as a long one: "
            "divide the total by the number of real frames": (
                (squared * mask).sum(1) / mask.sum(1)
            ).mean(),
            "it sums over the features instead of averaging them": (squared * mask).sum()
            * X.shape[2]
            / mask.sum(),
        }
        for mistake, value in wrong.items():
            if np.isclose(float(got), value, rtol=1e-6):
                raise CheckFailed(f"wrong loss: {mistake}.")
        compare("the loss", got, expected, tolerance)
    return f"masked_mse: OK on {trials} random padded batches (padding never counts)."


def check_masked_mean(
    masked_mean: Callable, *, trials: int = 3, seed: int = 0, tolerance: float = 1e-6
) -> str:
    """Check ``masked_mean(H, mask)`` -> (B, U): each sequence's mean over its real steps only."""
    require_callable(masked_mean, "check_masked_mean(masked_mean)")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        _, H, mask = _padded_batch(rng)
        expected = (H * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        got = as_array(call(masked_mean, "masked_mean(H, mask)", H, mask), "the pooled vectors")
        if got.shape == expected.shape and np.all(np.isfinite(got)):
            wrong = {
                "it averages the padded steps too: weight each step by the mask": H.mean(axis=1),
                "it zeroes the padding but divides by every step T: divide by each sequence's "
                "own length, mask.sum(axis=1)": (H * mask[..., None]).mean(axis=1),
            }
            for mistake, value in wrong.items():
                if np.allclose(got, value, atol=1e-6):
                    raise CheckFailed(f"wrong pooling: {mistake}.")
        compare("the pooled vectors", got, expected, tolerance, ("sequence", "unit"))
    return f"masked_mean: OK on {trials} random padded batches."
