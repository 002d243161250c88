"""The FSDD loader: verification, download, corrupt caches, unsafe archives and the offline
fallback.

Every test runs against small archives made here and served from 127.0.0.1: no network.
"""

import hashlib
import http.server
import io
import threading
import wave
import zipfile

import numpy as np
import pytest

from tests.conftest import real_fsdd_dir
from utils import data
from utils.data import DatasetError, load_fsdd

ROOT = "fake-fsdd-0000/recordings/"
REAL_FSDD = real_fsdd_dir()  # read before any test clears FSDD_DIR


@pytest.fixture(autouse=True)
def _no_fsdd_dir(monkeypatch):
    """CI exports FSDD_DIR for the notebooks; here it would outrank the cache and download under
    test."""
    monkeypatch.delenv("FSDD_DIR", raising=False)


def wav_bytes(seed, n=800, channels=1):
    rng = np.random.default_rng(seed)
    pcm = (rng.standard_normal(n * channels) * 3000).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


@pytest.fixture
def dataset(tmp_path):
    """A miniature FSDD: 2 digits x 2 speakers x 6 takes, its manifest and a zip archive like
    GitHub's."""
    files = {
        f"{d}_{s}_{t}.wav": wav_bytes(hash((d, s, t)) % 2**32)
        for d in (3, 8)
        for s in ("ann", "bob")
        for t in range(6)
    }
    manifest = tmp_path / "SHA256SUMS"
    manifest.write_text(
        "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in sorted(files.items()))
    )
    archive = tmp_path / "serve" / "fsdd.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("fake-fsdd-0000/README.md", "readme")
        for name, content in files.items():
            zipped.writestr(ROOT + name, content)
    folder = tmp_path / "recordings"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return {"files": files, "manifest": manifest, "archive": archive, "folder": folder}


@pytest.fixture
def server(dataset):
    """Serve the archive's folder on 127.0.0.1; yields the base URL and a request counter."""
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(dataset["archive"].parent), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()


def load(dataset, url, cache, **kwargs):
    return load_fsdd(
        cache_dir=cache,
        url=url,
        archive_folder=ROOT,
        manifest_path=dataset["manifest"],
        download=True,
        **kwargs,
    )


def test_loads_a_verified_directory_with_labels_and_splits(dataset):
    corpus = load_fsdd(dataset["folder"], manifest_path=dataset["manifest"])
    assert len(corpus) == 24 and corpus.source == "directory" and corpus.is_real
    first = corpus[0]
    assert (first.speaker, first.digit, first.take) == ("ann", 3, 0)
    assert (
        first.sample_rate == 8000
        and first.audio.dtype == np.float32
        and np.abs(first.audio).max() <= 1
    )
    train, test = corpus.official_split()
    assert (
        len(test) == 2 * 2 * 5
        and len(train) == 2 * 2 * 1
        and {r.take for r in test} == set(range(5))
    )
    train, test = corpus.speaker_split("bob")
    assert {r.speaker for r in test} == {"bob"} and {r.speaker for r in train} == {"ann"}
    with pytest.raises(ValueError, match="unknown speaker"):
        corpus.speaker_split("zed")
    assert len(corpus.where(digit=8, speaker="ann")) == 6


def test_environment_variable_names_the_directory(dataset, monkeypatch):
    monkeypatch.setenv("FSDD_DIR", str(dataset["folder"]))
    assert load_fsdd(manifest_path=dataset["manifest"]).source == "directory"


def test_named_directory_that_is_incomplete_or_corrupt_is_an_error(dataset):
    folder = dataset["folder"]
    (folder / "3_ann_0.wav").unlink()
    (folder / "8_bob_5.wav").write_bytes(b"RIFF garbage")
    with pytest.raises(DatasetError, match=r"1 missing .* and 1 corrupt"):
        load_fsdd(folder, manifest_path=dataset["manifest"])


def test_download_then_cache_without_network(dataset, server, tmp_path):
    url, requests = server
    cache = tmp_path / "cache"
    corpus = load(dataset, f"{url}/fsdd.zip", cache)
    assert corpus.source == "download" and len(corpus) == 24 and len(requests) == 1
    assert sorted(p.name for p in (cache / "recordings").iterdir()) == sorted(dataset["files"])
    assert not list(cache.glob("recordings.partial-*"))  # nothing half-written is left
    again = load(dataset, "http://127.0.0.1:9/unreachable.zip", cache)
    assert again.source == "cache" and len(requests) == 1


def test_corrupt_cache_is_detected_and_rebuilt(dataset, server, tmp_path, capsys):
    url, requests = server
    cache = tmp_path / "cache"
    load(dataset, f"{url}/fsdd.zip", cache)
    (cache / "recordings" / "3_bob_2.wav").write_bytes(b"truncated")
    (cache / "recordings" / "8_ann_1.wav").unlink()
    corpus = load(dataset, f"{url}/fsdd.zip", cache)
    assert "damaged" in capsys.readouterr().out
    assert corpus.source == "download" and len(corpus) == 24
    data.verify_directory(cache / "recordings", data.read_manifest(dataset["manifest"]))


