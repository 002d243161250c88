# task: ch2-standardize
# feedback: leakage
# A typical mistake: the statistics fitted on training and test rows together.
import numpy as np


def standardize(X_train, X_test):
    both = np.concatenate([X_train, X_test])
    mean, std = both.mean(axis=0), both.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std
