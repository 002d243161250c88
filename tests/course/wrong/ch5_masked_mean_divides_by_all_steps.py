# task: ch5-masked-mean
# feedback: divides by every step T
# A typical mistake: the padding zeroed, but the sum divided by T, not by each length.
def masked_mean(H, mask):
    return (H * mask[..., None]).mean(axis=1)
