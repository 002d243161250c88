"""utils.cache: trained weights are reused only when configuration, data and file all match."""

from __future__ import annotations

import pathlib
from types import SimpleNamespace

import numpy as np
import pytest

from utils import cache
from utils.cache import cache_key, corpus_fingerprint, load_or_train, store
from utils.runtime import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402

# Keras 3.15's own variable-to-NumPy conversion (saving weights) warns under NumPy 2; not ours
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def tiny_model(seed=0):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="dense")])
    model.layers[0].kernel.assign(np.random.default_rng(seed).normal(size=(3, 2)).astype("float32"))
    return model


def trainer(model, calls, value=1.5):
    def train():
        calls.append(1)
        model.layers[0].kernel.assign(np.full((3, 2), value, dtype="float32"))
        return "history"

    return train


CONFIG = {"units": 2, "epochs": 3, "seed": 0}


def test_trains_once_then_loads_the_same_weights(tmp_path, capsys):
    calls = []
    first = tiny_model()
    assert load_or_train(
        first, CONFIG, "data", trainer(first, calls), name="ch6-codec", cache_dir=tmp_path
    ) == (
        False,
        "history",
    )
    second = tiny_model(seed=1)
    loaded, result = load_or_train(
        second, CONFIG, "data", trainer(second, calls), name="ch6-codec", cache_dir=tmp_path
    )
    assert loaded and result is None and len(calls) == 1
    assert np.array_equal(second.layers[0].kernel.numpy(), np.full((3, 2), 1.5))
    printed = capsys.readouterr().out
    assert "loaded the weights trained before" in " ".join(printed.split())
    # what a notebook prints must fit the web page's code column
    assert max(len(line) for line in printed.splitlines()) <= cache.NOTEBOOK_COLUMNS
    assert not list((tmp_path / "models").glob(".partial-*"))


def test_other_configuration_or_data_trains_again(tmp_path):
    calls = []
    model = tiny_model()
    load_or_train(model, CONFIG, "data", trainer(model, calls), name="m", cache_dir=tmp_path)
    load_or_train(
        model, {**CONFIG, "epochs": 4}, "data", trainer(model, calls), name="m", cache_dir=tmp_path
    )
    load_or_train(model, CONFIG, "other data", trainer(model, calls), name="m", cache_dir=tmp_path)
    assert len(calls) == 3
    assert cache_key(CONFIG, "data") != cache_key({**CONFIG, "epochs": 4}, "data")
    assert cache_key({"a": 1, "b": 2}, "d") == cache_key({"b": 2, "a": 1}, "d")


def test_a_damaged_file_is_not_trusted(tmp_path, capsys):
    calls = []
    model = tiny_model()
    load_or_train(model, CONFIG, "data", trainer(model, calls), name="m", cache_dir=tmp_path)
    (weights,) = (tmp_path / "models").glob("m-*.weights.h5")
    damaged = bytearray(weights.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    weights.write_bytes(bytes(damaged))
    other = tiny_model(seed=2)
    loaded, _ = load_or_train(
        other, CONFIG, "data", trainer(other, calls, value=2.5), name="m", cache_dir=tmp_path
    )
    assert not loaded and len(calls) == 2
    assert "does not match its checksum" in capsys.readouterr().out
    fresh = tiny_model(seed=3)
    assert load_or_train(
        fresh, CONFIG, "data", trainer(fresh, calls), name="m", cache_dir=tmp_path
    )[0]
    assert np.array_equal(fresh.layers[0].kernel.numpy(), np.full((3, 2), 2.5))


def test_weights_that_do_not_fit_are_retrained(tmp_path, capsys):
    calls = []
    model = tiny_model()
    load_or_train(model, CONFIG, "data", trainer(model, calls), name="m", cache_dir=tmp_path)
    wider = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    loaded, _ = load_or_train(
        wider, CONFIG, "data", lambda: calls.append(1), name="m", cache_dir=tmp_path
    )
    assert not loaded and len(calls) == 2
    assert "do not fit" in capsys.readouterr().out


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECH_AE_MODEL_CACHE", "0")
    calls = []
    model = tiny_model()
    for _ in range(2):
        load_or_train(model, CONFIG, "data", trainer(model, calls), name="m", cache_dir=tmp_path)
    assert len(calls) == 2 and not (tmp_path / "models").exists()


def test_bad_arguments_are_explained(tmp_path):
    model = tiny_model()
    with pytest.raises(ValueError, match="file name"):
        load_or_train(model, CONFIG, "d", lambda: None, name="a/b", cache_dir=tmp_path)
    with pytest.raises(TypeError, match="JSON"):
        load_or_train(model, {"f": object()}, "d", lambda: None, name="m", cache_dir=tmp_path)


def test_corpus_fingerprint_sees_every_sample():
    def corpus(x):
        audio = np.zeros(100, dtype=np.float32)
        audio[7] = x
        return [SimpleNamespace(name="0_a_0.wav", sample_rate=8000, audio=audio)]

    assert corpus_fingerprint(corpus(0.0)) == corpus_fingerprint(corpus(0.0))
    assert corpus_fingerprint(corpus(0.0)) != corpus_fingerprint(corpus(1e-6))
    with pytest.raises(ValueError, match="empty"):
        corpus_fingerprint([])


def test_stored_weights_are_what_load_or_train_finds(tmp_path, capsys):
    model = tiny_model()
    model.layers[0].kernel.assign(np.full((3, 2), 0.5, dtype="float32"))
    path = store(model, CONFIG, "data", name="codec", cache_dir=tmp_path)
    assert path.exists() and path.name.startswith("codec-")
    assert "kept in the model cache" in capsys.readouterr().out
    other = tiny_model()
    calls = []
    loaded, _ = load_or_train(
        other, CONFIG, "data", lambda: calls.append(1), name="codec", cache_dir=tmp_path
    )
    assert loaded and not calls
    assert np.array_equal(other.layers[0].kernel.numpy(), np.full((3, 2), 0.5))


def test_store_writes_nothing_when_the_cache_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECH_AE_MODEL_CACHE", "0")
    assert store(tiny_model(), CONFIG, "data", name="codec", cache_dir=tmp_path) is None
    assert not (tmp_path / "models").exists()


def test_an_interrupted_store_leaves_no_file(tmp_path):
    model = tiny_model()

    def broken_save(path):
        pathlib.Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    model.save_weights = broken_save
    with pytest.raises(KeyboardInterrupt):
        store(model, CONFIG, "data", name="codec", cache_dir=tmp_path)
    assert list((tmp_path / "models").iterdir()) == []
    with pytest.raises(ValueError, match="file name"):
        store(model, CONFIG, "data", name="../x", cache_dir=tmp_path)
