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


# ---- the chapter-5 model, its recipe and the data preparation both parts of chapter 5 share ----


def test_words_from_log_mels_trims_and_crops():
    from utils.sequences import words_from_log_mels

    words = words_from_log_mels([_word_in_silence(n_word=12), _word_in_silence(n_word=60)])
    assert [w.shape for w in words] == [(40, 12), (40, 48)]


def test_standardize_and_pad_uses_only_the_training_words():
    from utils.sequences import standardize_and_pad

    rng = np.random.default_rng(0)
    words = [rng.normal(-30, 5, (40, n)).astype(np.float32) for n in (10, 20, 30)]
    words[2] += 100  # an outlier that must not enter the statistics
    standardizer, X, mask = standardize_and_pad(words, np.array([True, True, False]), n_steps=32)
    assert X.shape == (3, 32, 40) and mask.shape == (3, 32)
    np.testing.assert_array_equal(lengths(mask), [10, 20, 30])
    train_frames = X[:2][mask[:2] == 1]  # (30, 40): the fitted words' frames
    np.testing.assert_allclose(train_frames.mean(axis=0), 0, atol=1e-4)
    assert X[2][mask[2] == 1].mean() > 5  # the outlier stays far from 0
    with pytest.raises(ValueError, match="no word"):
        standardize_and_pad(words, np.zeros(3, dtype=bool))


def test_sequence_autoencoder_shapes_and_padding_does_not_leak():
    import keras

    from utils.sequences import join, sequence_autoencoder

    keras.utils.set_random_seed(0)
    encoder, decoder_for = sequence_autoencoder(z_dim=5, units=8, filters=6)
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(n, 40)).astype(np.float32) for n in (5, 9, 16)]
    X, mask = pad_sequences(sequences, n_steps=16)
    X_long, mask_long = pad_sequences(sequences, n_steps=24)
    z = encoder.predict([X, mask], verbose=0)
    assert z.shape == (3, 5)
    np.testing.assert_allclose(z, encoder.predict([X_long, mask_long], verbose=0), atol=1e-5)
    x_hat = join(encoder, decoder_for(16)).predict([X, mask], verbose=0)
    x_hat_long = join(encoder, decoder_for(24)).predict([X_long, mask_long], verbose=0)
    assert x_hat.shape == (3, 16, 40) and x_hat_long.shape == (3, 24, 40)
    np.testing.assert_allclose(x_hat, x_hat_long[:, :16], atol=1e-5)  # causal decoder
    with pytest.raises(ValueError, match="multiple"):
        decoder_for(10)
    with pytest.raises(ValueError, match="z_dim"):
        sequence_autoencoder(0)


def test_train_lowers_the_loss_and_a_restore_starts_again_from_scratch():
    import keras

    from utils.models import initial_state
    from utils.sequences import compile_recipe, join, sequence_autoencoder, train

    keras.utils.set_random_seed(0)
    encoder, decoder_for = sequence_autoencoder(z_dim=4, units=8, filters=6)
    autoencoder = join(encoder, decoder_for(8))
    rng = np.random.default_rng(1)
    # 36 sequences in batches of 8: 5 steps per epoch, the last one short, fewer than
    # STEPS_PER_EXECUTION, so one call runs a whole epoch
    X, mask = pad_sequences([rng.normal(size=(n, 40)) for n in rng.integers(3, 9, 36)], 8)
    restore = initial_state(compile_recipe(autoencoder))
    initial = autoencoder.get_weights()
    keras.utils.set_random_seed(2)
    losses = train(autoencoder, [X, mask], X, mask, epochs=8, batch_size=8, restore=restore)
    assert losses.shape == (8,) and losses[-1] < losses[0]
    assert not np.allclose(autoencoder.get_weights()[0], initial[0])
    # every one of the 8 epochs x 5 steps was taken
    assert int(autoencoder.optimizer.iterations.numpy()) == 8 * 5
    restore()
    for restored, first in zip(autoencoder.get_weights(), initial, strict=True):
        np.testing.assert_array_equal(restored, first)
    assert int(autoencoder.optimizer.iterations.numpy()) == 0
    # the same start and the same batches: the same training again
    keras.utils.set_random_seed(2)
    again = train(autoencoder, [X, mask], X, mask, epochs=8, batch_size=8, restore=restore)
    np.testing.assert_allclose(again, losses, rtol=1e-5)


