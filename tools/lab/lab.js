// The live lab's page (issue 18): the reader's own voice through chapter 4's codec, in the
// browser, offline, with no kernel and no server.
//
// book/live_lab.md holds the page's HTML (the elements below, by id) and loads this module.
// tools/live_lab.py copies it into _build/html/_static/lab/ beside what the build exports from
// chapter 4's trained codec: encoder.onnx, decoder.onnx, codec.json (utils/export.py),
// features.js (the book's log-mel) and synthesis.js (its Griffin-Lim). onnxruntime-web, pinned
// and hash-checked by tools/static_assets.py, is served from _static/npm/onnxruntime-web/ and
// loaded only when the reader presses Start (its WebAssembly is about 14 MB).
//
// What happens, in order: audio (microphone via MediaRecorder, or a file) -> decoded (a 16-bit
// WAV as the book reads it, anything else by the browser) -> mono -> resampled to the book's
// sample rate by an OfflineAudioContext -> checks (silence,
// clipping, length) -> log-mel (features.js) -> standardized frames, padded at the end by
// repeating the last frame to a multiple of the stride (as utils.codec.code_utterances does) ->
// encoder.onnx: codes of every stage -> the first n stages (the slider) -> decoder.onnx ->
// frames cut to the recording's length -> log-mel in dB -> Griffin-Lim -> WAV -> player.
// Nothing is sent anywhere: every step runs in this tab.
//
// window.speechLab holds the last results (for the tests and the curious): audio, logMel,
// codes, stages, bitRate, sent, reconstruction, reconstructedLogMel, timings (performance.now()
// when the reader pressed Stop or chose a file, and when the reconstruction was ready), runs
// (how many reconstructions so far), state and message.

import { logMel, standardize, unstandardize } from "./features.js";
import { invertLogMel } from "./synthesis.js";

const ORT_FOLDER = new URL("../npm/onnxruntime-web/", import.meta.url).href;
const LAB_FOLDER = new URL("./", import.meta.url).href;
/**
 * The checks of a recording, the same as utils.audio.your_voice applies in the notebooks:
 * codec.json's "recording" block, written from utils.audio by utils/export.py (max_seconds,
 * min_seconds, silence_peak_db, clip_level, clipped_fraction, clipped_min_samples,
 * target_rms_db). Read once the lab has started.
 */
function limits() {
  return lab.constants.recording;
}

const lab = {
  ready: false,
  constants: null,
  ort: null,
  encoder: null,
  decoder: null,
  recorder: null,
  urls: [],
};
window.speechLab = { state: "idle", runs: 0, timings: {}, messages: [] };

const $ = (id) => document.getElementById(id);

/** A plain message on the page; kind is "error", "warning" or "info". */
function say(text, kind = "info") {
  const box = $("lab-message");
  box.textContent = text;
  box.dataset.kind = kind;
  box.hidden = !text;
  window.speechLab.messages.push({ kind, text });
  window.speechLab.message = { kind, text };
}

function step(text) {
  $("lab-step").textContent = text;
}

class LabError extends Error {}

// ---------------------------------------------------------------------------------------------
// Start: the models and the constants
// ---------------------------------------------------------------------------------------------

async function fetchLabFile(name, kind) {
  let response;
  try {
    response = await fetch(LAB_FOLDER + name);
  } catch (error) {
    throw new LabError(`The lab's file ${name} could not be loaded (${error.message}).`);
  }
  if (!response.ok) {
    throw new LabError(
      `The lab's files are missing from this copy of the book (${name}: HTTP ` +
        `${response.status}). They are written by tools/live_lab.py after the book is built; ` +
        "`make book` runs it.",
    );
  }
  return kind === "json" ? response.json() : new Uint8Array(await response.arrayBuffer());
}

