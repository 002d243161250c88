"""The live lab page (book/live_lab.md, tools/lab/lab.js) in Chromium, offline, with a fake
microphone.

The built book (``_build/html``, or ``SPEECH_AE_BOOK_DIR``) must hold the lab's files that
tools/live_lab.py writes after the build (``_static/lab/``) and onnxruntime-web
(``_static/npm/onnxruntime-web/``). Chromium's fake microphone plays a WAV the test writes from
a test recording of the corpus the book was built on (FSDD, or the offline fallback). Every
request that does not go to the local server is blocked and counted as a failure.

Checked: before Start the page weighs at most 5 MB and requests no WebAssembly; start, record,
stop, encode, decode and play, with audio that decodes to a duration > 0, the bit rate shown for
every number of stages equal to codec.json's, no console error and no request off the site; the
time from Stop to the reconstruction playing (printed, and a recorded property). Parity through
the file input with a fixed recording at the book's rate (no resampling): the page's log-mel
within 0.05 dB of utils.features, the code indices equal to the Python codec's (the codec
tools/live_lab.py exported, found the same way), and the reconstruction's log-spectral distance
within 0.3 dB of the Python pipeline's. Bad input gets its message: microphone not allowed, a
silent recording, a too short, too long, clipped or undecodable file, no WebAssembly, and a
build without the lab's files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile

import numpy as np
import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    LOAD_TIMEOUT_MS,
    PHONE,
    SCREENSHOTS,
    SITE,
)
from tests.toc import ROOT

PAGE = "book/live_lab.html"
LAB = SITE / "_static" / "lab"
PAGE_BUDGET_BYTES = 5 * 1024 * 1024
NEXT_FRAME_JS = (
    "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
)
LOG_MEL_TOLERANCE_DB = 0.05
LSD_TOLERANCE_DB = 0.3
RUN_TIMEOUT_MS = 120_000  # Griffin-Lim and the models on a busy 2-core machine

pytestmark = pytest.mark.timeout(600)


def _live_lab_module():
    spec = importlib.util.spec_from_file_location("live_lab", ROOT / "tools" / "live_lab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference():
    """The corpus, a fixed test recording at the book's rate, and the codec the lab exported."""
    if not (LAB / "codec.json").exists():
        pytest.fail(f"{LAB} holds no codec.json: run tools/live_lab.py after the book build")
    from utils import cache
    from utils.audio import to_wav_bytes
    from utils.data import decode_wav, load_fsdd

    live_lab = _live_lab_module()
    train, test = load_fsdd(verbose=False).official_split()
    model, configuration = live_lab.find_cached_codec(cache.corpus_fingerprint(train))
    standardizer = live_lab.standardizer_for(configuration, train)
    constants = json.loads((LAB / "codec.json").read_text())
    # one test take of every speaker, each a different digit where the corpus allows
    recordings = []
    for number, speaker in enumerate(test.speakers):
        takes = test.where(speaker=speaker)
        digit = number % 10
        chosen = [r for r in takes if r.digit == digit] or list(takes)
        recordings.append(chosen[0])
    files = []
    for recording in recordings:
        wav = to_wav_bytes(recording.audio, recording.sample_rate)
        audio, rate = decode_wav(wav)  # the book's reading of the file, sample for sample
        assert rate == constants["features"]["sample_rate"]
        files.append({"name": recording.name, "wav": wav, "audio": audio})
    return {
        "model": model,
        "standardizer": standardizer,
        "files": files,
        "audio": files[0]["audio"],
        "wav": files[0]["wav"],
        "name": files[0]["name"],
        "constants": constants,
    }


@pytest.fixture(scope="module")
def wav_files(reference, tmp_path_factory):
    """The fake microphone's WAV files: the test recording (looped by Chromium) and silence."""
    from utils.audio import to_wav_bytes

    folder = tmp_path_factory.mktemp("microphone")
    speech = folder / "speech.wav"
    speech.write_bytes(reference["wav"])
    silence = folder / "silence.wav"
    silence.write_bytes(to_wav_bytes(np.zeros(16000, dtype="float32"), 8000))
    return {"speech": speech, "silence": silence}


