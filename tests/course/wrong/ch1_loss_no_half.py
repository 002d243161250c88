# task: ch1-loss
# feedback: check the 1/2
# A typical mistake: the squared error without its factor 1/2.
def loss(params, X):
    x_hat = forward(params, X)[2]
    return np.sum((X - x_hat) ** 2) / X.shape[0]
