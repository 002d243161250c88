"""utils.checkers.check_elbo_train_step (chapter 3's ELBO train_step, issue 17).

The correct step is written the way chapter 3 writes it; each wrong step is one mistake the
checker names (no update, beta missing, the KL's sign, the KL out of the gradient, wrong return
values), and the test asserts that the message names it. A few seconds in all.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from utils.checkers import CheckFailed, check_elbo_train_step


def step_with(loss_of, returned=None, apply=True):
    """A train step minimizing ``loss_of(reconstruction, kl, beta)``, returning ``returned``."""

    def elbo_train_step(vae, x):
        with tf.GradientTape() as tape:
            reconstruction, kl = vae.elbo_terms(x)
            loss = loss_of(reconstruction, kl, vae.beta)
        gradients = tape.gradient(loss, vae.trainable_weights)
        if apply:
            vae.optimizer.apply_gradients(zip(gradients, vae.trainable_weights, strict=True))
        if returned is None:
            return reconstruction, kl
        return returned(reconstruction, kl, vae.beta)

    return elbo_train_step


correct = step_with(lambda r, kl, beta: r + beta * kl)


def test_the_chapters_step_passes():
    assert "OK" in check_elbo_train_step(correct)
    assert "OK" in check_elbo_train_step(correct, beta=2.0, seed=3)


@pytest.mark.parametrize(
    ("step", "named"),
    [
        (step_with(lambda r, kl, beta: r + beta * kl, apply=False), "no update was applied"),
        (step_with(lambda r, kl, beta: r + kl), "beta is missing"),
        (step_with(lambda r, kl, beta: r - beta * kl), "the KL has the wrong sign"),
        (step_with(lambda r, kl, beta: r + beta * tf.stop_gradient(kl)), "KL is left out"),
        (step_with(lambda r, kl, beta: r), "KL is left out"),
        (step_with(lambda r, kl, beta: -(r + beta * kl)), "goes uphill"),
        (step_with(lambda r, kl, beta: 2 * (r + beta * kl)), "differ from the reference"),
        (step_with(lambda r, kl, beta: r + beta * kl, lambda r, kl, b: (kl, r)), "swapped"),
        (
            step_with(lambda r, kl, beta: r + beta * kl, lambda r, kl, b: (r + b * kl, kl)),
            "the loss was returned",
        ),
        (step_with(lambda r, kl, beta: r + beta * kl, lambda r, kl, b: r), "must return a pair"),
        (step_with(lambda r, kl, beta: r + beta * kl, lambda r, kl, b: None), "returned None"),
    ],
    ids=[
        "no-update",
        "beta-missing",
        "kl-sign",
        "kl-stopped",
        "kl-left-out",
        "uphill",
        "double-step",
        "swapped",
        "returns-loss",
        "one-value",
        "none",
    ],
)
def test_each_mistake_is_named(step, named):
    with pytest.raises(CheckFailed, match=named):
        check_elbo_train_step(step)


def test_terms_after_the_update_are_named():
    def after(vae, x):
        correct(vae, x)
        return vae.elbo_terms(x)

    with pytest.raises(CheckFailed, match="terms after the update"):
        check_elbo_train_step(after)


def test_bad_submissions_are_reported_plainly():
    with pytest.raises(TypeError, match="pass your function itself"):
        check_elbo_train_step(np.zeros(3))
    with pytest.raises(CheckFailed, match="raised NotImplementedError"):
        check_elbo_train_step(lambda vae, x: (_ for _ in ()).throw(NotImplementedError("todo")))
    with pytest.raises(CheckFailed, match="NaN"):
        check_elbo_train_step(step_with(lambda r, kl, beta: r * np.nan))
    with pytest.raises(CheckFailed, match="NaN"):
        check_elbo_train_step(correct_then(lambda r, kl: (r, kl * np.nan)))
    with pytest.raises(CheckFailed, match="not an array of numbers"):
        check_elbo_train_step(correct_then(lambda r, kl: ("r", "kl")))
    with pytest.raises(ValueError, match="beta != 1"):
        check_elbo_train_step(correct, beta=1.0)


def correct_then(returned):
    def elbo_train_step(vae, x):
        return returned(*correct(vae, x))

    return elbo_train_step
