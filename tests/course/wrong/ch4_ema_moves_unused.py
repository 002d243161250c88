# task: ch4-ema
# feedback: still moved
# A typical mistake: c_k = M_k / N_k for every codeword, also those no vector chose.
from keras import ops


def ema_step(C, N, M, flat, codes, gamma):
    one_hot = ops.one_hot(codes, ops.shape(C)[0])
    counts = ops.sum(one_hot, axis=0)
    N = gamma * N + (1 - gamma) * counts
    M = gamma * M + (1 - gamma) * ops.transpose(one_hot) @ flat
    C = M / ops.maximum(N, 1e-12)[:, None]
    return C, N, M
