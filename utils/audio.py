"""Audio players for the page: one clip, or "original | reconstruction" rows at equal loudness.

Used from "Listening to the data" onwards. Players are plain HTML5 ``<audio>``
elements with the WAV embedded as a data URI, so they play on the static web
page with no kernel, in Jupyter and in Colab. Every player carries a caption
that says what is heard (digit, speaker, and which model made it).
"""

from __future__ import annotations

import base64
import html
import io
import wave
from collections.abc import Mapping, Sequence

import numpy as np

from .validation import SAMPLE_RATE, check_audio

#: Loudness every clip of a comparison is brought to, in dB relative to full scale (RMS).
TARGET_RMS_DB = -23.0


def to_wav_bytes(audio, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Encode float audio (n_samples,) in [-1, 1] (clipped to it) as 16-bit PCM mono WAV bytes."""
    audio = check_audio(audio, sample_rate, expected_rate=None, allow_silence=True)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(int(sample_rate))
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


def match_loudness(
    clips: Sequence, target_rms_db: float = TARGET_RMS_DB, peak: float = 0.99
) -> list[np.ndarray]:
    """Scale every clip to the same RMS level (``target_rms_db`` dBFS), then all by one common
    factor if any would clip above ``peak``. Silent clips stay silent. Returns float32 arrays.
    """
    clips = [np.asarray(c, dtype=np.float64) for c in clips]
    target = 10 ** (target_rms_db / 20)
    scaled = []
    for clip in clips:
        rms = np.sqrt(np.mean(clip**2)) if clip.size else 0.0
        scaled.append(clip * (target / rms) if rms > 0 else clip)
    loudest = max((np.abs(c).max() for c in scaled if c.size), default=0.0)
    if loudest > peak:
        scaled = [c * (peak / loudest) for c in scaled]
    return [c.astype(np.float32) for c in scaled]


def player_html(audio, sample_rate: int = SAMPLE_RATE, caption: str = "") -> str:
    """HTML of one captioned player: ``<figure><audio controls src="data:audio/wav;base64,…">``."""
    if not caption:
        raise ValueError(
            "every audio player needs a caption that says what is heard (digit, speaker, model)."
        )
    data = base64.b64encode(to_wav_bytes(audio, sample_rate)).decode("ascii")
    label = html.escape(caption)
    return (
        '<figure class="sae-audio" style="display:inline-block;margin:0 1em 0.5em 0">'
        f'<audio controls preload="metadata" aria-label="{label}" '
        f'src="data:audio/wav;base64,{data}"></audio>'
        f'<figcaption style="font-size:0.85em">{label}</figcaption></figure>'
    )


def players_html(clips, sample_rate: int = SAMPLE_RATE, *, equal_loudness: bool = True) -> str:
    """HTML of a row of captioned players.

    ``clips``: ``{caption: audio}`` or ``[(caption, audio), ...]``.
    """
    items = list(clips.items()) if isinstance(clips, Mapping) else list(clips)
    if not items:
        raise ValueError("no clips given.")
    captions = [caption for caption, _ in items]
    audios = [
        check_audio(a, sample_rate, expected_rate=None, allow_silence=True, name=c)
        for c, a in items
    ]
    if equal_loudness:
        audios = match_loudness(audios)
    players = "".join(player_html(a, sample_rate, c) for c, a in zip(captions, audios, strict=True))
    return f'<div class="sae-audio-row">{players}</div>'


class Players:
    """A row of audio players that displays itself in a notebook (the last line of a cell)."""

    def __init__(self, clips, sample_rate: int = SAMPLE_RATE, *, equal_loudness: bool = True):
        self.html = players_html(clips, sample_rate, equal_loudness=equal_loudness)

    def _repr_html_(self) -> str:
        return self.html


def play(audio, sample_rate: int = SAMPLE_RATE, caption: str = "") -> Players:
    """One captioned player, e.g. ``play(recording.audio, 8000, "digit 3, george, original")``."""
    return Players([(caption, audio)], sample_rate, equal_loudness=False)


def compare(clips, sample_rate: int = SAMPLE_RATE) -> Players:
    """Players side by side at equal loudness.

    E.g. ``compare({"original": x, "autoencoder (z=8)": x_hat})``.

    Captions should say what is heard: digit, speaker, and which model made the clip.
    """
    return Players(clips, sample_rate, equal_loudness=True)


# ----------------------------------------------------------------------------------------------
# Your own voice: the "Try it on your voice" sections at the end of chapters 1, 4 and 5
# ----------------------------------------------------------------------------------------------

#: Environment variable naming a recording file that :func:`your_voice` uses when the notebook
#: names none: the tests' way in (``tests/colab/run_notebooks.py`` sets it to an FSDD test take),
#: so that the optional sections run on a file in automated runs and never wait on a microphone.
VOICE_FILE_VARIABLE = "SPEECH_AE_VOICE_FILE"
#: Seconds recorded from the microphone by default, and the longest recording accepted (s).
RECORD_SECONDS, MAX_VOICE_SECONDS = 3.0, 10.0
#: The shortest recording accepted, in seconds of sound once the silence is trimmed. FSDD's
#: shortest word lasts a little longer than this.
MIN_VOICE_SECONDS = 0.15
#: A recording whose loudest sample is below this level (dB relative to full scale) is silence.
SILENCE_PEAK_DB = -60.0
#: A sample at or above this magnitude sits at full scale; a recording with more than
#: ``CLIPPED_FRACTION`` of its samples there (and at least ``CLIPPED_MIN_SAMPLES``) is clipped.
CLIP_LEVEL, CLIPPED_FRACTION, CLIPPED_MIN_SAMPLES = 0.999, 0.001, 3
#: The largest log-spectral distance (dB) :func:`show_voice` accepts between a recording's
#: log-mel and a model's reconstruction of it: the book's models stay well below it on words they
#: never heard; a unit error (dB against standardized values, a missing inverse transform) or a
#: broken model lands far above it.
VOICE_MAX_LSD_DB = 20.0
#: The one line a "Try it on your voice" section prints when no recording is named.
VOICE_HOW_TO = 'To hear your voice: set YOUR_RECORDING (a file, or "microphone" in Colab).'


class VoiceError(ValueError):
    """A recording that cannot be used; the message says why and what to do about it."""


def _say(message: str) -> None:
    from .data import say

    say(message)


def voice_from_array(
    audio,
    sample_rate,
    *,
    name: str = "your recording",
    level_db: float | None = TARGET_RMS_DB,
    verbose: bool = True,
) -> np.ndarray:
    """Check a recording and make it what the chapters' models read: 8 kHz mono, silence trimmed.

    audio : float array of samples in [-1, 1], shape (n_samples,) for mono, or
        (n_samples, n_channels) or (n_channels, n_samples) for up to 8 channels, which are
        mixed down to mono by averaging them (said in a printed note).
    sample_rate : int, Hz, the rate of ``audio`` (any; resampled to 8,000 Hz with librosa).
    level_db : the RMS level (dBFS) the trimmed recording is brought to, the level every clip of
        the book is played at (:data:`TARGET_RMS_DB`; close to FSDD's typical level), lowered if
        its peak would pass 0.99. ``None`` keeps the recording's own level.

    Steps, in order: the checks of :func:`utils.validation.check_audio` (numbers, no NaN or Inf);
    refused if longer than :data:`MAX_VOICE_SECONDS`, clipped (see :data:`CLIPPED_FRACTION`) or
    silent (peak below :data:`SILENCE_PEAK_DB`); resampled to
    :data:`utils.validation.SAMPLE_RATE`; the silence before and after the sound trimmed with the
    book's rule (frames within 40 dB of the loudest one, :func:`utils.metrics.speech_frames`, as
    :func:`utils.sequences.trim_silence` of chapter 5); refused if less than
    :data:`MIN_VOICE_SECONDS` of sound remain.

    Returns float32 (n_samples,) at 8,000 Hz in [-1, 1]. Raises :class:`VoiceError` (or the
    ``TypeError`` / ``ValueError`` of ``check_audio``) with a message that says what to do.
    """
    import librosa

    from .features import HOP_LENGTH, N_FFT, log_mel
    from .metrics import speech_frames
    from .validation import check_sample_rate

    sample_rate = check_sample_rate(sample_rate, expected=None)
    if isinstance(audio, (list, tuple)):
        audio = np.asarray(audio)
    notes = []
    if isinstance(audio, np.ndarray) and audio.ndim == 2 and min(audio.shape) > 1:
        if min(audio.shape) > 8:
            raise VoiceError(
                f"{name} has shape {audio.shape}: that is not a recording with a few channels; "
                "pass one channel of samples, shape (n_samples,)."
            )
        channel_axis = int(np.argmin(audio.shape))
        notes.append(f"its {audio.shape[channel_axis]} channels mixed down to mono (average)")
        audio = audio.mean(axis=channel_axis)
    audio = check_audio(audio, sample_rate, expected_rate=None, allow_silence=True, name=name)
    seconds = audio.size / sample_rate
    if seconds > MAX_VOICE_SECONDS:
        raise VoiceError(
            f"{name} lasts {seconds:.1f} s; at most {MAX_VOICE_SECONDS:.0f} s are accepted. "
            "Cut out the part with your word (a digit, as in the dataset) and try again."
        )
    clipped = int(np.count_nonzero(np.abs(audio) >= CLIP_LEVEL))
    if clipped >= max(CLIPPED_MIN_SAMPLES, CLIPPED_FRACTION * audio.size):
        raise VoiceError(
            f"{name} is clipped: {clipped} samples ({100 * clipped / audio.size:.1f} %) sit at "
            "full scale, so the loudest parts are cut flat. Record again with the microphone "
            "further away or its input volume lower."
        )
    peak = float(np.abs(audio).max())
    if peak < 10 ** (SILENCE_PEAK_DB / 20):
        level = f"{20 * np.log10(peak):.0f} dBFS" if peak > 0 else "digital silence"
        raise VoiceError(
            f"{name} is silent (its loudest sample is {level}): check that the microphone is "
            "on, not muted, and the one the browser uses, then record again."
        )
    if sample_rate != SAMPLE_RATE:
        notes.append(f"resampled from {sample_rate} Hz to {SAMPLE_RATE} Hz")
        audio = librosa.resample(audio, orig_sr=sample_rate, target_sr=SAMPLE_RATE)
        audio = audio.astype(np.float32)
    # frame t of the log-mel is centred on sample t * HOP_LENGTH and spans N_FFT samples
    trimmed = audio
    if audio.size >= N_FFT:
        speech = np.flatnonzero(speech_frames(log_mel(audio)))
        start = max(0, speech[0] * HOP_LENGTH - N_FFT // 2) if speech.size else 0
        stop = min(audio.size, speech[-1] * HOP_LENGTH + N_FFT // 2) if speech.size else 0
        trimmed = audio[start:stop]
    if trimmed.size < MIN_VOICE_SECONDS * SAMPLE_RATE:
        raise VoiceError(
            f"{name} holds only {trimmed.size / SAMPLE_RATE:.2f} s of sound; at least "
            f"{MIN_VOICE_SECONDS:.2f} s are needed. Say one digit clearly, as in the dataset, "
            "and try again."
        )
    if level_db is not None:
        trimmed = match_loudness([trimmed], target_rms_db=level_db)[0]
    if verbose:
        kept = f"{trimmed.size / SAMPLE_RATE:.2f} s of sound kept of {seconds:.2f} s"
        _say(f"{name[0].upper()}{name[1:]}: " + "; ".join([kept, *notes]) + ".")
    return trimmed.astype(np.float32)


def read_voice(source, *, name: str | None = None, **options) -> np.ndarray:
    """Read a recording from a file (a path) or from the bytes of one, and prepare it.

    Any format soundfile (libsndfile) reads: WAV, FLAC, OGG, MP3 and more. Then
    :func:`voice_from_array` (``options`` are passed on). Returns float32 (n_samples,) at 8 kHz.
    Raises :class:`VoiceError` for a missing file, a folder, or a file that is not audio.
    """
    import soundfile

    if isinstance(source, (bytes, bytearray)):
        name = name or "your recording"
        data = io.BytesIO(source)
    else:
        import pathlib

        path = pathlib.Path(source).expanduser()
        name = name or f"your recording ({path.name})"
        if path.is_dir():
            raise VoiceError(f"{path} is a folder; name the audio file in it.")
        if not path.is_file():
            raise VoiceError(
                f"there is no file {path} (the notebook runs in {pathlib.Path.cwd()}). "
                "Check the name, or give the full path; in Colab, upload the file first "
                "(the folder icon on the left), or use 'upload'."
            )
        data = path
    try:
        audio, sample_rate = soundfile.read(data, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError, EOFError) as error:
        raise VoiceError(
            f"{name} is not an audio file this reader understands ({error}). Use WAV, FLAC, "
            "OGG or MP3; convert other formats first, e.g. ffmpeg -i in.m4a out.wav."
        ) from error
    return voice_from_array(
        audio[:, 0] if audio.shape[1] == 1 else audio, sample_rate, name=name, **options
    )


#: The JavaScript that :func:`record_voice` runs in Colab's output frame: ``{seconds}`` of the
#: microphone as 16-bit PCM, captured with getUserMedia and an AudioContext, returned as a
#: base64 WAV (or as ``"error: ..."``), so that no ffmpeg is needed to decode it. The samples are
#: taken by a ScriptProcessorNode: deprecated, but in every browser and, unlike an AudioWorklet,
#: it needs no module file. If the browser keeps the AudioContext suspended until a click, a
#: "Start recording" button appears. tests/unit/test_voice.py runs it in Chromium.
RECORD_JS = """
(async (seconds) => {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {channelCount: 1, echoCancellation: false, noiseSuppression: false,
            autoGainControl: false},
  });
  const context = new AudioContext();
  const note = document.createElement("div");
  document.body.appendChild(note);
  if (context.state !== "running") await context.resume();
  if (context.state !== "running") {
    const button = document.createElement("button");
    button.textContent = "Start recording";
    note.appendChild(button);
    await new Promise((resolve) => { button.onclick = resolve; });
    await context.resume();
  }
  note.textContent = `Recording: speak now (${seconds} s)`;
  const source = context.createMediaStreamSource(stream);
  const processor = context.createScriptProcessor(4096, 1, 1);
  const chunks = [];
  processor.onaudioprocess = (event) => {
    chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
  };
  source.connect(processor);
  processor.connect(context.destination);
  await new Promise((resolve) => setTimeout(resolve, 1000 * seconds));
  processor.disconnect();
  source.disconnect();
  stream.getTracks().forEach((track) => track.stop());
  const rate = context.sampleRate;
  await context.close();
  note.remove();
  const n = chunks.reduce((total, chunk) => total + chunk.length, 0);
  const view = new DataView(new ArrayBuffer(44 + 2 * n));
  const text = (offset, s) => {
    for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i));
  };
  text(0, "RIFF"); view.setUint32(4, 36 + 2 * n, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
  view.setUint16(22, 1, true); view.setUint32(24, rate, true);
  view.setUint32(28, 2 * rate, true); view.setUint16(32, 2, true);
  view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, 2 * n, true);
  let offset = 44;
  for (const chunk of chunks) {
    for (const x of chunk) {
      view.setInt16(offset, Math.round(32767 * Math.max(-1, Math.min(1, x))), true);
      offset += 2;
    }
  }
  const bytes = new Uint8Array(view.buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
})({seconds}).catch((error) => "error: " + error.name + ": " + error.message)
"""


def _colab_module(what: str):
    """``google.colab.<what>``, or a :class:`VoiceError` that says it only works in Colab."""
    import importlib

    try:
        return importlib.import_module(f"google.colab.{what}")
    except ImportError:
        raise VoiceError(
            "the microphone and 'upload' work in Google Colab only; here, name a recording "
            "file instead, e.g. YOUR_RECORDING = 'my_digit.wav'."
        ) from None


def record_voice(seconds: float = RECORD_SECONDS, **options) -> np.ndarray:
    """Record ``seconds`` from the microphone in Colab, and prepare it (:func:`voice_from_array`).

    Runs :data:`RECORD_JS` through ``google.colab.output.eval_js``: the browser asks for the
    microphone, records, and returns a WAV at the browser's rate (often 48 kHz), which is then
    resampled to 8 kHz. Only ever called when the reader asks for it (``"microphone"``): outside
    Colab it raises :class:`VoiceError` at once and never waits. Returns float32 (n_samples,).
    """
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, (int, float))
        or not 0 < seconds <= MAX_VOICE_SECONDS
    ):
        raise VoiceError(
            f"seconds must be a number between 0 and {MAX_VOICE_SECONDS:.0f}, got {seconds!r}."
        )
    output = _colab_module("output")
    _say(f"Recording {seconds:g} s from the microphone: say one digit now.")
    result = output.eval_js(RECORD_JS.replace("{seconds}", repr(float(seconds))))
    if not isinstance(result, str) or result.startswith("error:"):
        raise VoiceError(
            f"the microphone could not be recorded ({result}). Allow this page to use the "
            "microphone (the icon in the address bar), check that one is connected, or name "
            "a recording file instead."
        )
    try:
        data = base64.b64decode(result, validate=True)
    except ValueError as error:
        raise VoiceError(f"the browser returned no recording ({error}); try again.") from error
    return read_voice(data, name="your recording (microphone)", **options)


def upload_voice(**options) -> np.ndarray:
    """Ask for a recording file in Colab (``google.colab.files.upload``) and prepare it."""
    files = _colab_module("files")
    uploaded = files.upload()
    if not uploaded:
        raise VoiceError("no file was uploaded; choose one audio file, or name its path.")
    name, data = next(iter(uploaded.items()))
    return read_voice(bytes(data), name=f"your recording ({name})", **options)


def your_voice(source=None, *, seconds: float = RECORD_SECONDS, **options) -> np.ndarray | None:
    """Your own recording for a chapter's "Try it on your voice" section, or ``None``.

    source : ``None`` (the default: nothing to do), a file path (str or ``pathlib.Path``),
        ``"microphone"`` (Colab: record ``seconds`` s), ``"upload"`` (Colab: choose a file),
        or ``(audio, sample_rate)`` with an array as in :func:`voice_from_array`.
        With ``None``, the file named by the environment variable :data:`VOICE_FILE_VARIABLE`
        is used when it is set (how the tests run the sections on a file); otherwise one line
        says how to use the section and ``None`` is returned. Nothing ever waits on a
        microphone unless ``source`` is ``"microphone"``.

    Returns float32 (n_samples,) at 8,000 Hz in [-1, 1], mono, silence trimmed, at the book's
    playback level (see :func:`voice_from_array`), or ``None``.
    """
    import os

    if source is None:
        named = os.environ.get(VOICE_FILE_VARIABLE, "").strip()
        if not named:
            print(VOICE_HOW_TO)
            return None
        _say(f"Using the recording named by ${VOICE_FILE_VARIABLE}.")
        return read_voice(named, **options)
    if isinstance(source, tuple) and len(source) == 2:
        return voice_from_array(*source, **options)
    if isinstance(source, str) and source.strip().lower() in {"microphone", "mic"}:
        return record_voice(seconds, **options)
    if isinstance(source, str) and source.strip().lower() == "upload":
        return upload_voice(**options)
    if isinstance(source, (str, os.PathLike)):
        return read_voice(source, **options)
    raise TypeError(
        "YOUR_RECORDING must be None, a file path, 'microphone' or 'upload' (in Colab), "
        f"got {type(source).__name__}."
    )


def show_voice(voice, log_mel_db, reconstruction_db, *, model: str) -> float:
    """Listen and look: your recording next to a chapter's model's reconstruction of it.

    voice : float (n_samples,) at 8 kHz, from :func:`your_voice`.
    log_mel_db, reconstruction_db : (n_mels, n_frames) in dB, the log-mel the model read
        (:func:`utils.features.log_mel` of ``voice``, perhaps trimmed as the chapter trims) and
        the model's output for it; the same shape. model : what made the reconstruction.

    Checks that the reconstruction is finite, has the shape of the input, and lies within
    :data:`VOICE_MAX_LSD_DB` of it (log-spectral distance, :func:`utils.metrics.
    log_spectral_distance`); displays both spectrograms on one colour scale and the players
    "recording | log-mel, Griffin-Lim | model, Griffin-Lim" at equal loudness; prints the LSD.
    Returns the LSD in dB.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    from . import plots
    from .features import DB_FLOOR, invert_log_mel
    from .metrics import log_spectral_distance
    from .validation import check_matrix

    voice = check_audio(voice, SAMPLE_RATE, name="your recording")
    log_mel_db = check_matrix(log_mel_db, name="the log-mel of your recording")
    reconstruction_db = check_matrix(reconstruction_db, name=f"the {model} reconstruction")
    if reconstruction_db.shape != log_mel_db.shape:
        raise ValueError(
            f"the {model} reconstruction has shape {reconstruction_db.shape}, the log-mel it "
            f"should rebuild {log_mel_db.shape}: one frame out per frame in."
        )
    lsd = float(log_spectral_distance(log_mel_db, reconstruction_db))
    if not 0 <= lsd <= VOICE_MAX_LSD_DB:
        raise ValueError(
            f"the {model} reconstruction is {lsd:.1f} dB (LSD) from your recording, more than "
            f"{VOICE_MAX_LSD_DB:.0f} dB: the model's output is not a log-mel in dB of this "
            "input (a missing inverse standardization?), or the recording is not speech."
        )
    fig, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    for ax, S, title in zip(
        axes, (log_mel_db, reconstruction_db), ("your recording", model), strict=True
    ):
        plots.spectrogram(S, ax, title=title, vmin=DB_FLOOR, vmax=float(log_mel_db.max()))
    axes[0].set_xlabel("")
    fig.tight_layout()
    alt = (
        f"Log-mel spectrograms of your recording (top) and of its reconstruction by the {model} "
        f"(bottom), {lsd:.1f} dB apart in log-spectral distance."
    )
    display(plots.show(fig, alt=alt, caption=f"Your recording through the {model}."))
    clips = {
        "your recording": voice,
        "your recording, log-mel, Griffin-Lim": invert_log_mel(log_mel_db),
        f"your recording, {model}, Griffin-Lim": invert_log_mel(reconstruction_db),
    }
    display(compare(clips))
    print(f"log-spectral distance to your recording: {lsd:.2f} dB")
    return lsd
