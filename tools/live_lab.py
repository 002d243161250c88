"""Write the live lab's files (issue 18) from chapter 4's trained codec, without training it again.

At book-build time, after the notebooks have run: chapter 4 (``book/04_vq_compression.ipynb``)
trains its VQ-VAE; when it stores the weights with :func:`utils.cache.load_or_train` under the
name ``ch4-codec`` (as chapter 6 does for its own codec), this tool finds them in the model cache,
checks them (the record's configuration and the file's SHA-256, by ``load_or_train`` itself) and
writes into ``--out``:

- ``encoder.onnx``, ``decoder.onnx``, ``codec.json``: :func:`utils.export.export_codec`;
- ``features.js``, ``synthesis.js``, ``lab.js``: the page's log-mel, Griffin-Lim and the page's
  own script (``tools/lab/``), copied beside them. ``lab.js`` loads onnxruntime-web from
  ``_static/npm/onnxruntime-web/``, where Sphinx copies ``_vendor/npm/`` (``html_static_path``).

Which weights: the records ``<cache>/models/ch4-codec-<key>.json`` whose key is
:func:`utils.cache.cache_key` of their own configuration and of the fingerprint of the training
split of the corpus this build uses (so weights trained on other data are never exported); of
these, the one written last (chapter 4 of this build). The model is rebuilt from the
configuration's :class:`utils.codec.VQVAE` arguments. The standardizer is the configuration's
``standardizer_mean`` / ``standardizer_std`` when chapter 4 records them, else it is fitted again
as chapter 4 fits it: on every frame of the training split's log-mel spectrograms.

Usage: ``python tools/live_lab.py [--out _build/html/_static/lab] [--cache-dir DIR]``. Exit
status 1, with one line that says why, when no trained codec is cached.
"""

from __future__ import annotations

import argparse
import inspect
import json
import pathlib
import shutil
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from utils import cache, codec, export, features  # noqa: E402 (after the path is set)

NAME = "ch4-codec"
#: The page's JavaScript modules, copied into the lab's folder: the features, Griffin-Lim and the
#: page itself (book/live_lab.md loads lab.js, which imports the other two).
SCRIPTS = tuple(ROOT / "tools" / "lab" / name for name in ("features.js", "synthesis.js", "lab.js"))
DEFAULT_OUT = ROOT / "_build" / "html" / "_static" / "lab"


class NoCachedCodec(LookupError):
    """No trained chapter-4 codec for this corpus is in the model cache."""


def _refuse_training():
    raise NoCachedCodec("the cached weights could not be loaded")


def _model_arguments(configuration: dict) -> dict:
    accepted = inspect.signature(codec.VQVAE.__init__).parameters
    return {k: v for k, v in configuration.items() if k in accepted and k != "self"}


def find_cached_codec(data_fingerprint: str, *, name: str = NAME, cache_dir=None):
    """The newest cached codec trained on data of ``data_fingerprint``: ``(model, configuration)``.

    model: a :class:`utils.codec.VQVAE` with the cached weights loaded (checked by
    :func:`utils.cache.load_or_train`); configuration: the dict it was cached under. Raises
    :class:`NoCachedCodec`, saying where it looked, when there is none.
    """
    folder = cache._models_folder(cache_dir)
    records = []
    for record in folder.glob(f"{name}-*.json"):
        key = record.name[len(name) + 1 : -len(".json")]
        try:
            configuration = json.loads(record.read_text())["configuration"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if cache.cache_key(configuration, data_fingerprint) == key:
            records.append((record.stat().st_mtime, record, configuration))
    if not records:
        raise NoCachedCodec(
            f"no {name} weights trained on this corpus in {folder}: run chapter 4 first "
            "(make book executes book/04_vq_compression.ipynb, which caches them)"
        )
    _, record, configuration = max(records, key=lambda entry: entry[0])
    model = codec.VQVAE(**_model_arguments(configuration))
    model(np.zeros((1, 2 * model.stride, model.n_mels), dtype="float32"))  # build
    cache.load_or_train(
        model,
        configuration,
        data_fingerprint,
        _refuse_training,
        name=name,
        cache_dir=cache_dir,
        verbose=False,
    )
    return model, configuration


def standardizer_for(configuration: dict, train_recordings=None) -> features.Standardizer:
    """Chapter 4's standardizer: from the configuration when recorded there, else fitted on every
    frame of ``train_recordings``' log-mel spectrograms, as chapter 4 fits it."""
    standardizer = features.Standardizer()
    if "standardizer_mean" in configuration and "standardizer_std" in configuration:
        standardizer.mean = np.asarray(configuration["standardizer_mean"], dtype="float64")
        standardizer.std = np.asarray(configuration["standardizer_std"], dtype="float64")
        return standardizer
    if train_recordings is None:
        raise ValueError(
            "the cached configuration holds no standardizer_mean/standardizer_std: pass the "
            "training recordings to fit it as chapter 4 does."
        )
    return standardizer.fit(features.frames(features.corpus_log_mels(train_recordings)))


def write_lab(model, standardizer, out) -> dict[str, pathlib.Path]:
    """:func:`utils.export.export_codec` into ``out``, plus the page's scripts; returns the paths
    (the scripts under their file names' stems, ``"features"``, ``"synthesis"`` and ``"lab"``)."""
    files = export.export_codec(model, standardizer, out)
    for script in SCRIPTS:
        files[script.stem] = pathlib.Path(shutil.copyfile(script, pathlib.Path(out) / script.name))
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--cache-dir", default=None, help="default: $SPEECH_AE_CACHE")
    parser.add_argument("--name", default=NAME, help="the cache name chapter 4 stores under")
    arguments = parser.parse_args(argv)

    from utils.data import load_fsdd

    train, _ = load_fsdd(verbose=False).official_split()
    try:
        model, configuration = find_cached_codec(
            cache.corpus_fingerprint(train), name=arguments.name, cache_dir=arguments.cache_dir
        )
    except NoCachedCodec as error:
        print(f"live lab: {error}", file=sys.stderr)
        return 1
    files = write_lab(model, standardizer_for(configuration, train), arguments.out)
    sizes = ", ".join(f"{path.name} {path.stat().st_size:,} bytes" for path in files.values())
    print(f"live lab: wrote {sizes} to {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
