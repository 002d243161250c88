"""Unit tests of utils.codec (chapter 4): the vector quantizer, residual VQ, VQ-VAE and bit rates.

Tiny shapes throughout: every test runs in a fraction of a second except the one short training run.
"""

import numpy as np
import pytest

from utils import runtime

runtime.quiet_tensorflow()

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils import codec  # noqa: E402
from utils.metrics import bit_rate  # noqa: E402
from utils.quantization import nearest_codeword  # noqa: E402


def _normal(shape, seed=0, scale=1.0):
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype("float32")


def _brute_force_nearest(Z, C):
    """Index of the nearest row of C for every row of Z, by every distance in full."""
    return np.argmin(((Z[:, None, :] - C[None, :, :]) ** 2).sum(-1), axis=1)


def _snapshot(quantizer):
    return (
        quantizer.codebook.numpy().copy(),
        quantizer.ema_count.numpy().copy(),
        None if quantizer.ema_sum is None else quantizer.ema_sum.numpy().copy(),
    )


# Four codewords; the test vectors lie near the first two, so the last two receive none.
CODEBOOK = np.array([[0.0, 0.0], [10.0, 10.0], [-10.0, 10.0], [10.0, -10.0]], dtype="float32")
VECTORS = np.array(
    [[0.5, 0.2], [-0.4, 0.3], [0.1, -0.6], [9.0, 9.5], [10.5, 11.0]], dtype="float32"
)  # 3 vectors for codeword 0, 2 for codeword 1


# ----------------------------------------------------------------------------------------------
# Nearest codeword and straight-through gradient
# ----------------------------------------------------------------------------------------------


def test_nearest_codeword_matches_brute_force():
    quantizer = codec.VectorQuantizer(37, 5, seed=3)
    z = _normal((4, 50, 5), seed=1)
    z_q, codes = quantizer(z)
    C = quantizer.codebook.numpy()
    flat_codes = np.asarray(codes).reshape(-1)
    assert z_q.shape == (4, 50, 5) and codes.shape == (4, 50) and codes.dtype == "int32"
    np.testing.assert_array_equal(flat_codes, _brute_force_nearest(z.reshape(-1, 5), C))
    np.testing.assert_array_equal(flat_codes, nearest_codeword(z.reshape(-1, 5), C))
    np.testing.assert_allclose(np.asarray(z_q), C[np.asarray(codes)], atol=1e-6)  # forward: e
    np.testing.assert_allclose(np.asarray(quantizer.lookup(codes)), C[np.asarray(codes)])


def test_straight_through_jacobian_is_the_identity():
    quantizer = codec.VectorQuantizer(8, 3, seed=0)
    z = tf.Variable(_normal((2, 3), seed=2))
    for training in (False, True):
        with tf.GradientTape(persistent=True) as tape:
            z_q, _ = quantizer(z, training=training)
        jacobian = tape.jacobian(z_q, z, experimental_use_pfor=False).numpy()  # (2, 3, 2, 3)
        np.testing.assert_array_equal(jacobian.reshape(6, 6), np.eye(6))


