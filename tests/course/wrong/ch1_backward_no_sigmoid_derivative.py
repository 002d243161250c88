# task: ch1-backward
# feedback: the gradient of W3
# A typical mistake: the output sigmoid's derivative x_hat (1 - x_hat) forgotten.
def gradients(params, X):
    h, z, x_hat = forward(params, X)
    delta3 = (x_hat - X) / X.shape[0]
    grads = {"W3": delta3.T @ z, "b3": delta3.sum(axis=0)}
    delta2 = delta3 @ params["W3"]
    grads["W2"] = delta2.T @ h
    grads["b2"] = delta2.sum(axis=0)
    delta1 = (delta2 @ params["W2"]) * h * (1 - h)
    grads["W1"] = delta1.T @ X
    grads["b1"] = delta1.sum(axis=0)
    return grads