class Browser:
    """One Chromium with its own flags; every page it opens records its problems."""

    def __init__(self, playwright, base_url, extra_args, *, grant_microphone):
        if not os.access(CHROMIUM, os.X_OK):
            pytest.fail(f"{CHROMIUM} not found: `apt-get install chromium`")
        self.base_url = base_url
        self.profile = tempfile.mkdtemp(prefix="speech-ae-lab-")
        self.context = playwright.chromium.launch_persistent_context(
            self.profile,
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required", *extra_args],
            viewport=DESKTOP,
            service_workers="block",
            permissions=["microphone"] if grant_microphone else [],
        )
        self.context.set_default_timeout(LOAD_TIMEOUT_MS)
        self.outside = []

        def only_local(route):  # as tests/browser/conftest.py: the network is cut off
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort("blockedbyclient")

        self.context.route("**/*", only_local)

    def open(self, *, init_script=None):
        page = self.context.new_page()
        errors, requests, responses = [], [], []
        page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"HTTP {r.status}"))
        page.on("request", lambda r: requests.append(r))
        page.on("response", lambda r: responses.append(r))
        if init_script:
            page.add_init_script(init_script)
        page.goto(self.base_url + PAGE, wait_until="load")
        page.wait_for_function("() => window.speechLab && window.speechLab.state === 'loaded'")
        return page, errors, requests, responses

    def close(self):
        self.context.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def _fake_microphone(wav):
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]


@pytest.fixture(scope="module")
def speaking(playwright_session, base_url, wav_files):
    browser = Browser(
        playwright_session, base_url, _fake_microphone(wav_files["speech"]), grant_microphone=True
    )
    yield browser
    browser.close()


def start(page):
    page.click("#lab-start")
    page.wait_for_function(
        "() => ['ready', 'failed'].includes(window.speechLab.state)", timeout=RUN_TIMEOUT_MS
    )
    assert page.evaluate("() => window.speechLab.state") == "ready", page.evaluate(
        "() => window.speechLab.message"
    )


def wait_for_run(page, runs_before):
    page.wait_for_function(
        "n => window.speechLab.runs > n || window.speechLab.state === 'failed'",
        arg=runs_before,
        timeout=RUN_TIMEOUT_MS,
    )
    state = page.evaluate("() => window.speechLab.state")
    assert state == "done", page.evaluate("() => window.speechLab.message")


def choose_stages(page, n):
    runs = page.evaluate("() => window.speechLab.runs")
    page.evaluate(
        """n => { const s = document.getElementById('lab-stages'); s.value = n;
                  s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change')); }""",
        n,
    )
    wait_for_run(page, runs)


def message(page):
    page.wait_for_function(
        "() => window.speechLab.message && window.speechLab.message.text", timeout=RUN_TIMEOUT_MS
    )
    shown = page.locator("#lab-message")
    assert shown.is_visible()
    return shown.inner_text()


DECODES_JS = """async () => {
    const out = [];
    for (const player of document.querySelectorAll('#lab-results audio')) {
        const bytes = await (await fetch(player.src)).arrayBuffer();
        const buffer = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(bytes);
        if (!(player.duration > 0)) {
            await new Promise(done => { player.onloadedmetadata = done; player.load(); });
        }
        out.push({label: player.getAttribute('aria-label'), decoded: buffer.duration,
                  duration: player.duration});
    }
    return out;
}"""

PLAY_JS = """async () => {
    const player = document.querySelector('#lab-decoded-audio audio');
    await new Promise((done, fail) => {
        player.addEventListener('playing', done, {once: true});
        player.play().catch(fail);
    });
    return performance.now() - window.speechLab.timings.stop;
}"""


def test_before_start_the_page_is_light_and_loads_no_webassembly(speaking):
    page, errors, requests, responses = speaking.open()
    try:
        page.wait_for_load_state("networkidle")
        weight = sum(len(r.body()) for r in responses if r.status == 200)
        print(f"\nlive lab page before Start: {weight:,} bytes, {len(responses)} responses")
        assert weight <= PAGE_BUDGET_BYTES, f"{weight / 1e6:.1f} MB before Start"
        heavy = [r.url for r in requests if r.url.endswith((".wasm", ".onnx", ".mjs"))]
        assert heavy == [], f"loaded before Start: {heavy}"
        assert page.locator("#lab-start").is_visible()
        assert "never leaves your browser" in page.inner_text("main")
        start(page)
        loaded = [r.url for r in requests]
        assert any(url.endswith(".wasm") for url in loaded)  # the runtime comes with Start
        assert any(url.endswith("encoder.onnx") for url in loaded)
        assert errors == [] and speaking.outside == []
    finally:
        page.close()


