"""Checkers for chapter 1: your forward pass, loss and backward pass of the autoencoder.

Chapter 1 ("The mathematics of autoencoders") derives the forward pass, the loss
and the backward pass of a one-hidden-layer autoencoder by hand. These checkers
let you test *your* version of each, in Colab or anywhere, and tell you
precisely what is wrong: which output has the wrong shape, the largest error
and where it is, or which parameter's gradient is wrong.

The model (rows are examples, as in the chapter)::

    H     = sigmoid(X  W1^T + b1)      X (N, F), W1 (H, F), b1 (H,)  ->  H     (N, H)
    Z     =         H  W2^T + b2       W2 (K, H), b2 (K,)            ->  Z     (N, K)
    X_hat = sigmoid(Z  W3^T + b3)      W3 (F, K), b3 (F,)            ->  X_hat (N, F)
    L     = 1/(2N) sum_i ||x_i - x_hat_i||^2                          (a float)

Parameters are passed as a dict
``{"W1": ..., "b1": ..., "W2": ..., "b2": ..., "W3": ..., "b3": ...}``.

Use::

    from utils.checkers import check_forward, check_loss, check_gradients
    check_gradients(my_gradients)   # my_gradients(params, X) -> {"W1": dW1, ..., "b3": db3}

Each checker returns a short report string when your function agrees with the
reference on every trial, and raises :class:`CheckFailed` (an ``AssertionError``)
with the reason otherwise. The reference here is written independently of the
chapter's code (column vectors, one layer at a time), so the two check each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._common import CheckFailed, call, require_callable
from ._common import compare as _compare

#: Names and shapes of the six parameters, in terms of (F, H, K).
PARAMETER_SHAPES = {
    "W1": ("H", "F"),
    "b1": ("H",),
    "W2": ("K", "H"),
    "b2": ("K",),
    "W3": ("F", "K"),
    "b3": ("F",),
}


# ---------------------------------------------------------------------------------------------
# The reference, in column-vector form: a layer is (weight, bias, activation);
# A = W @ V + b[:, None].


def _logistic(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1 / (1 + exp(-a)), without overflow


def _layers(params):
    return [
        (params["W1"], params["b1"], "sigmoid"),
        (params["W2"], params["b2"], "identity"),
        (params["W3"], params["b3"], "sigmoid"),
    ]


def _reference_activations(params, X):
    """Outputs of the three layers as columns: [H^T (H, N), Z^T (K, N), X_hat^T (F, N)]."""
    columns, outputs = X.T, []
    for weight, bias, activation in _layers(params):
        pre_activation = weight @ columns + bias[:, None]
        columns = _logistic(pre_activation) if activation == "sigmoid" else pre_activation
        outputs.append(columns)
    return outputs


def _reference_loss(params, X):
    residual = X.T - _reference_activations(params, X)[-1]
    return float(np.einsum("fn,fn->", residual, residual) / (2 * X.shape[0]))


def _reference_gradients(params, X):
    n_examples = X.shape[0]
    outputs = _reference_activations(params, X)
    inputs = [X.T] + outputs[:-1]
    names = [("W1", "b1"), ("W2", "b2"), ("W3", "b3")]
    upstream = (outputs[-1] - X.T) / n_examples  # dL/dX_hat, columns
    result = {}
    for layer in (2, 1, 0):
        weight, _, activation = _layers(params)[layer]
        if activation == "sigmoid":
            upstream = upstream * outputs[layer] * (1.0 - outputs[layer])  # through the logistic
        weight_name, bias_name = names[layer]
        result[weight_name] = np.einsum("on,in->oi", upstream, inputs[layer])
        result[bias_name] = upstream.sum(axis=1)
        upstream = weight.T @ upstream
    return result


# ---------------------------------------------------------------------------------------------
# Random problems and comparisons.


def _check_sizes(n_features, n_hidden, n_latent, n_examples, trials):
    for name, value in (
        ("n_features", n_features),
        ("n_hidden", n_hidden),
        ("n_latent", n_latent),
        ("n_examples", n_examples),
        ("trials", trials),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}.")


def random_problem(n_features=40, n_hidden=16, n_latent=4, n_examples=7, seed=0):
    """Random float64 parameters (the dict above) and inputs X (n_examples, n_features).

    The inputs lie in [0, 1], like the chapter's spectrogram frames.
    """
    _check_sizes(n_features, n_hidden, n_latent, n_examples, 1)
    rng = np.random.default_rng(seed)
    sizes = {"F": n_features, "H": n_hidden, "K": n_latent}
    params = {
        name: rng.normal(0.0, 0.5, [sizes[s] for s in shape])
        for name, shape in PARAMETER_SHAPES.items()
    }
    return params, rng.uniform(0.0, 1.0, (n_examples, n_features))


def _call(function, what, params, X):
    copies = {name: value.copy() for name, value in params.items()}  # your function may modify them
    return call(function, what, copies, X)


def _shapes(params):
    return {name: value.shape for name, value in params.items()}


def _problems(function, example, sizes, trials, seed):
    """Check a checker's arguments, then yield ``trials`` random problems (params, X)."""
    require_callable(function, example)
    _check_sizes(*sizes, trials)
    for trial in range(trials):
        yield random_problem(*sizes, seed=seed + trial)


