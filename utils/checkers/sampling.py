"""Checker for chapter 6: your sampling step, with temperature and top-k.

Chapter 6 ("Generating speech from codes") samples code sequences from a prior one code at a
time. Use::

    from utils.checkers import check_sample_next
    check_sample_next(my_sample_next)   # (logits (n, V), temperature, top_k, rng) -> (n,) ints

Your function is called many times on the same logits; the frequencies of what it draws are
compared with softmax(logits / temperature) restricted to the top k (the reference is
:func:`utils.prior.sample_next`'s definition, computed here in closed form).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._common import CheckFailed, as_array, call, require_callable


def reference_probabilities(logits, temperature: float, top_k: int | None) -> np.ndarray:
    """(V,): softmax(logits / temperature) over the top_k largest logits, 0 elsewhere."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None:
        keep = np.argsort(-scaled, kind="stable")[:top_k]
        masked = np.full_like(scaled, -np.inf)
        masked[keep] = scaled[keep]
        scaled = masked
    p = np.exp(scaled - scaled.max())
    return p / p.sum()


def check_sample_next(
    sample_next: Callable, *, n_draws: int = 20_000, seed: int = 0, tolerance: float = 0.02
) -> str:
    """Check ``sample_next(logits, temperature, top_k, rng)`` on several settings.

    For each setting the function draws ``n_draws`` symbols from one row of logits repeated; the
    largest difference between the drawn frequencies and the reference probabilities must be
    below ``tolerance`` (about five binomial standard errors at 20,000 draws). Recognizes a
    temperature that multiplies the logits instead of dividing them, a top-k that keeps the k
    *least* likely symbols, and a sampler that always returns the most likely symbol.
    """
    require_callable(sample_next, "check_sample_next(sample_next)")
    logits = np.log(np.array([0.05, 0.4, 0.1, 0.25, 0.2]))
    settings = [(1.0, None), (0.5, None), (2.0, None), (1.0, 2), (0.7, 3)]
    for t, (temperature, top_k) in enumerate(settings):
        rng = np.random.default_rng(seed + t)
        draws = as_array(
            call(
                sample_next,
                f"sample_next(logits, temperature={temperature}, top_k={top_k}, rng)",
                np.tile(logits, (n_draws, 1)),
                temperature,
                top_k,
                rng,
            ),
            "the samples",
        )
        if draws.shape != (n_draws,):
            raise CheckFailed(
                f"wrong shape: the samples have shape {draws.shape}, expected ({n_draws},): one "
                "symbol per row of logits."
            )
        if np.any(draws != np.round(draws)) or draws.min() < 0 or draws.max() >= len(logits):
            raise CheckFailed(
                f"the samples must be symbol indices 0 to {len(logits) - 1}; got values from "
                f"{draws.min():g} to {draws.max():g}."
            )
        frequencies = np.bincount(draws.astype(int), minlength=len(logits)) / n_draws
        expected = reference_probabilities(logits, temperature, top_k)
        if np.abs(frequencies - expected).max() <= tolerance:
            continue
        where = f"(temperature {temperature}, top_k {top_k})"
        mistakes = {
            "the temperature multiplies the logits; divide them by it": reference_probabilities(
                logits * temperature, 1.0, top_k
            ),
            "it always returns the most likely symbol (argmax); draw from the distribution": np.eye(
                len(logits)
            )[np.argmax(logits)],
        }
        if top_k is not None:
            mistakes["top-k keeps the k least likely symbols; keep the k largest logits"] = (
                _least_likely(logits, temperature, top_k)
            )
        for mistake, wrong in mistakes.items():
            if np.abs(frequencies - wrong).max() <= tolerance:
                raise CheckFailed(f"wrong samples {where}: {mistake}.")
        raise CheckFailed(
            f"wrong samples {where}: drawn frequencies {np.round(frequencies, 3).tolist()}, "
            f"expected {np.round(expected, 3).tolist()} (largest difference "
            f"{np.abs(frequencies - expected).max():.3f} > {tolerance})."
        )
    return f"sample_next: frequencies match the reference in {len(settings)} settings."


def _least_likely(logits, temperature, top_k):
    scaled = np.asarray(logits) / temperature
    keep = np.argsort(scaled, kind="stable")[:top_k]
    p = np.zeros_like(scaled)
    p[keep] = np.exp(scaled[keep] - scaled[keep].max())
    return p / p.sum()
