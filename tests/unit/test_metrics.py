import time

import numpy as np
import pytest

from utils import metrics
from utils.features import DB_FLOOR

# ----------------------------------------------------------------------------------------------
# Log-spectral distance
# ----------------------------------------------------------------------------------------------


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


def test_lsd_floors_both_spectrograms_at_minus_80_db():
    ref = np.full((40, 4), -70.0)
    below = np.full((40, 4), -95.0)  # 25 dB below the reference, but only 10 dB above the floor
    assert metrics.DB_FLOOR == DB_FLOOR == -80.0
    assert np.isclose(metrics.log_spectral_distance(ref, below), 10.0)
    assert np.isclose(metrics.log_spectral_distance(ref, below, floor_db=None), 25.0)
    assert metrics.log_spectral_distance(np.full((40, 3), -90.0), np.full((40, 3), -120.0)) == 0
    assert np.isclose(metrics.log_spectral_distance(ref, below, floor_db=-100.0), 25.0)


def test_lsd_refuses_mismatched_or_nan_input():
    with pytest.raises(ValueError, match="shape"):
        metrics.log_spectral_distance(np.zeros((40, 3)), np.zeros((40, 4)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.log_spectral_distance(np.zeros((2, 2)), np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="infinite"):
        metrics.log_spectral_distance(np.full((2, 2), -np.inf), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="empty"):
        metrics.log_spectral_distance(np.zeros((40, 0)), np.zeros((40, 0)))
    with pytest.raises(TypeError, match="numbers"):
        metrics.log_spectral_distance(np.array([["a"]]), np.array([["b"]]))
    with pytest.raises(ValueError, match="floor_db"):
        metrics.log_spectral_distance(np.zeros((2, 2)), np.zeros((2, 2)), floor_db=np.nan)


def utterance_with_silence(n_speech=6, n_silence=4, n_mels=40, seed=0):
    """(n_mels, n_frames): speech at about -20 dB, then frames at the floor (digital silence)."""
    rng = np.random.default_rng(seed)
    speech = -20.0 + 5.0 * rng.standard_normal((n_mels, n_speech))
    return np.concatenate([speech, np.full((n_mels, n_silence), DB_FLOOR)], axis=1)


def test_speech_only_lsd_ignores_frames_at_the_floor():
    ref = utterance_with_silence()  # frames 0-5 speech, 6-9 at the floor
    est = ref.copy()
    est[:, :6] += 2.0  # 2 dB off on every speech frame, silence reproduced exactly
    assert np.isclose(metrics.log_spectral_distance(ref, est), 2.0 * 6 / 10)  # silence flatters
    assert np.isclose(metrics.log_spectral_distance(ref, est, speech_only=True), 2.0)
    assert np.isclose(
        metrics.log_spectral_distance(ref.T, est.T, band_axis=-1, speech_only=True), 2
    )
    mask = metrics.speech_frames(ref)
    assert mask.shape == (10,) and mask.tolist() == [True] * 6 + [False] * 4
    # an estimate that is loud where the reference is silent is not charged in speech-only mode
    est[:, 6:] = 0.0
    assert np.isclose(metrics.log_spectral_distance(ref, est, speech_only=True), 2.0)
    assert metrics.log_spectral_distance(ref, est) > 30


def test_speech_frames_are_within_top_db_of_the_loudest_frame():
    ref = np.full((40, 5), -10.0)
    ref[:, 3] = -45.0  # 35 dB below the loudest frame: speech
    ref[:, 4] = -55.0  # 45 dB below: background, not speech (as in trim_silence's 40 dB)
    assert metrics.speech_frames(ref).tolist() == [True, True, True, True, False]
    assert metrics.speech_frames(ref, top_db=50.0).all()
    assert metrics.speech_frames(ref, top_db=None).all()  # only the floor rule: nothing at it
    quiet = np.full((40, 2), DB_FLOOR)
    quiet[0, 0] = DB_FLOOR + 1.0  # one band above the floor is enough
    assert metrics.speech_frames(quiet).tolist() == [True, False]


def test_speech_only_refuses_an_utterance_without_speech_and_pooled_frames():
    silence = np.full((40, 5), DB_FLOOR)
    with pytest.raises(ValueError, match="no speech frame"):
        metrics.log_spectral_distance(silence, silence, speech_only=True)
    with pytest.raises(ValueError, match="per utterance"):
        metrics.log_spectral_distance(np.zeros((2, 40, 5)), np.zeros((2, 40, 5)), speech_only=True)
    with pytest.raises(ValueError, match="top_db"):
        metrics.speech_frames(np.zeros((40, 5)), top_db=0)


def test_lsd_keeps_its_old_callers_working():
    rng = np.random.default_rng(3)
    S = rng.uniform(-80, 0, size=(40, 12))
    frame = S[:, 0]
    assert np.isclose(metrics.log_spectral_distance(frame[:, None], frame[:, None] + 20.0), 20.0)
    pooled = rng.uniform(-80, 0, size=(3, 7, 40))  # further axes are more frames
    assert np.isclose(
        metrics.log_spectral_distance(pooled, pooled + 1.0, band_axis=-1),
        1.0,
    )


def test_lsd_per_utterance_is_one_value_per_utterance_and_the_corpus_value_their_mean():
    short = np.zeros((40, 2))
    long = np.zeros((40, 98))
    references = [short, long]
    estimates = [short + 4.0, long + 1.0]
    distances = metrics.log_spectral_distances(references, estimates)
    assert distances.shape == (2,) and np.allclose(distances, [4.0, 1.0])
    assert np.isclose(distances.mean(), 2.5)  # each utterance counts equally (pooled: 1.06)
    pooled = metrics.log_spectral_distance(np.hstack(references), np.hstack(estimates))
    assert np.isclose(pooled, (2 * 4 + 98) / 100)
    stacked = np.zeros((3, 40, 5))
    assert metrics.log_spectral_distances(stacked, stacked + 2.0).tolist() == [2.0, 2.0, 2.0]
    ref, est = utterance_with_silence(), utterance_with_silence()
    est[:, :6] += 3.0
    assert np.allclose(metrics.log_spectral_distances([ref], [est], speech_only=True), [3.0])


def test_lsd_per_utterance_refuses_bad_input_and_names_the_utterance():
    with pytest.raises(ValueError, match="2 references but 1 estimates"):
        metrics.log_spectral_distances([np.zeros((40, 3))] * 2, [np.zeros((40, 3))])
    with pytest.raises(ValueError, match="no utterances"):
        metrics.log_spectral_distances([], [])
    with pytest.raises(ValueError, match="utterance 1: .*shape"):
        metrics.log_spectral_distances(
            [np.zeros((40, 3)), np.zeros((40, 3))], [np.zeros((40, 3)), np.zeros((40, 4))]
        )
    with pytest.raises(ValueError, match="one spectrogram per utterance"):
        metrics.log_spectral_distances(np.zeros((40, 3)), np.zeros((40, 3)))
    silence = np.full((40, 3), DB_FLOOR)
    with pytest.raises(ValueError, match="utterance 0: .*no speech frame"):
        metrics.log_spectral_distances([silence], [silence], speech_only=True)


# ----------------------------------------------------------------------------------------------
# Paired bootstrap
# ----------------------------------------------------------------------------------------------


def paired_scores(n, true_difference, seed):
    """Per-unit scores of two methods on the same units: a shared unit effect plus noise."""
    rng = np.random.default_rng(seed)
    unit_effect = rng.normal(10.0, 3.0, size=n)  # some utterances are harder for both
    a = unit_effect + true_difference + rng.normal(0.0, 1.0, size=n)
    b = unit_effect + rng.normal(0.0, 1.0, size=n)
    return a, b


def test_paired_bootstrap_interval_covers_the_true_difference_about_95_percent_of_the_time():
    true_difference, repetitions = -0.3, 200
    results = [
        metrics.paired_bootstrap(*paired_scores(60, true_difference, seed), seed=seed)
        for seed in range(repetitions)
    ]
    coverage = np.mean([r.low <= true_difference <= r.high for r in results])
    assert 0.90 <= coverage <= 0.99, coverage


def test_paired_bootstrap_detects_a_large_difference_and_not_a_zero_one():
    large = [metrics.paired_bootstrap(*paired_scores(60, -1.0, s), seed=s) for s in range(50)]
    assert all(r.direction == "a lower" and r.excludes_zero for r in large)
    flipped = metrics.paired_bootstrap(*paired_scores(60, -1.0, 0)[::-1])
    assert flipped.direction == "b lower"
    zero = [metrics.paired_bootstrap(*paired_scores(60, 0.0, s), seed=s) for s in range(100)]
    assert np.mean([r.direction == "not measurable" for r in zero]) >= 0.9


def test_pairing_matters():
    # the unit effect (sd 3) dwarfs the difference (0.5): only a paired resampling sees it
    a, b = paired_scores(60, -0.5, seed=1)
    assert metrics.paired_bootstrap(a, b).direction == "a lower"
    single_a, single_b = metrics.bootstrap_interval(a), metrics.bootstrap_interval(b)
    assert single_a.high > single_b.low  # the two separate intervals overlap


def test_paired_bootstrap_result_fields():
    a, b = paired_scores(40, -1.0, seed=2)
    r = metrics.paired_bootstrap(a, b, n_resamples=500, confidence=0.9)
    assert np.isclose(r.estimate, a.mean() - b.mean())
    assert np.isclose(r.statistic_a, a.mean()) and np.isclose(r.statistic_b, b.mean())
    assert r.low < r.estimate < r.high
    assert (r.n_units, r.n_resamples, r.confidence, r.relative) == (40, 500, 0.9, False)
    with pytest.raises(AttributeError):
        r.estimate = 0.0  # frozen
    median = metrics.paired_bootstrap(a, b, statistic=np.median)
    assert np.isclose(median.estimate, np.median(a) - np.median(b))


def test_paired_bootstrap_is_deterministic_with_a_seed():
    a, b = paired_scores(50, -0.2, seed=3)
    assert metrics.paired_bootstrap(a, b, seed=7) == metrics.paired_bootstrap(a, b, seed=7)
    assert metrics.paired_bootstrap(a, b, seed=7) != metrics.paired_bootstrap(a, b, seed=8)
    from_generator = metrics.paired_bootstrap(a, b, seed=np.random.default_rng(7))
    assert from_generator == metrics.paired_bootstrap(a, b, seed=7)


def test_relative_difference_in_percent_of_b_and_its_text():
    rng = np.random.default_rng(4)
    b = rng.uniform(0.8, 1.2, size=300)  # per-utterance MSE of the baseline
    a = 0.71 * b * rng.uniform(0.7, 1.3, size=300)  # about 29 % lower
    r = metrics.paired_bootstrap(a, b, relative=True)
    assert np.isclose(r.estimate, 100 * (a.mean() - b.mean()) / b.mean())
    assert r.direction == "a lower" and -32 < r.low < r.estimate < r.high < -26
    text = r.text("MSE")
    assert text.startswith("29 % lower MSE, 95 % interval ") and text.endswith(" %")
    low, high = text.split("interval ")[1].removesuffix(" %").split("\u2013")
    assert float(low) == round(-r.high) and float(high) == round(-r.low)
    assert str(r) == r.text()
    assert metrics.paired_bootstrap(b, a, relative=True).text("MSE").split(" %")[0] == "41"
    with pytest.raises(ValueError, match="positive"):
        metrics.paired_bootstrap(a, -b, relative=True)


def test_text_for_absolute_differences_accuracies_and_no_difference():
    a, b = paired_scores(200, -1.3, seed=5)
    text = metrics.paired_bootstrap(a, b).text("LSD", "dB")
    assert text.startswith("1.") and " dB lower LSD, 95 % interval " in text
    assert metrics.paired_bootstrap(b, a).text("LSD", "dB").split(" ")[2] == "higher"
    # accuracies: per-utterance correctness, the mean is the accuracy
    rng = np.random.default_rng(6)
    correct_a = rng.random(400) < 0.9
    correct_b = correct_a & (rng.random(400) < 0.8)  # b gets a subset of a's right
    accuracy = metrics.paired_bootstrap(100 * correct_a, 100 * correct_b)
    assert np.isclose(accuracy.estimate, 100 * (correct_a.mean() - correct_b.mean()))
    assert accuracy.direction == "b lower"
    assert " percentage points higher accuracy" in accuracy.text("accuracy", "percentage points")
    same = metrics.paired_bootstrap(*paired_scores(60, 0.0, seed=0), seed=0)
    assert same.direction == "not measurable"
    assert same.text("MSE").startswith("no measurable difference in MSE (")
    assert "\u2212" in same.text() and " to +" in same.text()  # a signed interval around 0
    identical = metrics.paired_bootstrap(a, a)
    assert (identical.low, identical.high, identical.direction) == (0, 0, "not measurable")


def test_bootstrap_interval_of_one_method():
    rng = np.random.default_rng(8)
    x = rng.normal(3.0, 1.0, size=400)
    r = metrics.bootstrap_interval(x)
    assert isinstance(r, metrics.BootstrapInterval) and not hasattr(r, "direction")
    assert np.isclose(r.estimate, x.mean()) and r.low < 3.0 < r.high
    assert np.isclose(r.high - r.low, 2 * 1.96 / np.sqrt(400), rtol=0.15)
    assert r.text("dB").startswith(f"{x.mean():.1f} dB, 95 % interval ")
    assert r == metrics.bootstrap_interval(x)


@pytest.mark.parametrize(
    "a, b, error, words",
    [
        (np.ones(10), np.ones(11), ValueError, "same units"),
        (np.ones(0), np.ones(0), ValueError, "empty"),
        (np.ones(1), np.ones(1), ValueError, "at least 2 units"),
        (np.r_[1.0, np.nan, 2.0], np.ones(3), ValueError, "NaN .* index 1"),
        (np.ones(3), np.r_[1.0, 2.0, np.inf], ValueError, "infinite"),
        (np.ones((5, 2)), np.ones((5, 2)), ValueError, "one score per unit"),
        (np.array(["1", "2"]), np.ones(2), TypeError, "numbers"),
    ],
)
def test_paired_bootstrap_refuses_bad_scores(a, b, error, words):
    with pytest.raises(error, match=words):
        metrics.paired_bootstrap(a, b)


@pytest.mark.parametrize(
    "options, error, words",
    [
        (dict(n_resamples=10), ValueError, "at least 100"),
        (dict(n_resamples=1000.0), ValueError, "whole number"),
        (dict(confidence=95), ValueError, "give 0.95"),
        (dict(confidence=1.0), ValueError, "between 0 and 1"),
        (dict(confidence="0.95"), TypeError, "number"),
        (dict(seed=None), TypeError, "seed"),
        (dict(statistic=lambda x, axis: x), ValueError, "axis=-1"),
    ],
)
def test_paired_bootstrap_refuses_bad_options(options, error, words):
    a, b = paired_scores(20, 0.0, seed=0)
    with pytest.raises(error, match=words):
        metrics.paired_bootstrap(a, b, **options)
    with pytest.raises(error, match=words):
        metrics.bootstrap_interval(a, **options)


def test_paired_bootstrap_is_vectorized_and_fast():
    # the budget is 0.2 s for 1,000 resamples of 500 utterances; the guard is loose on purpose
    # (a shared 2-core machine), the measured time is printed (pytest -s): 10-40 ms measured
    a, b = paired_scores(500, -0.1, seed=9)
    metrics.paired_bootstrap(a, b)  # warm-up
    start = time.perf_counter()
    metrics.paired_bootstrap(a, b, n_resamples=1000)
    elapsed = time.perf_counter() - start
    print(f"paired_bootstrap, 1,000 resamples of 500 units: {1000 * elapsed:.1f} ms")
    assert elapsed < 1.0


# ----------------------------------------------------------------------------------------------
# SNR and bit rates
# ----------------------------------------------------------------------------------------------


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


def test_unpaired_bootstrap_covers_the_true_difference_about_95_percent_of_the_time():
    # a: 40 scores with mean 1.0, b: 70 other scores with mean 0.0, unit variance each
    covered = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        a, b = rng.normal(1.0, 1.0, 40), rng.normal(0.0, 1.0, 70)
        result = metrics.unpaired_bootstrap(a, b, seed=seed)
        assert result.n_units == 40 and result.n_units_b == 70
        assert np.isclose(result.estimate, a.mean() - b.mean())
        covered += result.low <= 1.0 <= result.high
    assert 0.88 <= covered / 200 <= 0.99, covered


def test_unpaired_bootstrap_is_wider_than_paired_when_units_are_shared():
    rng = np.random.default_rng(0)
    unit_effect = rng.normal(0.0, 3.0, 80)  # each unit's own difficulty, shared by a and b
    a = unit_effect + 0.5 + rng.normal(0.0, 0.2, 80)
    b = unit_effect + rng.normal(0.0, 0.2, 80)
    paired = metrics.paired_bootstrap(a, b)
    unpaired = metrics.unpaired_bootstrap(a, b)
    assert paired.direction == "b lower" and unpaired.direction == "not measurable"
    assert unpaired.high - unpaired.low > 5 * (paired.high - paired.low)
    assert "no measurable difference" in unpaired.text("accuracy", "points")


def test_unpaired_bootstrap_explains_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        metrics.unpaired_bootstrap([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        metrics.unpaired_bootstrap([1.0], [1.0, 2.0])
