"""Unit tests of utils.vae: the closed-form Gaussian KL and the reparameterized sampling layer."""

import numpy as np
import pytest

from utils import runtime

runtime.quiet_tensorflow()

from utils.vae import gaussian_kl  # noqa: E402


def test_kl_zero_at_prior_and_positive_elsewhere():
    assert float(np.asarray(gaussian_kl(np.zeros((1, 4)), np.zeros((1, 4))))[0]) == 0.0
    rng = np.random.default_rng(0)
    kl = np.asarray(gaussian_kl(rng.normal(size=(500, 8)), rng.normal(scale=2.0, size=(500, 8))))
    assert kl.shape == (500,) and np.all(kl >= 0)


def test_kl_matches_one_dimensional_formula():
    mu, log_var = 1.5, np.log(0.25)  # sigma = 0.5
    expected = 0.5 * (mu**2 + 0.25 - 1 - np.log(0.25))
    got = float(np.asarray(gaussian_kl([[mu]], [[log_var]]))[0])
    assert got == pytest.approx(expected, rel=1e-6)


def test_kl_sums_over_the_latent_axis_only():
    z_mean = np.ones((3, 5), dtype=np.float32)
    kl = np.asarray(gaussian_kl(z_mean, np.zeros_like(z_mean)))
    np.testing.assert_allclose(kl, np.full(3, 2.5), rtol=1e-6)
    kl_first_axis = np.asarray(gaussian_kl(z_mean, np.zeros_like(z_mean), axis=0))
    assert kl_first_axis.shape == (5,)


def test_kl_rejects_mismatched_or_scalar_inputs():
    with pytest.raises(ValueError, match="same shape"):
        gaussian_kl(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="latent"):
        gaussian_kl(0.0, 0.0)


def test_sampling_moments_seed_and_gradient():
    import keras
    import tensorflow as tf

    from utils.vae import Sampling

    z_mean = np.full((20000, 2), [1.0, -2.0], dtype=np.float32)
    z_log_var = np.full((20000, 2), np.log([0.25, 4.0]), dtype=np.float32)
    z = np.asarray(Sampling(seed=3)(z_mean, z_log_var))
    assert z.shape == (20000, 2)
    np.testing.assert_allclose(z.mean(0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(z.std(0), [0.5, 2.0], rtol=0.03)
    np.testing.assert_array_equal(
        np.asarray(Sampling(seed=3)(z_mean, z_log_var)), z
    )  # same seed, same noise
    mean_var = tf.Variable(z_mean[:4])
    with tf.GradientTape() as tape:
        total = keras.ops.sum(Sampling(seed=0)(mean_var, z_log_var[:4]))
    np.testing.assert_allclose(
        tape.gradient(total, mean_var).numpy(), np.ones((4, 2))
    )  # dz/dmu = 1
    assert Sampling(seed=5).get_config()["seed"] == 5


def test_unknown_attribute_is_an_error():
    import utils.vae

    with pytest.raises(AttributeError):
        utils.vae.does_not_exist  # noqa: B018