async function start() {
  const button = $("lab-start");
  button.disabled = true;
  say("");
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
    say(
      "This browser cannot run WebAssembly, which the lab needs to run the codec. Try a " +
        "current Firefox, Chrome, Edge or Safari.",
      "error",
    );
    return;
  }
  try {
    step("Loading the codec's constants (codec.json) …");
    const constants = await fetchLabFile("codec.json", "json");
    if (constants.format_version !== 1) {
      throw new LabError(`codec.json has format ${constants.format_version}; this page reads 1.`);
    }
    step("Loading the model runtime (onnxruntime-web, about 14 MB, once) …");
    const ort = await import(ORT_FOLDER + "ort.wasm.min.mjs").catch((error) => {
      throw new LabError(
        "The model runtime (onnxruntime-web) is missing from this copy of the book: run " +
          `tools/static_assets.py before building it (${error.message}).`,
      );
    });
    ort.env.wasm.numThreads = 1; // a static host cannot send the headers threads need
    ort.env.wasm.wasmPaths = ORT_FOLDER;
    step("Loading chapter 4's encoder and decoder …");
    const [encoderBytes, decoderBytes] = await Promise.all([
      fetchLabFile("encoder.onnx"),
      fetchLabFile("decoder.onnx"),
    ]);
    lab.encoder = await ort.InferenceSession.create(encoderBytes);
    lab.decoder = await ort.InferenceSession.create(decoderBytes);
    lab.ort = ort;
    lab.constants = constants;
    setUpSlider(constants.codec);
    lab.ready = true;
    window.speechLab.state = "ready";
    $("lab-input").hidden = false;
    button.hidden = true;
    step("Ready: record your voice or choose a file.");
  } catch (error) {
    button.disabled = false;
    window.speechLab.state = "failed";
    step("");
    say(error instanceof LabError ? error.message : `The lab could not start: ${error}`, "error");
  }
}

function setUpSlider(codec) {
  const slider = $("lab-stages");
  slider.min = 1;
  slider.max = codec.stages;
  slider.value = Math.min(2, codec.stages);
  showRate();
}

function showRate() {
  const { codec } = lab.constants;
  const n = Number($("lab-stages").value);
  const rate = codec.bits_per_second[n - 1];
  $("lab-rate").textContent =
    `${n} of ${codec.stages} stage${n > 1 ? "s" : ""}: ${rate} bit/s ` +
    `(${codec.bits_per_code} bits per code, one code every ${codec.stride} frames)`;
  return { n, rate };
}

// ---------------------------------------------------------------------------------------------
// Input: the microphone or a file, decoded and resampled to the book's rate
// ---------------------------------------------------------------------------------------------

async function record() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say("This browser gives pages no access to a microphone here: choose a file instead.", "error");
    return;
  }
  if (typeof MediaRecorder !== "function") {
    say("This browser cannot record audio (no MediaRecorder): choose a file instead.", "error");
    return;
  }
  say("");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    if (error.name === "NotAllowedError" || error.name === "SecurityError") {
      say(
        "The microphone was not allowed. Allow it for this page in the browser's address bar " +
          "and press Record again, or choose a file instead.",
        "error",
      );
    } else if (error.name === "NotFoundError" || error.name === "OverconstrainedError") {
      say(
        "No microphone was found. Connect one and press Record again, or choose a file.",
        "error",
      );
    } else if (error.name === "NotReadableError") {
      say("The microphone is in use by another program, or could not be opened.", "error");
    } else {
      say(`The microphone could not be opened (${error.name}).`, "error");
    }
    return;
  }
  const chunks = [];
  const recorder = new MediaRecorder(stream);
  lab.recorder = recorder;
  recorder.ondataavailable = (event) => event.data.size && chunks.push(event.data);
  recorder.onstop = async () => {
    stream.getTracks().forEach((track) => track.stop());
    clearTimeout(lab.limitTimer);
    $("lab-record").disabled = false;
    $("lab-stop").disabled = true;
    const blob = new Blob(chunks, { type: recorder.mimeType });
    await run(() => blob.arrayBuffer(), "your recording", lab.hitLimit);
  };
  lab.hitLimit = false;
  recorder.start();
  window.speechLab.state = "recording";
  $("lab-record").disabled = true;
  $("lab-stop").disabled = false;
  const maxSeconds = limits().max_seconds;
  step(`Recording … say a digit or two, then press Stop (at most ${maxSeconds} s).`);
  lab.limitTimer = setTimeout(() => {
    lab.hitLimit = true;
    stop();
  }, maxSeconds * 1000);
}