def check_forward(
    forward: Callable,
    *,
    n_features=40,
    n_hidden=16,
    n_latent=4,
    n_examples=7,
    trials=3,
    seed=0,
    tolerance=1e-9,
) -> str:
    """Check ``forward(params, X)``, which returns ``x_hat`` (N, F) or ``(h, z, x_hat)``.

    Runs it on ``trials`` random problems and compares every returned array with the reference.
    Raises :class:`CheckFailed` with the first difference; returns a one-line report otherwise.
    """
    sizes = (n_features, n_hidden, n_latent, n_examples)
    worst = 0.0
    for params, X in _problems(forward, "check_forward(forward)", sizes, trials, seed):
        expected = [a.T for a in _reference_activations(params, X)]
        got = _call(forward, "forward(params, X)", params, X)
        if isinstance(got, (tuple, list)):
            if len(got) != 3:
                raise CheckFailed(
                    f"forward returned {len(got)} values; return x_hat, or (h, z, x_hat)."
                )
            pairs = zip(("h", "z", "x_hat"), got, expected, strict=True)
        else:
            pairs = [("x_hat", got, expected[-1])]
        for name, value, reference in pairs:
            worst = max(worst, _compare(name, value, reference, tolerance))
    return f"forward: OK on {trials} random problems (largest relative error {worst:.1e})."


def check_loss(
    loss: Callable,
    *,
    n_features=40,
    n_hidden=16,
    n_latent=4,
    n_examples=7,
    trials=3,
    seed=0,
    tolerance=1e-9,
) -> str:
    """Check ``loss(params, X)`` -> float, the mean over examples of half the squared error."""
    sizes = (n_features, n_hidden, n_latent, n_examples)
    worst = 0.0
    for params, X in _problems(loss, "check_loss(loss)", sizes, trials, seed):
        expected = _reference_loss(params, X)
        got = np.asarray(_call(loss, "loss(params, X)", params, X), dtype=np.float64)
        if got.size != 1:
            raise CheckFailed(
                f"wrong shape: the loss must be one number, got an array of shape {got.shape}."
            )
        got = float(got.reshape(()))
        relative = abs(got - expected) / abs(expected)
        if relative > tolerance:
            ratio = got / expected
            hint = ""
            for factor, reason in (
                (2.0, "the 1/2"),
                (0.5, "a factor 2"),
                (n_features, "a mean over features"),
                (1 / n_features, "a mean over features instead of a sum"),
                (n_examples, "the 1/N"),
                (1 / n_examples, "a division by N too many"),
            ):
                if abs(ratio - factor) < 1e-6 * factor:
                    hint = f" The ratio is {ratio:.4g}: check {reason}."
            raise CheckFailed(
                f"wrong value: loss = {got:.6g}, expected {expected:.6g} "
                f"(relative error {relative:.2e}).{hint}"
            )
        worst = max(worst, relative)
    return f"loss: OK on {trials} random problems (largest relative error {worst:.1e})."


def check_gradients(
    gradients: Callable,
    *,
    n_features=40,
    n_hidden=16,
    n_latent=4,
    n_examples=7,
    trials=3,
    seed=0,
    tolerance=1e-9,
) -> str:
    """Check ``gradients(params, X)`` -> dict of dL/dW1, dL/db1, ..., dL/db3 (parameters' shapes).

    The first wrong parameter is reported from the output layer backwards (W3, b3, W2, ...), the
    order in which backpropagation computes them, so the first message points at the first mistake.
    """
    sizes = (n_features, n_hidden, n_latent, n_examples)
    worst = 0.0
    for params, X in _problems(gradients, "check_gradients(gradients)", sizes, trials, seed):
        expected = _reference_gradients(params, X)
        got = _call(gradients, "gradients(params, X)", params, X)
        if not isinstance(got, Mapping):
            raise CheckFailed(
                f"gradients must return a dict {{'W1': ..., 'b3': ...}}, got {type(got).__name__}."
            )
        missing = [name for name in PARAMETER_SHAPES if name not in got]
        if missing:
            raise CheckFailed(
                f"the gradient of {', '.join(missing)} is missing (got keys {sorted(got)})."
            )
        for name in ("W3", "b3", "W2", "b2", "W1", "b1"):
            labels = ("row", "column") if name.startswith("W") else ("entry",)
            try:
                worst = max(
                    worst,
                    _compare(
                        f"the gradient of {name}", got[name], expected[name], tolerance, labels
                    ),
                )
            except CheckFailed as failure:
                raise CheckFailed(f"{failure} Parameter shapes: {_shapes(params)}.") from None
    return (
        f"gradients: all six match on {trials} random problems "
        f"(largest relative error {worst:.1e})."
    )