def test_record_encode_decode_and_play_with_the_fake_microphone(
    speaking, reference, record_property
):
    constants = reference["constants"]["codec"]
    page, errors, requests, _ = speaking.open()
    try:
        start(page)
        page.click("#lab-record")
        page.wait_for_function("() => window.speechLab.state === 'recording'")
        page.wait_for_timeout(1500)
        runs = page.evaluate("() => window.speechLab.runs")
        page.click("#lab-stop")
        wait_for_run(page, runs)
        stop_to_plays_ms = page.evaluate(PLAY_JS)
        print(f"\nlive lab: Stop -> reconstruction plays in {stop_to_plays_ms:.0f} ms")
        record_property("stop_to_reconstruction_plays_ms", round(stop_to_plays_ms))
        audio = page.evaluate(DECODES_JS)
        assert len(audio) == 2 and all(a["decoded"] > 0 and a["duration"] > 0 for a in audio)
        recorded = page.evaluate("() => window.speechLab.audio.length")
        assert recorded > 0.5 * reference["constants"]["features"]["sample_rate"]
        for n in range(1, constants["stages"] + 1):
            choose_stages(page, n)
            expected = constants["bits_per_second"][n - 1]
            state = page.evaluate(
                "() => ({n: speechLab.stages, rate: speechLab.bitRate,"
                " text: document.getElementById('lab-rate').textContent,"
                " lines: document.getElementById('lab-codes').textContent.split('\\n').length})"
            )
            assert state["n"] == n and state["rate"] == expected
            assert f"{expected:g} bit/s" in state["text"], state["text"]
            assert state["lines"] == n  # the codes of the stages sent, one line each
            assert all(a["decoded"] > 0 for a in page.evaluate(DECODES_JS))
        # the results fit a phone's screen too (nothing scrolls sideways), shown for a person
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.evaluate(NEXT_FRAME_JS)
            page.screenshot(path=SCREENSHOTS / f"book-live_lab-{label}-results.jpg", full_page=True)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"scrolls sideways at {label} width ({width})"
        assert errors == [], errors
        assert speaking.outside == [] and all(r.url.startswith(speaking.base_url) for r in requests)
    finally:
        page.close()