def test_residual_straight_through_gradient_is_the_identity():
    rvq = codec.ResidualVectorQuantizer(3, 8, 4, seed=0)
    z = tf.Variable(_normal((5, 6, 4), seed=4))
    weights = _normal((5, 6, 4), seed=5)
    for training, n_stages in ((False, None), (False, 2), (True, None)):  # True: with dropout
        with tf.GradientTape() as tape:
            z_q, _ = rvq(z, training=training, n_stages=n_stages)
            total = tf.reduce_sum(weights * z_q)
        np.testing.assert_allclose(tape.gradient(total, z).numpy(), weights, rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# The codebook update: moving averages (the bug of the first version) and restart
# ----------------------------------------------------------------------------------------------


def test_moving_averages_start_consistent_with_the_codebook():
    quantizer = codec.VectorQuantizer(16, 4, seed=7)
    C, N, M = _snapshot(quantizer)
    np.testing.assert_array_equal(M, C)  # M = C_0
    np.testing.assert_array_equal(N, np.ones(16))  # N = 1, so M / N = C_0


def test_ema_step_leaves_an_unassigned_codeword_exactly_where_it_was():
    """The bug of chapter 4's first version: M started at 0 while C started random, so after the
    first batch every unused codeword sat at 0 and every used one shrank towards 0."""
    gamma = 0.99
    quantizer = codec.VectorQuantizer(16, 4, ema_decay=gamma, restart_below=None, seed=7)
    C_before = quantizer.codebook.numpy().copy()  # the random initial codebook C_0
    z = C_before[3] + _normal((20, 4), seed=8, scale=0.1)  # every vector near codeword 3
    _, codes = quantizer(z, training=True)
    assert set(np.asarray(codes).tolist()) == {3}
    C_after = quantizer.codebook.numpy()
    unused = np.arange(16) != 3
    np.testing.assert_array_equal(C_after[unused], C_before[unused])  # exactly, not approximately
    expected = (gamma * C_before[3] + (1 - gamma) * z.sum(axis=0)) / (gamma + (1 - gamma) * 20)
    np.testing.assert_allclose(C_after[3], expected, rtol=1e-5)  # M_0 = C_0 and N_0 = 1
    assert not np.allclose(C_after[3], C_before[3], rtol=0, atol=1e-4)  # and it did move


def test_ema_step_moves_an_assigned_codeword_to_the_moving_average():
    gamma = 0.9
    quantizer = codec.VectorQuantizer(4, 2, ema_decay=gamma, restart_below=None)
    quantizer.set_codebook(CODEBOOK)
    _, codes = quantizer(VECTORS, training=True)
    np.testing.assert_array_equal(np.asarray(codes), [0, 0, 0, 1, 1])
    C, N, M = _snapshot(quantizer)
    for k, members in ((0, VECTORS[:3]), (1, VECTORS[3:])):
        n_k, s_k = len(members), members.sum(axis=0)
        expected_N = gamma * 1.0 + (1 - gamma) * n_k
        expected_M = gamma * CODEBOOK[k] + (1 - gamma) * s_k
        np.testing.assert_allclose(N[k], expected_N, rtol=1e-6)
        np.testing.assert_allclose(M[k], expected_M, rtol=1e-6)
        np.testing.assert_allclose(C[k], expected_M / expected_N, rtol=1e-6)
    np.testing.assert_array_equal(C[2:], CODEBOOK[2:])  # no vectors: stay where they were
    np.testing.assert_allclose(N[2:], gamma)  # ... while their counts decay
    np.testing.assert_allclose(M[2:] / N[2:, None], CODEBOOK[2:], rtol=1e-6)  # c = M / N holds


def test_ema_with_zero_decay_is_one_lloyd_step():
    quantizer = codec.VectorQuantizer(4, 2, ema_decay=0.0, restart_below=None)
    quantizer.set_codebook(CODEBOOK)
    quantizer(VECTORS, training=True)
    C = quantizer.codebook.numpy()
    np.testing.assert_allclose(C[0], VECTORS[:3].mean(axis=0), rtol=1e-6)  # the centroid
    np.testing.assert_allclose(C[1], VECTORS[3:].mean(axis=0), rtol=1e-6)


@pytest.mark.parametrize("update", ["ema", "loss"])
def test_restart_replaces_dead_codewords_by_inputs_and_leaves_live_ones(update):
    gamma = 0.9
    quantizer = codec.VectorQuantizer(4, 2, ema_decay=gamma, restart_below=1.0, update=update)
    quantizer.set_codebook(CODEBOOK)
    quantizer(VECTORS, training=True)
    C, N, M = _snapshot(quantizer)
    for k in (2, 3):  # dead: N = gamma < 1 after a batch without vectors
        assert any(np.array_equal(C[k], v) for v in VECTORS), C[k]  # now an input vector
        assert N[k] == 1.0
        if M is not None:
            np.testing.assert_array_equal(M[k], C[k])  # restarted consistently
    np.testing.assert_allclose(N[:2], gamma + (1 - gamma) * np.array([3, 2]), rtol=1e-6)
    if update == "ema":  # live codewords: the moving average, not a restart
        expected = (gamma * CODEBOOK[0] + (1 - gamma) * VECTORS[:3].sum(0)) / N[0]
        np.testing.assert_allclose(C[0], expected, rtol=1e-6)
    else:  # the loss variant leaves its live codewords to the optimizer
        np.testing.assert_array_equal(C[:2], CODEBOOK[:2])


@pytest.mark.parametrize("restart_below", [None, 0, 0.0])
def test_without_restart_a_dead_codeword_stays_put(restart_below):
    quantizer = codec.VectorQuantizer(4, 2, ema_decay=0.9, restart_below=restart_below)
    quantizer.set_codebook(CODEBOOK)
    for _ in range(3):
        quantizer(VECTORS, training=True)
    np.testing.assert_array_equal(quantizer.codebook.numpy()[2:], CODEBOOK[2:])


def test_inference_changes_nothing():
    quantizer = codec.VectorQuantizer(4, 2)
    quantizer.set_codebook(CODEBOOK)
    before = _snapshot(quantizer)
    quantizer(VECTORS)  # training=False
    for old, new in zip(before, _snapshot(quantizer), strict=True):
        np.testing.assert_array_equal(old, new)
    assert quantizer.losses == []


# ----------------------------------------------------------------------------------------------
# Losses and what receives gradients
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("update", ["ema", "loss"])
def test_loss_equals_the_documented_formula(update):
    beta = 0.3
    quantizer = codec.VectorQuantizer(8, 4, beta=beta, update=update, seed=1)
    z = _normal((2, 3, 4), seed=9)
    C = quantizer.codebook.numpy().copy()
    e = C[_brute_force_nearest(z.reshape(-1, 4), C)]
    squared_error = np.sum((z.reshape(-1, 4) - e) ** 2) / (6 * 4)  # (1 / (N D)) sum ||z - e||^2
    quantizer(z, training=True)
    [loss] = [float(value) for value in quantizer.losses]
    expected = beta * squared_error if update == "ema" else (1 + beta) * squared_error
    assert loss == pytest.approx(expected, rel=1e-5)


def test_residual_quantizer_adds_one_commitment_term_per_stage():
    beta = 0.25
    rvq = codec.ResidualVectorQuantizer(2, 8, 3, beta=beta, seed=2)
    z = _normal((4, 5, 3), seed=10).reshape(-1, 3)
    C1, C2 = (q.codebook.numpy().copy() for q in rvq.quantizers)
    e1 = C1[_brute_force_nearest(z, C1)]
    e2 = C2[_brute_force_nearest(z - e1, C2)]
    rvq(z, training=True)
    losses = [float(value) for value in rvq.losses]
    expected = [beta * np.mean((z - e1) ** 2), beta * np.mean((z - e1 - e2) ** 2)]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)


