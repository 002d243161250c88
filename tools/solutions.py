"""Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``): solutions shown or hidden.

``make book SOLUTIONS=hidden`` (which sets ``SPEECH_AE_SOLUTIONS=hidden``) builds the web book for
a course that grades the exercises: every exercise stays, every solution is gone from the pages,
its text and its code cells and their outputs alike, and the buttons that lead to the notebooks
(download, Colab, Binder) are dropped, since the notebooks hold the solutions. The solutions are
still *executed* (the prose after them may use their glued numbers); only the pages leave them out.
The default, ``shown``, is the book as it is.

sphinx-exercise's own ``hide_solutions`` cannot do this: it drops the ``solution-start`` marker of a
gated solution but keeps what follows it, so the solution's code cells would stay on the page and
the unmatched ``solution-end`` would fail the build. Here the solutions are removed after
sphinx-exercise has gathered each gated solution into one node.

The setting is the configuration value ``book_solutions`` (``"shown"`` or ``"hidden"``); changing
it makes Sphinx read every page again. tests/unit/test_solutions.py builds a small book both ways.
"""

from __future__ import annotations

import os

from sphinx.errors import ConfigError
from sphinx.transforms import SphinxTransform

CHOICES = ("shown", "hidden")


class RemoveSolutions(SphinxTransform):
    """Remove every solution node, once sphinx-exercise has merged the gated ones (priority 10)."""

    default_priority = 20

    def apply(self, **kwargs) -> None:
        if self.config.book_solutions != "hidden":
            return
        from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

        for kind in (solution_node, solution_start_node, solution_end_node):
            for node in list(self.document.findall(kind)):
                node.parent.remove(node)


def read_setting(app, config) -> None:
    choice = os.environ.get("SPEECH_AE_SOLUTIONS", "").strip() or config.book_solutions
    if choice not in CHOICES:
        raise ConfigError(
            f"SOLUTIONS must be 'shown' (the book as it is) or 'hidden' (a course edition of the "
            f"web book, without solutions); got {choice!r}. Example: make book SOLUTIONS=hidden"
        )
    config.book_solutions = choice
    if choice == "hidden":
        options = dict(config.html_theme_options or {})
        options["use_download_button"] = False
        options["launch_buttons"] = {}
        config.html_theme_options = options


def setup(app):
    app.add_config_value("book_solutions", "shown", "env")
    app.connect("config-inited", read_setting, priority=900)
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
