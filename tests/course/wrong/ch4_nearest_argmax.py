# task: ch4-nearest
# feedback: farthest codeword
# A typical mistake: argmax of the distances.
import numpy as np


def nearest_codeword(X, C):
    squared_distances = np.sum(C**2, axis=1)[None, :] - 2 * X @ C.T
    return np.argmax(squared_distances, axis=1)
