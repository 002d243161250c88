"""Standard model builders shared by chapters: PCA and the dense autoencoder (derived in chapter 1).

Chapter 1 writes both out by hand (the SVD and the backward pass are the
lesson there); chapters 2-4 import them from here as baselines and building blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .validation import check_matrix


class PCA:
    """Principal component analysis by the SVD of the centred training data.

    ``fit(X)`` with X of shape (n_examples, n_features); ``components`` has shape
    (n_components, n_features) with orthonormal rows; ``encode`` maps
    (n, n_features) to (n, n_components) and ``decode`` maps back. ``eigenvalues``
    holds the variance along every principal direction (all of them, largest first).
    The best rank-k linear reconstruction in squared error (Eckart-Young); chapter 1.
    """

    def __init__(self, n_components: int):
        if not isinstance(n_components, (int, np.integer)) or n_components < 1:
            raise ValueError(f"n_components must be a positive integer, got {n_components!r}.")
        self.n_components = int(n_components)
        self.mean = None
        self.components = None
        self.eigenvalues = None

    def fit(self, X) -> PCA:
        X = check_matrix(X, name="X").astype(np.float64)
        if self.n_components > min(X.shape):
            raise ValueError(
                f"n_components={self.n_components} exceeds min(n_examples, n_features) = "
                f"{min(X.shape)}."
            )
        self.mean = X.mean(axis=0)
        _, singular_values, Vt = np.linalg.svd(X - self.mean, full_matrices=False)
        self.components = Vt[: self.n_components]
        self.eigenvalues = singular_values**2 / (X.shape[0] - 1)
        return self

    def _check_fitted(self):
        if self.components is None:
            raise RuntimeError("call fit(X_train) first.")

    def encode(self, X) -> np.ndarray:
        """Project X (n, n_features) onto the principal directions: (n, n_components)."""
        self._check_fitted()
        X = check_matrix(X, n_columns=self.components.shape[1], name="X")
        return (X - self.mean) @ self.components.T

    def decode(self, Z) -> np.ndarray:
        """Map codes Z (n, n_components) back to feature space: (n, n_features)."""
        self._check_fitted()
        Z = check_matrix(Z, n_columns=self.n_components, name="Z")
        return Z @ self.components + self.mean

    def reconstruct(self, X) -> np.ndarray:
        """``decode(encode(X))``: the rank-k reconstruction of X, shape (n, n_features)."""
        return self.decode(self.encode(X))


def dense_autoencoder(
    input_dim: int,
    latent_dim: int,
    hidden_units: Sequence[int] = (256,),
    *,
    activation: str = "relu",
    output_activation: str | None = None,
    seed: int = 0,
    name: str = "autoencoder",
):
    """A symmetric dense autoencoder in the Keras Functional API.

    Encoder: input (input_dim,) -> Dense(h, activation) for h in ``hidden_units`` ->
    Dense(latent_dim) (linear code z). Decoder: z -> Dense(h) for h in reversed(hidden_units) ->
    Dense(input_dim, ``output_activation``). Returns ``(autoencoder, encoder, decoder)``, three
    ``keras.Model`` sharing weights; compile and fit ``autoencoder`` on (X, X). Weights are
    initialized from ``seed``.
    """
    import keras

    if latent_dim < 1 or input_dim < 1:
        raise ValueError("input_dim and latent_dim must be positive.")
    initializer = lambda i: keras.initializers.GlorotUniform(seed=seed + i)  # noqa: E731
    x = keras.Input(shape=(input_dim,), name="x")
    h = x
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(
            units, activation=activation, kernel_initializer=initializer(i), name=f"enc_{i}"
        )(h)
    z = keras.layers.Dense(latent_dim, kernel_initializer=initializer(10), name="z")(h)
    encoder = keras.Model(x, z, name=f"{name}_encoder")

    z_in = keras.Input(shape=(latent_dim,), name="z_in")
    h = z_in
    for i, units in enumerate(reversed(hidden_units)):
        h = keras.layers.Dense(
            units, activation=activation, kernel_initializer=initializer(20 + i), name=f"dec_{i}"
        )(h)
    x_hat = keras.layers.Dense(
        input_dim, activation=output_activation, kernel_initializer=initializer(30), name="x_hat"
    )(h)
    decoder = keras.Model(z_in, x_hat, name=f"{name}_decoder")
    autoencoder = keras.Model(x, decoder(encoder(x)), name=name)
    return autoencoder, encoder, decoder


def initial_state(model):
    """Remember a compiled Keras model's untrained state; return a function that restores it.

    ``restore = initial_state(model)`` right after ``model.compile(...)`` stores the values of
    every weight (trainable or not) and every optimizer variable (step counter, Adam's moments)
    except the learning rate, which keeps the value it has. Each ``restore()`` puts them back:
    the model starts again exactly as a new model built with the same seed would, but Keras
    traces its training step only once (building and compiling a model for each of many
    trainings costs seconds each). Seed the shuffling yourself before each ``fit``
    (``keras.utils.set_random_seed``) if two trainings must see the batches in the same order.
    Used by chapters 1 and 2 for their leave-one-speaker-out loops.
    """
    import keras

    if getattr(model, "optimizer", None) is None:
        raise ValueError("compile the model before initial_state(model): it has no optimizer.")
    model.optimizer.build(model.trainable_variables)  # creates its variables now
    variables = list(model.weights) + [
        v for v in model.optimizer.variables if "learning_rate" not in v.path
    ]
    values = [keras.ops.convert_to_numpy(v) for v in variables]

    def restore() -> None:
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)

    return restore


def predict(model, X) -> np.ndarray:
    """``model(X)`` in inference mode, as a NumPy array: X (n, input_dim) -> (n, output_dim).

    One direct call instead of ``model.predict``: no ``tf.function`` is traced and no
    progress bar printed, which matters when a chapter scores many small test sets
    (chapter 2). Dropout is off (``training=False``).
    """
    import keras

    return keras.ops.convert_to_numpy(model(np.asarray(X, dtype="float32"), training=False))
