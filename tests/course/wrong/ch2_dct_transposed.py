# task: ch2-dct
# feedback: Phi is transposed
# A typical mistake: column j is the j-th cosine, not row j.
import numpy as np


def dct_matrix(n):
    j, m = np.arange(n)[None, :], np.arange(n)[:, None]
    scale = np.where(j == 0, np.sqrt(1.0 / n), np.sqrt(2.0 / n))
    return scale * np.cos(np.pi * j * (m + 0.5) / n)