function stop() {
  if (lab.recorder && lab.recorder.state === "recording") {
    window.speechLab.timings = { stop: performance.now() };
    lab.recorder.stop();
  }
}

function chooseFile(file) {
  if (!file) return;
  window.speechLab.timings = { stop: performance.now() };
  run(() => file.arrayBuffer(), `the file ${file.name}`, false);
}

/**
 * A 16-bit PCM WAV file read as the book reads FSDD (utils.data.decode_wav: sample / 32768):
 * {rate, channels: [Float32Array, ...]}, or null for any other file. (Chromium's own decoder
 * divides positive samples by 32767, which shifts the lowest mel band of a quiet recording by
 * about 0.2 dB: not the book's features.)
 */
function readPcmWav(bytes) {
  const view = new DataView(bytes);
  const tag = (offset) =>
    String.fromCharCode(...new Uint8Array(bytes, offset, Math.min(4, bytes.byteLength - offset)));
  if (bytes.byteLength < 44 || tag(0) !== "RIFF" || tag(8) !== "WAVE") return null;
  let format = null;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt " && size >= 16) {
      const code = view.getUint16(body, true);
      const extensible = code === 0xfffe && size >= 26;
      const pcm = code === 1 || (extensible && view.getUint16(body + 24, true) === 1);
      format = {
        pcm,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data" && format) {
      if (!format.pcm || format.bits !== 16 || format.channels < 1) return null;
      const n = Math.floor(Math.min(size, bytes.byteLength - body) / (2 * format.channels));
      const channels = Array.from({ length: format.channels }, () => new Float32Array(n));
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < format.channels; c++) {
          channels[c][i] = view.getInt16(body + 2 * (i * format.channels + c), true) / 32768;
        }
      }
      return { rate: format.rate, channels };
    }
    offset = body + size + (size % 2);
  }
  return null;
}

/** Audio at `rate` Hz, mono: decoded (a 16-bit WAV as the book reads it, anything else by the
 * browser) and resampled by an OfflineAudioContext; channels are averaged. */
async function decodeTo8k(bytes, rate, what) {
  const wavFile = readPcmWav(bytes);
  let channels;
  let sourceRate;
  if (wavFile) {
    ({ channels, rate: sourceRate } = wavFile);
  } else {
    let buffer;
    try {
      // an OfflineAudioContext at the book's rate: decodeAudioData resamples to it
      buffer = await new OfflineAudioContext(1, 1, rate).decodeAudioData(bytes);
    } catch (error) {
      throw new LabError(
        `The browser cannot decode ${what} as audio (${error.name || error}). Try a WAV, MP3, ` +
          "Ogg or WebM file.",
      );
    }
    sourceRate = buffer.sampleRate;
    channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
  }
  let audio = new Float32Array(channels[0].length);
  for (const channel of channels) {
    for (let i = 0; i < audio.length; i++) audio[i] += channel[i] / channels.length;
  }
  if (sourceRate !== rate) {
    // a WAV at another rate: rendered at the book's rate by an OfflineAudioContext
    if (audio.length === 0) return audio;
    const context = new OfflineAudioContext(1, Math.ceil((audio.length * rate) / sourceRate), rate);
    const input = context.createBuffer(1, audio.length, sourceRate);
    input.copyToChannel(audio, 0);
    const source = context.createBufferSource();
    source.buffer = input;
    source.connect(context.destination);
    source.start();
    audio = (await context.startRendering()).getChannelData(0).slice();
  }
  return audio;
}

