"""The speech codec of chapter 4 as a library: vector quantizer, residual VQ, encoder and decoder.

Chapter 4 ("Vector quantization and VQ-VAE for speech compression",
``book/04_vq_compression.ipynb``) derives every piece and writes it out where it is taught;
chapter 4, chapter 6 (generating speech from codes) and the live lab import them from here:

- :class:`VectorQuantizer`: nearest codeword, straight-through gradient, commitment loss, and a
  codebook kept by moving averages (``update="ema"``) or learned by the codebook loss of the
  original VQ-VAE (``update="loss"``), with the restart of dead codewords;
- :class:`ResidualVectorQuantizer`: S quantizers in a chain, each quantizing what the previous
  stages missed, with quantizer dropout;
- :func:`conv_encoder`, :func:`conv_decoder` and :class:`VQVAE`: the chapter's Conv1D codec of
  standardized log-mel frames;
- :func:`bits_per_second` and :func:`codes_per_utterance`: what the codes cost;
- :func:`weighted_mse` and :func:`train_vqvae`: the chapter's reconstruction loss and training.
- :func:`training_segments` and :func:`code_utterances`: the training segments, and what a
  receiver gets for whole utterances (used by chapter 4 and its second part, chapter 4b,
  ``book/04b_vq_training_choices.ipynb``, which compares restart, codebook loss and beta).

Notation (chapter 4): K codewords of dimension D (``codebook_size``, ``code_dim``) per stage,
S residual stages (``stages``), one code every ``stride`` frames (the encoder's stride; chapter 4
keeps the letter r for the residual), the commitment weight beta and the EMA decay gamma.
Shapes: a batch of segments X is (batch, T, F) with F = 40 standardized mel bands; the encoder's
output z_e is (batch, ceil(T / stride), D); the code indices are (batch, ceil(T / stride)) for one
quantizer and (batch, ceil(T / stride), S) for all stages.

Importing this module imports Keras on the TensorFlow backend, after quieting TensorFlow as the
setup cell of every chapter does. The nearest-codeword argmin is ``tf.math.argmin``: in an ONNX
export, ``keras.ops.argmin`` becomes a node that onnxruntime rejects (the live lab runs the codec
in the browser with onnxruntime-web).
"""

from __future__ import annotations

import numpy as np

from .features import FRAMES_PER_SECOND, N_MELS, context_windows
from .metrics import bit_rate, bits_per_code
from .runtime import quiet_tensorflow

quiet_tensorflow()  # before TensorFlow's first import: no log lines, Keras on TensorFlow

import keras  # noqa: E402 (after quiet_tensorflow)
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402

#: Chapter 4's configuration: codewords per stage (K), so log2(256) = 8 bits per code and stage.
CODEBOOK_SIZE = 256
#: Dimension D of a code vector z_e (the encoder's output channels).
CODE_DIM = 32
#: Residual stages S of the chapter's model: 250 bit/s each, 1000 bit/s with all four.
STAGES = 4
#: Frames per code: the encoder's stride (one code every 2 x 16 ms = 32 ms).
STRIDE = 2
#: Channels of the hidden convolutions of the encoder and the decoder.
CHANNELS = 128
#: Commitment weight beta (van den Oord et al. 2017).
BETA = 0.25
#: EMA decay gamma of the codebook's moving averages.
EMA_DECAY = 0.99
#: A codeword is dead when its moving-average count N_k falls below this (vectors per batch).
RESTART_BELOW = 1.0

_UPDATES = ("ema", "loss")


# ----------------------------------------------------------------------------------------------
# Input checks
# ----------------------------------------------------------------------------------------------


def _positive_int(value, name: str, meaning: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} ({meaning}) must be a whole number >= 1, got {value!r}.")
    return int(value)


def _number(value, name: str, meaning: str, low: float, high: float, high_included: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} ({meaning}) must be a number, got {value!r}.")
    value = float(value)
    inside = low <= value <= high if high_included else low <= value < high
    if not np.isfinite(value) or not inside:
        interval = f"[{low:g}, {high:g}]" if high_included else f"[{low:g}, {high:g})"
        raise ValueError(f"{name} ({meaning}) must lie in {interval}, got {value!r}.")
    return value


# ----------------------------------------------------------------------------------------------
# One quantizer
# ----------------------------------------------------------------------------------------------


