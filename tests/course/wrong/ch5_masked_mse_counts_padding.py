# task: ch5-masked-mse
# feedback: counts the padded frames
# A typical mistake: a plain mean over every frame, padding included.
import numpy as np


def masked_mse(X, X_hat, mask):
    return float(np.mean((X - X_hat) ** 2))
