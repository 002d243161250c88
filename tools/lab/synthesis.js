// Griffin-Lim in the browser, for the live lab (issue 18): audio back from an STFT magnitude.
//
// A port of what utils.features.invert_log_mel runs after its mel -> STFT step:
// librosa.griffinlim with the book's iterations, momentum and seeded random initial phases,
// every number taken from codec.json's "features" (utils/export.py). The random phases are
// numpy's: numpy.random.RandomState(seed).random_sample((n_bins, n_frames)), reproduced here
// bit for bit (the Mersenne Twister MT19937 and numpy's 53-bit doubles), so the page starts
// where the book starts. tests/browser/test_lab_features.py checks both against numpy/librosa.
//
// Shapes: a magnitude is n_bins rows of n_frames values, row-major in one Float64Array (or
// array), as librosa's (n_bins, n_frames); audio has (n_frames - 1) * hop_length samples.

import { fft } from "./features.js";

/**
 * numpy.random.RandomState(seed).random_sample(count): a Float64Array of count doubles in [0, 1).
 * seed: a whole number in [0, 2^32). MT19937 seeded by init_genrand, as numpy seeds an int.
 */
export function randomSample(seed, count) {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`seed must be a whole number in [0, 2^32), got ${seed}.`);
  }
  const N = 624;
  const M = 397;
  const mt = new Uint32Array(N);
  mt[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const x = mt[i - 1] ^ (mt[i - 1] >>> 30);
    // 1812433253 * x + i, modulo 2^32, without losing bits to float64
    mt[i] = (Math.imul(1812433253, x) + i) >>> 0;
  }
  let index = N;
  function next() {
    if (index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    let y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const a = next() >>> 5;
    const b = next() >>> 6;
    out[i] = (a * 67108864 + b) / 9007199254740992;
  }
  return out;
}

/** STFT of audio (centred frames, zero padding) into (re, im), each nBins x nFrames. */
function stft(audio, nFrames, features, window, re, im) {
  const { n_fft: nFft, hop_length: hop, n_bins: nBins } = features;
  const half = nFft / 2;
  const fr = new Float64Array(nFft);
  const fi = new Float64Array(nFft);
  for (let t = 0; t < nFrames; t++) {
    const first = t * hop - half;
    for (let i = 0; i < nFft; i++) {
      const n = first + i;
      fr[i] = n >= 0 && n < audio.length ? audio[n] * window[i] : 0;
      fi[i] = 0;
    }
    fft(fr, fi);
    for (let k = 0; k < nBins; k++) {
      re[k * nFrames + t] = fr[k];
      im[k * nFrames + t] = fi[k];
    }
  }
}

/** Inverse STFT (librosa.istft with center=True and length), normalized by the window's
 * overlapping squares where they are not zero. */
function istft(re, im, nFrames, length, features, window, windowSquares) {
  const { n_fft: nFft, hop_length: hop, n_bins: nBins } = features;
  const half = nFft / 2;
  const buffer = new Float64Array(nFft + hop * (nFrames - 1));
  const fr = new Float64Array(nFft);
  const fi = new Float64Array(nFft);
  for (let t = 0; t < nFrames; t++) {
    // irfft: the Hermitian spectrum, imaginary parts of DC and Nyquist ignored (as numpy does)
    for (let k = 0; k < nBins; k++) {
      fr[k] = re[k * nFrames + t];
      fi[k] = -im[k * nFrames + t];  // conjugate: ifft(X) = conj(fft(conj(X))) / n
    }
    fi[0] = 0;
    fi[nBins - 1] = 0;
    for (let k = 1; k < nBins - 1; k++) {
      fr[nFft - k] = fr[k];
      fi[nFft - k] = -fi[k];
    }
    fft(fr, fi);
    for (let i = 0; i < nFft; i++) buffer[t * hop + i] += (fr[i] / nFft) * window[i];
  }
  const audio = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    const w = windowSquares[n + half];
    audio[n] = w > 2.2250738585072014e-308 ? buffer[n + half] / w : buffer[n + half];
  }
  return audio;
}

/**
 * Griffin-Lim as librosa.griffinlim runs it for the book: audio from an STFT magnitude.
 *
 * magnitude: nBins x nFrames values (row-major), e.g. from the log-mel by the mel -> STFT step;
 * features: codec.json's "features" (n_fft, hop_length, window, griffin_lim.{n_iter, momentum,
 * seed}). Returns a Float64Array of (nFrames - 1) * hop_length samples.
 */