def test_only_the_codebook_loss_variant_gives_the_codebook_a_gradient():
    z = _normal((10, 3), seed=11)
    ema = codec.VectorQuantizer(6, 3, restart_below=None, update="ema", seed=4)
    assert ema.trainable_weights == []
    with tf.GradientTape() as tape:
        tape.watch(ema.codebook.value)  # watched explicitly: the tape ignores untrainable weights
        z_q, _ = ema(z, training=True)
        total = tf.add_n(ema.losses) + tf.reduce_sum(z_q)
    assert tape.gradient(total, ema.codebook.value) is None

    learned = codec.VectorQuantizer(6, 3, restart_below=None, update="loss", seed=4)
    assert [w.name for w in learned.trainable_weights] == ["codebook"]
    C = learned.codebook.numpy().copy()
    with tf.GradientTape() as tape:
        z_q, codes = learned(z, training=True)
        total = tf.add_n(learned.losses) + tf.reduce_sum(z_q)  # z_q carries no codebook gradient
    gradient = tf.convert_to_tensor(tape.gradient(total, learned.codebook)).numpy()
    codes = np.asarray(codes)
    expected = np.zeros_like(C)  # d/dc_k of mean((sg(z) - e)^2) = 2/(N D) sum_{n in k} (c_k - z_n)
    for n, k in enumerate(codes):
        expected[k] += 2.0 / z.size * (C[k] - z[n])
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-7)
    assert np.any(gradient != 0)


# ----------------------------------------------------------------------------------------------
# Residual stages
# ----------------------------------------------------------------------------------------------


