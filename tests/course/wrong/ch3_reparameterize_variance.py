# task: ch3-reparameterize
# feedback: the scale is the variance
# A typical mistake: sigma^2 = exp(log_var) used as the scale instead of sigma.
import numpy as np


def reparameterize(z_mean, z_log_var, epsilon):
    return z_mean + np.exp(z_log_var) * epsilon