export function griffinLim(magnitude, nFrames, features) {
  const { n_bins: nBins, hop_length: hop, n_fft: nFft } = features;
  const { n_iter: nIter, momentum, seed, init } = features.griffin_lim;
  if (init !== "random") throw new Error(`unsupported Griffin-Lim initialization ${init}.`);
  if (magnitude.length !== nBins * nFrames || nFrames < 2) {
    throw new Error(`the magnitude must hold n_bins x n_frames values with n_frames >= 2.`);
  }
  const window = Float64Array.from(features.window);
  const windowSquares = new Float64Array(nFft + hop * (nFrames - 1));
  for (let t = 0; t < nFrames; t++) {
    for (let i = 0; i < nFft; i++) windowSquares[t * hop + i] += window[i] * window[i];
  }
  const length = (nFrames - 1) * hop;
  const size = nBins * nFrames;
  const phase = randomSample(seed, size);  // row-major (n_bins, n_frames), as numpy draws it
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    re[i] = magnitude[i] * Math.cos(2 * Math.PI * phase[i]);
    im[i] = magnitude[i] * Math.sin(2 * Math.PI * phase[i]);
  }
  const rebuiltRe = new Float64Array(size);
  const rebuiltIm = new Float64Array(size);
  let previousRe = null;
  let previousIm = null;
  const eps = 2.2250738585072014e-308;  // numpy's tiny for float64
  const factor = momentum / (1 + momentum);
  for (let iteration = 0; iteration < nIter; iteration++) {
    const audio = istft(re, im, nFrames, length, features, window, windowSquares);
    stft(audio, nFrames, features, window, rebuiltRe, rebuiltIm);
    for (let i = 0; i < size; i++) {
      let ar = rebuiltRe[i];
      let ai = rebuiltIm[i];
      if (previousRe) {
        ar -= factor * previousRe[i];
        ai -= factor * previousIm[i];
      }
      const norm = Math.hypot(ar, ai) + eps;
      re[i] = (ar / norm) * magnitude[i];
      im[i] = (ai / norm) * magnitude[i];
    }
    previousRe = Float64Array.from(rebuiltRe);
    previousIm = Float64Array.from(rebuiltIm);
  }
  return istft(re, im, nFrames, length, features, window, windowSquares);
}

/**
 * STFT magnitude from a log-mel spectrogram: sqrt(max(mel_pseudo_inverse @ 10^(S / 10), 0)).
 *
 * This is where librosa's non-negative least squares (in utils.features.invert_log_mel) starts,
 * and where it stops for recordings as quiet as FSDD's (equal to 1e-15 there); for a loud input
 * its L-BFGS-B iterates further and the book's magnitude differs from this one (not ported).
 *
 * spectrogram: {nMels, nFrames, data} in dB, as logMel returns. Returns a Float64Array of
 * n_bins x nFrames values (row-major).
 */
export function melToMagnitude(spectrogram, features) {
  const { nMels, nFrames, data } = spectrogram;
  const inverse = features.mel_pseudo_inverse;
  const nBins = features.n_bins;
  if (!inverse || inverse.length !== nBins || inverse[0].length !== nMels) {
    throw new Error("codec.json's mel_pseudo_inverse is missing or not n_bins x n_mels.");
  }
  const power = new Float64Array(nMels * nFrames);
  for (let i = 0; i < power.length; i++) power[i] = 10 ** (data[i] / 10);
  const magnitude = new Float64Array(nBins * nFrames);
  for (let k = 0; k < nBins; k++) {
    const row = inverse[k];
    for (let t = 0; t < nFrames; t++) {
      let sum = 0;
      for (let m = 0; m < nMels; m++) sum += row[m] * power[m * nFrames + t];
      magnitude[k * nFrames + t] = Math.sqrt(Math.max(sum, 0));
    }
  }
  return magnitude;
}

/**
 * utils.features.invert_log_mel in the browser: audio (Float32Array, (nFrames - 1) * hop
 * samples at features.sample_rate Hz) from a log-mel spectrogram {nMels, nFrames, data} in dB.
 */
export function invertLogMel(spectrogram, features) {
  const magnitude = melToMagnitude(spectrogram, features);
  return Float32Array.from(griffinLim(magnitude, spectrogram.nFrames, features));
}
