"""Shared helpers for the *Speech Autoencoders* book.

One module per concern, each explained in the chapter named in its docstring:

- :mod:`utils.runtime`     notebook setup (quiet TensorFlow, seeds) and ``glue``
- :mod:`utils.validation`  input checks with messages a student understands
- :mod:`utils.data`        the Free Spoken Digit Dataset: find, download, verify, load, split
- :mod:`utils.download`    downloads with progress in the notebook or terminal, plain failures
- :mod:`utils.synthetic`   the offline fallback corpus the book generates itself
- :mod:`utils.features`    log-mel, MFCC, context windows, standardization, inversion
- :mod:`utils.metrics`     log-spectral distance, paired bootstrap intervals, SNR, bit rates
- :mod:`utils.audio`       audio players ("original | reconstruction") at equal loudness,
                           and the reader's own recording (file, or Colab's microphone)
- :mod:`utils.plots`       spectrogram and waveform figures with alt text
- :mod:`utils.explorer`    sliders over results that work live and on the static page
- :mod:`utils.models`      PCA and the dense autoencoder (chapter 1), reused as baselines
- :mod:`utils.recognition` utterance pooling, MFCC baselines, a digit classifier (chapters 2, 5)
- :mod:`utils.checkers`    checks of the code each chapter asks you to write (chapters 1-6)
- :mod:`utils.vae`         the closed-form Gaussian KL, the reparameterized sampling layer (ch. 3)
- :mod:`utils.quantization` nearest codeword, LBG codebooks, perplexity, scalar quantizer (ch. 4)
- :mod:`utils.sequences`   padding and masking of variable-length sequences (chapter 5)
- :mod:`utils.prior`       priors over code sequences, sampling, bits per code (chapter 6)
- :mod:`utils.cache`       trained weights reused between notebooks, checked before use (ch. 4, 6)
- :mod:`utils.export`      chapter 4's codec as ONNX and JSON for the live lab page

Importing :mod:`utils` is cheap: TensorFlow is only imported by
:func:`utils.runtime.setup_notebook`.
"""

from .runtime import glue, setup_notebook

__all__ = ["glue", "setup_notebook"]
