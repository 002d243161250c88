"""Priors over code sequences: what turns a codec into a generator (chapter 6).

A VQ-VAE (chapter 4, :mod:`utils.codec`) turns an utterance into a short sequence of code
indices c_1 ... c_T, each in {0, ..., K - 1}. A *prior* is a model of which sequences are likely,
given a condition y (the digit, or the digit and the speaker). Every prior here factorizes the
sequence from left to right and ends it with one extra symbol, END (index K):

    p(c_1 ... c_T | y) = prod_{t=1}^{T+1} p(c_t | c_1 ... c_{t-1}, y),   c_{T+1} = END

so that the length of a sequence is part of what the prior models (and pays for). Sampling from
it, code by code, and decoding the codes with the codec's decoder produces new speech.

- :func:`sample_next`: one step of ancestral sampling from logits, with a temperature and top-k.
- :class:`NGramPrior`: counts. ``order=1`` is the unigram (each code drawn independently from
  the codebook's frequencies), ``order=2`` the bigram (each code given the one before it); both
  optionally conditioned on y, with add-alpha smoothing.
- :class:`LSTMPrior`: a small autoregressive LSTM in Keras 3, conditioned on y by an embedding
  added to every input step, trained with cross-entropy (teacher forcing).
- :func:`bits_per_code` and :func:`bits_per_second`: a prior's negative log-likelihood of held-out
  sequences as a rate, the rate at which an entropy coder using the prior could send the codes
  (chapter 4 sends log2 K bits per code, whatever the code).
- :func:`frechet_distance`: the distance between two Gaussian fits of embeddings (the idea behind
  the Frechet audio distance), for "does generated speech match real speech as a distribution?".
- :func:`copied_sequences`: which generated sequences are copies of training sequences.
- :func:`condition_index`: the condition of each word, the digit or the digit and the speaker.

Shapes and conventions: a set of sequences is a list of 1-D integer arrays (lengths T_i >= 0,
values in [0, K)); conditions are a 1-D integer array of the same length, values in
[0, n_conditions). Log-likelihoods are in bits (log base 2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# ----------------------------------------------------------------------------------------------
# Input checks (messages a student can act on)
# ----------------------------------------------------------------------------------------------


def _check_sequences(sequences, vocabulary_size: int, name: str = "sequences") -> list[np.ndarray]:
    if isinstance(sequences, np.ndarray) and sequences.ndim == 1 and sequences.dtype != object:
        raise TypeError(
            f"{name} must be a list of 1-D integer arrays (one per utterance), not one array; "
            "wrap a single sequence in a list: [codes]."
        )
    checked = []
    for i, sequence in enumerate(sequences):
        array = np.asarray(sequence)
        if array.ndim != 1:
            raise ValueError(
                f"{name}[{i}] has shape {array.shape}; each sequence must be 1-D (one code index "
                "per step). For several residual stages, flatten them first."
            )
        if array.size and array.dtype.kind not in "iu":
            raise TypeError(f"{name}[{i}] must hold integer code indices, got dtype {array.dtype}.")
        if array.size and (array.min() < 0 or array.max() >= vocabulary_size):
            raise ValueError(
                f"{name}[{i}] holds indices from {array.min()} to {array.max()}; codes must lie in "
                f"[0, {vocabulary_size}) for a codebook of {vocabulary_size} codewords."
            )
        checked.append(array.astype(np.int64))
    if not checked:
        raise ValueError(f"{name} is empty: there is no sequence to fit or score.")
    return checked


def _check_conditions(conditions, n_sequences: int, n_conditions: int) -> np.ndarray:
    conditions = np.asarray(conditions)
    if conditions.shape != (n_sequences,):
        raise ValueError(
            f"conditions has shape {conditions.shape}; it needs one condition per sequence, "
            f"shape ({n_sequences},)."
        )
    if conditions.size and conditions.dtype.kind not in "iu":
        raise TypeError(f"conditions must be integers (e.g. digits), got dtype {conditions.dtype}.")
    if conditions.size and (conditions.min() < 0 or conditions.max() >= n_conditions):
        raise ValueError(
            f"conditions range from {conditions.min()} to {conditions.max()}; this prior was "
            f"built for conditions in [0, {n_conditions})."
        )
    return conditions.astype(np.int64)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def condition_index(digits, speakers=None, n_speakers: int | None = None) -> np.ndarray:
    """The condition y of each word for a prior: the digit, or the digit and the speaker.

    ``digits`` (n,) ints in [0, 10); ``speakers`` None, or (n,) ints in [0, n_speakers) (a
    speaker's index, e.g. its place in ``Corpus.speakers``). Returns (n,) int64: the digits
    themselves without speakers, else ``digit * n_speakers + speaker``, one condition per (digit,
    speaker) pair, for a prior built with ``n_conditions = 10 * n_speakers`` (chapter 6's switch
    ``CONDITION_ON_SPEAKER``). To sample a digit in a speaker's voice, pass the requested digits
    and speakers the same way.
    """
    digits = np.asarray(digits)
    if digits.ndim != 1 or (digits.size and digits.dtype.kind not in "iu"):
        raise ValueError(
            f"digits must be a 1-D array of integers, got {digits.dtype} {digits.shape}."
        )
    if digits.size and (digits.min() < 0 or digits.max() > 9):
        raise ValueError(
            f"digits range from {digits.min()} to {digits.max()}; they must be 0 to 9."
        )
    digits = digits.astype(np.int64)
    if speakers is None:
        return digits
    n_speakers = _positive_int(n_speakers, "n_speakers")
    speakers = np.asarray(speakers)
    if speakers.shape != digits.shape or (speakers.size and speakers.dtype.kind not in "iu"):
        raise ValueError(
            f"speakers must be {digits.shape[0]} integer speaker indices, one per digit, got "
            f"{speakers.dtype} {speakers.shape}."
        )
    if speakers.size and (speakers.min() < 0 or speakers.max() >= n_speakers):
        raise ValueError(
            f"speaker indices range from {speakers.min()} to {speakers.max()}; they must lie in "
            f"[0, {n_speakers}) for n_speakers = {n_speakers}."
        )
    return digits * n_speakers + speakers.astype(np.int64)


# ----------------------------------------------------------------------------------------------
# One sampling step
# ----------------------------------------------------------------------------------------------


def sample_next(logits, temperature: float = 1.0, top_k: int | None = None, rng=None) -> np.ndarray:
    """Draw one symbol per row from ``softmax(logits / temperature)``, restricted to the top k.

    ``logits`` is (n, V): unnormalized log-probabilities of the V possible next symbols for each
    of n sequences. ``temperature`` > 0 sharpens (< 1) or flattens (> 1) the distribution;
    ``top_k`` (1 <= top_k <= V, or None for all) keeps only the k most likely symbols of each row
    and renormalizes over them (ties at the k-th value are broken by index). Returns (n,) int64.
    ``rng`` is a ``numpy.random.Generator`` (or a seed).
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise ValueError(
            f"logits has shape {logits.shape}; it must be (n, V): one row of V logits per sequence."
        )
    if not np.all(np.isfinite(logits[~np.isneginf(logits)])):
        raise ValueError("logits contain NaN or +inf; only finite values and -inf are allowed.")
    if isinstance(temperature, bool) or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(
            f"temperature must be a positive number, got {temperature!r}; use a small value such "
            "as 0.01 for (almost) greedy decoding."
        )
    n, vocabulary = logits.shape
    if top_k is not None:
        top_k = _positive_int(top_k, "top_k")
        if top_k > vocabulary:
            raise ValueError(f"top_k = {top_k} exceeds the {vocabulary} symbols there are.")
    rng = np.random.default_rng(rng)
    scaled = logits / temperature
    if top_k is not None and top_k < vocabulary:
        order = np.argsort(-scaled, axis=1, kind="stable")  # most likely first, ties by index
        dropped = order[:, top_k:]
        scaled = scaled.copy()
        np.put_along_axis(scaled, dropped, -np.inf, axis=1)
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    probabilities = np.exp(scaled)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    # inverse-CDF sampling, one uniform number per row
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random((n, 1)) * cumulative[:, -1:]
    return np.minimum((cumulative <= u).sum(axis=1), vocabulary - 1).astype(np.int64)


def _length_mask(logits: np.ndarray, end: int, step: int, lengths) -> np.ndarray:
    """Force sequences of given lengths: END impossible before ``lengths``, certain at it."""
    if lengths is None:
        return logits
    logits = logits.copy()
    too_early = step < lengths
    logits[too_early, end] = -np.inf
    at_end = step >= lengths
    logits[at_end, :] = -np.inf
    logits[at_end, end] = 0.0
    return logits


def _check_lengths(lengths, n: int, max_length: int):
    if lengths is None:
        return None
    lengths = np.asarray(lengths)
    if lengths.shape != (n,) or lengths.dtype.kind not in "iu" or lengths.min() < 0:
        raise ValueError(f"lengths must be {n} non-negative integers, one per sequence to sample.")
    if lengths.max() > max_length:
        raise ValueError(f"a requested length ({lengths.max()}) exceeds max_length = {max_length}.")
    return lengths.astype(np.int64)


def _ancestral_sampling(
    next_logits, conditions, end, max_length, temperature, top_k, lengths, seed
):
    """Sample code by code; ``next_logits(prefix (n, t), conditions) -> (n, K + 1)``."""
    rng = np.random.default_rng(seed)
    n = len(conditions)
    lengths = _check_lengths(lengths, n, max_length)
    prefix = np.zeros((n, 0), dtype=np.int64)
    finished = np.zeros(n, dtype=bool)
    for step in range(max_length + 1):
        logits = _length_mask(next_logits(prefix, conditions), end, step, lengths)
        if step == max_length:  # no room left: every unfinished sequence ends here
            finished[:] = True
            break
        symbol = sample_next(logits, temperature, top_k, rng)
        finished |= symbol == end
        symbol[finished] = end
        prefix = np.concatenate([prefix, symbol[:, None]], axis=1)
        if finished.all():
            break
    return _cut_at_end(prefix, end)


def _cut_at_end(prefix: np.ndarray, end: int) -> list[np.ndarray]:
    rows = []
    for row in prefix:
        stops = np.flatnonzero(row == end)
        rows.append(row[: stops[0]] if stops.size else row)
    return rows


# ----------------------------------------------------------------------------------------------
# Counting priors: unigram and bigram
# ----------------------------------------------------------------------------------------------


class _SequencePrior:
    """What every prior shares: conditions checked one way, and sampling code by code."""

    vocabulary_size: int
    n_conditions: int
    end: int

    def _conditions(self, conditions, n):
        if conditions is None:
            if getattr(self, "conditioned", True) and self.n_conditions > 1:
                raise ValueError("this prior is conditioned: pass one condition per sequence.")
            conditions = np.zeros(n, dtype=np.int64)
        return _check_conditions(conditions, n, self.n_conditions)

    def _next_logits(self, prefix: np.ndarray, conditions: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def sample(
        self,
        conditions,
        *,
        max_length: int = 64,
        temperature: float = 1.0,
        top_k: int | None = None,
        lengths=None,
        seed=0,
    ) -> list[np.ndarray]:
        """One sequence per condition (list of 1-D int64 arrays), code by code.

        Each step draws the next symbol with :func:`sample_next` (``temperature``, ``top_k``)
        until END or ``max_length`` codes. With ``lengths`` (one per condition) END is
        impossible before that length and certain at it, so priors compare at equal lengths.
        """
        conditions = self._conditions(np.asarray(conditions), len(np.asarray(conditions)))
        return _ancestral_sampling(
            self._next_logits, conditions, self.end, max_length, temperature, top_k, lengths, seed
        )


class NGramPrior(_SequencePrior):
    """A unigram (``order=1``) or bigram (``order=2``) prior over code sequences, by counting.

    p(c_t | c_{t-1}, y) = (count(y, c_{t-1}, c_t) + alpha) / (count(y, c_{t-1}) + alpha (K + 1))

    over the K codes and END; the bigram's first code is conditioned on a START context (index
    K). With ``conditioned=False`` the condition y is ignored (one table for all). Smoothing
    ``alpha`` > 0 gives every symbol a non-zero probability, so held-out sequences with unseen
    pairs still get a finite likelihood.
    """

    def __init__(
        self,
        vocabulary_size: int,
        n_conditions: int = 1,
        order: int = 2,
        *,
        conditioned: bool = True,
        alpha: float = 1.0,
    ):
        self.vocabulary_size = _positive_int(vocabulary_size, "vocabulary_size")
        self.n_conditions = _positive_int(n_conditions, "n_conditions")
        if order not in (1, 2):
            raise ValueError(f"order must be 1 (unigram) or 2 (bigram), got {order!r}.")
        if not np.isfinite(alpha) or alpha <= 0:
            raise ValueError(f"alpha must be a positive smoothing count, got {alpha!r}.")
        self.order, self.conditioned, self.alpha = order, bool(conditioned), float(alpha)
        self.end = self.vocabulary_size  # the END symbol, and the START context of the bigram
        contexts = self.vocabulary_size + 1 if order == 2 else 1
        tables = self.n_conditions if self.conditioned else 1
        #: (tables, contexts, K + 1) counts, filled by :meth:`fit`
        self.counts = np.zeros((tables, contexts, self.vocabulary_size + 1))

    def _table(self, conditions: np.ndarray) -> np.ndarray:
        return conditions if self.conditioned else np.zeros_like(conditions)

    def _events(self, sequences, conditions):
        # (table, context, symbol) of every predicted symbol, END included
        tables, contexts, symbols = [], [], []
        for sequence, table in zip(sequences, self._table(conditions), strict=True):
            targets = np.append(sequence, self.end)
            if self.order == 2:
                previous = np.concatenate([[self.end], sequence])  # START, c_1, ..., c_T
            else:
                previous = np.zeros(len(targets), dtype=np.int64)
            tables.append(np.full(len(targets), table))
            contexts.append(previous)
            symbols.append(targets)
        return np.concatenate(tables), np.concatenate(contexts), np.concatenate(symbols)

    def fit(self, sequences, conditions=None) -> NGramPrior:
        """Count the (condition, previous code, code) events of ``sequences`` (list of 1-D ints)."""
        sequences = _check_sequences(sequences, self.vocabulary_size)
        conditions = self._conditions(conditions, len(sequences))
        self.counts[:] = 0
        np.add.at(self.counts, self._events(sequences, conditions), 1.0)
        return self

    def probabilities(self) -> np.ndarray:
        """(tables, contexts, K + 1): the smoothed conditional probabilities (rows sum to 1)."""
        smoothed = self.counts + self.alpha
        return smoothed / smoothed.sum(axis=-1, keepdims=True)

    def log2_likelihood(self, sequences, conditions=None) -> np.ndarray:
        """(n_sequences,): log2 p(sequence, END | condition) of each sequence, in bits (<= 0)."""
        sequences = _check_sequences(sequences, self.vocabulary_size)
        conditions = self._conditions(conditions, len(sequences))
        tables, contexts, symbols = self._events(sequences, conditions)
        log2_p = np.log2(self.probabilities()[tables, contexts, symbols])
        owner = np.repeat(np.arange(len(sequences)), [len(s) + 1 for s in sequences])
        return np.bincount(owner, weights=log2_p, minlength=len(sequences))

    def _next_logits(self, prefix: np.ndarray, conditions: np.ndarray) -> np.ndarray:
        # (n, K + 1) log-probabilities of the next symbol, from the last code (or START)
        if self.order == 2:
            previous = prefix[:, -1] if prefix.shape[1] else np.full(len(prefix), self.end)
        else:
            previous = np.zeros(len(prefix), dtype=np.int64)
        return np.log(self.probabilities())[self._table(conditions), previous]


# ----------------------------------------------------------------------------------------------
# A learned prior: a small autoregressive LSTM
# ----------------------------------------------------------------------------------------------


class LSTMPrior(_SequencePrior):
    """An autoregressive LSTM over code sequences, conditioned on y (Keras 3).

    Step t reads the previous symbol (START, index K, at t = 1) and the condition:

        x_t = E_code[c_{t-1}] + E_condition[y]            (embedding_dim,)
        h_t = LSTM(x_t, h_{t-1})                          (units,)
        p(c_t | c_<t, y) = softmax(W h_t + b)             over the K codes and END (K + 1,)

    trained by cross-entropy on every step of the training sequences (teacher forcing), padded
    steps masked out. Sampling runs the network on the prefix so far, one step at a time.
    """

    def __init__(
        self,
        vocabulary_size: int,
        n_conditions: int = 1,
        *,
        units: int = 128,
        embedding_dim: int = 64,
        dropout: float = 0.0,
        seed: int = 0,
    ):
        from .runtime import quiet_tensorflow

        quiet_tensorflow()
        import keras

        self.vocabulary_size = _positive_int(vocabulary_size, "vocabulary_size")
        self.n_conditions = _positive_int(n_conditions, "n_conditions")
        self.end = self.start = self.vocabulary_size
        K = self.vocabulary_size
        tokens = keras.Input((None,), dtype="int32", name="previous_codes")  # (batch, T + 1)
        condition = keras.Input((), dtype="int32", name="condition")  # (batch,)
        embedded = keras.layers.Embedding(
            K + 1,
            embedding_dim,
            name="code_embedding",
            embeddings_initializer=keras.initializers.RandomNormal(0, 0.1, seed=seed),
        )(tokens)  # (batch, T + 1, embedding_dim)
        conditioning = keras.layers.Embedding(
            self.n_conditions,
            embedding_dim,
            name="condition_embedding",
            embeddings_initializer=keras.initializers.RandomNormal(0, 0.1, seed=seed + 1),
        )(condition)  # (batch, embedding_dim)
        x = embedded + keras.ops.expand_dims(conditioning, 1)
        h = keras.layers.LSTM(
            _positive_int(units, "units"),
            return_sequences=True,
            dropout=dropout,
            seed=seed,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 2),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 3),
        )(x)  # (batch, T + 1, units)
        logits = keras.layers.Dense(
            K + 1,
            name="next_code_logits",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 4),
        )(h)  # (batch, T + 1, K + 1)
        self.model = keras.Model([tokens, condition], logits, name="lstm_prior")

    def _batch(self, sequences, conditions):
        # inputs: START c_1 ... c_T, targets: c_1 ... c_T END, padded; weights mark real steps
        n, steps = len(sequences), max(len(s) for s in sequences) + 1
        inputs = np.full((n, steps), self.start, dtype=np.int32)
        targets = np.full((n, steps), self.end, dtype=np.int32)
        weights = np.zeros((n, steps), dtype=np.float32)
        for i, sequence in enumerate(sequences):
            T = len(sequence)
            inputs[i, 1 : T + 1] = sequence
            targets[i, :T] = sequence
            weights[i, : T + 1] = 1.0
        return [inputs, conditions.astype(np.int32)], targets, weights

    def fit(
        self,
        sequences,
        conditions=None,
        *,
        epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 3e-3,
        validation=None,
        steps_per_execution: int = 1,
    ):
        """Train by cross-entropy (nats per predicted symbol); returns the Keras ``History``.

        ``validation`` is an optional ``(sequences, conditions)`` pair scored after every epoch.
        ``steps_per_execution`` batches run per call of the compiled step (Keras), e.g. 8: the
        same updates, with less Python overhead per batch (chapter 6 uses it to fit its budget).
        """
        import keras

        sequences = _check_sequences(sequences, self.vocabulary_size)
        conditions = self._conditions(conditions, len(sequences))
        inputs, targets, weights = self._batch(sequences, conditions)
        validation_data = None
        if validation is not None:
            v_sequences = _check_sequences(validation[0], self.vocabulary_size, "validation")
            v_conditions = self._conditions(validation[1], len(v_sequences))
            validation_data = self._batch(v_sequences, v_conditions)
        self.model.compile(
            optimizer=keras.optimizers.Adam(learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            weighted_metrics=[],
            steps_per_execution=_positive_int(steps_per_execution, "steps_per_execution"),
        )
        return self.model.fit(
            inputs,
            targets,
            sample_weight=weights,
            epochs=_positive_int(epochs, "epochs"),
            batch_size=batch_size,
            validation_data=validation_data,
            shuffle=True,
            verbose=0,
        )

    def _log_softmax(self, inputs):
        import keras

        logits = self.model(inputs, training=False)
        return keras.ops.convert_to_numpy(keras.ops.log_softmax(logits, axis=-1))

    def log2_likelihood(self, sequences, conditions=None) -> np.ndarray:
        """(n_sequences,): log2 p(sequence, END | condition) of each sequence, in bits (<= 0)."""
        sequences = _check_sequences(sequences, self.vocabulary_size)
        conditions = self._conditions(conditions, len(sequences))
        inputs, targets, weights = self._batch(sequences, conditions)
        log_p = self._log_softmax(inputs)  # (n, steps, K + 1), nats
        picked = np.take_along_axis(log_p, targets[..., None].astype(np.int64), axis=-1)[..., 0]
        return (picked * weights).sum(axis=1) / np.log(2.0)

    def _next_logits(self, prefix: np.ndarray, conditions: np.ndarray) -> np.ndarray:
        # (n, K + 1) log-probabilities of the next symbol: the network run on START + prefix
        start = np.full((len(prefix), 1), self.start, dtype=np.int32)
        inputs = np.concatenate([start, prefix.astype(np.int32)], axis=1)
        return self._log_softmax([inputs, conditions.astype(np.int32)])[:, -1]


# ----------------------------------------------------------------------------------------------
# Rates, distribution distance, novelty
# ----------------------------------------------------------------------------------------------


def bits_per_code(log2_likelihoods, sequences) -> float:
    """Bits per code an entropy coder using the prior needs: total -log2 p / total codes.

    ``log2_likelihoods`` (n,) from a prior's ``log2_likelihood`` (END included, so the length is
    paid for); ``sequences`` the same n sequences. Compare with log2 K of a fixed-rate code.
    """
    log2_likelihoods = np.asarray(log2_likelihoods, dtype=np.float64)
    n_codes = int(sum(len(s) for s in sequences))
    if log2_likelihoods.shape != (len(sequences),):
        raise ValueError("log2_likelihoods needs one value per sequence.")
    if n_codes == 0:
        raise ValueError("the sequences hold no code: bits per code is undefined.")
    return float(-log2_likelihoods.sum() / n_codes)


def bits_per_second(bits_per_code_value: float, codes_per_second: float) -> float:
    """The rate in bit/s: bits per code times codes per second (e.g. 31.25 codes/s at stride 2)."""
    if not np.isfinite(bits_per_code_value) or bits_per_code_value < 0 or codes_per_second <= 0:
        raise ValueError("bits per code must be >= 0 and codes per second > 0.")
    return float(bits_per_code_value * codes_per_second)


def frechet_distance(X, Y) -> float:
    """Frechet distance between Gaussians fitted to two sets of embeddings, X (n, d), Y (m, d).

        d^2 = ||mu_X - mu_Y||^2 + Tr(Sigma_X + Sigma_Y - 2 (Sigma_X Sigma_Y)^(1/2))

    in squared embedding units; 0 for identical sets. Needs at least two rows in each set.
    """
    from scipy import linalg

    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X {X.shape} and Y {Y.shape} must be (n, d) and (m, d): embeddings of the same size."
        )
    if len(X) < 2 or len(Y) < 2:
        raise ValueError("each set needs at least two embeddings to estimate a covariance.")
    mean_gap = X.mean(axis=0) - Y.mean(axis=0)
    cov_X, cov_Y = np.atleast_2d(np.cov(X, rowvar=False)), np.atleast_2d(np.cov(Y, rowvar=False))
    root = linalg.sqrtm(cov_X @ cov_Y)
    root = np.real(root)  # tiny imaginary parts from round-off
    distance = mean_gap @ mean_gap + np.trace(cov_X + cov_Y - 2.0 * root)
    return float(max(distance, 0.0))


def copied_sequences(generated: Sequence, training: Sequence) -> np.ndarray:
    """(n_generated,) bool: is each generated sequence identical to some training sequence?"""
    seen = {tuple(np.asarray(s).tolist()) for s in training}
    return np.array([tuple(np.asarray(g).tolist()) in seen for g in generated], dtype=bool)