def test_file_input_matches_the_python_codec(speaking, reference):
    """For a test take of every speaker, through the file input: the book's log-mel, the
    Python codec's codes, and the Python pipeline's LSD (with every stage; with one stage too
    for the first take)."""
    from utils import codec, features, metrics

    model, standardizer = reference["model"], reference["standardizer"]
    stages = model.quantizer.stages
    page, errors, _, _ = speaking.open()
    log_mel_difference, differing, n_codes, lsd = 0.0, 0, 0, []
    try:
        start(page)
        for number, item in enumerate(reference["files"]):
            audio = item["audio"]
            S = features.log_mel(audio)
            runs = page.evaluate("() => window.speechLab.runs")
            page.set_input_files(
                "#lab-file",
                files=[{"name": item["name"], "mimeType": "audio/wav", "buffer": item["wav"]}],
            )
            wait_for_run(page, runs)
            ours = page.evaluate(
                "() => ({audio: Array.from(speechLab.audio), nFrames: speechLab.logMel.nFrames,"
                " logMel: Array.from(speechLab.logMel.data),"
                " codes: Array.from(speechLab.codes.data),"
                " dims: [speechLab.codes.nCodes, speechLab.codes.nStages]})"
            )
            # a 16-bit WAV at the book's rate: read as utils.data.decode_wav reads it, no
            # resampling
            np.testing.assert_array_equal(np.array(ours["audio"], dtype="float32"), audio)
            log_mel = np.array(ours["logMel"]).reshape(S.shape[0], ours["nFrames"])
            assert log_mel.shape == S.shape
            log_mel_difference = max(log_mel_difference, float(np.abs(log_mel - S).max()))
            _, (python_codes,) = codec.code_utterances(model, [S], standardizer)
            codes = np.array(ours["codes"]).reshape(ours["dims"])
            assert codes.shape == python_codes.shape
            differing += int((codes != python_codes).sum())
            n_codes += codes.size
            for n in (1, stages) if number == 0 else (stages,):
                choose_stages(page, n)
                page_audio = np.array(page.evaluate("() => Array.from(speechLab.reconstruction)"))
                (decoded,), _ = codec.code_utterances(model, [S], standardizer, n_stages=n)
                python_audio = features.invert_log_mel(decoded)
                page_lsd, python_lsd = (
                    metrics.log_spectral_distance(S, features.log_mel(x.astype("float32")))
                    for x in (page_audio, python_audio)
                )
                lsd.append((item["name"], n, page_lsd, python_lsd))
        largest = max(lsd, key=lambda row: abs(row[2] - row[3]))
        print(
            f"\nlive lab parity on {len(reference['files'])} test takes: log-mel max difference "
            f"{log_mel_difference:.2e} dB, {differing} of {n_codes} codes differ, LSD page vs "
            f"Python: largest gap {abs(largest[2] - largest[3]):.2e} dB ({largest[0]}, "
            f"{largest[1]} stage(s): {largest[2]:.3f} vs {largest[3]:.3f} dB)"
        )
        assert log_mel_difference < LOG_MEL_TOLERANCE_DB
        assert differing == 0
        for name, n, page_lsd, python_lsd in lsd:
            assert abs(page_lsd - python_lsd) < LSD_TOLERANCE_DB, (name, n, page_lsd, python_lsd)
        assert errors == [], errors
    finally:
        page.close()


def test_a_wav_at_another_rate_is_resampled(speaking, reference):
    """A 16 kHz copy of the first take goes through the OfflineAudioContext: the page hears
    the book's rate, and its log-mel is close to the 8 kHz original's (not equal: resampled)."""
    import scipy.signal

    from utils import features, metrics
    from utils.audio import to_wav_bytes

    audio = reference["audio"]
    rate = reference["constants"]["features"]["sample_rate"]
    upsampled = scipy.signal.resample_poly(audio, 2, 1).astype("float32")
    page, errors, _, _ = speaking.open()
    try:
        start(page)
        runs = page.evaluate("() => window.speechLab.runs")
        buffer = to_wav_bytes(np.clip(upsampled, -1, 1), 2 * rate)
        page.set_input_files(
            "#lab-file", files=[{"name": "16k.wav", "mimeType": "audio/wav", "buffer": buffer}]
        )
        wait_for_run(page, runs)
        ours = np.array(page.evaluate("() => Array.from(speechLab.audio)"), dtype="float32")
        assert abs(ours.size - audio.size) <= 1
        n = min(ours.size, audio.size)
        distance = metrics.log_spectral_distance(
            features.log_mel(audio[:n]), features.log_mel(ours[:n])
        )
        print(f"\nlive lab: a 16 kHz WAV resampled in the page, LSD {distance:.2f} dB")
        assert distance < 0.1  # measured 0.01 dB: Chromium's resampler is close to scipy's
        assert errors == [], errors
    finally:
        page.close()


def _wav(audio, rate=8000):
    from utils.audio import to_wav_bytes

    return {"name": "input.wav", "mimeType": "audio/wav", "buffer": to_wav_bytes(audio, rate)}


BAD_FILES = {
    "too short": (lambda: _wav(0.1 * np.sin(np.arange(800) / 3.0).astype("float32")), "too short"),
    "too long": (
        lambda: _wav(0.1 * np.sin(np.arange(8000 * 12) / 3.0).astype("float32")),
        "too long",
    ),
    "silent": (lambda: _wav(np.zeros(8000, dtype="float32")), "silent"),
    "not audio": (
        lambda: {"name": "notes.wav", "mimeType": "audio/wav", "buffer": b"not audio at all"},
        "cannot decode",
    ),
}


