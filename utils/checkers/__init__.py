"""Checkers for your own code, one per piece a chapter asks you to write.

Each checker runs your function on fresh random inputs, compares it with a reference written
independently of the book's code, and either returns a one-line report or raises
:class:`CheckFailed` (an ``AssertionError``) saying what is wrong: the shape, the place and size
of the largest error, and, where a typical mistake explains the numbers, which mistake. A function
that raises, returns NaN or the wrong type, or runs longer than
:data:`~utils.checkers._common.TIME_LIMIT_S` seconds gets a plain :class:`CheckFailed` too. The
course edition's autograder calls the same checkers, so feedback in class and in grading agree.

========  ==============================================  ==================================
chapter   what you write                                  checker
========  ==============================================  ==================================
1         forward pass, loss, backward pass               :func:`check_forward`,
                                                          :func:`check_loss`,
                                                          :func:`check_gradients`
2         mel filterbank, DCT-II, train-only scaling      :func:`check_mel_filterbank`,
                                                          :func:`check_dct_matrix`,
                                                          :func:`check_standardize`
3         Gaussian KL, reparameterized sampling,          :func:`check_gaussian_kl`,
          the ELBO train_step                             :func:`check_reparameterize`,
                                                          :func:`check_elbo_train_step`
4         nearest codeword, straight-through, EMA step    :func:`check_nearest_codeword`,
                                                          :func:`check_straight_through`,
                                                          :func:`check_ema_update`
5         masked loss, masked mean pooling                :func:`check_masked_mse`,
                                                          :func:`check_masked_mean`
6         one sampling step (temperature, top-k)          :func:`check_sample_next`
========  ==============================================  ==================================
"""

from ._common import TIME_LIMIT_S, CheckFailed
from .autoencoder import (
    PARAMETER_SHAPES,
    check_forward,
    check_gradients,
    check_loss,
    random_problem,
)
from .features import check_dct_matrix, check_mel_filterbank, check_standardize
from .quantization import check_ema_update, check_nearest_codeword, check_straight_through
from .sampling import check_sample_next
from .sequences import check_masked_mean, check_masked_mse
from .vae import check_elbo_train_step, check_gaussian_kl, check_reparameterize

__all__ = [
    "PARAMETER_SHAPES",
    "TIME_LIMIT_S",
    "CheckFailed",
    "check_dct_matrix",
    "check_elbo_train_step",
    "check_ema_update",
    "check_forward",
    "check_gaussian_kl",
    "check_gradients",
    "check_loss",
    "check_masked_mean",
    "check_masked_mse",
    "check_mel_filterbank",
    "check_nearest_codeword",
    "check_reparameterize",
    "check_sample_next",
    "check_standardize",
    "check_straight_through",
    "random_problem",
]