def test_residual_stages_sum_to_the_output_and_each_picks_its_nearest_codeword():
    rvq = codec.ResidualVectorQuantizer(3, 8, 3, seed=5)
    z = _normal((4, 7, 3), seed=12)
    z_q, codes = rvq(z)
    assert z_q.shape == (4, 7, 3) and codes.shape == (4, 7, 3) and codes.dtype == "int32"
    books = [q.codebook.numpy() for q in rvq.quantizers]
    codes = np.asarray(codes)
    residual = z
    for s, C in enumerate(books):
        flat = residual.reshape(-1, 3)
        np.testing.assert_array_equal(codes[..., s].reshape(-1), _brute_force_nearest(flat, C))
        residual = residual - C[codes[..., s]]
    total = sum(C[codes[..., s]] for s, C in enumerate(books))
    np.testing.assert_allclose(np.asarray(z_q), total, atol=1e-5)
    np.testing.assert_allclose(np.asarray(rvq.lookup(codes)), total, atol=1e-5)

    z_q_2, codes_2 = rvq(z, n_stages=2)  # the first two stages only
    assert codes_2.shape == (4, 7, 2)
    np.testing.assert_array_equal(np.asarray(codes_2), codes[..., :2])
    np.testing.assert_allclose(
        np.asarray(z_q_2), books[0][codes[..., 0]] + books[1][codes[..., 1]], atol=1e-5
    )


def test_residual_stages_reduce_the_error_stage_by_stage():
    z = _normal((300, 3), seed=13)
    rvq = codec.ResidualVectorQuantizer(3, 8, 3, ema_decay=0.0, seed=6)  # gamma = 0: Lloyd steps
    for _ in range(6):
        rvq(z, training=True)
    errors = [np.mean(np.sum(z**2, axis=1))]
    for n in (1, 2, 3):
        z_q, _ = rvq(z, n_stages=n)
        errors.append(np.mean(np.sum((z - np.asarray(z_q)) ** 2, axis=1)))
    assert all(b < 0.9 * a for a, b in zip(errors[:-1], errors[1:], strict=True)), errors


def test_quantizer_dropout_keeps_a_random_number_of_stages_per_example():
    rvq = codec.ResidualVectorQuantizer(3, 8, 2, seed=7)
    z = _normal((64, 2, 2), seed=14)
    books = [q.codebook.numpy().copy() for q in rvq.quantizers]  # before the training call
    z_q, codes = rvq(z, training=True)
    codes, z_q = np.asarray(codes), np.asarray(z_q)
    partial_sums = np.cumsum([C[codes[..., s]] for s, C in enumerate(books)], axis=0)
    kept = []
    for b in range(64):
        matches = [n for n in range(3) if np.allclose(z_q[b], partial_sums[n, b], atol=1e-5)]
        assert matches, b  # the output is the sum of the first n stages, for some n
        kept.append(matches[0] + 1)
    assert set(kept) == {1, 2, 3}
    z_q_all, _ = rvq(z, training=False)  # no dropout at inference
    assert np.asarray(z_q_all).shape == (64, 2, 2)


# ----------------------------------------------------------------------------------------------
# Shapes, the model, bit rates
# ----------------------------------------------------------------------------------------------


def test_quantizers_work_in_a_functional_model():
    inputs = keras.Input((None, 4))
    z_q, codes = codec.ResidualVectorQuantizer(2, 8, 4)(inputs)
    assert tuple(z_q.shape) == (None, None, 4) and tuple(codes.shape) == (None, None, 2)
    assert codes.dtype == "int32"
    model = keras.Model(inputs, [z_q, codes])
    out, out_codes = model(_normal((2, 5, 4), seed=15))
    assert out.shape == (2, 5, 4) and out_codes.shape == (2, 5, 2)


def test_vqvae_shapes_encode_decode_and_config():
    model = codec.VQVAE(6, channels=8, code_dim=4, stages=2, codebook_size=8, stride=2)
    X = _normal((3, 9, 6), seed=16)  # an odd number of frames: the last code is half padding
    codes = model.encode(X)
    assert codes.shape == (3, codec.codes_per_utterance(9, stride=2), 2)
    assert codec.codes_per_utterance(9, stride=2) == 5
    X_hat = model(X)
    assert X_hat.shape == (3, 10, 6)
    np.testing.assert_allclose(np.asarray(model.decode(codes)), np.asarray(X_hat), atol=1e-5)
    assert model.encode(X, n_stages=1).shape == (3, 5, 1)
    config = model.get_config()
    assert config["stride"] == 2 and config["stages"] == 2 and config["code_dim"] == 4
    assert codec.VQVAE.from_config(config).get_config() == config
    quantizer = codec.VectorQuantizer(8, 4, beta=0.5, ema_decay=0.9, update="loss", seed=3)
    assert codec.VectorQuantizer.from_config(quantizer.get_config()).get_config() == (
        quantizer.get_config()
    )


