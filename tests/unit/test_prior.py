"""utils.prior: sampling steps, counting priors, the LSTM prior, rates and distances."""

from __future__ import annotations

import numpy as np
import pytest

from utils.prior import (
    LSTMPrior,
    NGramPrior,
    bits_per_code,
    bits_per_second,
    condition_index,
    copied_sequences,
    frechet_distance,
    sample_next,
)

# --- sample_next -------------------------------------------------------------------------------


def test_sample_next_follows_the_softmax_at_temperature_one():
    logits = np.log(np.array([[0.5, 0.3, 0.2]]))
    draws = sample_next(np.repeat(logits, 20_000, axis=0), rng=1)
    frequencies = np.bincount(draws, minlength=3) / draws.size
    # binomial standard error at 20,000 draws is below 0.004
    assert np.allclose(frequencies, [0.5, 0.3, 0.2], atol=0.015)


def test_temperature_sharpens_and_flattens():
    logits = np.repeat(np.log(np.array([[0.6, 0.3, 0.1]])), 20_000, axis=0)
    sharp = np.bincount(sample_next(logits, temperature=0.5, rng=2), minlength=3) / 20_000
    flat = np.bincount(sample_next(logits, temperature=2.0, rng=3), minlength=3) / 20_000
    p = np.array([0.6, 0.3, 0.1])
    expected_sharp = p**2 / (p**2).sum()
    expected_flat = np.sqrt(p) / np.sqrt(p).sum()
    assert np.allclose(sharp, expected_sharp, atol=0.015)
    assert np.allclose(flat, expected_flat, atol=0.015)
    assert np.all(sample_next(logits[:100], temperature=1e-4, rng=4) == 0)


def test_top_k_keeps_only_the_k_most_likely_and_renormalizes():
    logits = np.repeat(np.log(np.array([[0.1, 0.4, 0.2, 0.3]])), 20_000, axis=0)
    draws = sample_next(logits, top_k=2, rng=5)
    assert set(np.unique(draws)) == {1, 3}
    assert abs(np.mean(draws == 1) - 0.4 / 0.7) < 0.015
    assert np.all(sample_next(logits[:50], top_k=1, rng=6) == 1)


def test_sample_next_explains_bad_arguments():
    with pytest.raises(ValueError, match=r"\(n, V\)"):
        sample_next(np.zeros(3))
    with pytest.raises(ValueError, match="temperature must be a positive"):
        sample_next(np.zeros((1, 3)), temperature=0)
    with pytest.raises(ValueError, match="exceeds"):
        sample_next(np.zeros((1, 3)), top_k=4)
    with pytest.raises(ValueError, match="positive integer"):
        sample_next(np.zeros((1, 3)), top_k=0)
    with pytest.raises(ValueError, match="NaN"):
        sample_next(np.array([[0.0, np.nan]]))


# --- counting priors ---------------------------------------------------------------------------


def markov_sequences(transition, n, length, rng, start=0):
    sequences = []
    for _ in range(n):
        state, sequence = start, []
        for _ in range(length):
            state = rng.choice(len(transition), p=transition[state])
            sequence.append(state)
        sequences.append(np.array(sequence))
    return sequences


TRANSITION = np.array([[0.05, 0.9, 0.05], [0.05, 0.05, 0.9], [0.9, 0.05, 0.05]])


def test_bigram_recovers_a_markov_chain_and_beats_the_unigram():
    rng = np.random.default_rng(0)
    train = markov_sequences(TRANSITION, 300, 20, rng)
    test = markov_sequences(TRANSITION, 100, 20, rng)
    bigram = NGramPrior(3, order=2, conditioned=False, alpha=0.1).fit(train)
    unigram = NGramPrior(3, order=1, conditioned=False, alpha=0.1).fit(train)
    p = bigram.probabilities()[0, :3, :3]
    assert np.allclose(p / p.sum(axis=1, keepdims=True), TRANSITION, atol=0.03)
    bigram_bits = bits_per_code(bigram.log2_likelihood(test), test)
    unigram_bits = bits_per_code(unigram.log2_likelihood(test), test)
    # per code: the chain's entropy rate, H(0.9, 0.05, 0.05) = 0.57 bit, plus the length: END
    # comes once in 21 predicted symbols, -(20 log2(20/21) + log2(1/21)) / 20 = 0.29 bit
    entropy_rate = -(0.9 * np.log2(0.9) + 2 * 0.05 * np.log2(0.05))
    length_cost = -(20 * np.log2(20 / 21) + np.log2(1 / 21)) / 20
    assert abs(bigram_bits - (entropy_rate + length_cost)) < 0.05
    # the unigram sees three equally frequent codes: log2(3) = 1.58 bits, plus the length
    assert abs(unigram_bits - (np.log2(3) + length_cost)) < 0.05


def test_log2_likelihood_by_hand():
    prior = NGramPrior(2, order=1, conditioned=False, alpha=1.0).fit([np.array([0, 0, 1])])
    # counts of (0, 1, END) = (2, 1, 1), plus 1 each: (3, 2, 2) / 7
    expected = np.log2(3 / 7) + np.log2(2 / 7) + np.log2(2 / 7)
    assert np.isclose(prior.log2_likelihood([np.array([0, 1])])[0], expected)


def test_conditioned_priors_keep_their_conditions_apart():
    up = [np.array([0, 1, 2, 3])] * 20
    down = [np.array([3, 2, 1, 0])] * 20
    prior = NGramPrior(4, n_conditions=2, order=2, alpha=0.01).fit(up + down, [0] * 20 + [1] * 20)
    samples = prior.sample([0, 1], top_k=1)
    assert samples[0].tolist() == [0, 1, 2, 3] and samples[1].tolist() == [3, 2, 1, 0]
    assert copied_sequences(samples, up + down).all()


