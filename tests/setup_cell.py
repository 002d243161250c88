"""The canonical setup cell every notebook begins with (checked by tests/test_hygiene.py).

It makes ``utils`` importable in a clone (searching the working directory and
its parents) and in Colab (cloning the repository named in ``_config.yml``),
silences TensorFlow before it is imported, and seeds everything.
``SPEECH_AE_REPOSITORY`` overrides the URL (tests point it at the local checkout).
"""

SETUP_CELL = """\
# Setup, the same in every chapter: find (or, in Colab, fetch) the book's
# `utils`, silence TensorFlow before it is imported, and seed every random
# number generator.
import os
import pathlib
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no C++ log lines
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # no oneDNN notice
REPOSITORY_URL = os.environ.get(
    "SPEECH_AE_REPOSITORY",
    "https://github.com/speech-autoencoders/speech-autoencoders",
)
here = pathlib.Path.cwd().resolve()
parents = (here, *here.parents)
marker = "utils/__init__.py"
root = next((p for p in parents if (p / marker).is_file()), None)
if root is None and "google.colab" in sys.modules:
    root = here / "speech-autoencoders"
    if not (root / "utils").is_dir():
        clone = ["git", "clone", "--quiet", "--depth", "1"]
        subprocess.run([*clone, REPOSITORY_URL, str(root)], check=True)
if root is not None and str(root) not in sys.path:
    sys.path.insert(0, str(root))
import utils  # noqa: E402 (utils becomes importable only here)

utils.setup_notebook(seed=0)"""

SETUP_CELL_TAGS = ("hide-input",)
