"""The live lab's log-mel in the browser (tools/lab/features.js) against utils.features (Chromium).

Needs no built book: the module and the constants utils.export writes (codec.json's "features"
and a standardizer) are served from a temporary folder on 127.0.0.1, and Debian's Chromium runs
the module on test signals. The page's features must match utils.features.log_mel within
0.05 dB on every band of every frame (issue 18's parity), including frames at the -80 dB floor,
and its standardization must match utils.features.Standardizer. The page's Griffin-Lim
(tools/lab/synthesis.js) must draw numpy's seeded random phases bit for bit and, from the same
STFT magnitude, give utils.features.invert_log_mel's audio.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading

import numpy as np
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _QuietHandler
from tests.toc import ROOT
from utils import export, features
from utils.validation import SAMPLE_RATE

MODULE = ROOT / "tools" / "lab" / "features.js"
SYNTHESIS = ROOT / "tools" / "lab" / "synthesis.js"
TOLERANCE_DB = 0.05


def _signals():
    rng = np.random.default_rng(5)
    t = np.arange(int(1.3 * SAMPLE_RATE)) / SAMPLE_RATE
    chirp = 0.5 * np.sin(2 * np.pi * (200 + 1200 * t) * t) + 0.05 * rng.standard_normal(t.size)
    chirp[: SAMPLE_RATE // 10] = 0.0  # a silent start: the floor
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(4001) / SAMPLE_RATE)  # odd length
    noise = np.clip(0.2 * rng.standard_normal(2345), -1, 1)
    return {"chirp": chirp, "tone": tone, "noise": noise}


@pytest.fixture(scope="module")
def lab_page(tmp_path_factory, playwright_session):
    """A Chromium page on a local server that serves features.js and the constants."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: `apt-get install chromium`")
    folder = tmp_path_factory.mktemp("lab")
    shutil.copy(MODULE, folder / "features.js")
    shutil.copy(SYNTHESIS, folder / "synthesis.js")
    (folder / "features.json").write_text(json.dumps(export.feature_constants()))
    (folder / "index.html").write_text(
        "<!doctype html><link rel=icon href='data:,'><title>lab</title>"
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0),
        functools.partial(_QuietHandler, directory=str(folder)),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    errors = []
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "index.html")
    yield page, errors
    browser.close()
    server.shutdown()
    server.server_close()


_LOG_MEL = """async ([audio]) => {
  const { logMel } = await import("./features.js");
  const constants = await (await fetch("features.json")).json();
  const S = logMel(Float32Array.from(audio), constants);
  return { nMels: S.nMels, nFrames: S.nFrames, data: Array.from(S.data) };
}"""


@pytest.mark.parametrize("name", ["chirp", "tone", "noise"])
def test_browser_log_mel_matches_utils_features(lab_page, name):
    page, errors = lab_page
    audio = _signals()[name].astype("float32")
    expected = features.log_mel(audio)  # (40, n_frames) dB
    result = page.evaluate(_LOG_MEL, [audio.tolist()])
    ours = np.array(result["data"], dtype="float64").reshape(result["nMels"], result["nFrames"])
    assert ours.shape == expected.shape
    difference = np.abs(ours - expected).max()
    assert difference < TOLERANCE_DB, f"{name}: {difference:.4f} dB"
    if name == "chirp":
        assert np.isclose(expected, features.DB_FLOOR, atol=1e-3).any()  # the floor was reached
    assert errors == []


