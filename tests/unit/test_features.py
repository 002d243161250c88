"""Feature helpers: shapes, units, round trips and the training-only standardization."""

import numpy as np
import pytest

from utils import features, metrics

SR = features.SAMPLE_RATE


def tone(frequency=440.0, seconds=0.5, amplitude=0.3):
    t = np.arange(int(seconds * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def test_log_mel_shape_units_and_floor():
    S = features.log_mel(tone())
    assert S.shape == (features.N_MELS, 1 + int(0.5 * SR) // features.HOP_LENGTH)
    assert S.dtype == np.float32
    assert S.min() >= features.DB_FLOOR - 1e-3  # float32 rounding of 10*log10(1e-8)
    # a 440 Hz tone puts its energy in a low mel band
    peak_band = int(np.argmax(S.mean(axis=1)))
    assert peak_band < features.N_MELS // 3


def test_log_mel_is_louder_for_louder_audio_by_the_right_number_of_db():
    quiet, loud = features.log_mel(tone(amplitude=0.05)), features.log_mel(tone(amplitude=0.5))
    band = int(np.argmax(loud.mean(axis=1)))
    assert np.isclose(np.median(loud[band] - quiet[band]), 20.0, atol=0.1)  # 10x amplitude = +20 dB


def test_mfcc_is_the_dct_of_log_mel():
    import scipy.fft

    S = features.log_mel(tone())
    C = features.mfcc(tone(), n_mfcc=13)
    assert C.shape == (13, S.shape[1])
    assert np.allclose(C, scipy.fft.dct(S, axis=0, type=2, norm="ortho")[:13], atol=1e-3)
    with pytest.raises(ValueError, match="n_mfcc"):
        features.mfcc(tone(), n_mfcc=41)


def test_context_windows_layout_and_inverse():
    S = np.arange(40 * 12, dtype=np.float32).reshape(40, 12)
    W = features.context_windows(S, width=5)
    assert W.shape == (8, 5 * 40)
    assert np.array_equal(W[2, :40], S[:, 2]) and np.array_equal(W[2, 40:80], S[:, 3])  # time-major
    assert np.array_equal(features.overlap_average(W, 5, 40, 12), S)
    W2 = features.context_windows(S, width=4, hop=2)
    assert W2.shape == (5, 160) and np.array_equal(
        features.overlap_average(W2, 4, 40, 12, hop=2), S
    )


def test_context_windows_pads_short_utterances_and_checks_arguments():
    S = np.ones((40, 3), np.float32)
    assert features.context_windows(S, width=5).shape == (1, 200)
    with pytest.raises(ValueError, match="width"):
        features.context_windows(S, width=0)
    with pytest.raises(ValueError, match="2-D"):
        features.context_windows(np.ones(40), width=2)


def test_frames_stacks_spectrograms_as_rows():
    a, b = np.zeros((40, 3)), np.ones((40, 5))
    F = features.frames([a, b])
    assert F.shape == (8, 40) and F[3:].min() == 1


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5, 2, size=(1000, 3))
    test = rng.normal(50, 20, size=(10, 3))
    scaler = features.Standardizer().fit(train)
    assert np.allclose(scaler.transform(train).mean(0), 0, atol=1e-5)
    assert np.allclose(scaler.mean, train.mean(0))
    assert scaler.transform(test).mean() > 10  # the test set is NOT re-centred on itself
    assert np.allclose(scaler.inverse_transform(scaler.transform(test)), test, rtol=1e-4)
    with pytest.raises(RuntimeError, match="fit"):
        features.Standardizer().transform(test)
    with pytest.raises(ValueError, match="columns"):
        scaler.transform(np.ones((2, 4)))


def test_inversion_gives_audio_whose_log_mel_is_close():
    """Griffin-Lim cannot recover the phase exactly, but on a speech-like sound it lands within a
    few dB (about 4-5 dB LSD measured here), far closer than unrelated audio of equal loudness."""
    from utils.synthetic import synthesize_digit

    audio = synthesize_digit(3, "alba", 0)
    S = features.log_mel(audio)
    y = features.invert_log_mel(S)
    assert y.shape == ((S.shape[1] - 1) * features.HOP_LENGTH,)
    assert np.all(np.isfinite(y))
    lsd = metrics.log_spectral_distance(S, features.log_mel(y))
    other = features.log_mel(synthesize_digit(3, "bruno", 0))[:, : S.shape[1]]
    assert lsd < 6.0 and lsd < 0.5 * metrics.log_spectral_distance(S[:, : other.shape[1]], other)
    assert np.array_equal(y, features.invert_log_mel(S))  # seeded: same input, same audio


def test_sample_windows_shape_layout_and_padding():
    audio = np.arange(1000, dtype=np.float32) / 1000
    W = features.sample_windows(audio, length=256, hop=128)
    assert W.shape == (1 + int(np.ceil((1000 - 256) / 128)), 256)
    assert W.dtype == np.float32
    np.testing.assert_array_equal(W[1], audio[128:384])
    assert W[-1, -1] == 0.0  # zero padding at the end
    assert features.sample_windows(audio[:100], 256, 128).shape == (1, 256)


def test_overlap_add_inverts_sample_windows_exactly():
    audio = tone(seconds=0.3)
    for length, hop in ((256, 128), (256, 64), (100, 100)):
        W = features.sample_windows(audio, length, hop)
        back = features.overlap_add(W, hop, n_samples=audio.size)
        assert back.shape == audio.shape and back.dtype == np.float32
        np.testing.assert_allclose(back, audio, atol=1e-6)


def test_overlap_add_averages_different_estimates_of_a_sample():
    W = np.stack([np.ones(4), 3 * np.ones(4)])  # two estimates of samples 2 and 3
    back = features.overlap_add(W, hop=2)
    assert back.shape == (6,)
    np.testing.assert_allclose(back[:2], 1.0)
    np.testing.assert_allclose(back[4:], 3.0)
    assert np.all((back[2:4] > 1.0) & (back[2:4] < 3.0))


def test_sample_windows_and_overlap_add_refuse_bad_input():
    with pytest.raises(ValueError, match="hop"):
        features.sample_windows(tone(), length=128, hop=256)
    with pytest.raises(ValueError, match="length"):
        features.sample_windows(tone(), length=0)
    with pytest.raises(ValueError, match="n_samples"):
        features.overlap_add(np.zeros((3, 256)), hop=128, n_samples=10_000)
    with pytest.raises(ValueError, match="hop"):
        features.overlap_add(np.zeros((3, 16)), hop=32)
