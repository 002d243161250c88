"""tools/live_lab.py: the live lab's files come from chapter 4's cached codec, never retrained.

A tiny codec is stored in a private model cache as chapter 4 would store it (utils.cache, name
``ch4-codec``, keyed by its configuration and a corpus fingerprint). The tool must find it for
that fingerprint only, load exactly its weights, and write the ONNX pair, codec.json (with the
recorded standardizer) and features.js; with no codec for the corpus it must say so clearly.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib

import numpy as np
import pytest

from utils import runtime

runtime.quiet_tensorflow()

import onnxruntime  # noqa: E402

from utils import cache, codec, features  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("live_lab", ROOT / "tools" / "live_lab.py")
live_lab = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(live_lab)

FINGERPRINT = "a" * 64  # stands for corpus_fingerprint(train) of the corpus of the build


@pytest.fixture
def cached(tmp_path):
    """A tiny codec cached under ch4-codec in tmp_path, with its configuration."""
    rng = np.random.default_rng(0)
    standardizer = features.Standardizer().fit(-40 + 10 * rng.standard_normal((200, 40)))
    configuration = dict(
        n_mels=40,
        channels=8,
        code_dim=4,
        stride=2,
        stages=2,
        codebook_size=16,
        seed=3,
        epochs=8,  # a training setting: part of the key, not of the model
        standardizer_mean=standardizer.mean.tolist(),
        standardizer_std=standardizer.std.tolist(),
    )
    model = codec.VQVAE(**live_lab._model_arguments(configuration))
    model(np.zeros((1, 4, 40), dtype="float32"))
    loaded, _ = cache.load_or_train(
        model, configuration, FINGERPRINT, lambda: None, name="ch4-codec", cache_dir=tmp_path
    )
    assert not loaded  # stored now, as chapter 4's first run would
    return model, standardizer, configuration, tmp_path


def test_finds_the_cached_codec_and_writes_the_lab(cached, tmp_path):
    model, standardizer, configuration, cache_dir = cached
    found, found_configuration = live_lab.find_cached_codec(FINGERPRINT, cache_dir=cache_dir)
    assert found_configuration == configuration
    assert {**found.get_config(), "name": ""} == {**model.get_config(), "name": ""}
    for ours, theirs in zip(found.weights, model.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))

    out = tmp_path / "site" / "_static" / "lab"
    files = live_lab.write_lab(found, live_lab.standardizer_for(found_configuration), out)
    assert {p.name for p in out.iterdir()} == {
        "encoder.onnx",
        "decoder.onnx",
        "codec.json",
        "features.js",
        "synthesis.js",
        "lab.js",
    }
    for script in live_lab.SCRIPTS:
        assert files[script.stem].read_bytes() == script.read_bytes()
    constants = json.loads(files["constants"].read_text())
    np.testing.assert_array_equal(constants["standardizer"]["mean"], standardizer.mean)
    np.testing.assert_array_equal(constants["standardizer"]["std"], standardizer.std)
    X = np.random.default_rng(1).standard_normal((1, 21, 40)).astype("float32")
    session = onnxruntime.InferenceSession(str(files["encoder"]))
    np.testing.assert_array_equal(
        session.run(["codes"], {"frames": X})[0], np.asarray(model.encode(X))
    )


def test_codec_trained_on_other_data_is_never_used(cached):
    *_, cache_dir = cached
    with pytest.raises(live_lab.NoCachedCodec, match="run chapter 4 first"):
        live_lab.find_cached_codec("b" * 64, cache_dir=cache_dir)


def test_damaged_weights_are_refused_not_retrained(cached):
    *_, cache_dir = cached
    (weights,) = (cache_dir / "models").glob("ch4-codec-*.weights.h5")
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(live_lab.NoCachedCodec, match="could not be loaded"):
        live_lab.find_cached_codec(FINGERPRINT, cache_dir=cache_dir)


def test_standardizer_needs_recorded_statistics_or_recordings():
    with pytest.raises(ValueError, match="standardizer_mean"):
        live_lab.standardizer_for({"stages": 4})
