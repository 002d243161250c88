"""Checkers for chapter 3: your Gaussian KL term and your reparameterized sampling.

Chapter 3 ("Variational autoencoders and the ELBO") derives the closed-form KL divergence of a
diagonal Gaussian posterior from the standard normal prior, and the reparameterization
z = mu + sigma * epsilon that lets gradients reach mu and log sigma^2. Use::

    from utils.checkers import check_gaussian_kl, check_reparameterize
    check_gaussian_kl(my_kl)          # (z_mean, z_log_var), both (batch, d) -> (batch,) nats
    check_reparameterize(my_sample)   # (z_mean, z_log_var, epsilon) -> z (batch, d)

Your functions may use NumPy or ``keras.ops``/TensorFlow; results are compared as NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._common import CheckFailed, as_array, call, compare, require_callable


def reference_gaussian_kl(z_mean: np.ndarray, z_log_var: np.ndarray) -> np.ndarray:
    """KL(N(mu, diag sigma^2) || N(0, I)) per row, (batch,) nats, summed over the d latent axes.

    Per axis: log(1 / sigma) + (sigma^2 + mu^2) / 2 - 1/2, written with sigma^2 = exp(log_var).
    """
    sigma_squared = np.exp(z_log_var)
    per_axis = -0.5 * z_log_var + 0.5 * (sigma_squared + z_mean**2) - 0.5
    return per_axis.sum(axis=1)


def _posterior(rng, batch=8, d=5):
    return rng.normal(0.0, 1.5, (batch, d)), rng.normal(0.0, 1.0, (batch, d))


def check_gaussian_kl(
    gaussian_kl: Callable, *, trials: int = 3, seed: int = 0, tolerance: float = 1e-5
) -> str:
    """Check ``gaussian_kl(z_mean, z_log_var)`` -> (batch,): the KL of each example, in nats.

    Recognizes a wrong sign, a mean instead of a sum over the latent axis, a sum over the batch
    (one number instead of one per example), and log sigma used where log sigma^2 is meant.
    """
    require_callable(gaussian_kl, "check_gaussian_kl(gaussian_kl)")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        z_mean, z_log_var = _posterior(rng)
        expected = reference_gaussian_kl(z_mean, z_log_var)
        got = as_array(
            call(gaussian_kl, "gaussian_kl(z_mean, z_log_var)", z_mean, z_log_var), "the KL"
        )
        d = z_mean.shape[1]
        if got.size == 1 and got.shape != expected.shape:
            total = float(got.reshape(()))
            if np.isclose(total, expected.sum(), rtol=1e-4) or np.isclose(
                total, expected.mean(), rtol=1e-4
            ):
                raise CheckFailed(
                    "the KL came back as one number for the whole batch; return one value per "
                    f"example, shape {expected.shape} (sum over the latent axis only, axis 1)."
                )
        if got.shape == expected.shape and np.all(np.isfinite(got)):
            wrong = {
                "its sign is flipped: a KL divergence is >= 0": -expected,
                "a mean over the latent axis; the KL of independent axes is their sum": (
                    expected / d
                ),
                "it treats z_log_var as log sigma, not log sigma^2: sigma^2 = exp(z_log_var)": (
                    -z_log_var + 0.5 * (np.exp(2 * z_log_var) + z_mean**2) - 0.5
                ).sum(axis=1),
            }
            for mistake, value in wrong.items():
                if np.allclose(got, value, rtol=1e-4, atol=1e-6):
                    raise CheckFailed(f"wrong KL: {mistake}.")
        compare("the KL", got, expected, tolerance, ("example",))
    zero = as_array(
        call(gaussian_kl, "gaussian_kl(0, 0)", np.zeros((2, 3)), np.zeros((2, 3))), "the KL"
    )
    if zero.shape != (2,) or not np.allclose(zero, 0.0, atol=1e-6):
        raise CheckFailed("the KL of the prior itself (mu = 0, log sigma^2 = 0) must be 0.")
    return f"gaussian_kl: OK on {trials} random posteriors, and 0 for the prior itself."


def check_reparameterize(
    reparameterize: Callable, *, trials: int = 3, seed: int = 0, tolerance: float = 1e-5
) -> str:
    """Check ``reparameterize(z_mean, z_log_var, epsilon)`` -> z = mu + exp(log sigma^2 / 2) eps.

    Recognizes the variance used as the scale (exp(log_var) instead of exp(log_var / 2)), a
    missing mean, and the noise ignored.
    """
    require_callable(reparameterize, "check_reparameterize(reparameterize)")
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        z_mean, z_log_var = _posterior(rng)
        epsilon = rng.normal(size=z_mean.shape)
        expected = z_mean + np.exp(0.5 * z_log_var) * epsilon
        got = as_array(
            call(
                reparameterize,
                "reparameterize(z_mean, z_log_var, epsilon)",
                z_mean,
                z_log_var,
                epsilon,
            ),
            "z",
        )
        if got.shape == expected.shape and np.all(np.isfinite(got)):
            wrong = {
                "the scale is the variance exp(z_log_var); it must be the standard deviation "
                "exp(z_log_var / 2)": z_mean + np.exp(z_log_var) * epsilon,
                "z ignores the noise epsilon: the sample is the mean": z_mean,
                "z ignores the mean: add z_mean": np.exp(0.5 * z_log_var) * epsilon,
            }
            for mistake, value in wrong.items():
                if np.allclose(got, value, atol=1e-6):
                    raise CheckFailed(f"wrong z: {mistake}.")
        compare("z", got, expected, tolerance, ("example", "latent axis"))
    return f"reparameterize: OK on {trials} random posteriors and noises."
