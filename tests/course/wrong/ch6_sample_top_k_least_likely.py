# task: ch6-sample
# feedback: least
# A typical mistake: top-k keeps the k smallest logits (sorted ascending, the first k taken).
import numpy as np


def sample_step(logits, temperature=1.0, top_k=None, rng=None):
    rng = np.random.default_rng(rng)
    scaled = np.asarray(logits, dtype=float) / temperature
    if top_k is not None:
        kth_smallest = np.sort(scaled, axis=1)[:, top_k - 1][:, None]
        scaled = np.where(scaled <= kth_smallest, scaled, -np.inf)
    p = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random((len(p), 1))
    return np.minimum((np.cumsum(p, axis=1) <= u).sum(axis=1), p.shape[1] - 1)
