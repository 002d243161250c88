"""The notebooks of the table of contents, in order. ``python -m tests.toc`` prints their paths."""

from __future__ import annotations

import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def toc_files(toc_path: pathlib.Path = ROOT / "_toc.yml") -> list[str]:
    """Every ``file:`` entry of ``_toc.yml`` (root first), without extension, in reading order."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return files


def notebooks() -> list[pathlib.Path]:
    """Paths of the ``.ipynb`` files named in the table of contents."""
    return [ROOT / f"{name}.ipynb" for name in toc_files() if (ROOT / f"{name}.ipynb").exists()]


if __name__ == "__main__":
    print(" ".join(str(path.relative_to(ROOT)) for path in notebooks()))