def test_bits_per_second_agrees_with_metrics_bit_rate():
    assert codec.bits_per_second(256, 1) == 250.0  # 62.5 / 2 codes per second, 8 bits each
    assert codec.bits_per_second(256, 2) == 500.0
    assert codec.bits_per_second(256, 4) == 1000.0
    assert codec.bits_per_second(16, 1, stride=1) == bit_rate(4)  # k-means of frames, K = 16
    assert codec.bits_per_second(1024, 3, stride=4) == bit_rate(
        10, codes_per_second=62.5 / 4, stages=3
    )
    with pytest.raises(ValueError, match="stride"):
        codec.bits_per_second(256, 1, stride=0)
    with pytest.raises(ValueError, match="codebook_size"):
        codec.bits_per_second(0)
    with pytest.raises(ValueError, match="n_frames"):
        codec.codes_per_utterance(0)


def test_weighted_mse_undoes_the_standardization():
    band_std = np.array([1.0, 2.0, 3.0], dtype="float32")
    X, X_hat = _normal((2, 4, 3), seed=17), _normal((2, 4, 3), seed=18)
    weights = band_std**2 / np.mean(band_std**2)
    expected = np.mean(weights * (X - X_hat) ** 2)
    assert float(codec.weighted_mse(band_std)(X, X_hat)) == pytest.approx(expected, rel=1e-6)
    assert float(codec.weighted_mse()(X, X_hat)) == pytest.approx(np.mean((X - X_hat) ** 2))
    with pytest.raises(ValueError, match="band_std"):
        codec.weighted_mse([1.0, 0.0])


def test_training_with_the_codebook_loss_trains_the_codebook():
    model = codec.VQVAE(
        4, channels=8, code_dim=3, stages=2, codebook_size=4, update="loss", restart_below=None
    )
    segments = _normal((32, 8, 4), seed=19)
    model(segments[:1])  # build
    before = [q.codebook.numpy().copy() for q in model.quantizer.quantizers]
    history = codec.train_vqvae(model, segments, epochs=2, batch_size=16, learning_rate=1e-2)
    losses = history.history["loss"]
    assert len(losses) == 2 and np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    for old, quantizer in zip(before, model.quantizer.quantizers, strict=True):
        assert not np.allclose(quantizer.codebook.numpy(), old)  # moved by the codebook loss alone


def test_several_steps_per_call_make_the_same_updates():
    # steps_per_execution only batches minibatch steps into one call: the same EMA, restart and
    # Adam updates in the same order, so the same losses and the same codebook.
    segments = _normal((48, 8, 4), seed=20)
    results = []
    for steps in (1, 4):
        model = codec.VQVAE(4, channels=8, code_dim=3, stages=2, codebook_size=4, seed=3)
        history = codec.train_vqvae(
            model, segments, epochs=2, batch_size=8, steps_per_execution=steps
        )
        results.append((history.history["loss"], model.quantizer.quantizers[0].codebook.numpy()))
    (losses_1, codebook_1), (losses_4, codebook_4) = results
    np.testing.assert_allclose(losses_4, losses_1, rtol=1e-5)
    np.testing.assert_allclose(codebook_4, codebook_1, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(codebook_size=0, code_dim=4), "codebook_size"),
        (dict(codebook_size=2.5, code_dim=4), "codebook_size"),
        (dict(codebook_size=True, code_dim=4), "codebook_size"),
        (dict(codebook_size=8, code_dim=0), "code_dim"),
        (dict(codebook_size=8, code_dim=4, beta=-0.1), "beta"),
        (dict(codebook_size=8, code_dim=4, beta=float("nan")), "beta"),
        (dict(codebook_size=8, code_dim=4, beta="0.25"), "beta"),
        (dict(codebook_size=8, code_dim=4, ema_decay=1.0), "ema_decay"),
        (dict(codebook_size=8, code_dim=4, ema_decay=-0.5), "ema_decay"),
        (dict(codebook_size=8, code_dim=4, restart_below=-1), "restart_below"),
        (dict(codebook_size=8, code_dim=4, update="adam"), "update"),
    ],
)
def test_bad_quantizer_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        codec.VectorQuantizer(**options)