def test_bad_files_get_a_plain_message_and_the_page_keeps_working(speaking, wav_files):
    page, errors, _, _ = speaking.open()
    try:
        start(page)
        for name, (make, expected) in BAD_FILES.items():
            page.evaluate("() => { speechLab.message = null; }")
            page.set_input_files("#lab-file", files=[make()])
            text = message(page)
            assert expected in text, f"{name}: {text!r}"
            assert page.evaluate("() => speechLab.state") == "failed", name
        # clipped: coded, with a warning
        runs = page.evaluate("() => window.speechLab.runs")
        square = np.sign(np.sin(np.arange(8000) / 5.0)).astype("float32")
        page.set_input_files("#lab-file", files=[_wav(square)])
        wait_for_run(page, runs)
        assert "clipped" in message(page)
        # and after all that, a good file still goes through
        runs = page.evaluate("() => window.speechLab.runs")
        page.set_input_files("#lab-file", str(wav_files["speech"]))
        wait_for_run(page, runs)
        assert errors == [], errors
    finally:
        page.close()


def test_a_browser_without_webassembly_is_told(speaking):
    page, errors, requests, _ = speaking.open(init_script="delete window.WebAssembly;")
    try:
        page.click("#lab-start")
        assert "WebAssembly" in message(page)
        assert not any(r.url.endswith(".wasm") for r in requests)
        assert errors == []
    finally:
        page.close()


def test_a_build_without_the_lab_files_says_so(speaking):
    page = speaking.context.new_page()
    page.route("**/_static/lab/**", lambda route: route.fulfill(status=404, body="missing"))
    try:
        page.goto(speaking.base_url + PAGE, wait_until="load")
        loading = page.locator("#lab-loading")
        page.wait_for_function(
            "() => document.getElementById('lab-loading').textContent.includes('missing')"
        )
        assert loading.is_visible() and "tools/live_lab.py" in loading.inner_text()
        assert page.get_by_role(
            "heading", level=1
        ).first.is_visible()  # the rest of the page is there
    finally:
        page.close()


def test_missing_codec_files_after_start_are_reported(speaking):
    page, _, _, _ = speaking.open()
    page.route("**/_static/lab/codec.json", lambda route: route.fulfill(status=404, body=""))
    try:
        page.click("#lab-start")
        assert "missing" in message(page)
        assert page.locator("#lab-start").is_enabled()  # the reader can try again
    finally:
        page.close()


def test_microphone_not_allowed(playwright_session, base_url, wav_files):
    # a fake microphone, but no fake permission prompt and no permission granted: denied
    browser = Browser(
        playwright_session,
        base_url,
        [
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav_files['speech']}",
        ],
        grant_microphone=False,
    )
    try:
        page, errors, _, _ = browser.open()
        start(page)
        page.click("#lab-record")
        assert "not allowed" in message(page)
        assert page.locator("#lab-file").is_enabled()  # a file still works
        assert errors == [] and browser.outside == []
    finally:
        browser.close()


def test_no_microphone(playwright_session, base_url):
    # the permission prompt accepted, but no capture device at all (no fake one either)
    browser = Browser(
        playwright_session, base_url, ["--use-fake-ui-for-media-stream"], grant_microphone=True
    )
    try:
        page, errors, _, _ = browser.open()
        has_device = page.evaluate(
            "async () => (await navigator.mediaDevices.enumerateDevices())"
            ".some(d => d.kind === 'audioinput')"
        )
        if has_device:
            pytest.skip("this machine has a real microphone: the no-microphone path needs none")
        start(page)
        page.click("#lab-record")
        assert "No microphone was found" in message(page)
        assert errors == [] and browser.outside == []
    finally:
        browser.close()


def test_a_silent_recording_is_refused(playwright_session, base_url, wav_files):
    browser = Browser(
        playwright_session,
        base_url,
        _fake_microphone(wav_files["silence"]),
        grant_microphone=True,
    )
    try:
        page, errors, _, _ = browser.open()
        start(page)
        page.click("#lab-record")
        page.wait_for_function("() => window.speechLab.state === 'recording'")
        page.wait_for_timeout(1000)
        page.click("#lab-stop")
        assert "silent" in message(page)
        assert errors == [] and browser.outside == []
    finally:
        browser.close()
