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
import sys
import time
import warnings

import numpy as np

#: Seed used by every chapter unless it says otherwise.
DEFAULT_SEED = 0

# Figures on the web page. One inch of a Matplotlib figure is shown as one CSS inch (96 CSS px),
# drawn with twice as many pixels so that it stays sharp on high-density screens; 12 pt at
# 96 px per inch is 16 CSS px, the size of the book's body text, so labels, ticks and legends
# are never smaller than the prose around them. The content column of the page shows at most
# FIGURE_MAX_WIDTH_IN inches at full size (tests/browser checks it).
#: CSS pixels per inch of a figure as displayed (:func:`utils.plots.figure_html`).
FIGURE_CSS_PX_PER_INCH = 96
#: Image pixels per CSS pixel: 2 for high-density ("retina") screens.
FIGURE_PIXEL_RATIO = 2
#: Font size (pt) of every label, tick and legend: 16 CSS px, like the body text.
FIGURE_FONT_SIZE = 12
#: The widest figure (inches, as saved) that the page column shows at its full size.
FIGURE_MAX_WIDTH_IN = 7.0

#: Wall-clock time (``time.perf_counter``) at which :func:`setup_notebook` last ran.
_setup_time: float | None = None


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ and Python logs (C++ ones only before TensorFlow is imported)."""
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
    if "tensorflow" in sys.modules:
        # TensorFlow configures its logger on first use, and in Jupyter it sets it to INFO, with
        # a handler to stdout: its warnings (say "... triggered tf.function retracing") would
        # reach the page. Once configured it stays as set here.
        sys.modules["tensorflow"].get_logger().setLevel(logging.ERROR)


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
    draw PNGs at twice their display size on an opaque white background, with
    labels the size of the body text and a perceptually uniform,
    colour-blind-safe colormap, and keeps Keras progress bars out of the page.
    """
    global _setup_time
    _setup_time = time.perf_counter()
    quiet_tensorflow()
    seed_everything(seed)  # imports Keras, and so TensorFlow, which resets its logger:
    quiet_tensorflow()  # silence it again
    import matplotlib

    matplotlib.rcParams.update(
        {
            "figure.dpi": FIGURE_CSS_PX_PER_INCH,
            "savefig.dpi": FIGURE_CSS_PX_PER_INCH * FIGURE_PIXEL_RATIO,
            "figure.figsize": (FIGURE_MAX_WIDTH_IN, 3.0),
            # opaque white, so figures stay readable in the web book's dark mode
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "savefig.transparent": False,
            "image.cmap": "magma",
            "axes.grid": False,
            "font.size": FIGURE_FONT_SIZE,
            "legend.fontsize": FIGURE_FONT_SIZE,
            "legend.title_fontsize": FIGURE_FONT_SIZE,
        }
    )
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.run_line_magic("matplotlib", "inline")
            # a figure left open is shown like plots.show's: at 2x, displayed at 1x
            shell.run_line_magic("config", "InlineBackend.figure_formats = ['retina']")
    except Exception:  # not in IPython: nothing to configure
        pass
    try:
        import keras

        keras.utils.disable_interactive_logging()
    except ImportError:
        pass


def one_blas_thread():
    """Limit NumPy's BLAS (matrix products, SVDs) to one thread; chapters 1 and 2 call it once.

    TensorFlow keeps a thread pool of its own. On a 2-core machine a second pool, BLAS's,
    makes the two pools wait for each other: the small matrix products and SVDs of these
    chapters run faster on one BLAS thread than on two that fight TensorFlow's for the cores.
    The limit applies from the call on, to the BLAS libraries loaded so far (one imported
    later, say SciPy's own, needs another call); used as ``with one_blas_thread(): ...`` it
    lasts only for the block. Returns the ``threadpoolctl`` limiter.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


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
    """Glue ``runtime_s`` (seconds since the setup cell) and ``cpu_count``: a chapter's "Time" line.

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
