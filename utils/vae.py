"""Pieces of a variational autoencoder that several chapters share (derived in chapter 3).

Chapter 3 ("Variational autoencoders and the ELBO", ``book/03_vae_elbo.ipynb``)
derives both pieces and writes them out inline before importing them from here:

- :func:`gaussian_kl`: the closed-form KL divergence between a diagonal Gaussian
  posterior ``q(z|x) = N(z_mean, diag(exp(z_log_var)))`` and the prior ``N(0, I)``;
- :class:`Sampling`: the reparameterization trick as a Keras layer,
  ``z = z_mean + exp(z_log_var / 2) * epsilon`` with ``epsilon ~ N(0, I)``.

Both work on any Keras 3 backend (``keras.ops``) and accept NumPy arrays.
"""

from __future__ import annotations

import numpy as np


def _shape(value) -> tuple:
    """Shape of an array, a tensor (also inside a traced graph) or a nested list."""
    shape = getattr(value, "shape", None)
    return tuple(np.shape(value)) if shape is None else tuple(shape)


def _check_pair(z_mean, z_log_var):
    """Shapes of the posterior parameters must agree and have a latent axis."""
    shape_mean, shape_log_var = _shape(z_mean), _shape(z_log_var)
    if shape_mean != shape_log_var:
        raise ValueError(
            f"z_mean and z_log_var must have the same shape, got {shape_mean} and {shape_log_var}."
        )
    if len(shape_mean) == 0:
        raise ValueError("z_mean and z_log_var need at least one (latent) axis, got scalars.")


def gaussian_kl(z_mean, z_log_var, axis: int = -1):
    """KL( N(z_mean, diag(exp(z_log_var))) || N(0, I) ) in nats, summed over the latent ``axis``.

    ``0.5 * sum(z_mean**2 + exp(z_log_var) - 1 - z_log_var)``. z_mean, z_log_var: arrays or
    tensors of the same shape, e.g. (batch, latent_dim); the result has that shape without
    ``axis``, e.g. (batch,).
    It is >= 0, and exactly 0 where z_mean = 0 and z_log_var = 0 (sigma = 1). Chapter 3 derives it.
    """
    from keras import ops

    _check_pair(z_mean, z_log_var)
    z_mean = ops.convert_to_tensor(z_mean, dtype="float32")
    z_log_var = ops.convert_to_tensor(z_log_var, dtype="float32")
    per_dimension = ops.square(z_mean) + ops.exp(z_log_var) - 1.0 - z_log_var
    return 0.5 * ops.sum(per_dimension, axis=axis)


def _sampling_layer_class():
    import keras

    class Sampling(keras.layers.Layer):
        """Reparameterized sample ``z = z_mean + exp(z_log_var / 2) * epsilon``, epsilon ~ N(0, I).

        Call with ``(z_mean, z_log_var)``, both (batch, latent_dim); returns z of the same shape.
        The noise comes from a seeded ``keras.random.SeedGenerator``, so a run is repeatable, and
        the gradient reaches z_mean and z_log_var through the deterministic transform (chapter 3).
        """

        def __init__(self, seed: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.seed = int(seed)
            self.seed_generator = keras.random.SeedGenerator(self.seed)

        def call(self, z_mean, z_log_var):
            epsilon = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed_generator)
            return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon

        def compute_output_shape(self, mean_shape, log_var_shape=None):
            return mean_shape

        def get_config(self):
            return {**super().get_config(), "seed": self.seed}

    return Sampling


def __getattr__(name):
    # Keras is imported only when the layer is first used, so `import utils.vae` stays cheap.
    if name == "Sampling":
        cls = _sampling_layer_class()
        globals()["Sampling"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
