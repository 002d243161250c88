import numpy as np
import pytest

from utils import metrics


def test_lsd_is_zero_for_equal_and_equals_a_constant_offset():
    rng = np.random.default_rng(1)
    S = rng.normal(size=(40, 30))
    assert metrics.log_spectral_distance(S, S) == 0
    assert np.isclose(metrics.log_spectral_distance(S, S + 3.0), 3.0)
    assert np.isclose(metrics.log_spectral_distance(S.T, S.T - 2.0, band_axis=-1), 2.0)


def test_lsd_is_rms_over_bands_then_mean_over_frames():
    ref = np.zeros((2, 2))
    est = np.array([[3.0, 0.0], [4.0, 0.0]])  # frame 0: sqrt((9+16)/2); frame 1: 0
    assert np.isclose(metrics.log_spectral_distance(ref, est), np.sqrt(12.5) / 2)


def test_lsd_refuses_mismatched_or_nan_input():
    with pytest.raises(ValueError, match="shape"):
        metrics.log_spectral_distance(np.zeros((40, 3)), np.zeros((40, 4)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.log_spectral_distance(np.zeros((2, 2)), np.full((2, 2), np.nan))


def test_snr():
    x = np.ones(100)
    assert metrics.snr_db(x, x) == float("inf")
    assert np.isclose(metrics.snr_db(x, 0.9 * x), 20.0)
    with pytest.raises(ValueError, match="silent"):
        metrics.snr_db(np.zeros(3), np.ones(3))


def test_bit_rate_accounting():
    assert metrics.bits_per_code(256) == 8
    assert metrics.bit_rate(8) == 500.0  # 62.5 frames/s x 8 bits
    assert metrics.bit_rate(metrics.bits_per_code(1024), codes_per_second=31.25, stages=2) == 625.0
    with pytest.raises(ValueError):
        metrics.bit_rate(8, stages=0)
    with pytest.raises(ValueError):
        metrics.bits_per_code(0)
