# task: ch5-masked-mse
# feedback: per-sequence means
# A typical mistake: the mean of each sequence's mean, so short words weigh as much as long ones.
def masked_mse(X, X_hat, mask):
    squared = ((X - X_hat) ** 2).mean(axis=2)
    return float(((squared * mask).sum(1) / mask.sum(1)).mean())