def test_steps_per_execution_changes_no_update():
    """Several minibatch steps per call into TensorFlow: the same losses as one step per call."""
    import keras

    from utils.sequences import STEPS_PER_EXECUTION, join, masked_loss, sequence_autoencoder, train

    assert STEPS_PER_EXECUTION > 1
    rng = np.random.default_rng(3)
    X, mask = pad_sequences([rng.normal(size=(n, 40)) for n in rng.integers(3, 9, 40)], 8)
    runs = []
    for steps in (1, None):  # None: the recipe's STEPS_PER_EXECUTION
        keras.utils.set_random_seed(0)
        encoder, decoder_for = sequence_autoencoder(z_dim=4, units=8, filters=6)
        autoencoder = join(encoder, decoder_for(8))
        if steps is None:
            runs.append(train(autoencoder, [X, mask], X, mask, epochs=3, batch_size=4))
            continue
        autoencoder.compile(keras.optimizers.Adam(3e-3), loss=masked_loss(), steps_per_execution=1)
        history = autoencoder.fit(
            [X, mask], X, sample_weight=mask, epochs=3, batch_size=4, verbose=0
        )
        runs.append(np.array(history.history["loss"]))
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-4)


def test_log_mel_mfcc_statistics_matches_the_whole_recording_mfcc():
    from utils import features
    from utils.recognition import log_mel_mfcc_statistics

    rng = np.random.default_rng(0)
    audio = rng.normal(size=4000).astype(np.float32)
    S = features.log_mel(audio, features.SAMPLE_RATE)
    expected = features.mfcc(audio, features.SAMPLE_RATE, n_mfcc=13).mean(axis=1)
    np.testing.assert_allclose(log_mel_mfcc_statistics([S], 13)[0], expected, rtol=1e-4, atol=1e-3)
    assert log_mel_mfcc_statistics([S, S[:, :5]], 20, ("mean", "std")).shape == (2, 40)
    with pytest.raises(ValueError, match="n_mfcc"):
        log_mel_mfcc_statistics([S], 41)


def test_chapter_words_standardizes_on_the_autoencoder_words_only():
    from types import SimpleNamespace

    from utils.sequences import MAX_FRAMES, ChapterWords

    rng = np.random.default_rng(0)
    records = [
        SimpleNamespace(speaker=s, take=t, digit=d)
        for s in ("ann", "bob")
        for d in range(2)
        for t in range(7)
    ]

    class Corpus(list):  # what ChapterWords reads of a utils.data corpus
        is_real, speakers = False, ["ann", "bob"]
        digits = np.array([r.digit for r in records])

    corpus = Corpus(records)
    # loud words with quiet edges (trimmed), some longer than MAX_FRAMES (cropped)
    log_mels = []
    for n in rng.integers(10, MAX_FRAMES + 20, len(records)):
        S = rng.normal(-30.0, 3.0, size=(40, n))
        S[:, :3] = S[:, -3:] = -100.0
        log_mels.append(S)
    data = ChapterWords(corpus, log_mels)
    assert data.held_out == "bob"  # the last voice of a fallback corpus
    expected_rows = (data.takes >= 5) & (data.speakers != "bob")
    np.testing.assert_array_equal(data.autoencoder_rows, expected_rows)
    np.testing.assert_array_equal(data.n_frames, [min(len(S[0]) - 6, MAX_FRAMES) for S in log_mels])
    assert data.X.shape == (len(records), MAX_FRAMES, 40)
    real = data.mask[expected_rows] == 1
    train_frames = data.X[expected_rows][real]  # (n_real_frames, 40)
    np.testing.assert_allclose(train_frames.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(train_frames.std(axis=0), 1.0, rtol=1e-3)
    assert data.describe(0) == "digit 0, ann, take 0"
    with pytest.raises(ValueError, match="recordings"):
        ChapterWords(corpus, log_mels[:-1])
