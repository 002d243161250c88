"""Run make targets side by side, each line of their output prefixed with its target's name.

    python3 tools/parallel.py book test-colab
    python3 tools/parallel.py test-fallback test-site+test-browser   # a+b: one lane, a then b

Used by `make test`: the notebook-executing steps keep one core busy for much of their time
(small Keras models train in short steps), so two of them at once on a 2-core machine finish
sooner than one after the other. Each target's own output is streamed as it comes, as
``[target] line``; at the end one line per target gives its time and result. ``a+b`` is one
lane: ``b`` starts when ``a`` has passed (and does not run if it failed). Exits with the first
non-zero exit code (after every lane has finished), else 0.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time


def run(lanes: list[str]) -> int:
    make = shlex.split(os.environ.get("MAKE", "make"))
    width = max(len(target) for lane in lanes for target in lane.split("+"))
    lock = threading.Lock()
    results: dict[str, tuple[int, float]] = {}

    def one(target: str) -> int:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(
                [*make, "--no-print-directory", target],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
        except OSError as error:
            print(f"[{target:<{width}}] could not start make: {error}", flush=True)
            results[target] = (127, 0.0)
            return 127
        for line in process.stdout:
            with lock:
                sys.stdout.write(f"[{target:<{width}}] {line}")
                sys.stdout.flush()
        results[target] = (process.wait(), time.perf_counter() - start)
        with lock:
            code, seconds = results[target]
            verdict = "passed" if code == 0 else f"FAILED (exit {code})"
            print(f"== make {target} {verdict} in {seconds:.0f} s", flush=True)
        return code

    def lane(targets: list[str]) -> None:
        for target in targets:
            if one(target) != 0:
                break

    threads = [threading.Thread(target=lane, args=(spec.split("+"),)) for spec in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for spec in lanes:
        for target in spec.split("+"):
            if target not in results:
                print(f"== make {target} not run (an earlier step of its lane failed)")
    failed = [code for code, _ in results.values() if code != 0]
    skipped = any(t not in results for spec in lanes for t in spec.split("+"))
    return failed[0] if failed else (1 if skipped else 0)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(run(sys.argv[1:]))
