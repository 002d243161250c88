"""Unit tests of utils.sequences (trim, pad with a mask, masked MSE)."""

import numpy as np
import pytest

from utils.sequences import lengths, masked_mse, pad_sequences, trim_silence


def _word_in_silence(n_before=5, n_word=12, n_after=7, n_mels=40):
    spectrogram = np.full((n_mels, n_before + n_word + n_after), -80.0, dtype=np.float32)
    spectrogram[:, n_before : n_before + n_word] = -20.0
    return spectrogram


def test_trim_silence_keeps_the_word_only():
    trimmed = trim_silence(_word_in_silence(), top_db=40)
    assert trimmed.shape == (40, 12)
    assert np.all(trimmed == -20.0)


def test_trim_silence_crops_to_max_frames_and_keeps_at_least_one_frame():
    assert trim_silence(_word_in_silence(), max_frames=5).shape == (40, 5)
    flat = np.full((40, 9), -80.0, dtype=np.float32)
    assert trim_silence(flat).shape == (40, 9)  # all frames equally loud: nothing is silence
    single = _word_in_silence(n_word=1)
    assert trim_silence(single).shape == (40, 1)


@pytest.mark.parametrize(
    "kwargs", [{"top_db": 0}, {"top_db": -3}, {"max_frames": 0}, {"max_frames": 2.5}]
)
def test_trim_silence_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        trim_silence(_word_in_silence(), **kwargs)


def test_pad_sequences_shapes_values_and_mask():
    a = np.ones((3, 2), dtype=np.float32)
    b = 2 * np.ones((5, 2), dtype=np.float32)
    X, mask = pad_sequences([a, b], value=-1.0)
    assert X.shape == (2, 5, 2) and mask.shape == (2, 5)
    assert X.dtype == np.float32 and mask.dtype == np.float32
    np.testing.assert_array_equal(mask, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    np.testing.assert_array_equal(X[0, :3], a)
    np.testing.assert_array_equal(X[0, 3:], -1.0)
    np.testing.assert_array_equal(X[1], b)
    np.testing.assert_array_equal(lengths(mask), [3, 5])


def test_pad_sequences_rounds_up_to_a_multiple_and_accepts_a_fixed_length():
    X, mask = pad_sequences([np.zeros((5, 3))], multiple_of=4)
    assert X.shape == (1, 8, 3) and lengths(mask)[0] == 5
    X, mask = pad_sequences([np.zeros((5, 3))], n_steps=11)
    assert X.shape == (1, 11, 3)


def test_pad_sequences_rejects_bad_inputs():
    with pytest.raises(ValueError, match="crop"):
        pad_sequences([np.zeros((6, 2))], n_steps=4)
    with pytest.raises(ValueError, match="transpose"):
        pad_sequences([np.zeros((3, 2)), np.zeros((3, 4))])
    with pytest.raises(ValueError, match="no sequences"):
        pad_sequences([])
    with pytest.raises(TypeError):
        pad_sequences(np.zeros((3, 2)))
    with pytest.raises(ValueError):
        pad_sequences([np.zeros((3, 2))], multiple_of=0)
    with pytest.raises(ValueError):
        pad_sequences([np.array([[np.nan, 0.0]])])


def test_masked_mse_ignores_padding_whatever_it_holds():
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(n, 4)) for n in (3, 7, 5)]
    estimates = [s + rng.normal(scale=0.1, size=s.shape) for s in sequences]
    X, mask = pad_sequences(sequences)
    X_hat, _ = pad_sequences(estimates, value=100.0)  # wildly wrong padding
    X_long, mask_long = pad_sequences(sequences, n_steps=20)
    X_hat_long, _ = pad_sequences(estimates, n_steps=20, value=-7.0)
    pairs = list(zip(sequences, estimates, strict=True))
    expected = np.mean(np.concatenate([(s - e) ** 2 for s, e in pairs]))
    assert masked_mse(X, X_hat, mask) == pytest.approx(expected)
    assert masked_mse(X_long, X_hat_long, mask_long) == pytest.approx(expected)
    per_sequence = masked_mse(X, X_hat, mask, per_sequence=True)
    np.testing.assert_allclose(per_sequence, [np.mean((s - e) ** 2) for s, e in pairs], rtol=1e-5)


def test_masked_mse_rejects_bad_inputs():
    X, mask = pad_sequences([np.zeros((2, 3)), np.zeros((4, 3))])
    with pytest.raises(ValueError, match="same shape"):
        masked_mse(X, X[:, :3], mask)
    with pytest.raises(ValueError, match="mask has shape"):
        masked_mse(X, X, mask[:, :3])
    with pytest.raises(ValueError, match="only 0"):
        masked_mse(X, X, 0.5 * mask)
    with pytest.raises(ValueError, match="at least one real frame"):
        masked_mse(X, X, np.zeros_like(mask))
    with pytest.raises(ValueError):
        lengths(np.zeros(3))
