"""What every checker shares: the failure type, the comparison with a reference, a time limit.

A checker runs *your* function on fresh random inputs, compares what it returns with a reference
written independently of the book's code, and raises :class:`CheckFailed` with a message that says
what is wrong (the shape, the place and size of the largest error, and, where a typical mistake
explains the numbers, which mistake). A function that raises, returns the wrong type, returns NaN
or runs longer than the time limit gets a :class:`CheckFailed` that says so, never a crash of the
checker itself, so a grader can go on to the next task.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

#: Seconds one call of your function may take before the check gives up on it.
TIME_LIMIT_S = 30.0


class CheckFailed(AssertionError):
    """Your function disagrees with the reference. The message says where and by how much."""


def require_callable(function, example: str) -> None:
    """Raise ``TypeError`` unless ``function`` can be called (a student passed its result)."""
    if not callable(function):
        raise TypeError(
            f"pass your function itself (e.g. {example}), got {type(function).__name__}."
        )


def call(
    function: Callable,
    what: str,
    *args,
    time_limit: float | None = None,
    same_thread: bool = False,
    **kwargs,
):
    """``function(*args, **kwargs)``, with copies of array arguments and a time limit.

    Raises :class:`CheckFailed` if the call raises (naming the exception and the argument
    shapes) or does not return within ``time_limit`` seconds (default :data:`TIME_LIMIT_S`).
    The call runs in a daemon thread: a function that never returns is left behind, not waited
    for. ``same_thread=True`` runs it in the caller's thread without a time limit, for calls that
    must be seen by thread-local state such as a ``tf.GradientTape``.
    """
    time_limit = TIME_LIMIT_S if time_limit is None else time_limit
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function(*copies, **kwargs)
        except BaseException as error:  # reported below, in the student's terms
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    if same_thread:
        run()
    else:
        worker.start()
        worker.join(time_limit)
    shapes = ", ".join(_describe(a) for a in args)
    if worker.is_alive():
        raise CheckFailed(
            f"{what} did not return within {time_limit:g} s (called with {shapes}): "
            "look for a loop that never ends or one that runs over every element in Python."
        )
    if "error" in outcome:
        error = outcome["error"]
        raise CheckFailed(
            f"{what} raised {type(error).__name__}: {error} (called with {shapes})."
        ) from error
    return outcome["value"]


def _describe(argument) -> str:
    if isinstance(argument, np.ndarray):
        return f"an array of shape {argument.shape}"
    if isinstance(argument, dict):
        inner = ", ".join(f"{k}: {np.shape(v)}" for k, v in argument.items())
        return "{" + inner + "}"
    return type(argument).__name__


def as_array(value, name: str) -> np.ndarray:
    """``value`` (NumPy, TensorFlow or a list) as a float64 array, or :class:`CheckFailed`."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    if value is None:
        raise CheckFailed(f"{name} is None: did your function forget to return its result?")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise CheckFailed(f"{name} is not an array of numbers ({type(value).__name__}).") from error


def compare(name, got, expected, tolerance, where_names=("row", "column")):
    """Raise CheckFailed unless ``got`` has the shape of ``expected`` and is within ``tolerance``.

    ``tolerance`` is relative: largest error / largest entry of ``expected``.
    """
    got = as_array(got, name)
    if got.shape != expected.shape:
        hint = " (transposed?)" if got.shape == expected.shape[::-1] and got.ndim == 2 else ""
        raise CheckFailed(
            f"wrong shape: {name} has shape {got.shape}, expected {expected.shape}{hint}."
        )
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"{name} contains NaN or infinite values.")
    error = np.abs(got - expected)
    scale = max(float(np.abs(expected).max()), 1e-12)
    relative = float(error.max()) / scale
    if relative > tolerance:
        index = np.unravel_index(int(np.argmax(error)), error.shape)
        # a scalar has no index: zip stops at once, and the message says "the value"
        labelled = zip(where_names, index, strict=False)
        position = ", ".join(f"{label} {i}" for label, i in labelled) or "the value"
        raise CheckFailed(
            f"wrong value: {name} differs from the reference by up to {error.max():.3g} at "
            f"{position} (got {got[index]:.6g}, expected {expected[index]:.6g}); largest error / "
            f"largest entry = {relative:.2e} > {tolerance:.0e}."
        )
    return relative
