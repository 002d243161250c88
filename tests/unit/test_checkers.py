"""Unit tests of utils.checkers: correct functions pass, wrong ones get a precise message."""

import numpy as np
import pytest

from utils.checkers import CheckFailed, check_forward, check_gradients, check_loss, random_problem


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def forward(params, X):  # row convention, written independently of the reference
    h = sigmoid(X @ params["W1"].T + params["b1"])
    z = h @ params["W2"].T + params["b2"]
    return h, z, sigmoid(z @ params["W3"].T + params["b3"])


def loss(params, X):
    return 0.5 * np.sum((forward(params, X)[2] - X) ** 2) / X.shape[0]


def numerical_gradients(params, X, step=1e-6):
    result = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + step
            up = loss(params, X)
            value[index] = original - step
            down = loss(params, X)
            value[index] = original
            grad[index] = (up - down) / (2 * step)
        result[name] = grad
    return result


SMALL = dict(n_features=5, n_hidden=4, n_latent=2, n_examples=3, trials=2)


def test_correct_functions_pass():
    assert "OK" in check_forward(forward)
    assert "OK" in check_forward(lambda p, X: forward(p, X)[2])
    assert "OK" in check_loss(loss)
    assert "match" in check_gradients(numerical_gradients, tolerance=1e-6, **SMALL)


def test_wrong_shape_is_reported():
    with pytest.raises(
        CheckFailed,
        match=r"wrong shape: x_hat has shape \(40, 7\), expected \(7, 40\) \(transposed\?\)",
    ):
        check_forward(lambda p, X: forward(p, X)[2].T)


def test_wrong_value_is_located():
    def off_by_one_entry(params, X):
        h, z, x_hat = forward(params, X)
        x_hat = x_hat.copy()
        x_hat[2, 5] += 0.25
        return h, z, x_hat

    with pytest.raises(CheckFailed, match=r"x_hat differs .* by up to 0\.25 at row 2, column 5"):
        check_forward(off_by_one_entry)


def test_wrong_loss_factor_gets_a_hint():
    with pytest.raises(CheckFailed, match="check the 1/2"):
        check_loss(lambda p, X: 2 * loss(p, X))
    with pytest.raises(CheckFailed, match="one number"):
        check_loss(lambda p, X: np.ones(3))


def test_wrong_gradient_names_the_parameter():
    def forgot_output_sigmoid_derivative(params, X):
        grads = numerical_gradients(params, X)
        grads["b2"] = grads["b2"] * 1.5
        return grads

    with pytest.raises(CheckFailed, match="the gradient of b2 differs"):
        check_gradients(forgot_output_sigmoid_derivative, tolerance=1e-6, **SMALL)
    with pytest.raises(CheckFailed, match="gradient of b3 is missing"):
        check_gradients(
            lambda p, X: {k: v for k, v in numerical_gradients(p, X).items() if k != "b3"},
            tolerance=1e-6,
            **SMALL,
        )


def test_errors_inside_the_student_function_are_reported():
    with pytest.raises(CheckFailed, match="raised ZeroDivisionError"):
        check_loss(lambda p, X: 1 / 0)


def test_bad_inputs():
    with pytest.raises(TypeError, match="pass your function itself"):
        check_gradients(np.zeros(3))
    with pytest.raises(ValueError, match="n_latent must be a positive whole number"):
        check_forward(forward, n_latent=0)
    with pytest.raises(ValueError, match="trials"):
        check_loss(loss, trials=2.5)


def test_random_problem_shapes_and_determinism():
    params, X = random_problem(6, 5, 3, 4, seed=1)
    assert (
        params["W1"].shape == (5, 6) and params["W3"].shape == (6, 3) and params["b2"].shape == (3,)
    )
    assert X.shape == (4, 6) and X.min() >= 0 and X.max() <= 1
    again, _ = random_problem(6, 5, 3, 4, seed=1)
    assert all(np.array_equal(params[k], again[k]) for k in params)