class VectorQuantizer(keras.layers.Layer):
    """Nearest-codeword quantizer of the VQ-VAE, with its codebook update (chapter 4).

    Call ``z_q, codes = quantizer(z, training=False)`` with z of shape (..., D), e.g. the encoder's
    output (batch, time, D). Every vector z in R^D along the last axis is replaced by its nearest
    codeword of the codebook C in R^{K x D}::

        k*(z) = argmin_k ||z - c_k||^2,    e = c_{k*(z)},    z_q = z + sg(e - z)

    ``codes`` (..., int32 in 0 ... K-1) holds k*; ``z_q`` (..., D) equals e in the forward pass
    and, by the straight-through estimator (sg = stop-gradient), has the identity as its Jacobian:
    the gradient reaches z unchanged. Ties go to the lowest index.

    **Losses** (added with ``add_loss`` only when called with ``training=True``). Over the N
    vectors z_1 ... z_N of the call (every position of the leading axes, e.g. batch x time)::

        commitment = beta * (1 / (N * D)) * sum_n ||z_n - sg(e_n)||^2

    a mean over the vectors *and* over their D dimensions (``beta * mean((z - sg(e))**2)``).
    With ``update="loss"`` the codebook loss of the original VQ-VAE is added to the same term,
    ``(1 / (N * D)) * sum_n ||sg(z_n) - e_n||^2``, and it is the only gradient the (then
    trainable) codebook receives, as in the Keras VQ-VAE example. A :class:`ResidualVectorQuantizer`
    adds one such term per stage, computed on that stage's input; Keras sums them into the loss.

    **Codebook by moving averages** (``update="ema"``, the chapter's default; the codebook is not
    trainable). In a training call, codeword k receives n_k vectors with sum s_k in R^D, and::

        N_k <- gamma * N_k + (1 - gamma) * n_k,    M_k <- gamma * M_k + (1 - gamma) * s_k,
        c_k <- M_k / N_k  if n_k > 0,  else c_k stays exactly where it was.

    (For n_k = 0, M_k / N_k would give the same c_k up to rounding; the update skips it, so the
    codeword stays bit for bit.)

    The averages start consistent with the random codebook C_0 ~ N(0, 1): M = C_0 and N = 1 (a
    pseudo-count of one vector at each initial codeword), so c_k = M_k / N_k holds from the first
    step on, and a codeword that receives no vector keeps its place (M_k and N_k shrink by the
    same factor gamma). Two other starts break this: M = 0 (the chapter's first version) moves
    every unused codeword to 0 after the first batch, and N = 0 with Laplace-smoothed counts sends
    it to about gamma * c_k / epsilon, far from the data.

    **Restart of dead codewords** (``restart_below`` = rho > 0, both update rules). After the
    update, a codeword whose count N_k is below rho (rho = 1: fewer than one vector per batch,
    on recent average) is replaced by an input vector of the batch chosen at random, with its
    averages restarted consistently (M_k = c_k, N_k = 1), as SoundStream and EnCodec do. (With
    ``update="loss"`` only c_k and N_k are reset; the optimizer keeps its own state for c_k.)
    ``restart_below=None`` or ``0`` switches the restart off.

    Parameters
    ----------
    codebook_size : int, K >= 1 (``log2(K)`` bits per code).
    code_dim : int, D >= 1, the size of the last axis of the input.
    beta : float >= 0, the commitment weight.
    ema_decay : float in [0, 1), gamma. Also used for the counts N that decide restarts.
    restart_below : float >= 0 or None, rho (vectors per batch).
    update : ``"ema"`` or ``"loss"``.
    seed : int, for the initial codebook and the choice of restart vectors.
    """

    def __init__(
        self,
        codebook_size: int = CODEBOOK_SIZE,
        code_dim: int = CODE_DIM,
        *,
        beta: float = BETA,
        ema_decay: float = EMA_DECAY,
        restart_below: float | None = RESTART_BELOW,
        update: str = "ema",
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.codebook_size = _positive_int(codebook_size, "codebook_size", "K, codewords")
        self.code_dim = _positive_int(code_dim, "code_dim", "D, values per code vector")
        self.beta = _number(beta, "beta", "the commitment weight", 0.0, np.inf, True)
        self.ema_decay = _number(ema_decay, "ema_decay", "gamma", 0.0, 1.0, False)
        if restart_below is not None:
            restart_below = _number(
                restart_below, "restart_below", "vectors per batch, or None", 0.0, np.inf, True
            )
        self.restart_below = restart_below
        self.restart = bool(restart_below)
        if update not in _UPDATES:
            raise ValueError(
                f"update must be 'ema' (codebook by moving averages, chapter 4's default) or "
                f"'loss' (codebook loss of the original VQ-VAE), got {update!r}."
            )
        self.update = update
        self.seed = int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        K, D = self.codebook_size, self.code_dim
        self.codebook = self.add_weight(
            shape=(K, D),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
            trainable=update == "loss",
            name="codebook",
        )
        self.ema_count = self.add_weight(
            shape=(K,), initializer="ones", trainable=False, name="ema_count"
        )  # N
        self.ema_sum = None  # M, only for update="ema"
        if update == "ema":
            self.ema_sum = self.add_weight(
                shape=(K, D), initializer="zeros", trainable=False, name="ema_sum"
            )
            self.ema_sum.assign(self.codebook)  # M = C_0, with N = 1: c_k = M_k / N_k

    def set_codebook(self, codebook) -> None:
        """Replace the codebook by ``codebook`` (K, D), e.g. a k-means codebook, and restart the
        moving averages consistently with it (M = C, N = 1)."""
        codebook = np.asarray(codebook, dtype="float32")
        if codebook.shape != (self.codebook_size, self.code_dim):
            raise ValueError(
                f"the codebook must have shape (K, D) = {(self.codebook_size, self.code_dim)}, "
                f"got {codebook.shape}."
            )
        if not np.all(np.isfinite(codebook)):
            raise ValueError("the codebook contains NaN or infinite values.")
        self.codebook.assign(codebook)
        self.ema_count.assign(np.ones(self.codebook_size, dtype="float32"))
        if self.ema_sum is not None:
            self.ema_sum.assign(codebook)

    def nearest(self, flat):
        """Index of the nearest codeword of every row: flat (N, D) -> codes (N,), int32.

        Uses ``||z - c||^2 = ||z||^2 - 2 z.c + ||c||^2``; the first term does not change the argmin.
        """
        C = ops.convert_to_tensor(self.codebook)
        squared_distances = ops.sum(C**2, axis=1)[None, :] - 2.0 * ops.matmul(
            flat, ops.transpose(C)
        )  # (N, K), up to ||z||^2
        return tf.math.argmin(squared_distances, axis=1, output_type=tf.int32)

    def lookup(self, codes):
        """The codewords named by ``codes`` (..., int): (..., D). What the receiver does."""
        return ops.take(self.codebook, ops.cast(codes, "int32"), axis=0)

    def call(self, z, training=False):
        self._check_input(z)
        flat = ops.reshape(z, (-1, self.code_dim))  # (N, D)
        codes = self.nearest(flat)  # (N,)
        e = ops.take(self.codebook, codes, axis=0)  # (N, D)
        if training:
            self.add_loss(self.quantizer_loss(flat, e))
            self.update_codebook(flat, codes)
        e = ops.reshape(e, ops.shape(z))
        z_q = z + ops.stop_gradient(e - z)  # straight-through: forward e, gradient identity
        return z_q, ops.reshape(codes, ops.shape(z)[:-1])

    def quantizer_loss(self, flat, e):
        """beta * mean((z - sg(e))**2), plus mean((sg(z) - e)**2) for ``update="loss"``: a scalar.

        flat and e: (N, D), the input vectors and their codewords (the formula is in the class's
        docstring).
        """
        loss = self.beta * ops.mean((flat - ops.stop_gradient(e)) ** 2)  # commitment
        if self.update == "loss":
            loss = loss + ops.mean((ops.stop_gradient(flat) - e) ** 2)  # codebook loss
        return loss

    def update_codebook(self, flat, codes):
        """One training step of the codebook's bookkeeping: the counts N (for ``update="ema"`` also
        the sums M and the codewords) by moving averages, then the restart of dead codewords.

        flat: (N, D) the batch's input vectors; codes: (N,) their nearest codewords.
        """
        flat = ops.stop_gradient(flat)
        gamma = self.ema_decay
        one_hot = ops.one_hot(codes, self.codebook_size, dtype=flat.dtype)  # (N, K)
        counts = ops.sum(one_hot, axis=0)  # n_k, (K,)
        N = gamma * self.ema_count + (1.0 - gamma) * counts
        M, C = None, ops.convert_to_tensor(self.codebook)
        if self.update == "ema":
            sums = ops.matmul(ops.transpose(one_hot), flat)  # s_k, (K, D)
            M = gamma * self.ema_sum + (1.0 - gamma) * sums
            centroids = M / ops.maximum(N, 1e-12)[:, None]  # the guard only matters where n_k = 0
            C = ops.where(counts[:, None] > 0, centroids, C)  # unused codewords stay put
        if self.restart:
            C, M, N = self.restart_dead(flat, C, M, N)
        self.ema_count.assign(N)
        if M is not None:
            self.ema_sum.assign(M)
        if self.update == "ema" or self.restart:
            self.codebook.assign(C)

    def restart_dead(self, flat, C, M, N):
        """Replace every codeword with N_k < restart_below by a random row of flat (N, D).

        C (K, D), M (K, D) or None, N (K,): the updated values. Returns the new (C, M, N).
        """
        dead = N < self.restart_below  # (K,)
        pick = keras.random.randint(
            (self.codebook_size,), 0, ops.shape(flat)[0], seed=self.seed_generator
        )
        fresh = ops.take(flat, pick, axis=0)  # (K, D), random input vectors
        C = ops.where(dead[:, None], fresh, C)
        if M is not None:
            M = ops.where(dead[:, None], fresh, M)
        N = ops.where(dead, ops.ones_like(N), N)
        return C, M, N

    def _check_input(self, z):
        shape = tuple(z.shape)
        if len(shape) == 0 or (shape[-1] is not None and shape[-1] != self.code_dim):
            found = "a scalar" if len(shape) == 0 else f"{shape[-1]} on its last axis"
            raise ValueError(
                f"{self.name} quantizes vectors of code_dim = D = {self.code_dim} values, but its "
                f"input has {found} (input shape {shape}). Give the encoder's last layer "
                f"{self.code_dim} outputs, or build the quantizer with that code_dim."
            )

    def get_config(self):
        return {
            **super().get_config(),
            "codebook_size": self.codebook_size,
            "code_dim": self.code_dim,
            "beta": self.beta,
            "ema_decay": self.ema_decay,
            "restart_below": self.restart_below,
            "update": self.update,
            "seed": self.seed,
        }


# ----------------------------------------------------------------------------------------------
# Residual stages
# ----------------------------------------------------------------------------------------------


class ResidualVectorQuantizer(keras.layers.Layer):
    """S vector quantizers in a chain, each quantizing what the previous ones missed (chapter 4).

    Call ``z_q, codes = rvq(z, training=False, n_stages=None)`` with z (batch, ..., D)::

        r_1 = z,    e_s = Q_s(r_s),    r_{s+1} = r_s - e_s,    z_hat = sum_{s <= n} e_s,
        z_q = z + sg(z_hat - z)

    z_q (batch, ..., D) equals the sum of the first n stages' codewords in the forward pass, and
    the straight-through estimator is applied once, to the sum, so its Jacobian is the identity.
    ``codes`` (batch, ..., n), int32: the index chosen by each stage, stage s in ``codes[..., s]``.
    Decoding with n stages costs n times the bit rate of one (:func:`bits_per_second`).

    ``n_stages`` = n in 1 ... S runs the first n stages only (what a receiver at that rate gets).
    Without it all S stages run; when training with ``quantizer_dropout`` each example keeps a
    random number n in {1, ..., S} of stages in its sum (SoundStream), so that one model serves
    every rate. All S stages still see every example's residual and update their codebooks.

    The commitment loss (training only) is one term per stage, on that stage's input r_s, summed
    over all S stages (also under quantizer dropout), with N vectors of dimension D per stage::

        commitment = beta * sum_{s=1..S} (1 / (N * D)) * sum_n ||r_{s,n} - sg(e_{s,n})||^2

    (with ``update="loss"`` each stage adds its codebook loss too, see :class:`VectorQuantizer`).

    ``beta``, ``ema_decay``, ``restart_below`` and ``update`` go to every stage (see
    :class:`VectorQuantizer`); stage s (from 0) is seeded with ``seed + s``.
    """

    def __init__(
        self,
        stages: int = STAGES,
        codebook_size: int = CODEBOOK_SIZE,
        code_dim: int = CODE_DIM,
        *,
        beta: float = BETA,
        ema_decay: float = EMA_DECAY,
        restart_below: float | None = RESTART_BELOW,
        update: str = "ema",
        quantizer_dropout: bool = True,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.stages = _positive_int(stages, "stages", "S, residual quantizers")
        self.quantizer_dropout = bool(quantizer_dropout)
        self.seed = int(seed)
        self.quantizers = [
            VectorQuantizer(
                codebook_size,
                code_dim,
                beta=beta,
                ema_decay=ema_decay,
                restart_below=restart_below,
                update=update,
                seed=self.seed + s,
                name=f"stage_{s + 1}",
            )
            for s in range(self.stages)
        ]
        self.seed_generator = keras.random.SeedGenerator(self.seed + self.stages)

    @property
    def codebook_size(self) -> int:
        return self.quantizers[0].codebook_size

    @property
    def code_dim(self) -> int:
        return self.quantizers[0].code_dim

    def _check_n_stages(self, n_stages) -> int:
        if (
            isinstance(n_stages, bool)
            or not isinstance(n_stages, (int, np.integer))
            or not 1 <= n_stages <= self.stages
        ):
            raise ValueError(
                f"n_stages must be a whole number from 1 to S = {self.stages} (the stages this "
                f"quantizer has), got {n_stages!r}."
            )
        return int(n_stages)

    def call(self, z, training=False, n_stages=None):
        quantizers, kept = self.quantizers, None
        if n_stages is not None:
            quantizers = self.quantizers[: self._check_n_stages(n_stages)]
        elif training and self.quantizer_dropout:
            shape = (ops.shape(z)[0],) + (1,) * (len(z.shape) - 1)
            kept = keras.random.randint(shape, 1, self.stages + 1, seed=self.seed_generator)
            kept = ops.cast(kept, z.dtype)  # stages kept, per example: (batch, 1, ..., 1)
        residual, z_hat, codes = z, ops.zeros_like(z), []
        for s, quantizer in enumerate(quantizers):
            stage_output, stage_codes = quantizer(residual, training=training)
            e = ops.stop_gradient(stage_output)  # the stage's codewords, as values
            z_hat = z_hat + (e if kept is None else ops.cast(s < kept, z.dtype) * e)
            residual = residual - e
            codes.append(stage_codes)
        z_q = z + ops.stop_gradient(z_hat - z)  # straight-through, once, for the sum
        return z_q, ops.stack(codes, axis=-1)

    def lookup(self, codes):
        """Sum of the codewords named by ``codes`` (..., n) with n <= S: (..., D). The receiver."""
        n = codes.shape[-1]
        if n is None or not 1 <= n <= self.stages:
            raise ValueError(
                f"codes must have 1 to S = {self.stages} stages on their last axis, got shape "
                f"{tuple(codes.shape)}."
            )
        return sum(self.quantizers[s].lookup(codes[..., s]) for s in range(n))

    def get_config(self):
        first = self.quantizers[0]
        return {
            **super().get_config(),
            "stages": self.stages,
            "codebook_size": first.codebook_size,
            "code_dim": first.code_dim,
            "beta": first.beta,
            "ema_decay": first.ema_decay,
            "restart_below": first.restart_below,
            "update": first.update,
            "quantizer_dropout": self.quantizer_dropout,
            "seed": self.seed,
        }


# ----------------------------------------------------------------------------------------------
# Encoder, decoder, the model
# ----------------------------------------------------------------------------------------------


def _conv(filters, width, seed, strides=1, activation="relu", name=None):
    return keras.layers.Conv1D(
        filters,
        width,
        strides=strides,
        padding="same",
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        name=name,
    )


def conv_encoder(
    n_mels: int = N_MELS,
    *,
    channels: int = CHANNELS,
    code_dim: int = CODE_DIM,
    stride: int = STRIDE,
    seed: int = 0,
    name: str = "encoder",
):
    """Chapter 4's encoder E: frames X (batch, T, n_mels) -> z_e (batch, ceil(T / stride), D).

    X holds standardized log-mel frames. Three 1-D convolutions over time with ReLU (widths 3,
    2 * stride with stride ``stride``, and 3; ``channels`` each, padding "same"), then a linear
    width-1 convolution to ``code_dim`` = D: one code vector every ``stride`` frames (every 32 ms
    for the chapter's stride 2). Any T works; the weights are initialized from ``seed``.
    """
    n_mels = _positive_int(n_mels, "n_mels", "mel bands per frame")
    channels = _positive_int(channels, "channels", "hidden channels")
    code_dim = _positive_int(code_dim, "code_dim", "D, values per code vector")
    stride = _positive_int(stride, "stride", "frames per code")
    return keras.Sequential(
        [
            keras.Input((None, n_mels)),
            _conv(channels, 3, seed),
            _conv(channels, 2 * stride, seed + 1, strides=stride),
            _conv(channels, 3, seed + 2),
            _conv(code_dim, 1, seed + 3, activation=None, name="z_e"),
        ],
        name=name,
    )


def conv_decoder(
    n_mels: int = N_MELS,
    *,
    channels: int = CHANNELS,
    code_dim: int = CODE_DIM,
    stride: int = STRIDE,
    seed: int = 100,
    name: str = "decoder",
):
    """Chapter 4's decoder G: codes (batch, T', D) -> frames X_hat (batch, stride * T', n_mels).

    X_hat holds standardized log-mel frames. The mirror image of :func:`conv_encoder`: a width-3
    convolution, a transposed convolution of width 2 * stride and stride ``stride`` that restores
    the frame rate, a width-3 convolution (ReLU, ``channels`` each), then a linear width-1
    convolution to ``n_mels`` bands. The weights are initialized from ``seed``.
    """
    n_mels = _positive_int(n_mels, "n_mels", "mel bands per frame")
    channels = _positive_int(channels, "channels", "hidden channels")
    code_dim = _positive_int(code_dim, "code_dim", "D, values per code vector")
    stride = _positive_int(stride, "stride", "frames per code")
    return keras.Sequential(
        [
            keras.Input((None, code_dim)),
            _conv(channels, 3, seed),
            keras.layers.Conv1DTranspose(
                channels,
                2 * stride,
                strides=stride,
                padding="same",
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1),
            ),
            _conv(channels, 3, seed + 2),
            _conv(n_mels, 1, seed + 3, activation=None, name="x_hat"),
        ],
        name=name,
    )


class VQVAE(keras.Model):
    """Chapter 4's VQ-VAE: encoder, residual vector quantizer, decoder.

    ``model(X, training=False, n_stages=None)`` maps standardized log-mel segments X
    (batch, T, n_mels) to their reconstruction (batch, stride * ceil(T / stride), n_mels), through
    ``n_stages`` residual stages (all S by default; a random number per example when training with
    quantizer dropout). :meth:`encode` gives the codes that are sent, :meth:`decode` what a
    receiver makes of them. The parts are ``encoder`` (:func:`conv_encoder`), ``quantizer``
    (:class:`ResidualVectorQuantizer`) and ``decoder`` (:func:`conv_decoder`); ``beta``,
    ``ema_decay``, ``restart_below`` and ``update`` are those of :class:`VectorQuantizer`.
    """

    def __init__(
        self,
        n_mels: int = N_MELS,
        *,
        channels: int = CHANNELS,
        code_dim: int = CODE_DIM,
        stride: int = STRIDE,
        stages: int = STAGES,
        codebook_size: int = CODEBOOK_SIZE,
        beta: float = BETA,
        ema_decay: float = EMA_DECAY,
        restart_below: float | None = RESTART_BELOW,
        update: str = "ema",
        quantizer_dropout: bool = True,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_mels, self.channels, self.stride = n_mels, channels, stride
        size = dict(channels=channels, code_dim=code_dim, stride=stride)
        self.encoder = conv_encoder(n_mels, **size, seed=seed)
        self.quantizer = ResidualVectorQuantizer(
            stages,
            codebook_size,
            code_dim,
            beta=beta,
            ema_decay=ema_decay,
            restart_below=restart_below,
            update=update,
            quantizer_dropout=quantizer_dropout,
            seed=seed,
            name="rvq",
        )
        self.decoder = conv_decoder(n_mels, **size, seed=seed + 100)
        self.seed = seed

    def call(self, X, training=False, n_stages=None):
        z_e = self.encoder(X, training=training)
        z_q, _ = self.quantizer(z_e, training=training, n_stages=n_stages)
        return self.decoder(z_q, training=training)

    def encode(self, X, n_stages=None):
        """The codes sent for X (batch, T, n_mels): int32 (batch, ceil(T / stride), n).

        n = ``n_stages``, or all S stages."""
        return self.quantizer(self.encoder(X), n_stages=n_stages)[1]

    def decode(self, codes):
        """Standardized frames (batch, stride * T', n_mels) from codes (batch, T', n), n <= S."""
        return self.decoder(self.quantizer.lookup(ops.convert_to_tensor(codes, "int32")))

    def get_config(self):
        quantizer = self.quantizer.get_config()
        names = ("stages", "codebook_size", "code_dim", "beta", "ema_decay", "restart_below")
        return {
            "name": self.name,
            "n_mels": self.n_mels,
            "channels": self.channels,
            "stride": self.stride,
            **{name: quantizer[name] for name in names},
            "update": quantizer["update"],
            "quantizer_dropout": quantizer["quantizer_dropout"],
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


# ----------------------------------------------------------------------------------------------
# Bit rate
# ----------------------------------------------------------------------------------------------


def bits_per_second(
    codebook_size: int = CODEBOOK_SIZE,
    stages: int = 1,
    *,
    stride: int = STRIDE,
    frames_per_second: float = FRAMES_PER_SECOND,
) -> float:
    """Bit rate of the codec in bit/s: ``(frames_per_second / stride) * stages * log2(K)``.

    Computed by :func:`utils.metrics.bit_rate` with ``codes_per_second = frames_per_second /
    stride``. The chapter's model: 62.5 / 2 = 31.25 codes per second and stage, 8 bits each
    (K = 256), so 250 bit/s per stage and 500 bit/s with two stages (chapter 4).
    """
    codebook_size = _positive_int(codebook_size, "codebook_size", "K, codewords")
    stages = _positive_int(stages, "stages", "S, residual quantizers")
    stride = _positive_int(stride, "stride", "frames per code")
    return bit_rate(
        bits_per_code(codebook_size), codes_per_second=frames_per_second / stride, stages=stages
    )


def codes_per_utterance(n_frames: int, stride: int = STRIDE) -> int:
    """Codes sent per stage for an utterance of ``n_frames`` frames: ceil(n_frames / stride).

    The encoder pads the end of an utterance ("same" padding), so a last, partly padded code is
    sent too and counts in the bit rate.
    """
    n_frames = _positive_int(n_frames, "n_frames", "frames of the utterance")
    stride = _positive_int(stride, "stride", "frames per code")
    return -(-n_frames // stride)


# ----------------------------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------------------------


def weighted_mse(band_std=None):
    """Chapter 4's reconstruction loss ``mean_{t, m} w_m (X - X_hat)^2`` as a Keras loss function.

    X, X_hat: (batch, T, F) standardized frames. ``band_std`` (F,) holds the standard deviation
    sigma_m of each band in dB (``utils.features.Standardizer().std``); the weights
    w_m = sigma_m^2 / mean(sigma^2) undo the standardization, so the loss is the squared error in
    dB^2 divided by the mean band variance: the quantity the log-spectral distance measures.
    ``band_std=None`` weights every band by 1 (the plain mean squared error).
    """
    if band_std is None:
        weights = None
    else:
        band_std = np.asarray(band_std, dtype="float64").reshape(-1)
        if band_std.size == 0 or not np.all(np.isfinite(band_std)) or np.any(band_std <= 0):
            raise ValueError("band_std must hold one positive, finite standard deviation per band.")
        weights = (band_std**2 / np.mean(band_std**2)).astype("float32")

    def loss(X, X_hat):
        squared_error = (X - X_hat) ** 2
        return ops.mean(squared_error if weights is None else weights * squared_error)

    return loss


def train_vqvae(
    model: VQVAE,
    segments,
    *,
    loss=None,
    epochs: int = 8,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    seed: int = 0,
    callbacks=None,
    steps_per_execution: int = 16,
):
    """Train ``model`` to reconstruct standardized ``segments`` (n, T, n_mels); returns its History.

    Adam with ``learning_rate``, ``epochs`` passes over the segments in shuffled batches of
    ``batch_size`` (``keras.utils.set_random_seed(seed)`` first, which fixes the shuffling and
    every global generator), ``loss`` = the reconstruction loss (default:
    :func:`weighted_mse` with equal weights) plus the quantizers' commitment (and codebook)
    losses. T must be a multiple of the model's stride, so that the decoder returns T frames.
    ``history.history["loss"]`` holds the total training loss per epoch (chapter 4).
    ``steps_per_execution`` minibatch steps run in one call into TensorFlow: the same updates in
    the same order (callbacks still see every epoch), with less Python between them.
    """
    segments = np.asarray(segments, dtype="float32")
    if segments.ndim != 3 or segments.shape[2] != model.n_mels:
        raise ValueError(
            f"segments must have shape (n_segments, T, n_mels = {model.n_mels}), "
            f"got {segments.shape}."
        )
    if segments.shape[0] == 0 or not np.all(np.isfinite(segments)):
        raise ValueError("segments must be a non-empty array of finite numbers.")
    if segments.shape[1] % model.stride:
        raise ValueError(
            f"segments have T = {segments.shape[1]} frames, not a multiple of the stride "
            f"{model.stride}: the decoder would return {model.stride} x ceil(T / stride) frames. "
            "Cut segments whose length is a multiple of the stride."
        )
    keras.utils.set_random_seed(seed)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=weighted_mse() if loss is None else loss,
        steps_per_execution=_positive_int(
            steps_per_execution, "steps_per_execution", "minibatch steps per call"
        ),
    )
    return model.fit(
        segments,
        segments,
        batch_size=_positive_int(batch_size, "batch_size", "segments per batch"),
        epochs=_positive_int(epochs, "epochs", "passes over the segments"),
        shuffle=True,
        verbose=0,
        callbacks=list(callbacks or []),
    )


# ----------------------------------------------------------------------------------------------
# Data for the codec: training segments, and coding whole utterances
# ----------------------------------------------------------------------------------------------


def training_segments(spectrograms, standardizer, segment_frames: int = 32, hop: int = 8):
    """Chapter 4's training segments: standardized frames, (n_segments, segment_frames, n_mels).

    spectrograms: list of log-mel spectrograms (n_mels, n_frames_i) in dB, the training takes;
    standardizer: a fitted :class:`utils.features.Standardizer` (its ``transform`` maps dB frames
    (n, n_mels) to standardized ones). The utterances are put end to end into one stream of
    frames, and a segment of ``segment_frames`` frames starts every ``hop`` frames
    (:func:`utils.features.context_windows`). So a few segments straddle the boundary between two
    utterances (most FSDD words are shorter than a 32-frame segment): the model also learns to
    code these jumps. ``segment_frames`` must be a multiple of the model's stride.
    """
    segment_frames = _positive_int(segment_frames, "segment_frames", "frames per segment")
    hop = _positive_int(hop, "hop", "frames between segment starts")
    if len(spectrograms) == 0:
        raise ValueError(
            "spectrograms is empty: pass the training utterances' log-mel spectrograms."
        )
    frames = np.concatenate([np.asarray(S).T for S in spectrograms])  # (N_frames, n_mels) dB
    stream = standardizer.transform(frames)  # (N_frames, n_mels), standardized
    n_mels = stream.shape[1]
    windows = context_windows(stream.T, segment_frames, hop=hop)  # (n, T * n_mels)
    return windows.reshape(-1, segment_frames, n_mels).astype("float32")


def code_utterances(model: VQVAE, spectrograms, standardizer, n_stages: int | None = None):
    """Send every utterance through ``model`` with ``n_stages`` stages (all S by default).

    spectrograms: list of log-mel spectrograms (n_mels, n_frames_i) in dB (e.g. the test takes);
    standardizer: the fitted :class:`utils.features.Standardizer` the model was trained with.

    Each utterance is standardized and padded at its end (repeating its last frame) to a common
    length, a multiple of the stride; the whole list goes through the model at once, and the
    padding is cut off again. Returns ``(decoded, codes)``:

    - decoded: list of (n_mels, n_frames_i) log-mel spectrograms in dB, what the receiver hears;
    - codes: list of int arrays (ceil(n_frames_i / stride), n), the codes *sent* for utterance i
      (:func:`codes_per_utterance` per stage: the last code of an utterance whose length is not a
      multiple of the stride covers padding frames, and it is sent and counted too).
    """
    if len(spectrograms) == 0:
        raise ValueError("spectrograms is empty: pass at least one utterance.")
    lengths = [np.asarray(S).shape[1] for S in spectrograms]
    stride = model.stride
    padded_length = stride * -(-max(lengths) // stride)
    X = np.stack(
        [
            np.pad(
                standardizer.transform(np.asarray(S).T),
                ((0, padded_length - n), (0, 0)),
                mode="edge",
            )
            for S, n in zip(spectrograms, lengths, strict=True)
        ]
    )  # (n_utterances, padded_length, n_mels), standardized
    z_q, codes = model.quantizer(model.encoder(X), n_stages=n_stages)
    X_hat = np.asarray(model.decoder(z_q))  # (n_utterances, padded_length, n_mels)
    codes = np.asarray(codes)  # (n_utterances, padded_length / stride, n)
    decoded = [standardizer.inverse_transform(X_hat[i, :n]).T for i, n in enumerate(lengths)]
    sent = [codes[i, : codes_per_utterance(n, stride)] for i, n in enumerate(lengths)]
    return decoded, sent
