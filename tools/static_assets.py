"""Fetch the JavaScript the web book needs offline into ``_vendor/npm/`` (run by ``make book``).

By default, Jupyter Book 1 pages load MathJax, require.js and the ipywidgets
HTML manager from public CDNs: offline, math stays raw TeX and explorers stay
blank. This script downloads the pinned npm packages below from the npm
registry, checks each tarball against its ``integrity`` hash (the same SRI
string as in a package-lock.json), and unpacks the files the pages use into
``_vendor/npm/`` (git-ignored; nothing fetched is committed). ``_config.yml``
names ``_vendor`` in ``html_static_path``, so Sphinx copies them to
``_build/html/_static/npm/``, and points ``nb_ipywidgets_js`` and
``mathjax_path`` at them. (Not under ``_static/``: Jupyter Book would add every
``.js`` file found there to every page.)

Only the Python standard library is used, so it runs before the venv exists.
Usage: ``python tools/static_assets.py [--check]``; ``NPM_REGISTRY`` overrides
the registry URL (a mirror). A second run with the same pins does nothing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import pathlib
import shutil
import sys
import tarfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
STATIC = ROOT / "_vendor"  # an html_static_path entry in _config.yml
VENDOR = STATIC / "npm"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")

#: name -> (version, SRI integrity of the registry tarball, destination under _vendor/npm,
#: files kept). Why these versions:
#:   requirejs 2.3.7: the AMD loader html-manager's embed-amd.js needs (2.3.7 fixes
#:     CVE-2024-38999).
#:   @jupyter-widgets/html-manager 1.0.15: renders ipywidgets 8 state (controls 5 / base 6, incl.
#:     Stack and jslink) with no kernel; the newest 1.0.x, and 1.0.x is what myst-nb 1.4 was made
#:     for (1.0.6).
#:   mathjax 3.2.2: the major version Sphinx 7's mathjax3_config (set by myst-parser) is written
#:     for.
PACKAGES = {
    "requirejs": (
        "2.3.7",
        "sha512-DouTG8T1WanGok6Qjg2SXuCMzszOo0eHeH9hDZ5Y4x8Je+9JB38HdTLT4/VA8OaUhBa0JPVHJ0pyBkM1z+pDsw==",  # noqa: E501 - one hash, not prose to wrap
        "requirejs",
        lambda path: path in ("require.js", "package.json", "README.md"),
    ),
    "@jupyter-widgets/html-manager": (
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",  # noqa: E501 - one hash, not prose to wrap
        "html-manager",
        # the AMD bundle and the icon fonts its CSS loads relative to itself; no source maps
        lambda path: (
            path == "package.json"
            or (
                path.startswith("dist/")
                and path.count("/") == 1
                and path not in ("dist/embed.js", "dist/libembed-amd.js")
                and not path.endswith(".map")
            )
        ),
    ),
    "mathjax": (
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",  # noqa: E501 - one hash, not prose to wrap
        "mathjax",
        # es5/ as MathJax's CDN serves it, without the SVG output and the combined files we do
        # not load
        lambda path: (
            path in ("LICENSE", "package.json")
            or (
                path.startswith("es5/")
                and not path.startswith("es5/output/svg")
                and path
                not in {
                    f"es5/{name}.js"
                    for name in (
                        "tex-chtml",
                        "tex-chtml-full",
                        "tex-chtml-full-speech",
                        "tex-svg",
                        "tex-svg-full",
                        "tex-mml-svg",
                        "mml-chtml",
                        "mml-svg",
                        "node-main",
                        "latest",
                    )
                }
            )
        ),
    ),
    # The live lab's model runtime (issue 18): WebAssembly, single-threaded (a static host cannot
    # send the cross-origin isolation headers threads need). About 14 MB; only the lab page loads
    # it, and only when the reader starts the lab. The package ships no LICENSE file; its
    # package.json says MIT.
    "onnxruntime-web": (
        "1.30.0",
        "sha512-q0y+JrrtukXSzsBWEMccVfqX25LRmosXHF+CaRJmg8pZClzcV7svNc4rKY3jL02Vb7QmRMDs1SigqR4CXAfKYQ==",  # noqa: E501 - one hash, not prose to wrap
        "onnxruntime-web",
        lambda path: (
            path
            in (
                "package.json",
                "README.md",
                "dist/ort.wasm.min.mjs",
                "dist/ort-wasm-simd-threaded.mjs",
                "dist/ort-wasm-simd-threaded.wasm",
            )
        ),
    ),
}

#: Files the pages load, relative to _static/ (what _config.yml names); checked after unpacking.
ENTRY_POINTS = (
    "npm/requirejs/require.js",
    "npm/html-manager/embed-amd.js",
    "npm/mathjax/tex-mml-chtml.js",
)
STAMP = VENDOR / "pins.json"


def tarball_url(name: str, version: str) -> str:
    """The registry URL of a package tarball.

    E.g. ``.../@jupyter-widgets/html-manager/-/html-manager-1.0.15.tgz``.
    """
    return f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def download(url: str, attempts: int = 3) -> bytes:
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.read()
        except OSError as error:  # URLError, timeouts, resets
            if attempt == attempts:
                raise SystemExit(f"static_assets: cannot download {url}: {error}") from error
            time.sleep(2 * attempt)
    raise AssertionError("unreachable")


def check_integrity(data: bytes, integrity: str, url: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode("ascii")
    if actual != expected:
        raise SystemExit(
            f"static_assets: {url} does not match its pinned {algorithm} hash; refusing to use it."
        )


def unpack(data: bytes, destination: pathlib.Path, keep) -> int:
    """Extract the kept regular files under ``package/`` into ``destination``; return how many."""
    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            parts = pathlib.PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) < 2 or ".." in parts or parts[0] != "package":
                continue
            relative = "/".join(parts[1:])
            if not keep(relative):
                continue
            target = destination / (
                relative[len("es5/") :] if relative.startswith("es5/") else relative
            )
            if relative.startswith("dist/"):
                target = destination / relative[len("dist/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())
            count += 1
    return count


def pins() -> dict:
    return {name: [version, integrity] for name, (version, integrity, _, _) in PACKAGES.items()}


def up_to_date() -> bool:
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return False
    return stamp == pins() and all((STATIC / entry).is_file() for entry in ENTRY_POINTS)


def fetch() -> None:
    if up_to_date():
        print(f"static_assets: {VENDOR.relative_to(ROOT)} is up to date.")
        return
    staging = VENDOR.with_name("npm.partial")
    shutil.rmtree(staging, ignore_errors=True)
    for name, (version, integrity, folder, keep) in PACKAGES.items():
        url = tarball_url(name, version)
        data = download(url)
        check_integrity(data, integrity, url)
        count = unpack(data, staging / folder, keep)
        print(f"static_assets: {name}@{version}: {count} files -> _vendor/npm/{folder}/")
    missing = [entry for entry in ENTRY_POINTS if not (staging / entry.split("/", 1)[1]).is_file()]
    if missing:
        raise SystemExit(f"static_assets: the packages lack {missing}; were the pins changed?")
    (staging / "pins.json").write_text(json.dumps(pins(), indent=1) + "\n")
    shutil.rmtree(VENDOR, ignore_errors=True)
    staging.rename(VENDOR)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report whether _vendor/npm is up to date"
    )
    args = parser.parse_args(argv)
    if args.check:
        ok = up_to_date()
        state = "up to date" if ok else "missing or outdated: run python tools/static_assets.py"
        print(f"static_assets: {state}")
        return 0 if ok else 1
    fetch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