def test_corrupt_archive_is_fetched_again_then_refused_and_good_cache_kept(
    dataset, server, tmp_path, capsys
):
    url, requests = server
    bad = dataset["archive"].with_name("bad.zip")
    with zipfile.ZipFile(bad, "w") as zipped:
        for name, content in dataset["files"].items():
            zipped.writestr(ROOT + name, content[:-10] + b"0123456789")  # every file altered
    cache = tmp_path / "cache"
    corpus = load(dataset, f"{url}/bad.zip", cache)
    assert corpus.is_synthetic  # fell back, loudly
    out = capsys.readouterr().out
    assert "Could not download FSDD" in out and "OFFLINE FALLBACK" in out
    assert len(requests) == 2  # fetched once more before giving up
    assert not (cache / "recordings").exists() and not list(cache.glob("recordings.partial-*"))
    assert not (cache / "fsdd.zip").exists()


def test_archive_with_unsafe_paths_is_refused_before_writing(dataset, server, tmp_path):
    url, _ = server
    evil = dataset["archive"].with_name("evil.zip")
    with zipfile.ZipFile(evil, "w") as zipped:
        zipped.writestr(ROOT + "3_ann_0.wav", dataset["files"]["3_ann_0.wav"])
        zipped.writestr(ROOT + "../../escaped.txt", "gotcha")
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="refusing to extract"):
        data.safe_extract(evil, ROOT, cache / "target")
    assert not (tmp_path / "escaped.txt").exists() and not (cache / "escaped.txt").exists()
    assert not (cache / "target" / "3_ann_0.wav").exists()  # refused before anything was written
    corpus = load(dataset, f"{url}/evil.zip", cache)
    assert corpus.is_synthetic


def test_no_directory_no_cache_no_network_falls_back_and_says_so(dataset, tmp_path, capsys):
    corpus = load(dataset, "http://127.0.0.1:9/nothing-listens-here.zip", tmp_path / "cache")
    out = capsys.readouterr().out
    assert corpus.is_synthetic and not corpus.is_real
    assert out.count("OFFLINE FALLBACK") == 1


def test_download_disabled_falls_back_without_trying(dataset, tmp_path, capsys):
    corpus = load_fsdd(
        cache_dir=tmp_path / "empty-cache", manifest_path=dataset["manifest"], download=False
    )
    assert corpus.is_synthetic and "Could not download" not in capsys.readouterr().out


def test_synthetic_flag_forces_the_fallback(monkeypatch, dataset):
    monkeypatch.setenv("SPEECH_AE_SYNTHETIC", "1")
    monkeypatch.setenv("FSDD_DIR", str(dataset["folder"]))
    assert load_fsdd(manifest_path=dataset["manifest"]).is_synthetic


def test_stereo_and_non_wav_files_are_refused():
    with pytest.raises(ValueError, match="2 channels"):
        data.decode_wav(wav_bytes(0, channels=2), "x.wav")
    with pytest.raises(DatasetError, match="not a readable WAV"):
        data.decode_wav(b"not a wav", "x.wav")


def test_manifest_shipped_with_utils_matches_the_dataset_readme():
    manifest = data.read_manifest()
    assert len(manifest) == 3000
    listing = "".join(f"{manifest[name]}  {name}\n" for name in sorted(manifest))
    assert hashlib.sha256(listing.encode()).hexdigest() == (
        "1801eae019c063377d98f831d3f93574f259475df7332bb0e3d1b080fb5e6959"
    )


@pytest.mark.skipif(REAL_FSDD is None, reason="no local copy of FSDD")
def test_real_fsdd_verifies_and_matches_its_documentation():
    corpus = load_fsdd(REAL_FSDD)
    assert len(corpus) == 3000 and corpus.speakers == [
        "george",
        "jackson",
        "lucas",
        "nicolas",
        "theo",
        "yweweler",
    ]
    assert corpus.sample_rate == 8000
    assert 21.5 < corpus.total_duration / 60 < 22.5
    train, test = corpus.official_split()
    assert (len(train), len(test)) == (2700, 300)


def test_synthetic_corpus_has_fsdd_layout_and_is_deterministic():
    from utils import synthetic

    corpus = synthetic.synthetic_corpus()
    assert len(corpus) == 3000 and len(corpus.speakers) == 6 and corpus.sample_rate == 8000
    assert sorted(set(corpus.digits)) == list(range(10))
    train, test = corpus.official_split()
    assert (len(train), len(test)) == (2700, 300)
    one = synthetic.synthesize_digit(7, "bruno", 3)
    assert np.array_equal(one, synthetic.synthesize_digit(7, "bruno", 3))
    assert not np.array_equal(one[:500], synthetic.synthesize_digit(7, "bruno", 4)[:500])
    assert np.all(np.isfinite(one)) and 0.2 < np.abs(one).max() <= 0.7
    with pytest.raises(ValueError, match="unknown synthetic speaker"):
        synthetic.synthesize_digit(1, "george", 0)