def test_bad_inputs_are_refused():
    quantizer = codec.VectorQuantizer(8, 4)
    with pytest.raises(ValueError, match="code_dim = D = 4"):
        quantizer(np.zeros((3, 5), dtype="float32"))  # wrong D
    with pytest.raises(ValueError, match="shape"):
        quantizer.set_codebook(np.zeros((8, 3)))
    rvq = codec.ResidualVectorQuantizer(2, 8, 4)
    with pytest.raises(ValueError, match="n_stages"):
        rvq(np.zeros((1, 2, 4), dtype="float32"), n_stages=3)
    with pytest.raises(ValueError, match="n_stages"):
        rvq(np.zeros((1, 2, 4), dtype="float32"), n_stages=0)
    with pytest.raises(ValueError, match="stages"):
        codec.ResidualVectorQuantizer(0, 8, 4)
    with pytest.raises(ValueError, match="stages on their last axis"):
        rvq.lookup(np.zeros((1, 2, 3), dtype="int32"))
    model = codec.VQVAE(4, channels=4, code_dim=2, stages=1, codebook_size=2)
    with pytest.raises(ValueError, match="n_mels = 4"):
        codec.train_vqvae(model, np.zeros((2, 8, 5)))
    with pytest.raises(ValueError, match="multiple of the stride"):
        codec.train_vqvae(model, np.zeros((2, 7, 4)))
    with pytest.raises(ValueError, match="steps_per_execution"):
        codec.train_vqvae(model, np.zeros((2, 8, 4)), steps_per_execution=0)
    with pytest.raises(ValueError, match="stride"):
        codec.conv_encoder(4, stride=0)


# ----------------------------------------------------------------------------------------------
# Training segments and whole utterances
# ----------------------------------------------------------------------------------------------


def _spectrograms(lengths, n_mels=6, seed=0):
    rng = np.random.default_rng(seed)
    return [(-40 + 10 * rng.standard_normal((n_mels, n))).astype("float32") for n in lengths]


def test_training_segments_cut_one_standardized_stream_across_utterances():
    from utils.features import Standardizer

    spectrograms = _spectrograms([5, 7, 9])
    frames = np.concatenate([S.T for S in spectrograms])  # (21, 6) dB
    standardizer = Standardizer().fit(frames)
    segments = codec.training_segments(spectrograms, standardizer, segment_frames=4, hop=3)
    stream = standardizer.transform(frames)
    assert segments.shape == (1 + (21 - 4) // 3, 4, 6) and segments.dtype == "float32"
    for i, segment in enumerate(segments):
        np.testing.assert_allclose(segment, stream[3 * i : 3 * i + 4], rtol=1e-6)
    # the second segment (frames 3-6) straddles the first two utterances
    np.testing.assert_allclose(segments[1, 2], standardizer.transform(spectrograms[1].T)[0])
    with pytest.raises(ValueError, match="segment_frames"):
        codec.training_segments(spectrograms, standardizer, segment_frames=0)
    with pytest.raises(ValueError, match="empty"):
        codec.training_segments([], standardizer)


def test_code_utterances_cuts_the_padding_and_returns_the_codes_sent():
    from utils.features import Standardizer

    n_mels, lengths = 6, [5, 8, 3]
    spectrograms = _spectrograms(lengths, n_mels=n_mels, seed=1)
    standardizer = Standardizer().fit(np.concatenate([S.T for S in spectrograms]))
    model = codec.VQVAE(n_mels, channels=8, code_dim=4, stages=3, codebook_size=16)
    decoded, codes = codec.code_utterances(model, spectrograms, standardizer, n_stages=2)
    assert [d.shape for d in decoded] == [(n_mels, n) for n in lengths]
    assert [c.shape for c in codes] == [(codec.codes_per_utterance(n), 2) for n in lengths]
    # the same as coding the utterance alone, padded with its last frame to the common length
    # (8 frames: the longest utterance; the convolutions see the padding beyond the last code)
    for S, d, c in zip(spectrograms, decoded, codes, strict=True):
        n = S.shape[1]
        X = standardizer.transform(S.T)
        X = np.pad(X, ((0, 8 - n), (0, 0)), mode="edge")[None]  # (1, 8, n_mels)
        all_codes = np.asarray(model.encode(X, n_stages=2))[0]  # (4, 2)
        np.testing.assert_array_equal(c, all_codes[: c.shape[0]])  # the padding-only codes cut
        alone = np.asarray(model.decode(all_codes[None]))[0, :n]  # (n, n_mels)
        np.testing.assert_allclose(d, standardizer.inverse_transform(alone).T, atol=1e-3)
    with pytest.raises(ValueError, match="empty"):
        codec.code_utterances(model, [], standardizer)