def test_browser_standardize_matches_the_standardizer(lab_page):
    page, errors = lab_page
    rng = np.random.default_rng(6)
    standardizer = features.Standardizer().fit(-40 + 12 * rng.standard_normal((300, 40)))
    spectrogram = (-40 + 12 * rng.standard_normal((40, 17))).astype("float32")
    result = page.evaluate(
        """async ([data, nFrames, mean, std]) => {
          const { standardize, unstandardize } = await import("./features.js");
          const S = { nMels: 40, nFrames, data: Float32Array.from(data) };
          const X = standardize(S, { mean, std });
          const back = unstandardize(X, 40, { mean, std });
          return { X: Array.from(X), back: Array.from(back.data) };
        }""",
        [
            spectrogram.ravel().tolist(),
            spectrogram.shape[1],
            standardizer.mean.tolist(),
            standardizer.std.tolist(),
        ],
    )
    X = np.array(result["X"]).reshape(17, 40)  # frames as rows: the encoder's input
    np.testing.assert_allclose(X, standardizer.transform(spectrogram.T), atol=1e-5)
    np.testing.assert_allclose(np.array(result["back"]).reshape(40, 17), spectrogram, atol=1e-4)
    assert errors == []


def test_browser_rejects_a_too_short_recording(lab_page):
    page, _ = lab_page
    message = page.evaluate(
        """async () => {
          const { logMel } = await import("./features.js");
          const constants = await (await fetch("features.json")).json();
          try { logMel(new Float32Array(10), constants); return ""; }
          catch (error) { return error.message; }
        }"""
    )
    assert "too short" in message


def test_browser_random_phases_are_numpys(lab_page):
    page, errors = lab_page
    ours = page.evaluate(
        """async () => {
          const { randomSample } = await import("./synthesis.js");
          return Array.from(randomSample(0, 2000)).concat(Array.from(randomSample(7, 5)));
        }"""
    )
    expected = np.concatenate(
        [np.random.RandomState(0).random_sample(2000), np.random.RandomState(7).random_sample(5)]
    )
    np.testing.assert_array_equal(np.array(ours), expected)  # every bit: 4,010 MT19937 draws
    assert errors == []


def test_browser_griffin_lim_gives_the_books_audio(lab_page):
    """From the STFT magnitude utils.features.invert_log_mel computes (NNLS, not ported yet),
    the page's Griffin-Lim gives the book's audio."""
    import librosa

    page, errors = lab_page
    audio = _signals()["chirp"][:4000].astype("float32")
    log_mel_db = features.log_mel(audio)
    magnitude = librosa.feature.inverse.mel_to_stft(
        10.0 ** (log_mel_db.astype(np.float64) / 10.0), sr=SAMPLE_RATE, n_fft=features.N_FFT
    )  # (129, n_frames), as invert_log_mel makes it
    expected = features.invert_log_mel(log_mel_db)
    ours = page.evaluate(
        """async ([magnitude, nFrames]) => {
          const { griffinLim } = await import("./synthesis.js");
          const constants = await (await fetch("features.json")).json();
          return Array.from(griffinLim(magnitude, nFrames, constants));
        }""",
        [magnitude.ravel().tolist(), magnitude.shape[1]],
    )
    assert len(ours) == expected.size
    np.testing.assert_allclose(np.array(ours), expected, atol=1e-5)
    assert errors == []


@pytest.mark.parametrize("name", ["tone", "noise"])
def test_browser_inverts_the_log_mel_as_the_book_does(lab_page, name):
    """The whole of utils.features.invert_log_mel in the page, for inputs as quiet as FSDD's:
    mel -> STFT magnitude (the clipped pseudo-inverse, where librosa's NNLS stops for them) and
    Griffin-Lim give the book's audio. (A loud input, like the 0.5-amplitude chirp, makes
    librosa's L-BFGS-B iterate on, which the page does not: not asserted.)"""
    page, errors = lab_page
    log_mel_db = features.log_mel(_signals()[name][:6000].astype("float32"))
    ours = page.evaluate(
        """async ([data, nFrames]) => {
          const { invertLogMel } = await import("./synthesis.js");
          const constants = await (await fetch("features.json")).json();
          const S = { nMels: 40, nFrames, data: Float32Array.from(data) };
          return Array.from(invertLogMel(S, constants));
        }""",
        [log_mel_db.ravel().tolist(), log_mel_db.shape[1]],
    )
    np.testing.assert_allclose(np.array(ours), features.invert_log_mel(log_mel_db), atol=1e-5)
    assert errors == []
