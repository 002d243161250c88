# task: ch3-kl
# feedback: sign is flipped
# A typical mistake: the KL with the wrong sign (the ELBO's term, not the loss's).
import numpy as np


def kl_closed_form(z_mean, z_log_var):
    return 0.5 * np.sum(1.0 + z_log_var - z_mean**2 - np.exp(z_log_var), axis=-1)
