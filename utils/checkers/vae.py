"""Checkers for chapter 3: your Gaussian KL term, reparameterized sampling and ELBO step.

Chapter 3 ("Variational autoencoders and the ELBO") derives the closed-form KL divergence of a
diagonal Gaussian posterior from the standard normal prior, and the reparameterization
z = mu + sigma * epsilon that lets gradients reach mu and log sigma^2. Use::

    from utils.checkers import check_elbo_train_step, check_gaussian_kl, check_reparameterize
    check_gaussian_kl(my_kl)          # (z_mean, z_log_var), both (batch, d) -> (batch,) nats
    check_reparameterize(my_sample)   # (z_mean, z_log_var, epsilon) -> z (batch, d)
    check_elbo_train_step(my_step)    # (vae, x) -> (reconstruction, kl), one gradient step

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


# --- the ELBO train_step --------------------------------------------------------------------

_TOY_D, _TOY_K, _TOY_BATCH = 6, 3, 8  # window size, latent size, batch of the toy VAE


def _toy_vae(beta: float, learning_rate: float, seed: int):
    """A tiny VAE with the chapter's interface: ``elbo_terms(x)``, ``beta``, ``optimizer``.

    Encoder and decoder are one dense layer each, with fixed weights drawn from ``seed``; the
    noise epsilon (batch, K) is fixed too, so that ``elbo_terms`` is deterministic and two
    copies built with the same seed give identical steps. The optimizer is plain SGD.
    """
    import keras
    from keras import ops

    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(_TOY_BATCH, _TOY_K)).astype("float32")

    class ToyVAE(keras.Model):
        def __init__(self):
            super().__init__()
            self.beta = beta
            self.encoder = keras.layers.Dense(2 * _TOY_K)
            self.decoder = keras.layers.Dense(_TOY_D)

        def elbo_terms(self, x):
            z_mean, z_log_var = ops.split(self.encoder(x), 2, axis=-1)
            z = z_mean + ops.exp(0.5 * z_log_var) * noise
            x_hat = self.decoder(z)
            reconstruction = 0.5 * ops.sum(ops.square(x - x_hat), axis=-1)
            kl = 0.5 * ops.sum(ops.square(z_mean) + ops.exp(z_log_var) - 1 - z_log_var, axis=-1)
            return ops.mean(reconstruction), ops.mean(kl)

    vae = ToyVAE()
    vae.encoder.build((None, _TOY_D))
    vae.decoder.build((None, _TOY_K))
    vae.set_weights([rng.normal(0.0, 0.5, w.shape).astype("float32") for w in vae.get_weights()])
    vae.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
    x = rng.normal(size=(_TOY_BATCH, _TOY_D)).astype("float32")
    return vae, x


def reference_elbo_train_step(vae, x):
    """One gradient step on reconstruction + beta * KL; returns the two terms before the step."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        reconstruction, kl = vae.elbo_terms(x)
        loss = reconstruction + vae.beta * kl
    gradients = tape.gradient(loss, vae.trainable_weights)
    vae.optimizer.apply_gradients(zip(gradients, vae.trainable_weights, strict=True))
    return reconstruction, kl


def _term_gradients(vae, x):
    """The terms (floats) and the gradients of each term, as float64 arrays, without a step."""
    import tensorflow as tf

    with tf.GradientTape(persistent=True) as tape:
        reconstruction, kl = vae.elbo_terms(x)
    weights = vae.trainable_weights
    flat = []
    for term in (reconstruction, kl):
        gradients = tape.gradient(term, weights)  # None where a term does not depend on a weight
        flat.append(
            np.concatenate(
                [
                    np.ravel(np.zeros(w.shape) if g is None else g.numpy())
                    for g, w in zip(gradients, weights, strict=True)
                ]
            ).astype(np.float64)
        )
    return float(reconstruction), float(kl), flat[0], flat[1]


def _flat_weights(vae) -> np.ndarray:
    return np.concatenate([np.ravel(w) for w in vae.get_weights()]).astype(np.float64)


