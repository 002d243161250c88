"""Notebook setup and ``glue`` (foundation; the setup cell of every chapter calls these).

:func:`setup_notebook` keeps TensorFlow quiet, seeds every random number
generator and sets the figure defaults of the book. :func:`glue` stores a
computed number for the prose (``{glue:text}`` in MyST); where ``myst_nb`` is
not installed (Colab) it quietly does nothing but return the value.
"""

from __future__ import annotations

import logging
import os
import random
import time
import warnings

import numpy as np

#: Seed used by every chapter unless it says otherwise.
DEFAULT_SEED = 0

#: Wall-clock time (``time.perf_counter``) at which :func:`setup_notebook` last ran.
_setup_time: float | None = None


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ and Python logs. Effective for C++ only before TensorFlow is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    for name in ("tensorflow", "absl", "h5py", "numba"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for module in ("tensorflow", "keras", "absl", "google.protobuf", "numba"):
        warnings.filterwarnings("ignore", module=module)


def seed_everything(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's ``random``, NumPy's global generator and (if installed) Keras/TensorFlow."""
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras
    except ImportError:
        return
    keras.utils.set_random_seed(seed)


def setup_notebook(seed: int = DEFAULT_SEED) -> None:
    """Everything a chapter needs before its first line of content.

    Quiets TensorFlow, seeds all generators with ``seed``, makes Matplotlib
    draw inline PNGs with a perceptually uniform, colour-blind-safe colormap,
    and keeps Keras progress bars out of the page.
    """
    global _setup_time
    _setup_time = time.perf_counter()
    quiet_tensorflow()
    seed_everything(seed)
    import matplotlib

    matplotlib.rcParams.update(
        {
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "figure.figsize": (8.0, 3.0),
            "image.cmap": "magma",
            "axes.grid": False,
            "font.size": 10,
        }
    )
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.run_line_magic("matplotlib", "inline")
            shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
    except Exception:  # not in IPython: nothing to configure
        pass
    try:
        import keras

        keras.utils.disable_interactive_logging()
    except ImportError:
        pass


def seconds_since_setup() -> float:
    """Wall-clock seconds since :func:`setup_notebook` ran: what a chapter took to execute so far.

    :func:`glue_execution_time` glues it in the last cell of every chapter, so the time
    the page states is the time its own build measured, not a number typed by hand.
    """
    if _setup_time is None:
        raise RuntimeError(
            "setup_notebook() has not run yet: run the setup cell at the top of the notebook first."
        )
    return time.perf_counter() - _setup_time


def glue_execution_time() -> float:
    """Glue ``runtime_s`` (wall-clock seconds since the setup cell) and ``cpu_count`` for a chapter's "Time" line.

    Called by the last cell of every chapter; returns the seconds.
    """
    seconds = glue("runtime_s", seconds_since_setup())
    glue("cpu_count", os.cpu_count())
    return seconds


def glue(name: str, value, display: bool = False):
    """Store ``value`` under ``name`` for the text of the page, and return it.

    In the book, ``{glue:text}`name`:.1f`` in a Markdown cell shows the value;
    in Colab (no ``myst_nb``), nothing is stored and the value is just returned.
    NumPy scalars are converted to Python numbers so they format cleanly.
    """
    if isinstance(value, np.generic):
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return value
    myst_glue(name, value, display=display)
    return value
