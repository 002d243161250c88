"""utils.models.initial_state: one compiled model, trained several times from the same start."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from utils.models import dense_autoencoder, initial_state  # noqa: E402


def _train(model, X, seed=0):
    keras.utils.set_random_seed(seed)  # the same shuffling
    model.fit(X, X, epochs=2, batch_size=16, verbose=0)
    return [np.array(w) for w in model.get_weights()]


def test_restored_model_trains_to_exactly_the_same_weights():
    X = np.random.default_rng(0).normal(size=(64, 6)).astype("float32")
    model, _, _ = dense_autoencoder(6, 2, (8,), seed=3)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    restore = initial_state(model)
    untrained = [np.array(w) for w in model.get_weights()]
    first = _train(model, X)
    assert any(not np.array_equal(a, b) for a, b in zip(first, untrained, strict=True))
    restore()
    for a, b in zip(model.get_weights(), untrained, strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations.numpy()) == 0
    second = _train(model, X)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_restore_keeps_the_learning_rate():
    model, _, _ = dense_autoencoder(4, 2, (4,), seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    restore = initial_state(model)
    model.optimizer.learning_rate.assign(1e-4)
    restore()
    assert np.isclose(float(model.optimizer.learning_rate.numpy()), 1e-4)


def test_initial_state_needs_a_compiled_model():
    model, _, _ = dense_autoencoder(4, 2, (4,), seed=0)
    with pytest.raises(ValueError, match="compile the model"):
        initial_state(model)


def test_predict_is_the_model_in_inference_mode():
    X = np.random.default_rng(1).normal(size=(5, 4))
    model, _, _ = dense_autoencoder(4, 2, (3,), seed=0)
    from utils.models import predict

    X_hat = predict(model, X)
    assert isinstance(X_hat, np.ndarray) and X_hat.shape == (5, 4)
    np.testing.assert_allclose(X_hat, model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
