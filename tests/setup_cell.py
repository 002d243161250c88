"""The canonical setup cell every notebook begins with (checked by tests/test_hygiene.py).

It makes ``utils`` importable in a clone (searching the working directory and
its parents) and in Colab (cloning the repository named in ``_config.yml``),
silences TensorFlow before it is imported, and seeds everything.
``SPEECH_AE_REPOSITORY`` overrides the URL (tests point it at the local checkout).
"""

SETUP_CELL = '''\
# Setup, the same in every chapter: find (or, in Colab, fetch) the book's `utils`,
# silence TensorFlow before it is imported, and seed every random number generator.
import os, pathlib, subprocess, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no TensorFlow C++ log lines
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # no oneDNN notice on x86 CPUs
REPOSITORY_URL = os.environ.get("SPEECH_AE_REPOSITORY", "https://github.com/speech-autoencoders/speech-autoencoders")
here = pathlib.Path.cwd().resolve()
root = next((p for p in (here, *here.parents) if (p / "utils" / "__init__.py").is_file()), None)
if root is None and "google.colab" in sys.modules:
    root = here / "speech-autoencoders"
    if not (root / "utils").is_dir():
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", REPOSITORY_URL, str(root)], check=True)
if root is not None and str(root) not in sys.path:
    sys.path.insert(0, str(root))
import utils
utils.setup_notebook(seed=0)'''

SETUP_CELL_TAGS = ("hide-input",)
