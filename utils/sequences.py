"""Variable-length sequences: trim, pad to one length with a mask, a loss that ignores the padding.

Explained in chapter 5 ("Sequence autoencoders", ``book/05_sequence_autoencoders.ipynb``).
A batch of utterances of different lengths becomes one array ``X`` of shape
``(n_sequences, n_steps, n_features)`` plus a ``mask`` of shape
``(n_sequences, n_steps)`` that is 1 on real frames and 0 on padding. Every
average over frames is then taken over real frames only, so that how much
padding a batch happens to carry changes nothing.

Sequences are *time-major* here (one row per frame, as models see them):
transpose a log-mel spectrogram ``(n_mels, n_frames)`` with ``.T`` first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .validation import check_matrix


def trim_silence(log_mel_db, top_db: float = 40.0, max_frames: int | None = None) -> np.ndarray:
    """Cut the silence before and after the word from a log-mel spectrogram.

    log_mel_db: (n_mels, n_frames) in dB, as made by :func:`utils.features.log_mel`.
    Keeps the frames from the first to the last one whose total power is within ``top_db`` dB
    of the loudest frame, then at most the first ``max_frames`` of them (``None``: no limit).
    Returns (n_mels, n_kept) with 1 <= n_kept <= n_frames, float32.
    """
    log_mel_db = check_matrix(log_mel_db, name="log_mel_db")
    if not np.isfinite(top_db) or top_db <= 0:
        raise ValueError(f"top_db must be a positive number of decibels, got {top_db!r}.")
    if max_frames is not None and (not isinstance(max_frames, (int, np.integer)) or max_frames < 1):
        raise ValueError(
            f"max_frames must be a positive number of frames or None, got {max_frames!r}."
        )
    frame_db = 10.0 * np.log10(np.sum(10.0 ** (log_mel_db.astype(np.float64) / 10.0), axis=0))
    loud = np.flatnonzero(frame_db >= frame_db.max() - top_db)
    kept = log_mel_db[:, loud[0] : loud[-1] + 1]
    if max_frames is not None:
        kept = kept[:, :max_frames]
    return kept.astype(np.float32)


def pad_sequences(
    sequences: Sequence, n_steps: int | None = None, *, value: float = 0.0, multiple_of: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Pad time-major sequences to one length and return them with their mask.

    sequences: list of arrays of shape (n_frames_i, n_features), the same ``n_features`` for all.
    n_steps: the common length; ``None`` takes the longest sequence, rounded up to a multiple of
    ``multiple_of`` (useful when a strided convolution follows). A sequence longer than ``n_steps``
    is an error: crop it first (e.g. with :func:`trim_silence`).
    value: what the padded frames hold (0 is the mean frame of standardized features).
    Returns ``X`` float32 (n_sequences, n_steps, n_features), padded at the end, and ``mask``
    float32 (n_sequences, n_steps): 1 on the first n_frames_i steps of row i, 0 after.
    """
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        raise TypeError(
            "pass a list of (n_frames, n_features) arrays, not one array; wrap it as [array]."
        )
    sequences = [check_matrix(s, name=f"sequence {i}") for i, s in enumerate(sequences)]
    if not sequences:
        raise ValueError("no sequences given.")
    n_features = sequences[0].shape[1]
    for i, s in enumerate(sequences):
        if s.shape[1] != n_features:
            raise ValueError(
                f"sequence {i} has {s.shape[1]} features per frame, sequence 0 has {n_features}; "
                "did you forget to transpose a (n_mels, n_frames) spectrogram with .T?"
            )
    if not isinstance(multiple_of, (int, np.integer)) or multiple_of < 1:
        raise ValueError(f"multiple_of must be a positive integer, got {multiple_of!r}.")
    longest = max(s.shape[0] for s in sequences)
    if n_steps is None:
        n_steps = -(-longest // multiple_of) * multiple_of
    if not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive number of steps, got {n_steps!r}.")
    if longest > n_steps:
        raise ValueError(
            f"a sequence has {longest} frames, more than n_steps={n_steps}; crop it first."
        )
    X = np.full((len(sequences), n_steps, n_features), value, dtype=np.float32)
    mask = np.zeros((len(sequences), n_steps), dtype=np.float32)
    for i, s in enumerate(sequences):
        X[i, : s.shape[0]] = s
        mask[i, : s.shape[0]] = 1.0
    return X, mask


def _check_mask(mask, X) -> np.ndarray:
    mask = np.asarray(mask, dtype=np.float64)
    if mask.shape != X.shape[:2]:
        raise ValueError(
            f"mask has shape {mask.shape}, expected (n_sequences, n_steps) = {X.shape[:2]}."
        )
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError("mask must hold only 0 (padding) and 1 (real frame).")
    return mask


def lengths(mask) -> np.ndarray:
    """Real frames per sequence, (n_sequences,) int, from a mask (n_sequences, n_steps)."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"mask must have shape (n_sequences, n_steps), got {mask.shape}.")
    return mask.sum(axis=1).astype(int)


def masked_mse(X, X_hat, mask, *, per_sequence: bool = False):
    """Mean squared error over real frames only (padding does not count).

    X, X_hat: (n_sequences, n_steps, n_features); mask: (n_sequences, n_steps) of 0/1.
    Returns ``sum(mask * (X - X_hat)**2) / (n_features * sum(mask))``, a float in the squared units
    of X; with ``per_sequence=True`` the same average within each sequence, shape (n_sequences,).
    """
    X = np.asarray(X, dtype=np.float64)
    X_hat = np.asarray(X_hat, dtype=np.float64)
    if X.ndim != 3 or X_hat.shape != X.shape:
        raise ValueError(
            f"X and X_hat must have the same shape (n_sequences, n_steps, n_features); "
            f"got {X.shape} and {X_hat.shape}."
        )
    mask = _check_mask(mask, X)
    if np.any(mask.sum(axis=1) == 0):
        raise ValueError(
            "every sequence needs at least one real frame (a row of the mask is all zeros)."
        )
    squared = np.mean((X - X_hat) ** 2, axis=2) * mask  # (n_sequences, n_steps), 0 on padding
    if per_sequence:
        return squared.sum(axis=1) / mask.sum(axis=1)
    return float(squared.sum() / mask.sum())


# ----------------------------------------------------------------------------------------------
# The chapter's LSTM autoencoder and its training recipe, shared by both parts of chapter 5
# (``book/05_sequence_autoencoders.ipynb`` derives them, ``book/05b_sequence_structure.ipynb``
# reuses them).
# ----------------------------------------------------------------------------------------------

MAX_FRAMES = 48  #: frames kept of each trimmed word (0.77 s at 62.5 frames/s), a multiple of STRIDE
STRIDE = 4  #: frames per step of the Conv1D front-end (and per step of the decoder)
EPOCHS, BATCH_SIZE, LEARNING_RATE = 30, 128, 3e-3  #: the recipe every chapter-5 model trains with
STEPS_PER_EXECUTION = 8  #: minibatch steps per call into TensorFlow (the same updates, less Python)


def words_from_log_mels(log_mels_db, max_frames: int = MAX_FRAMES, top_db: float = 40.0) -> list:
    """Trim the silence of every log-mel spectrogram and keep at most ``max_frames`` frames.

    log_mels_db: list of (n_mels, n_frames_i) in dB. Returns a list of (n_mels, n_kept_i) float32
    with 1 <= n_kept_i <= max_frames (:func:`trim_silence` of each; chapter 5 explains why).
    """
    return [trim_silence(S, top_db=top_db, max_frames=max_frames) for S in log_mels_db]


def standardize_and_pad(words, fit_rows, n_steps: int = MAX_FRAMES):
    """Standardize every word with per-band statistics of the ``fit_rows`` words, then pad.

    words: list of (n_mels, n_frames_i) dB arrays; fit_rows: bool (n_words,), the words whose
    frames give the mean and deviation of each band (the training words only).
    Returns ``(standardizer, X, mask)``: a fitted :class:`utils.features.Standardizer`, X float32
    (n_words, n_steps, n_mels) time-major in standardized units (padding 0, the mean frame) and
    mask float32 (n_words, n_steps).
    """
    from .features import Standardizer, frames

    fit_rows = np.asarray(fit_rows, dtype=bool)
    if fit_rows.shape != (len(words),):
        raise ValueError(
            f"fit_rows must have one entry per word ({len(words)}), got {fit_rows.shape}."
        )
    if not fit_rows.any():
        raise ValueError("fit_rows selects no word: the statistics need training words.")
    standardizer = Standardizer().fit(
        frames([w for w, keep in zip(words, fit_rows, strict=True) if keep])
    )
    X, mask = pad_sequences([standardizer.transform(w.T) for w in words], n_steps=n_steps)
    return standardizer, X, mask


def sequence_autoencoder(
    z_dim: int,
    units: int = 96,
    filters: int = 64,
    name: str = "lstm",
    n_mels: int = 40,
    stride: int = STRIDE,
):
    """Chapter 5's LSTM autoencoder: returns ``(encoder, decoder_for)``.

    encoder([X, mask]) -> z (n, z_dim): a Conv1D front-end (``filters`` channels, kernel
    2*stride frames, stride ``stride``) and an LSTM with ``units`` units whose state after the
    last real step goes through a dense layer to z. X: (n, T, n_mels) with T any multiple of
    ``stride``; mask: (n, T) of 0/1.
    decoder_for(T) -> a model z (n, z_dim) -> X_hat (n, T, n_mels): an LSTM fed z at every one of
    its T/stride steps, each step emitting ``stride`` frames. The decoders for different T share
    their weights, so one trained model decodes any length.
    """
    import keras
    from keras import layers, ops

    if not isinstance(z_dim, (int, np.integer)) or z_dim < 1:
        raise ValueError(f"z_dim must be a positive whole number, got {z_dim!r}.")
    x = keras.Input((None, n_mels), name="x")  # any number of steps T
    mask = keras.Input((None,), name="mask")
    h = layers.Conv1D(
        filters, 2 * stride, strides=stride, padding="same", activation="relu", name="front_end"
    )(x)
    blocks = layers.Reshape((-1, stride))(mask)  # (n, T/stride, stride)
    block_mask = ops.greater(ops.max(blocks, axis=-1), 0)  # a step is real if any frame is
    s_last = layers.LSTM(units, name="encoder_lstm")(h, mask=block_mask)  # after last real step
    z = layers.Dense(z_dim, name="z")(s_last)
    encoder = keras.Model([x, mask], z, name=f"{name}_encoder")
    decoder_lstm = layers.LSTM(units, return_sequences=True, name="decoder_lstm")
    frames_out = layers.Dense(stride * n_mels, name="frames_out")  # V g_j + a

    def decoder_for(n_steps: int):
        if n_steps % stride:
            raise ValueError(f"n_steps must be a multiple of {stride}, got {n_steps}.")
        z_in = keras.Input((z_dim,), name="z_in")
        g = decoder_lstm(layers.RepeatVector(n_steps // stride)(z_in))  # (n, T/stride, units)
        x_hat = layers.Reshape((n_steps, n_mels))(frames_out(g))
        return keras.Model(z_in, x_hat, name=f"{name}_decoder_{n_steps}")

    return encoder, decoder_for


def join(encoder, decoder):
    """The autoencoder [X, mask] -> X_hat of :func:`sequence_autoencoder`'s two parts."""
    import keras

    x, mask = encoder.inputs
    return keras.Model([x, mask], decoder(encoder([x, mask])))


def masked_loss():
    """Keras' squared error averaged over bands, weighted by the mask and divided by the sum of
    the weights: the masked MSE of chapter 5 (equal to :func:`masked_mse` of the batch)."""
    import keras

    return keras.losses.MeanSquaredError(reduction="mean_with_sample_weight")


def compile_recipe(autoencoder, learning_rate: float = LEARNING_RATE):
    """Compile a chapter-5 model with the recipe: Adam, the masked MSE (:func:`masked_loss`).

    ``steps_per_execution=STEPS_PER_EXECUTION`` runs that many minibatch steps per call into
    TensorFlow: the same updates in the same order, with less Python between them (for models
    this small at this batch size, the per-step overhead is a large part of the training time).
    Returns the model.
    """
    import keras

    autoencoder.compile(
        keras.optimizers.Adam(learning_rate),
        loss=masked_loss(),
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return autoencoder


def train(
    autoencoder,
    inputs,
    X,
    mask,
    *,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
    restore=None,
) -> np.ndarray:
    """Chapter 5's recipe: Adam on the masked MSE, target X, padding weighted 0.

    inputs: what the model takes ([X, mask], or X for a model without a mask input);
    X (n, T, n_mels), mask (n, T). Returns the training loss of each epoch, (epochs,).
    restore: ``None`` compiles the model with :func:`compile_recipe` (a fresh optimizer) and
    trains it from its current weights. To train one architecture several times from the same
    start (leave-one-speaker-out), compile it once with :func:`compile_recipe` and pass
    ``restore = utils.models.initial_state(model)``: each call then first puts the weights and
    the optimizer back to that start, and TensorFlow traces the training step only once.
    """
    if restore is None:
        compile_recipe(autoencoder, learning_rate)
    else:
        restore()
    history = autoencoder.fit(
        inputs, X, sample_weight=mask, epochs=epochs, batch_size=batch_size, verbose=0
    )
    return np.array(history.history["loss"])


# ----------------------------------------------------------------------------------------------
# The chapter's data, prepared once for the parts that reuse part 1's derivations
# (``book/05b_sequence_structure.ipynb``, ``book/05c_embedding_size.ipynb``).
# ----------------------------------------------------------------------------------------------


def held_out_speaker(corpus) -> str:
    """The speaker chapter 5's autoencoders never hear: "theo" in FSDD, the last fallback voice."""
    return "theo" if corpus.is_real else corpus.speakers[-1]


class ChapterWords:
    """Chapter 5's words and splits, as part 1 derives them step by step.

    Every recording of ``corpus`` (a :class:`utils.data.Corpus`) trimmed and cropped
    (:func:`words_from_log_mels`), standardized with the statistics of the autoencoder's
    training words and padded (:func:`standardize_and_pad`). Attributes, one row per recording:
    ``words`` list of (n_mels, n_frames_i) dB; ``n_frames`` (n,) int; ``takes``, ``speakers``,
    ``digits`` (n,); ``held_out`` (the speaker never heard, :func:`held_out_speaker`);
    ``official_train`` / ``official_test`` bool (n,) (takes >= 5 / < 5); ``autoencoder_rows``
    bool (n,) (official training takes of every other speaker); ``standardizer``;
    ``X`` (n, MAX_FRAMES, n_mels) standardized and ``mask`` (n, MAX_FRAMES).
    """

    def __init__(self, corpus, log_mels_db=None):
        from . import features

        if log_mels_db is None:
            log_mels_db = features.corpus_log_mels(corpus)
        if len(log_mels_db) != len(corpus):
            raise ValueError(
                f"{len(log_mels_db)} log-mel spectrograms for {len(corpus)} recordings."
            )
        self.words = words_from_log_mels(log_mels_db)
        self.n_frames = np.array([w.shape[1] for w in self.words])
        self.takes = np.array([r.take for r in corpus])
        self.speakers = np.array([r.speaker for r in corpus])
        self.digits = np.asarray(corpus.digits)
        self.held_out = held_out_speaker(corpus)
        self.official_train, self.official_test = self.takes >= 5, self.takes < 5
        self.autoencoder_rows = self.official_train & (self.speakers != self.held_out)
        self.standardizer, self.X, self.mask = standardize_and_pad(
            self.words, self.autoencoder_rows
        )

    def describe(self, i: int) -> str:
        """'digit d, speaker, take t' of recording i, for titles and audio labels."""
        return f"digit {self.digits[i]}, {self.speakers[i]}, take {self.takes[i]}"

    def reconstruct_db(self, encoder, decoder, i: int) -> np.ndarray:
        """The autoencoder's reconstruction of recording i in dB, (n_mels, n_frames_i)."""
        from keras import ops

        x_hat = decoder(encoder([self.X[i : i + 1], self.mask[i : i + 1]]))  # a direct call
        x_hat = ops.convert_to_numpy(x_hat)[0]
        return self.standardizer.inverse_transform(x_hat[: self.n_frames[i]]).T

    def test_errors(self, encoder, decoder, rows):
        """Per-recording masked MSE (standardized units) and log-spectral distance (dB) of the
        ``rows`` (bool (n,)), and the reconstructions: ``(mse, lsd, x_hat)`` with mse and lsd
        (n_rows,) and x_hat (n_rows, MAX_FRAMES, n_mels)."""
        from .metrics import log_spectral_distance

        rows = np.asarray(rows, dtype=bool)
        X, mask = self.X[rows], self.mask[rows]
        z = encoder.predict([X, mask], batch_size=512, verbose=0)
        x_hat = decoder.predict(z, batch_size=512, verbose=0)
        mse = masked_mse(X, x_hat, mask, per_sequence=True)
        lsd = np.array(
            [
                log_spectral_distance(
                    self.words[i],
                    self.standardizer.inverse_transform(x_hat[k, : self.n_frames[i]]).T,
                )
                for k, i in enumerate(np.flatnonzero(rows))
            ]
        )
        return mse, lsd, x_hat
