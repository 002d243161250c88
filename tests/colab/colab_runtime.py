"""A stand-in for Colab's runtime around a kernel of ``.venv-colab`` (used by ``make test-colab``).

What a chapter meets when a student opens it in Colab, as far as the book depends on it:

- a kernel of Colab's package versions (``.venv-colab``, from ``tests/colab/constraints.txt``);
- ``google.colab`` importable and already in ``sys.modules`` when the kernel starts (Colab's
  kernel imports it at start-up): here a stand-in package ``google/colab/`` on the kernel's
  ``PYTHONPATH``, imported by an IPython startup file in a private ``IPYTHONDIR``. ``google`` is a
  namespace package shared with protobuf (``google.protobuf``), so the stand-in has no
  ``google/__init__.py``, which would hide protobuf from TensorFlow;
- no ``myst_nb`` and no checkout of the book on ``sys.path``: the setup cell has to clone it;
- no trained weights cached (``SPEECH_AE_MODEL_CACHE=0``): every chapter trains its models.

Everything lives in one temporary folder made by :func:`make_runtime`; nothing is written to the
repository or to the user's Jupyter and IPython folders. Run with the Python of ``.venv-colab``:
the kernel is that interpreter.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
KERNEL_NAME = "colab-python3"

GOOGLE_COLAB_STAND_IN = '''\
"""Stand-in for Colab's ``google.colab`` (tests/colab/colab_runtime.py).

The book only asks whether it is imported (the setup cell then clones the repository).
"""
IS_STAND_IN = True
'''

IPYTHON_STARTUP = """\
# Colab's kernel has google.colab imported before the first cell runs; every setup cell checks.
import google.colab  # noqa: F401
"""


def check_interpreter() -> None:
    """Fail unless this is the Python of a virtual environment (``.venv-colab``): the kernel's."""
    if sys.prefix == sys.base_prefix:
        raise SystemExit(
            f"run this with .venv-colab/bin/python (make test-colab), not {sys.executable}"
        )


def make_runtime(folder: pathlib.Path) -> dict:
    """Write a stand-in ``google.colab``, an IPython startup file and a kernelspec into ``folder``.

    Returns the environment for the kernel (a full ``env`` for ``start_kernel``). Sets
    ``JUPYTER_PATH`` in this process, so that :data:`KERNEL_NAME` resolves to this interpreter
    whatever kernels the user has installed.
    """
    check_interpreter()
    site = folder / "site"
    (site / "google" / "colab").mkdir(parents=True)
    (site / "google" / "colab" / "__init__.py").write_text(GOOGLE_COLAB_STAND_IN)
    assert not (site / "google" / "__init__.py").exists(), (
        "google/ must stay a namespace package (protobuf)"
    )
    ipython_dir = folder / "ipython"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-google-colab.py").write_text(IPYTHON_STARTUP)
    kernel_dir = folder / "jupyter" / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True)
    # sys.executable unresolved: .venv-colab/bin/python is a symlink; resolved, it leaves the venv.
    spec = {
        "argv": [
            os.path.abspath(sys.executable),
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ],
        "display_name": "Python 3 (Colab's package versions)",
        "language": "python",
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = str(folder / "jupyter")

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONSTARTUP", "JUPYTER_PATH"}
    }
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    env.update(
        PYTHONPATH=str(site),
        IPYTHONDIR=str(ipython_dir),
        VIRTUAL_ENV=sys.prefix,
        PATH=os.pathsep.join([bin_dir, env.get("PATH", "")]),
        SPEECH_AE_REPOSITORY=env.get("SPEECH_AE_REPOSITORY", REPO_ROOT.as_uri()),
        # debugpy's "frozen modules" notice at kernel start (the kernel's stderr, not any cell's)
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        # a fresh Colab runtime has no trained weights cached; and models trained under Colab's
        # Keras must not replace the book build's in the user's cache, from which the live lab
        # exports chapter 4's codec (tools/live_lab.py) while this runs beside `make book`
        SPEECH_AE_MODEL_CACHE="0",
    )
    return env


def outside_any_checkout(folder: pathlib.Path) -> bool:
    """True when no parent of ``folder`` holds ``utils/__init__.py`` (else no clone happens)."""
    folder = folder.resolve()
    return not any(
        (parent / "utils" / "__init__.py").is_file() for parent in (folder, *folder.parents)
    )
