"""Recognizing the spoken digit from utterance-level features (chapters 2 and 5).

A representation is judged by how well a simple classifier does on it: we pool
frame-level features (MFCCs, or an autoencoder's codes) over each utterance
into one vector, and train a standardized multinomial logistic regression.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import N_MFCC, mfcc
from .validation import check_matrix

STATISTICS = {"mean": np.mean, "std": np.std, "min": np.min, "max": np.max}


def pool(frame_features: Sequence, statistics: Sequence[str] = ("mean",)) -> np.ndarray:
    """Pool per-utterance frame features into one row per utterance.

    frame_features: list of arrays of shape (n_frames_i, n_features), one per utterance.
    statistics: names from ``("mean", "std", "min", "max")``, computed over frames and concatenated.
    Returns (n_utterances, n_features * len(statistics)).
    """
    unknown = [s for s in statistics if s not in STATISTICS]
    if unknown or not statistics:
        raise ValueError(
            f"statistics must be chosen from {sorted(STATISTICS)}, got {list(statistics)}."
        )
    rows = []
    for i, matrix in enumerate(frame_features):
        matrix = check_matrix(matrix, name=f"features of utterance {i}")
        rows.append(np.concatenate([STATISTICS[s](matrix, axis=0) for s in statistics]))
    return np.stack(rows).astype(np.float32)


def mfcc_statistics(
    recordings, n_mfcc: int = N_MFCC, statistics: Sequence[str] = ("mean",)
) -> np.ndarray:
    """MFCCs of each recording pooled over time: (n_recordings, n_mfcc * len(statistics)).

    The classic baselines: ``mfcc_statistics(r, 13, ("mean",))`` and
    ``mfcc_statistics(r, 20, ("mean", "std"))``.
    """
    return pool([mfcc(r.audio, r.sample_rate, n_mfcc=n_mfcc).T for r in recordings], statistics)


def labels(recordings) -> np.ndarray:
    """Digit label of each recording, shape (n_recordings,), int."""
    return np.array([r.digit for r in recordings], dtype=int)


def digit_classifier(C: float = 1.0, seed: int = 0):
    """A scikit-learn pipeline: per-feature standardization (fitted on training data), then
    logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, max_iter=5000, random_state=seed)
    )


def accuracy(X_train, y_train, X_test, y_test, *, C: float = 1.0) -> float:
    """Fit :func:`digit_classifier` on the training rows; the fraction of test rows it gets right.

    X_train (n_train, d), y_train (n_train,), X_test (n_test, d), y_test (n_test,).
    """
    X_train = check_matrix(X_train, name="X_train")
    X_test = check_matrix(X_test, n_columns=X_train.shape[1], name="X_test")
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(y_train) != len(X_train) or len(y_test) != len(X_test):
        raise ValueError("each row of X needs exactly one label in y.")
    from threadpoolctl import threadpool_limits

    # One BLAS thread: these fits are small, and with TensorFlow's threads around, two BLAS threads
    # on two cores were measured to make them up to 50 times slower (oversubscription).
    with threadpool_limits(limits=1, user_api="blas"):
        model = digit_classifier(C).fit(X_train, y_train)
        return float(np.mean(model.predict(X_test) == y_test))


def log_mel_mfcc_statistics(
    log_mels_db: Sequence, n_mfcc: int = N_MFCC, statistics: Sequence[str] = ("mean",)
) -> np.ndarray:
    """MFCCs of given log-mel spectrograms (e.g. chapter 5's trimmed words), pooled over time.

    log_mels_db: list of (n_mels, n_frames_i) in dB. The MFCCs are the DCT of these same frames,
    as :func:`utils.features.mfcc` computes them for a whole recording, so a baseline computed
    here sees exactly the frames a model of them sees. Returns (n, n_mfcc * len(statistics)).
    """
    import librosa

    cepstra = []
    for i, S in enumerate(log_mels_db):
        S = check_matrix(S, name=f"log-mel spectrogram {i}")
        if not 1 <= n_mfcc <= S.shape[0]:
            raise ValueError(
                f"n_mfcc must be between 1 and the number of mel bands "
                f"({S.shape[0]}), got {n_mfcc}."
            )
        cepstra.append(librosa.feature.mfcc(S=S, n_mfcc=n_mfcc).T)
    return pool(cepstra, statistics)
