# task: ch3-kl
# feedback: one number for the whole batch
# A typical mistake: the KL summed over the wrong axis (the batch too).
import numpy as np


def kl_closed_form(z_mean, z_log_var):
    return 0.5 * np.sum(z_mean**2 + np.exp(z_log_var) - 1.0 - z_log_var)
