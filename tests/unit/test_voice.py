"""Your own voice (utils.audio.your_voice and friends): every check a recording goes through, the
Colab microphone and upload paths with a fake ``google.colab``, and the section's display."""

import base64
import io
import sys
import types
import wave

import numpy as np
import pytest

from utils import audio
from utils.audio import VoiceError
from utils.features import log_mel
from utils.validation import SAMPLE_RATE

RATE_441 = 44100


def word(seconds=0.6, rate=SAMPLE_RATE, amplitude=0.3, silence=0.5, seed=0):
    """A vowel-like tone with a pitch glide and noise, between ``silence`` s of faint noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    pitch = 140 + 40 * t / seconds
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12)) * np.hanning(t.size)
    voiced = amplitude * voiced / np.abs(voiced).max() + 0.01 * rng.standard_normal(t.size)
    pad = 1e-4 * rng.standard_normal(int(silence * rate))
    return np.concatenate([pad, voiced, pad]).astype(np.float32)


def wav_bytes(samples, rate=SAMPLE_RATE):
    """16-bit PCM WAV of ``samples`` (n,) or (n, channels) in [-1, 1]."""
    samples = np.asarray(samples)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


def write(tmp_path, name, samples, rate=SAMPLE_RATE):
    path = tmp_path / name
    path.write_bytes(wav_bytes(samples, rate))
    return path


@pytest.fixture(autouse=True)
def _no_voice_file(monkeypatch):
    monkeypatch.delenv(audio.VOICE_FILE_VARIABLE, raising=False)


def said(capsys) -> str:
    """What was printed, as one line (say() wraps lines at 76 characters)."""
    text = capsys.readouterr().out
    assert all(len(line) <= 76 for line in text.splitlines()), text
    return " ".join(text.split())


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.asarray(x, np.float64) ** 2)))


def test_a_mono_8khz_file_is_trimmed_levelled_and_kept(tmp_path, capsys):
    path = write(tmp_path, "digit.wav", word())
    voice = audio.your_voice(str(path))
    assert voice.dtype == np.float32 and voice.ndim == 1
    # the half second of faint noise on each side is cut, the word (0.6 s) is kept
    assert 0.5 * SAMPLE_RATE <= voice.size <= 0.7 * SAMPLE_RATE, voice.size
    assert abs(rms_db(voice) - audio.TARGET_RMS_DB) < 0.1
    assert np.abs(voice).max() <= 0.99 + 1e-6
    printed = said(capsys)
    assert "digit.wav" in printed and "of 1.60 s" in printed


def test_the_trim_keeps_what_chapter_5_keeps(tmp_path):
    from utils.sequences import trim_silence

    samples = word()
    voice = audio.voice_from_array(samples, SAMPLE_RATE, level_db=None, verbose=False)
    # the frames trim_silence keeps of the untrimmed log-mel, give or take one at each end
    kept = trim_silence(log_mel(samples)).shape[1]
    assert abs(log_mel(voice).shape[1] - kept) <= 2, (log_mel(voice).shape[1], kept)
    assert np.isclose(rms_db(voice), rms_db(samples[int(0.5 * SAMPLE_RATE) :][:4800]), atol=1)


def test_stereo_is_mixed_down_and_said(tmp_path, capsys):
    left = word()
    path = write(tmp_path, "stereo.wav", np.stack([left, 0.5 * left], axis=1))
    voice = audio.read_voice(path, level_db=None)
    mono = audio.voice_from_array(0.75 * left, SAMPLE_RATE, level_db=None, verbose=False)
    assert voice.shape == mono.shape
    assert np.allclose(voice, mono, atol=2e-4)  # 16-bit rounding only
    assert "2 channels mixed down to mono" in said(capsys)


def test_channels_first_arrays_are_mixed_down_too():
    left = word()
    voice = audio.voice_from_array(np.stack([left, left]), SAMPLE_RATE, verbose=False)
    assert voice.shape == audio.voice_from_array(left, SAMPLE_RATE, verbose=False).shape


def test_a_44_1_khz_file_is_resampled_to_8_khz(tmp_path, capsys):
    path = write(tmp_path, "cd.wav", word(rate=RATE_441), rate=RATE_441)
    voice = audio.your_voice(path)
    assert 0.5 * SAMPLE_RATE <= voice.size <= 0.7 * SAMPLE_RATE, voice.size
    assert f"resampled from {RATE_441} Hz to {SAMPLE_RATE} Hz" in said(capsys)
    # the fundamental glides from 140 to 180 Hz: the spectrum's peak is there, not 5.5x higher
    spectrum = np.abs(np.fft.rfft(voice * np.hanning(voice.size)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / voice.size
    assert 120 <= peak_hz <= 200, peak_hz


def test_silence_is_refused(tmp_path):
    with pytest.raises(VoiceError, match="silent .*digital silence.*microphone"):
        audio.read_voice(write(tmp_path, "zeros.wav", np.zeros(SAMPLE_RATE)))
    faint = 1e-4 * np.random.default_rng(0).standard_normal(SAMPLE_RATE)
    with pytest.raises(VoiceError, match=r"silent .*loudest sample is -\d\d dBFS"):
        audio.read_voice(write(tmp_path, "faint.wav", faint))


def test_a_clipped_recording_is_refused(tmp_path):
    loud = np.clip(4 * word(), -1, 1)
    with pytest.raises(VoiceError, match="clipped: .* full scale.*further away"):
        audio.read_voice(write(tmp_path, "loud.wav", loud))


def test_one_sample_at_full_scale_is_not_clipping():
    samples = word()
    samples = samples / np.abs(samples).max()  # normalized: one sample at 1.0
    assert audio.voice_from_array(samples, SAMPLE_RATE, verbose=False).size > 0


def test_nan_and_inf_are_refused_by_the_array_entry():
    samples = word()
    samples[100] = np.nan
    with pytest.raises(ValueError, match="1 NaN or infinite"):
        audio.your_voice((samples, SAMPLE_RATE))
    samples[100] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        audio.voice_from_array(samples, SAMPLE_RATE)


def test_integer_pcm_arrays_say_how_to_convert():
    with pytest.raises(TypeError, match="32768"):
        audio.voice_from_array((word() * 32767).astype(np.int16), SAMPLE_RATE)


def test_too_short_is_refused(tmp_path):
    click = word(seconds=0.08, silence=0.3)
    with pytest.raises(VoiceError, match=r"only 0\.\d\d s of sound; at least 0\.15 s"):
        audio.read_voice(write(tmp_path, "click.wav", click))
    with pytest.raises(VoiceError, match="only 0.01 s"):
        audio.voice_from_array(word(seconds=0.01, silence=0), SAMPLE_RATE)


def test_too_long_is_refused(tmp_path):
    long = np.tile(word(), 7)  # 11.2 s
    with pytest.raises(VoiceError, match=r"lasts 11\.2 s; at most 10 s"):
        audio.read_voice(write(tmp_path, "speech.wav", long))


def test_a_file_that_is_not_audio_is_refused(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("these are not samples\n" * 50)
    with pytest.raises(VoiceError, match="not an audio file .* WAV, FLAC, OGG or MP3"):
        audio.your_voice(str(text))
    with pytest.raises(VoiceError, match="there is no file .*missing.wav"):
        audio.your_voice(tmp_path / "missing.wav")
    with pytest.raises(VoiceError, match="is a folder"):
        audio.your_voice(tmp_path)
    with pytest.raises(TypeError, match="YOUR_RECORDING must be"):
        audio.your_voice(3)


def test_by_default_it_prints_one_line_and_does_nothing(capsys):
    assert audio.your_voice() is None
    printed = capsys.readouterr().out.splitlines()
    assert printed == [audio.VOICE_HOW_TO] and len(printed[0]) <= 76


def test_the_tests_way_in_is_the_environment_variable(tmp_path, monkeypatch, capsys):
    path = write(tmp_path, "from_env.wav", word())
    monkeypatch.setenv(audio.VOICE_FILE_VARIABLE, str(path))
    voice = audio.your_voice(None)
    assert voice is not None and voice.size > 0.5 * SAMPLE_RATE
    printed = said(capsys)
    assert audio.VOICE_FILE_VARIABLE in printed and "from_env.wav" in printed


def test_outside_colab_the_microphone_fails_at_once(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", None)  # importing it fails
    with pytest.raises(VoiceError, match="Colab only; here, name a recording file"):
        audio.your_voice("microphone")
    with pytest.raises(VoiceError, match="Colab only"):
        audio.your_voice("upload")


def fake_colab(monkeypatch, eval_js=None, upload=None):
    """Put a stand-in ``google.colab`` with ``output.eval_js`` / ``files.upload`` in sys.modules."""
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    output = types.ModuleType("google.colab.output")
    files = types.ModuleType("google.colab.files")
    output.eval_js = eval_js
    files.upload = upload
    google.colab, colab.output, colab.files = colab, output, files
    for name, module in {
        "google": google,
        "google.colab": colab,
        "google.colab.output": output,
        "google.colab.files": files,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)


def test_colab_microphone_decodes_the_browsers_base64_wav(monkeypatch, capsys):
    scripts = []
    browser_rate = 48000

    def eval_js(script, **kwargs):
        scripts.append(script)
        return base64.b64encode(wav_bytes(word(rate=browser_rate), browser_rate)).decode()

    fake_colab(monkeypatch, eval_js=eval_js)
    voice = audio.your_voice("microphone", seconds=2)
    assert len(scripts) == 1
    script = scripts[0]
    assert "getUserMedia" in script and "AudioContext" in script and "btoa" in script
    assert "})(2.0)" in script and "{seconds}" not in script  # the duration was filled in
    assert 0.5 * SAMPLE_RATE <= voice.size <= 0.7 * SAMPLE_RATE, voice.size
    printed = said(capsys)
    assert "Recording 2 s from the microphone" in printed
    assert f"resampled from {browser_rate} Hz" in printed


def test_colab_microphone_errors_are_explained(monkeypatch):
    fake_colab(monkeypatch, eval_js=lambda script: "error: NotAllowedError: Permission denied")
    with pytest.raises(VoiceError, match="NotAllowedError.*Allow this page to use the microphone"):
        audio.your_voice("microphone")
    fake_colab(monkeypatch, eval_js=lambda script: "not base64 !")
    with pytest.raises(VoiceError, match="no recording"):
        audio.record_voice(1)
    with pytest.raises(VoiceError, match="between 0 and 10"):
        audio.record_voice(60)


def test_colab_microphone_checks_the_recording_like_a_file(monkeypatch):
    silent = base64.b64encode(wav_bytes(np.zeros(48000), 48000)).decode()
    fake_colab(monkeypatch, eval_js=lambda script: silent)
    with pytest.raises(VoiceError, match="microphone.*silent"):
        audio.your_voice("microphone")


def test_colab_upload(monkeypatch):
    fake_colab(monkeypatch, upload=lambda: {"mine.wav": wav_bytes(word())})
    assert audio.your_voice("upload").size > 0.5 * SAMPLE_RATE
    fake_colab(monkeypatch, upload=lambda: {})
    with pytest.raises(VoiceError, match="no file was uploaded"):
        audio.your_voice("upload")


def test_show_voice_checks_the_reconstruction(capsys):
    voice = audio.voice_from_array(word(), SAMPLE_RATE, verbose=False)
    S = log_mel(voice)
    near = S + np.random.default_rng(0).normal(0, 2, S.shape)
    lsd = audio.show_voice(voice, S, near, model="noisy copy")
    assert 1 < lsd < 3, lsd
    assert f"{lsd:.2f} dB" in said(capsys)
    with pytest.raises(ValueError, match="shape"):
        audio.show_voice(voice, S, near[:, :-1], model="short")
    with pytest.raises(ValueError, match="NaN"):
        audio.show_voice(voice, S, np.full_like(S, np.nan), model="broken")
    # standardized values instead of dB: far from the recording
    standardized = (S - S.mean(axis=1, keepdims=True)) / S.std(axis=1, keepdims=True)
    with pytest.raises(ValueError, match="inverse standardization"):
        audio.show_voice(voice, S, standardized, model="forgot inverse")


def test_the_recording_javascript_returns_a_wav_in_chromium(tmp_path):
    """RECORD_JS itself, in Chromium with a fake microphone that plays a word: the base64 it
    returns is a mono 16-bit WAV at the browser's rate, and your_voice's checks accept it."""
    import os
    import shutil

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(chromium):
        pytest.skip(f"{chromium} not found")
    capture = tmp_path / "microphone.wav"
    capture.write_bytes(wav_bytes(word(rate=48000), 48000))
    flags = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={capture}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which(chromium), args=flags)
        try:
            page = browser.new_page()
            # a secure origin (getUserMedia needs one) served by the test itself: no network
            page.route("https://colab.test/**", lambda route: route.fulfill(body="<body></body>"))
            page.goto("https://colab.test/")
            result = page.evaluate(audio.RECORD_JS.replace("{seconds}", "1.5"))
        finally:
            browser.close()
    assert not result.startswith("error"), result
    with wave.open(io.BytesIO(base64.b64decode(result))) as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        rate = reader.getframerate()
        assert rate >= SAMPLE_RATE
        assert 1.3 * rate <= reader.getnframes() <= 1.7 * rate, reader.getnframes()
    voice = audio.read_voice(base64.b64decode(result), verbose=False)
    assert voice.size >= audio.MIN_VOICE_SECONDS * SAMPLE_RATE
