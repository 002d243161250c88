"""Every bad input named in the foundation issue gets a clear TypeError/ValueError."""

import numpy as np
import pytest

from utils import features
from utils.validation import check_audio, check_matrix, check_sample_rate

SR = 8000
rng = np.random.default_rng(0)
GOOD = (0.1 * rng.standard_normal(SR // 2)).astype(np.float32)


def test_good_audio_passes_through_as_float32():
    out = check_audio(GOOD.astype(np.float64), SR)
    assert out.dtype == np.float32 and out.shape == GOOD.shape


@pytest.mark.parametrize(
    "audio, sample_rate, error, words",
    [
        (GOOD, 16000, ValueError, "16000 Hz but 8000 Hz"),
        (GOOD, None, TypeError, "sample_rate is missing"),
        (GOOD, "8000", TypeError, "number"),
        (GOOD, -8000, ValueError, "positive"),
        (np.stack([GOOD, GOOD]), SR, ValueError, "mono"),
        (np.zeros(0, np.float32), SR, ValueError, "empty"),
        (np.zeros(SR, np.float32), SR, ValueError, "silent"),
        (
            np.where(np.arange(GOOD.size) == 7, np.nan, GOOD).astype(np.float32),
            SR,
            ValueError,
            "NaN",
        ),
        (
            np.where(np.arange(GOOD.size) == 7, np.inf, GOOD).astype(np.float32),
            SR,
            ValueError,
            "infinite",
        ),
        ((GOOD * 32767).astype(np.int16), SR, TypeError, "integer PCM"),
        ("not audio", SR, TypeError, "NumPy array"),
    ],
)
def test_bad_audio_is_refused_with_a_clear_message(audio, sample_rate, error, words):
    with pytest.raises(error, match=words):
        check_audio(audio, sample_rate)


def test_too_short_audio_is_refused():
    with pytest.raises(ValueError, match="too short"):
        check_audio(GOOD[:10], SR, min_duration=0.016)


def test_column_vector_counts_as_mono():
    assert check_audio(GOOD[:, None], SR).shape == GOOD.shape


@pytest.mark.parametrize("rate", [8000, 8000.0, np.int64(8000)])
def test_sample_rate_types(rate):
    assert check_sample_rate(rate) == 8000


def test_feature_helpers_refuse_bad_audio():
    with pytest.raises(ValueError, match="mono"):
        features.log_mel(np.stack([GOOD, GOOD]), SR)
    with pytest.raises(ValueError, match="44100 Hz"):
        features.log_mel(GOOD, 44100)
    with pytest.raises(TypeError, match="integer PCM"):
        features.mfcc((GOOD * 32767).astype(np.int16), SR)
    with pytest.raises(ValueError, match="too short"):
        features.log_mel(GOOD[:20], SR)


@pytest.mark.parametrize(
    "matrix, kwargs, error, words",
    [
        (np.ones(5), {}, ValueError, "2-D"),
        (np.ones((3, 4)), {"n_rows": 40}, ValueError, "3 rows but 40"),
        (np.ones((3, 4)), {"n_columns": 5}, ValueError, "4 columns but 5"),
        (np.full((3, 4), np.nan), {}, ValueError, "NaN"),
        (np.array([["a", "b"]]), {}, TypeError, "numbers"),
        (np.ones((0, 4)), {}, ValueError, "empty"),
    ],
)
def test_bad_matrices(matrix, kwargs, error, words):
    with pytest.raises(error, match=words):
        check_matrix(matrix, **kwargs)
