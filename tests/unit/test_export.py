"""Unit tests of utils.export (issue 18, the live lab): chapter 4's codec in ONNX, and codec.json.

A tiny VQ-VAE (8 channels, D = 4, S = 3 stages of K = 16 codewords) is trained for two steps on
random frames, exported once for the module, and run with onnxruntime (Python): the code
indices must be the Keras codec's exactly, the frames within 1e-5, for an even and an odd
number of frames and for every number of stages. The constants must be utils.features' own, and
a numpy analysis that uses nothing but codec.json must give utils.features.log_mel within
0.05 dB (the parity the page must reach).
"""

import hashlib
import json

import numpy as np
import pytest

from utils import runtime

runtime.quiet_tensorflow()

import keras  # noqa: E402
import onnxruntime  # noqa: E402

from utils import codec, export, features  # noqa: E402
from utils.validation import SAMPLE_RATE  # noqa: E402

N_MELS = features.N_MELS
STAGES = 3
LENGTHS = (40, 37)  # frames: a multiple of the stride, and one whose last code covers padding


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny trained codec, its standardizer, and the files export_codec wrote."""
    rng = np.random.default_rng(0)
    frames_db = (-40.0 + 10.0 * rng.standard_normal((400, N_MELS))).astype("float32")
    standardizer = features.Standardizer().fit(frames_db)
    segments = standardizer.transform(frames_db).reshape(-1, 16, N_MELS)[:24]  # (24, 16, F)
    model = codec.VQVAE(N_MELS, channels=8, code_dim=4, stages=STAGES, codebook_size=16, seed=1)
    # two Adam steps on the chapter's loss, eagerly (tracing a train step would cost seconds);
    # the codebooks follow the encoder by moving averages and restarts, as in chapter 4
    keras.utils.set_random_seed(0)
    model.compile(keras.optimizers.Adam(1e-2), loss=codec.weighted_mse(), run_eagerly=True)
    model.fit(segments, segments, batch_size=12, epochs=1, shuffle=False, verbose=0)
    directory = tmp_path_factory.mktemp("lab")
    files = export.export_codec(model, standardizer, directory)
    return model, standardizer, files


def _session(path):
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _frames(n_frames, seed):
    return np.random.default_rng(seed).standard_normal((1, n_frames, N_MELS)).astype("float32")


def test_export_writes_named_models_and_constants(trained):
    _, _, files = trained
    assert set(files) == {"encoder", "decoder", "constants"}
    encoder, decoder = _session(files["encoder"]), _session(files["decoder"])
    (x,), (c,) = encoder.get_inputs(), encoder.get_outputs()
    assert (x.name, x.type, x.shape) == ("frames", "tensor(float)", [1, "n_frames", N_MELS])
    assert (c.name, c.type, c.shape) == ("codes", "tensor(int32)", [1, "n_codes", STAGES])
    (c,), (x,) = decoder.get_inputs(), decoder.get_outputs()
    assert (c.name, c.type, c.shape) == ("codes", "tensor(int32)", [1, "n_codes", "n_stages"])
    assert (x.name, x.type, x.shape) == ("frames", "tensor(float)", [1, "n_frames", N_MELS])


@pytest.mark.parametrize("n_frames", LENGTHS)
def test_onnx_codes_and_frames_match_keras_for_every_stage(trained, n_frames):
    model, _, files = trained
    encoder, decoder = _session(files["encoder"]), _session(files["decoder"])
    X = _frames(n_frames, seed=n_frames)
    codes = encoder.run(["codes"], {"frames": X})[0]
    n_codes = codec.codes_per_utterance(n_frames, model.stride)
    assert codes.shape == (1, n_codes, STAGES) and codes.dtype == np.int32
    np.testing.assert_array_equal(codes, np.asarray(model.encode(X)))
    assert len(np.unique(codes[..., 0])) > 1  # not a degenerate codec that always sends one code
    for n in range(1, STAGES + 1):
        # the first n stages' codes are what a sender at n stages sends
        np.testing.assert_array_equal(codes[..., :n], np.asarray(model.encode(X, n_stages=n)))
        X_hat = decoder.run(["frames"], {"codes": codes[..., :n]})[0]
        assert X_hat.shape == (1, model.stride * n_codes, N_MELS)
        np.testing.assert_allclose(X_hat, np.asarray(model.decode(codes[..., :n])), atol=1e-5)
        np.testing.assert_allclose(X_hat, np.asarray(model(X, n_stages=n)), atol=1e-5)


def test_every_added_stage_changes_the_decoded_frames(trained):
    """The page's slider does something: with n + 1 stages the exported decoder's frames differ
    from those with n (by more than 1e-3 standard deviations somewhere)."""
    _, _, files = trained
    encoder, decoder = _session(files["encoder"]), _session(files["decoder"])
    X = _frames(LENGTHS[0], seed=7)
    codes = encoder.run(["codes"], {"frames": X})[0]
    outputs = [decoder.run(["frames"], {"codes": codes[..., :n]})[0] for n in range(1, 4)]
    assert all(np.abs(a - b).max() > 1e-3 for a, b in zip(outputs[:-1], outputs[1:], strict=True))


def test_constants_are_those_of_utils_features_and_the_codec(trained):
    model, standardizer, files = trained
    constants = json.loads(files["constants"].read_text())
    f = constants["features"]
    assert constants["format_version"] == export.FORMAT_VERSION
    assert (f["sample_rate"], f["n_fft"], f["hop_length"], f["n_mels"]) == (
        SAMPLE_RATE,
        features.N_FFT,
        features.HOP_LENGTH,
        features.N_MELS,
    )
    assert f["n_bins"] == features.N_FFT // 2 + 1
    assert f["frames_per_second"] == features.FRAMES_PER_SECOND
    assert f["db_floor"] == features.DB_FLOOR and f["amin"] == 10.0 ** (features.DB_FLOOR / 10)
    assert np.array(f["mel_filterbank"]).shape == (features.N_MELS, f["n_bins"])
    assert len(f["window"]) == features.N_FFT
    assert np.array(f["mel_pseudo_inverse"]).shape == (f["n_bins"], features.N_MELS)
    np.testing.assert_array_equal(constants["standardizer"]["mean"], standardizer.mean)
    np.testing.assert_array_equal(constants["standardizer"]["std"], standardizer.std)
    c = constants["codec"]
    assert (c["stride"], c["codebook_size"], c["stages"], c["code_dim"]) == (2, 16, STAGES, 4)
    assert c["bits_per_code"] == 4.0
    assert c["bits_per_second"] == [
        codec.bits_per_second(16, n, stride=model.stride) for n in (1, 2, 3)
    ]
    from utils import audio

    r = constants["recording"]  # the page refuses what utils.audio.your_voice refuses
    assert (r["max_seconds"], r["min_seconds"]) == (
        audio.MAX_VOICE_SECONDS,
        audio.MIN_VOICE_SECONDS,
    )
    assert (r["silence_peak_db"], r["target_rms_db"]) == (
        audio.SILENCE_PEAK_DB,
        audio.TARGET_RMS_DB,
    )
    assert (r["clip_level"], r["clipped_fraction"], r["clipped_min_samples"]) == (
        audio.CLIP_LEVEL,
        audio.CLIPPED_FRACTION,
        audio.CLIPPED_MIN_SAMPLES,
    )
    for role in ("encoder", "decoder"):
        data = files[role].read_bytes()
        assert constants["files"][role]["name"] == files[role].name
        assert constants["files"][role]["bytes"] == len(data)
        assert constants["files"][role]["sha256"] == hashlib.sha256(data).hexdigest()


def _log_mel_from_constants(audio, f):
    """The analysis the page does, written from codec.json alone (numpy, float64)."""
    n_fft, hop = f["n_fft"], f["hop_length"]
    assert f["center"] and f["pad_mode"] == "constant"
    padded = np.pad(audio.astype("float64"), n_fft // 2)  # zeros at both ends
    n_frames = 1 + (len(padded) - n_fft) // hop
    starts = hop * np.arange(n_frames)
    windows = padded[starts[:, None] + np.arange(n_fft)] * np.array(f["window"])
    power = np.abs(np.fft.rfft(windows, axis=1)) ** f["power"]  # (n_frames, n_bins)
    mel_power = power @ np.array(f["mel_filterbank"]).T  # (n_frames, n_mels)
    return (f["db_multiplier"] * np.log10(np.maximum(mel_power, f["amin"]))).T


def test_log_mel_from_the_constants_alone_matches_utils_features(trained):
    _, _, files = trained
    f = json.loads(files["constants"].read_text())["features"]
    rng = np.random.default_rng(3)
    t = np.arange(int(1.3 * SAMPLE_RATE)) / SAMPLE_RATE
    audio = 0.5 * np.sin(2 * np.pi * (200 + 1200 * t) * t) + 0.05 * rng.standard_normal(t.size)
    audio[: SAMPLE_RATE // 10] = 0.0  # a silent start: the floor must match too
    audio = audio.astype("float32")
    expected = features.log_mel(audio)
    ours = _log_mel_from_constants(audio, f)
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() < 0.05  # dB, the parity the issue asks of the page
    assert np.isclose(expected, features.DB_FLOOR, atol=1e-3).any()  # the floor was reached


def test_griffin_lim_initialization_recipe_is_the_books(trained):
    """codec.json's Griffin-Lim recipe (iterations, momentum, seeded random phases drawn as
    written) gives utils.features.invert_log_mel's audio, and its phases are the ones drawn."""
    import librosa

    _, _, files = trained
    f = json.loads(files["constants"].read_text())["features"]
    g = f["griffin_lim"]
    audio = np.random.default_rng(4).standard_normal(SAMPLE_RATE // 2).astype("float32") * 0.1
    log_mel_db = features.log_mel(audio)
    magnitude = librosa.feature.inverse.mel_to_stft(
        10.0 ** (log_mel_db.astype("float64") / 10), sr=f["sample_rate"], n_fft=f["n_fft"]
    )
    n_samples = (log_mel_db.shape[1] - 1) * f["hop_length"]
    common = dict(hop_length=f["hop_length"], n_fft=f["n_fft"], length=n_samples)
    ours = librosa.griffinlim(
        magnitude,
        n_iter=g["n_iter"],
        momentum=g["momentum"],
        init=g["init"],
        random_state=np.random.RandomState(g["seed"]),
        **common,
    )
    np.testing.assert_allclose(ours, features.invert_log_mel(log_mel_db), atol=1e-6)
    # zero iterations: the inverse STFT of the initial phases, drawn as codec.json says
    u = np.random.RandomState(g["seed"]).random_sample((f["n_bins"], log_mel_db.shape[1]))
    start = librosa.griffinlim(magnitude, n_iter=0, random_state=g["seed"], **common)
    spectrum = magnitude * np.exp(2j * np.pi * u)
    np.testing.assert_allclose(start, librosa.istft(spectrum, **common), atol=1e-6)


def test_bad_arguments_fail_clearly_and_write_nothing(trained, tmp_path):
    model, standardizer, _ = trained
    with pytest.raises(TypeError, match="utils.codec.VQVAE"):
        export.export_codec("not a model", standardizer, tmp_path / "a")
    with pytest.raises(ValueError, match="call fit"):
        export.export_codec(model, features.Standardizer(), tmp_path / "b")
    wrong_bands = features.Standardizer().fit(np.random.default_rng(0).standard_normal((5, 13)))
    with pytest.raises(ValueError, match="13"):
        export.export_codec(model, wrong_bands, tmp_path / "c")
    with pytest.raises(ValueError, match=r"\.onnx"):
        export.export_encoder(model, tmp_path / "encoder.bin")
    assert not any((tmp_path / name).exists() for name in "abc")
    assert not (tmp_path / "encoder.bin").exists()