def test_sampling_at_requested_lengths():
    prior = NGramPrior(3, order=1, conditioned=False).fit([np.array([0, 1, 2])] * 5)
    samples = prior.sample(np.zeros(4, dtype=int), lengths=np.array([0, 1, 5, 9]), seed=1)
    assert [len(s) for s in samples] == [0, 1, 5, 9]
    unbounded = prior.sample(np.zeros(200, dtype=int), max_length=7, seed=2)
    assert max(len(s) for s in unbounded) <= 7
    assert all(s.dtype == np.int64 and (s < 3).all() for s in unbounded)


def test_counting_priors_explain_bad_input():
    prior = NGramPrior(4, n_conditions=2)
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        prior.fit([np.array([0, 4])], [0])
    with pytest.raises(TypeError, match="list of 1-D"):
        prior.fit(np.array([0, 1, 2]), [0])
    with pytest.raises(ValueError, match="one condition per sequence"):
        prior.fit([np.array([0, 1])], [0, 1])
    with pytest.raises(ValueError, match="conditioned"):
        prior.fit([np.array([0, 1])])
    with pytest.raises(ValueError, match="empty"):
        prior.fit([], [])
    with pytest.raises(ValueError, match="order"):
        NGramPrior(4, order=3)


# --- the LSTM prior ----------------------------------------------------------------------------


def test_lstm_prior_learns_two_conditioned_sequences():
    up, down = np.array([0, 1, 2, 3, 4]), np.array([4, 3, 2, 1, 0])
    sequences, conditions = [up, down] * 16, np.array([0, 1] * 16)
    prior = LSTMPrior(5, n_conditions=2, units=16, embedding_dim=8, seed=0)
    before = bits_per_code(prior.log2_likelihood(sequences, conditions), sequences)
    history = prior.fit(sequences, conditions, epochs=60, batch_size=32, learning_rate=3e-2)
    after = bits_per_code(prior.log2_likelihood(sequences, conditions), sequences)
    assert history.history["loss"][-1] < history.history["loss"][0] / 5
    assert before > 2.0 and after < 0.2  # log2(6) = 2.6 bits before any training
    samples = prior.sample([0, 1, 0], top_k=1, max_length=10)
    assert [s.tolist() for s in samples] == [up.tolist(), down.tolist(), up.tolist()]
    # the log-likelihood is the sum of the per-step log-probabilities the sampler reads, one
    # prefix at a time (START, then each code), END included
    odd = np.array([2, 0, 4])
    steps = [np.concatenate([[prior.start], odd[:t]]) for t in range(len(odd) + 1)]
    targets = np.append(odd, prior.end)
    by_step = sum(
        prior._log_softmax([prefix[None].astype(np.int32), np.array([1], np.int32)])[0, -1, c]
        for prefix, c in zip(steps, targets, strict=True)
    )
    assert np.isclose(prior.log2_likelihood([odd], [1])[0], by_step / np.log(2), atol=1e-4)


def test_condition_index_combines_digit_and_speaker_and_both_priors_use_it():
    digits, speakers = np.array([0, 0, 1, 1, 9]), np.array([0, 2, 0, 2, 1])
    assert condition_index(digits).tolist() == digits.tolist()
    assert condition_index(digits, speakers, 3).tolist() == [0, 2, 3, 5, 28]
    with pytest.raises(ValueError, match="speaker indices"):
        condition_index(digits, speakers, 2)
    with pytest.raises(ValueError, match="0 to 9"):
        condition_index([10])
    # digit 0 said by two speakers, each with its own sequence: 20 conditions, 2 of them used
    one, other = np.array([0, 1, 2, 3]), np.array([3, 2, 1, 0])
    sequences = [one, other] * 16
    conditions = condition_index(np.zeros(32, int), np.array([0, 1] * 16), 2)
    bigram = NGramPrior(4, n_conditions=20, order=2, alpha=0.01).fit(sequences, conditions)
    requested = condition_index(np.zeros(2, int), np.array([0, 1]), 2)
    assert [s.tolist() for s in bigram.sample(requested, top_k=1)] == [one.tolist(), other.tolist()]
    lstm = LSTMPrior(4, n_conditions=20, units=16, embedding_dim=8, seed=0)
    lstm.fit(sequences, conditions, epochs=60, batch_size=32, learning_rate=3e-2)
    samples = lstm.sample(requested, top_k=1, max_length=8)
    assert [s.tolist() for s in samples] == [one.tolist(), other.tolist()]


# --- rates, distances, novelty -----------------------------------------------------------------


def test_rates():
    assert bits_per_code([-10.0, -6.0], [np.arange(3), np.arange(5)]) == 2.0
    assert bits_per_second(8.0, 31.25) == 250.0
    with pytest.raises(ValueError, match="no code"):
        bits_per_code([-1.0], [np.array([], dtype=int)])


def test_frechet_distance():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 3))
    shift = np.array([1.0, -2.0, 0.5])
    assert frechet_distance(X, X) < 1e-8
    assert np.isclose(frechet_distance(X, X + shift), shift @ shift, rtol=1e-6)
    # N(0, I) against N(0, 4 I) in 3 dimensions: 3 (1 + 4 - 2 * 2) = 3
    assert abs(frechet_distance(X, 2 * rng.normal(size=(4000, 3))) - 3.0) < 0.3
    with pytest.raises(ValueError, match="same size"):
        frechet_distance(X, X[:, :2])
    with pytest.raises(ValueError, match="two embeddings"):
        frechet_distance(X[:1], X)


def test_copied_sequences():
    training = [np.array([1, 2]), np.array([3])]
    flags = copied_sequences([np.array([1, 2]), np.array([2, 1]), np.array([3])], training)
    assert flags.tolist() == [True, False, True]