/** Refuse input the codec cannot sensibly code, with a message that says why. */
function check(audio, rate, what, hitLimit) {
  const { max_seconds: maxSeconds, min_seconds: minSeconds } = limits();
  const seconds = audio.length / rate;
  if (seconds < minSeconds) {
    throw new LabError(
      `${capitalize(what)} is too short (${seconds.toFixed(2)} s): at least ` +
        `${minSeconds} s are needed. Say a whole word.`,
    );
  }
  if (seconds > maxSeconds + 0.5 && !hitLimit) {
    throw new LabError(
      `${capitalize(what)} is too long (${seconds.toFixed(1)} s): the lab takes at most ` +
        `${maxSeconds} s. Cut it, or record a shorter one.`,
    );
  }
  let peak = 0;
  let clipped = 0;
  for (const x of audio) {
    const a = Math.abs(x);
    if (a > peak) peak = a;
    if (a >= limits().clip_level) clipped++;
  }
  if (!(peak > 10 ** (limits().silence_peak_db / 20))) {
    throw new LabError(
      `${capitalize(what)} is silent (its loudest sample is ` +
        `${peak > 0 ? (20 * Math.log10(peak)).toFixed(0) + " dB full scale" : "zero"}). ` +
        "Check that the right microphone is selected and not muted, and speak closer to it.",
    );
  }
  const { clipped_fraction, clipped_min_samples } = limits();
  if (clipped > clipped_fraction * audio.length && clipped >= clipped_min_samples) {
    return (
      `${capitalize(what)} is clipped: ${clipped} samples hit full scale, so the loudest ` +
      "parts are distorted before the codec sees them. Speak a little farther from the " +
      "microphone or turn its level down. (Coded anyway.)"
    );
  }
  return hitLimit ? `Recording stopped at the limit of ${maxSeconds} s.` : "";
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// The codec: encode once, decode at the number of stages the slider chooses
// ---------------------------------------------------------------------------------------------

async function run(getBytes, what, hitLimit) {
  if (!lab.ready) return;
  const busy = ["lab-record", "lab-file", "lab-stages"];
  busy.forEach((id) => ($(id).disabled = true));
  window.speechLab.state = "working";
  say("");
  try {
    const { features } = lab.constants;
    step(`Resampling ${what} to ${features.sample_rate} Hz …`);
    const audio = await decodeTo8k(await getBytes(), features.sample_rate, what);
    const warning = check(audio, features.sample_rate, what, hitLimit);
    step("Log-mel spectrogram (chapter 2) …");
    const spectrogram = logMel(audio, features);
    step("Encoding: the codes of every stage (chapter 4) …");
    const codes = await encode(spectrogram);
    Object.assign(window.speechLab, {
      audio,
      logMel: spectrogram,
      codes,
      reconstruction: null,
    });
    lab.current = { audio, spectrogram, codes };
    await decodeAndShow();
    if (warning) say(warning, "warning");
  } catch (error) {
    window.speechLab.state = "failed";
    step("");
    say(error instanceof LabError ? error.message : `Something went wrong: ${error}`, "error");
    if (!(error instanceof LabError)) console.warn(error);
  } finally {
    busy.forEach((id) => ($(id).disabled = false));
    $("lab-stop").disabled = true;
  }
}

async function encode(spectrogram) {
  const { ort } = lab;
  const { codec, standardizer } = lab.constants;
  const { nMels, nFrames } = spectrogram;
  const frames = standardize(spectrogram, standardizer);
  const padded = codec.stride * Math.ceil(nFrames / codec.stride);
  const input = new Float32Array(padded * nMels);
  input.set(frames);
  for (let t = nFrames; t < padded; t++) {
    input.copyWithin(t * nMels, (nFrames - 1) * nMels, nFrames * nMels); // repeat the last frame
  }
  const result = await lab.encoder.run({
    frames: new ort.Tensor("float32", input, [1, padded, nMels]),
  });
  const [, nCodes, nStages] = result.codes.dims;
  return { nCodes, nStages, data: Int32Array.from(result.codes.data) };
}

async function decodeAndShow() {
  const { ort } = lab;
  const { codec, standardizer, features } = lab.constants;
  const { audio, spectrogram, codes } = lab.current;
  const { n, rate } = showRate();
  step(`Decoding the first ${n} stage${n > 1 ? "s" : ""} …`);
  const sent = new Int32Array(codes.nCodes * n);
  for (let i = 0; i < codes.nCodes; i++) {
    for (let s = 0; s < n; s++) sent[i * n + s] = codes.data[i * codes.nStages + s];
  }
  const output = await lab.decoder.run({
    codes: new ort.Tensor("int32", sent, [1, codes.nCodes, n]),
  });
  const nMels = spectrogram.nMels;
  const frames = output.frames.data.subarray(0, spectrogram.nFrames * nMels); // cut the padding
  const decoded = unstandardize(frames, nMels, standardizer);
  step("Griffin-Lim: audio back from the decoded log-mel (chapter 2) …");
  await nextFrame(); // let the page show the step before the work
  const reconstruction = invertLogMel(decoded, features);
  const seconds = audio.length / features.sample_rate;
  const bits = codes.nCodes * n * codec.bits_per_code;
  Object.assign(window.speechLab, {
    stages: n,
    bitRate: rate,
    sent: Array.from(sent),
    reconstructedLogMel: decoded,
    reconstruction,
    state: "done",
  });
  window.speechLab.runs += 1;
  window.speechLab.timings.ready = performance.now();
  showPlayers(audio, reconstruction, features.sample_rate, rate);
  drawSpectrogram($("lab-original-mel"), spectrogram, spectrogram);
  drawSpectrogram($("lab-decoded-mel"), decoded, spectrogram);
  showCodes(sent, codes.nCodes, n, codec, bits, seconds);
  $("lab-results").hidden = false;
  step(
    `Done: ${seconds.toFixed(2)} s of audio, ${codes.nCodes} codes per stage, ${n} ` +
      `stage${n > 1 ? "s" : ""} sent at ${rate} bit/s.`,
  );
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

// ---------------------------------------------------------------------------------------------
// Showing it: players, spectrograms, codes
// ---------------------------------------------------------------------------------------------

/** 16-bit PCM mono WAV bytes of float audio in [-1, 1] (clipped), as utils.audio writes. */
function wav(audio, rate) {
  const bytes = new ArrayBuffer(44 + 2 * audio.length);
  const view = new DataView(bytes);
  const text = (offset, s) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + 2 * audio.length, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, 2 * rate, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, 2 * audio.length, true);
  for (let i = 0; i < audio.length; i++) {
    view.setInt16(44 + 2 * i, Math.round(Math.max(-1, Math.min(1, audio[i])) * 32767), true);
  }
  return new Blob([bytes], { type: "audio/wav" });
}

/** Both clips at the same RMS, then one common factor if either would clip (utils.audio). */
function matchLoudness(clips) {
  const target = 10 ** (limits().target_rms_db / 20);
  const scaled = clips.map((clip) => {
    let sum = 0;
    for (const x of clip) sum += x * x;
    const rms = Math.sqrt(sum / clip.length);
    return rms > 0 ? clip.map((x) => (x * target) / rms) : clip.slice();
  });
  let loudest = 0;
  for (const clip of scaled) for (const x of clip) loudest = Math.max(loudest, Math.abs(x));
  return loudest > 0.99 ? scaled.map((clip) => clip.map((x) => (x * 0.99) / loudest)) : scaled;
}

function showPlayers(audio, reconstruction, rate, bitRate) {
  lab.urls.forEach((url) => URL.revokeObjectURL(url));
  const [original, decoded] = matchLoudness([audio, reconstruction]);
  const pairs = [
    ["lab-original-audio", original, "Original, resampled to the book's rate"],
    ["lab-decoded-audio", decoded, `Reconstruction at ${bitRate} bit/s (Griffin-Lim)`],
  ];
  lab.urls = pairs.map(([id, clip, caption]) => {
    const figure = $(id);
    const url = URL.createObjectURL(wav(clip, rate));
    let player = figure.querySelector("audio");
    if (!player) {
      player = document.createElement("audio");
      player.controls = true;
      player.preload = "auto";
      figure.prepend(player);
    }
    player.src = url;
    player.setAttribute("aria-label", caption);
    figure.querySelector("figcaption").textContent = caption;
    return url;
  });
}

/** A rough viridis: dark blue (floor) -> green -> yellow (loudest). */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
function colour(u) {
  const x = Math.max(0, Math.min(1, u)) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  return STOPS[i].map((c, k) => Math.round(c + f * (STOPS[i + 1][k] - c)));
}

/** Draw a log-mel spectrogram (low bands at the bottom), scaled like `reference`: from the dB
 * floor to its loudest value, as chapter 4's figures are. */
function drawSpectrogram(canvas, spectrogram, reference) {
  const { nMels, nFrames, data } = spectrogram;
  const floor = lab.constants.features.db_floor;
  let top = floor + 1;
  for (const v of reference.data) top = Math.max(top, v);
  canvas.width = nFrames;
  canvas.height = nMels;
  const context = canvas.getContext("2d");
  const image = context.createImageData(nFrames, nMels);
  for (let m = 0; m < nMels; m++) {
    for (let t = 0; t < nFrames; t++) {
      const [r, g, b] = colour((data[m * nFrames + t] - floor) / (top - floor));
      const p = 4 * ((nMels - 1 - m) * nFrames + t);
      image.data.set([r, g, b, 255], p);
    }
  }
  context.putImageData(image, 0, 0);
  const seconds = (nFrames / lab.constants.features.frames_per_second).toFixed(2);
  canvas.setAttribute(
    "aria-label",
    `${canvas.dataset.what}: log-mel spectrogram, ${nMels} mel bands (low at the bottom) by ` +
      `${nFrames} frames (${seconds} s), from ${floor} dB (dark) to ${top.toFixed(0)} dB (light)`,
  );
}

function showCodes(sent, nCodes, n, codec, bits, seconds) {
  const lines = [];
  for (let s = 0; s < n; s++) {
    const row = [];
    for (let i = 0; i < nCodes; i++) row.push(sent[i * n + s]);
    lines.push(`stage ${s + 1}: ${row.join(" ")}`);
  }
  $("lab-codes").textContent = lines.join("\n");
  $("lab-codes-summary").textContent =
    `${nCodes} codes per stage × ${n} stage${n > 1 ? "s" : ""} × ${codec.bits_per_code} bits ` +
    `= ${bits} bits for ${seconds.toFixed(2)} s of audio. Each number is the index of a ` +
    `codeword in that stage's codebook of ${codec.codebook_size}.`;
}

// ---------------------------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------------------------

function setUp() {
  const root = $("speech-lab");
  if (!root) return;
  $("lab-loading").hidden = true;
  $("lab-controls").hidden = false;
  $("lab-start").addEventListener("click", start);
  $("lab-record").addEventListener("click", record);
  $("lab-stop").addEventListener("click", stop);
  $("lab-file").addEventListener("change", (event) => chooseFile(event.target.files[0]));
  root.addEventListener("dragover", (event) => event.preventDefault());
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!lab.ready) {
      say("Press Start first, then drop the file again.", "info");
      return;
    }
    chooseFile(event.dataTransfer.files[0]);
  });
  $("lab-stages").addEventListener("input", () => lab.constants && showRate());
  $("lab-stages").addEventListener("change", redecode);
  window.speechLab.state = "loaded";
}

/** A new number of stages: the codes are kept, only the decoder and Griffin-Lim run again. */
async function redecode() {
  if (!lab.current) return;
  const busy = ["lab-record", "lab-file", "lab-stages"];
  busy.forEach((id) => ($(id).disabled = true));
  window.speechLab.state = "working";
  say("");
  try {
    window.speechLab.timings = { stop: performance.now() };
    await decodeAndShow();
  } catch (error) {
    say(`Something went wrong: ${error}`, "error");
  } finally {
    busy.forEach((id) => ($(id).disabled = false));
  }
}

setUp();
