"""Trained weights kept between notebooks: train once, reuse, and never trust a file blindly.

Chapter 6 (generating speech from codes) needs chapter 4's trained codec, and Colab opens one
notebook at a time: a chapter that needs another chapter's model trains it itself, but when the
same model, with the same configuration, on the same recordings, was trained before on this
machine, it loads the weights instead. :func:`load_or_train` does this:

- the key is a SHA-256 of the model's configuration (a JSON-able dict: sizes, epochs, seed, ...)
  and of the data (:func:`corpus_fingerprint`: every recording's name and samples), so another
  configuration or other data never loads a stale model;
- the file is ``<cache>/models/<name>-<key>.weights.h5`` with a ``.json`` beside it that holds the
  configuration and the file's own SHA-256; on load both are checked, and the weights must fit
  the model; anything else (missing, corrupt, another Keras) is said in one line and the model is
  trained again;
- writing is atomic (a temporary file, then a rename), so an interrupted run leaves no half file.

The cache folder is ``$SPEECH_AE_CACHE`` (or the user's cache, as for the dataset,
:func:`utils.data.default_cache_dir`); ``SPEECH_AE_MODEL_CACHE=0`` turns the reuse off.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import tempfile
import textwrap
from collections.abc import Callable

import numpy as np

#: Characters a printed line may have: what a code cell of the web page shows (book/ruff.toml).
NOTEBOOK_COLUMNS = 76
#: Characters of the SHA-256 key kept in a file name.
KEY_LENGTH = 16


def _canonical(configuration: dict) -> str:
    try:
        return json.dumps(configuration, sort_keys=True, separators=(",", ":"))
    except TypeError as error:
        raise TypeError(
            "the configuration must hold only numbers, strings, lists and dicts (JSON), so that "
            f"it can name the cached weights: {error}"
        ) from error


def corpus_fingerprint(recordings) -> str:
    """SHA-256 (hex) of every recording's name, sample rate and samples, in order."""
    digest = hashlib.sha256()
    n = 0
    for recording in recordings:
        digest.update(recording.name.encode())
        digest.update(str(int(recording.sample_rate)).encode())
        digest.update(np.ascontiguousarray(recording.audio, dtype=np.float32).tobytes())
        n += 1
    if n == 0:
        raise ValueError("the corpus is empty: there is nothing to fingerprint.")
    return digest.hexdigest()


def cache_key(configuration: dict, data_fingerprint: str) -> str:
    """The first :data:`KEY_LENGTH` hex digits of SHA-256(configuration JSON, data fingerprint)."""
    text = _canonical(configuration) + "\n" + str(data_fingerprint)
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def _file_digest(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _models_folder(cache_dir) -> pathlib.Path:
    if cache_dir is None:
        from .data import default_cache_dir

        cache_dir = default_cache_dir()
    return pathlib.Path(cache_dir) / "models"


def _try_load(model, weights: pathlib.Path, record: pathlib.Path, configuration: dict) -> str:
    """'' when the weights were loaded; otherwise why not (one short phrase)."""
    if not weights.exists() or not record.exists():
        return "not cached yet"
    try:
        stored = json.loads(record.read_text())
    except (OSError, ValueError):
        return "its record is unreadable"
    if stored.get("configuration") != json.loads(_canonical(configuration)):
        return "the cached configuration differs"
    if stored.get("sha256") != _file_digest(weights):
        return "the cached file does not match its checksum"
    try:
        model.load_weights(weights)
    except Exception as error:  # wrong shapes, a damaged HDF5 file, another Keras format
        return f"the cached weights do not fit ({type(error).__name__})"
    return ""


def _say(message: str) -> None:
    """Print one line of the cache's report, wrapped to a notebook page's 76 columns."""
    print(textwrap.fill(message, width=NOTEBOOK_COLUMNS))


def _check_name(name: str) -> None:
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"name must be letters, digits, '-' or '_' (a file name), got {name!r}.")


def _paths(name: str, configuration: dict, data_fingerprint: str, cache_dir):
    """(weights, record): ``<cache>/models/<name>-<key>.weights.h5`` and its ``.json``."""
    folder = _models_folder(cache_dir)
    key = cache_key(configuration, data_fingerprint)
    return folder / f"{name}-{key}.weights.h5", folder / f"{name}-{key}.json"


def store(
    model,
    configuration: dict,
    data_fingerprint: str,
    *,
    name: str,
    cache_dir=None,
    verbose: bool = True,
):
    """Keep ``model``'s weights in the cache under ``name``: :func:`load_or_train`'s writing half.

    For a chapter that always trains (its lesson is the training run) but whose model another
    page reuses: chapter 4 stores its codec for the live lab (``tools/live_lab.py``), which finds
    it with the same key. Atomic: a temporary file, then a rename, the record last (it vouches for
    the file). Returns the weights' path, or None when ``SPEECH_AE_MODEL_CACHE=0`` turns the cache
    off (then nothing is written).
    """
    _check_name(name)
    if os.environ.get("SPEECH_AE_MODEL_CACHE", "1") == "0":
        return None
    weights, record = _paths(name, configuration, data_fingerprint, cache_dir)
    folder = weights.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".partial-", suffix=".weights.h5", dir=folder)
    os.close(handle)
    temporary = pathlib.Path(temporary)
    record_temporary = temporary.with_suffix(".json.partial")
    try:
        model.save_weights(temporary)
        entry = {"configuration": json.loads(_canonical(configuration))}
        entry["sha256"] = _file_digest(temporary)
        record_temporary.write_text(json.dumps(entry, indent=1, sort_keys=True))
        os.replace(temporary, weights)
        os.replace(record_temporary, record)  # the record last: it vouches for the file
    finally:
        for leftover in (temporary, record_temporary):
            leftover.unlink(missing_ok=True)
    if verbose:
        _say(f"{name}: weights kept in the model cache, for other pages")
    return weights


def load_or_train(
    model,
    configuration: dict,
    data_fingerprint: str,
    train: Callable[[], object],
    *,
    name: str,
    cache_dir=None,
    verbose: bool = True,
):
    """Load ``model``'s weights from the cache, or call ``train()`` and cache what it learned.

    ``model`` is a built Keras model (its variables exist); ``train()`` trains it in place (its
    return value, e.g. a History, is passed back). Returns ``(loaded, result)``: ``loaded`` is
    True when the weights came from the cache (then ``result`` is None).
    """
    _check_name(name)
    weights, record = _paths(name, configuration, data_fingerprint, cache_dir)
    reuse = os.environ.get("SPEECH_AE_MODEL_CACHE", "1") != "0"
    reason = _try_load(model, weights, record, configuration) if reuse else "the cache is off"
    if not reason:
        if verbose:
            _say(f"{name}: loaded the weights trained before ({weights.name})")
        return True, None
    result = train()
    if not reuse:
        return False, result
    store(model, configuration, data_fingerprint, name=name, cache_dir=cache_dir, verbose=False)
    if verbose:
        _say(f"{name}: trained ({reason}); weights kept for the next run")
    return False, result