def check_elbo_train_step(
    elbo_train_step: Callable, *, beta: float = 0.5, learning_rate: float = 0.1, seed: int = 0
) -> str:
    """Check ``elbo_train_step(vae, x)`` -> (reconstruction, kl): one step of chapter 3's VAE.

    The step computes ``reconstruction, kl = vae.elbo_terms(x)`` (batch means, nats per window)
    under a ``tf.GradientTape``, takes the gradient of the loss reconstruction + vae.beta * kl
    with respect to ``vae.trainable_weights``, applies it with ``vae.optimizer``, and returns
    the two terms. It is run on a tiny VAE with fixed noise (so the step is deterministic), beta
    = ``beta`` and plain SGD, from the same weights as a reference step; the updated weights and
    the returned terms must agree. Recognizes no update applied, beta left out, the KL added
    with the wrong sign, the KL left out of the gradient, and wrong return values.
    """
    require_callable(elbo_train_step, "check_elbo_train_step(elbo_train_step)")
    if beta == 1.0:
        raise ValueError("use beta != 1, so that a missing beta can be told from a right one")
    reference, x = _toy_vae(beta, learning_rate, seed)
    start = _flat_weights(reference)
    reconstruction, kl, g_reconstruction, g_kl = _term_gradients(reference, x)
    reference_elbo_train_step(reference, x)
    expected = _flat_weights(reference)
    student, x = _toy_vae(beta, learning_rate, seed)
    returned = call(elbo_train_step, "elbo_train_step(vae, x)", student, x)
    got = _flat_weights(student)
    if not np.all(np.isfinite(got)):
        raise CheckFailed("after elbo_train_step(vae, x) the weights contain NaN or infinity.")

    step = float(np.abs(expected - start).max())
    tolerance = 1e-4 * step + 1e-7  # float32 arithmetic, in a different order

    def near(weights) -> bool:
        return float(np.abs(got - weights).max()) <= tolerance

    if not near(expected):
        wrong = {
            "no update was applied: the weights are unchanged (apply the gradients with "
            "vae.optimizer.apply_gradients)": start,
            "beta is missing: the step matches beta = 1; the loss is reconstruction + "
            "vae.beta * kl": start - learning_rate * (g_reconstruction + g_kl),
            "the KL has the wrong sign: the step minimizes reconstruction - beta * KL; the "
            "loss (the negative ELBO) adds the KL": start
            - learning_rate * (g_reconstruction - beta * g_kl),
            "the KL is left out of the gradient: the step minimizes the reconstruction term "
            "only; take the gradient of reconstruction + vae.beta * kl": start
            - learning_rate * g_reconstruction,
            "the step goes uphill: the gradient is added to the weights instead of being "
            "subtracted (give the optimizer the gradient of the loss, not of the ELBO)": start
            + learning_rate * (g_reconstruction + beta * g_kl),
        }
        for mistake, weights in wrong.items():
            if near(weights):
                raise CheckFailed(f"wrong update: {mistake}.")
        error = np.abs(got - expected)
        raise CheckFailed(
            "wrong update: the weights after your step differ from the reference step by up to "
            f"{error.max():.3g} (the step itself moves them by up to {step:.3g}); the step "
            "must apply the gradient of reconstruction + vae.beta * kl with vae.optimizer."
        )

    if returned is None:
        raise CheckFailed(
            "elbo_train_step returned None: return the two terms, (reconstruction, kl)."
        )
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        raise CheckFailed(
            "elbo_train_step must return a pair (reconstruction, kl), got "
            f"{type(returned).__name__}"
            + (f" of length {len(returned)}" if isinstance(returned, (tuple, list)) else "")
            + "."
        )
    values = [as_array(v, name) for v, name in zip(returned, ("reconstruction", "kl"), strict=True)]
    if any(v.size != 1 for v in values):
        raise CheckFailed(
            "reconstruction and kl must each be one number (the batch's mean), got shapes "
            f"{values[0].shape} and {values[1].shape}."
        )
    got_terms = np.array([float(v.reshape(())) for v in values])
    if not np.all(np.isfinite(got_terms)):
        raise CheckFailed("the returned reconstruction or kl is NaN or infinite.")
    terms = np.array([reconstruction, kl])
    loss = reconstruction + beta * kl

    def same(a, b) -> bool:
        return bool(np.allclose(a, b, rtol=1e-5, atol=1e-6))

    if not same(got_terms, terms):
        if same(got_terms, terms[::-1]):
            mistake = "they are swapped; return (reconstruction, kl) in this order"
        elif same(got_terms[0], loss) or same(got_terms[1], loss):
            mistake = "the loss was returned in place of a term; return the two terms"
        else:
            after, _ = student.elbo_terms(x)
            mistake = (
                "they are the terms after the update; return those the gradient was taken of"
                if same(got_terms[0], float(after))
                else "they are not the terms vae.elbo_terms(x) gives"
            )
        raise CheckFailed(
            f"wrong return values: got (reconstruction, kl) = ({got_terms[0]:.6g}, "
            f"{got_terms[1]:.6g}), expected ({reconstruction:.6g}, {kl:.6g}): {mistake}."
        )
    return (
        f"elbo_train_step: OK, the step on reconstruction + beta * KL (beta = {beta:g}, SGD) "
        "moves the weights as the reference does, and returns the two terms."
    )
