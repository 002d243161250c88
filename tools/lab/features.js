// The book's log-mel features in the browser, for the live lab (issue 18).
//
// A port of utils.features.log_mel (chapter 2) that takes every number from codec.json, which
// utils/export.py writes from utils.features at build time (nothing here is retyped: sample
// rate, FFT size, hop, window, mel filterbank and dB floor all come from `constants`).
// tests/browser/test_lab_features.py checks it against utils.features.log_mel in Chromium:
// within 0.05 dB on every band of every frame.
//
// Shapes follow the Python side: a log-mel spectrogram is n_mels rows of n_frames values (dB),
// stored row-major in one Float32Array; the codec's input is the transpose, frames as rows.
//
// Usage (an ES module):
//   import { logMel, standardize } from "./features.js";
//   const constants = await (await fetch("codec.json")).json();
//   const S = logMel(audio8kHz, constants.features);      // {nMels, nFrames, data}
//   const X = standardize(S, constants.standardizer);     // Float32Array (nFrames * nMels)

/** Check that `features` (codec.json's "features") holds what logMel needs. */
function checkConstants(features) {
  const needed = ["n_fft", "hop_length", "n_mels", "n_bins", "window", "mel_filterbank", "amin"];
  for (const name of needed) {
    if (!(name in features)) {
      throw new Error(`codec.json's features lack "${name}": rebuild the lab's files.`);
    }
  }
  const { n_fft: nFft, n_bins: nBins, n_mels: nMels } = features;
  if (nFft < 2 || (nFft & (nFft - 1)) !== 0) {
    throw new Error(`n_fft must be a power of two, got ${nFft}.`);
  }
  if (features.window.length !== nFft || nBins !== nFft / 2 + 1) {
    throw new Error("codec.json's window or n_bins does not fit n_fft.");
  }
  if (features.mel_filterbank.length !== nMels ||
      features.mel_filterbank.some((row) => row.length !== nBins)) {
    throw new Error("codec.json's mel filterbank is not n_mels x n_bins.");
  }
  if (!features.center || features.pad_mode !== "constant") {
    throw new Error("only centred frames with zero padding (the book's analysis) are supported.");
  }
}

/** In-place radix-2 FFT of (re, im), both Float64Array of length n, a power of two. */
export function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {  // bit-reversal permutation
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const tr = wr * re[b] - wi * im[b];
        const ti = wr * im[b] + wi * re[b];
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/**
 * Log-mel power spectrogram in dB, as utils.features.log_mel computes it.
 *
 * audio: Float32Array (or array) of samples in [-1, 1] at features.sample_rate Hz (mono).
 * features: codec.json's "features". Returns {nMels, nFrames, data}, data a Float32Array of
 * nMels * nFrames values, band m of frame t at data[m * nFrames + t], in dB:
 * 10 log10(max(mel power, amin)), nFrames = 1 + floor(n_samples / hop_length).
 * The signal is zero-padded by n_fft / 2 at both ends (centred frames).
 */
export function logMel(audio, features) {
  checkConstants(features);
  const { n_fft: nFft, hop_length: hop, n_mels: nMels, n_bins: nBins } = features;
  if (!audio || audio.length < nFft / 2) {
    throw new Error(`the recording is too short: at least ${nFft / 2} samples are needed.`);
  }
  const half = nFft / 2;
  const nFrames = 1 + Math.floor(audio.length / hop);
  const window = Float64Array.from(features.window);
  const filterbank = features.mel_filterbank.map((row) => Float64Array.from(row));
  const multiplier = features.db_multiplier ?? 10;
  const data = new Float32Array(nMels * nFrames);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  const power = new Float64Array(nBins);
  for (let t = 0; t < nFrames; t++) {
    const first = t * hop - half;  // sample under window position 0
    for (let i = 0; i < nFft; i++) {
      const n = first + i;
      re[i] = n >= 0 && n < audio.length ? audio[n] * window[i] : 0;
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < nBins; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    for (let m = 0; m < nMels; m++) {
      const weights = filterbank[m];
      let sum = 0;
      for (let k = 0; k < nBins; k++) sum += weights[k] * power[k];
      data[m * nFrames + t] = multiplier * Math.log10(Math.max(sum, features.amin));
    }
  }
  return { nMels, nFrames, data };
}

/**
 * The codec's input: frames as rows, standardized with the book's training statistics.
 *
 * spectrogram: what logMel returns; standardizer: codec.json's "standardizer" ({mean, std},
 * n_mels values each, dB). Returns a Float32Array of nFrames * nMels values, band m of frame t
 * at [t * nMels + m] = (S[m, t] - mean[m]) / std[m]: the (1, n_frames, n_mels) tensor the
 * encoder takes.
 */
export function standardize(spectrogram, standardizer) {
  const { nMels, nFrames, data } = spectrogram;
  const { mean, std } = standardizer;
  if (mean.length !== nMels || std.length !== nMels) {
    throw new Error(`the standardizer has ${mean.length} bands, the spectrogram ${nMels}.`);
  }
  const frames = new Float32Array(nFrames * nMels);
  for (let t = 0; t < nFrames; t++) {
    for (let m = 0; m < nMels; m++) {
      frames[t * nMels + m] = (data[m * nFrames + t] - mean[m]) / std[m];
    }
  }
  return frames;
}

/**
 * Undo standardize: the decoder's frames (Float32Array, nFrames * nMels, frames as rows) back to
 * a log-mel spectrogram in dB, {nMels, nFrames, data} as logMel returns.
 */
export function unstandardize(frames, nMels, standardizer) {
  const { mean, std } = standardizer;
  if (frames.length % nMels !== 0 || mean.length !== nMels || std.length !== nMels) {
    throw new Error(`frames of ${nMels} bands expected, with a standardizer of as many.`);
  }
  const nFrames = frames.length / nMels;
  const data = new Float32Array(nMels * nFrames);
  for (let t = 0; t < nFrames; t++) {
    for (let m = 0; m < nMels; m++) {
      data[m * nFrames + t] = frames[t * nMels + m] * std[m] + mean[m];
    }
  }
  return { nMels, nFrames, data };
}
