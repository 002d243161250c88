"""Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``): a page that fits its screen.

1. Adds ``tools/page_layout.css`` to every page: code in folded cells and in solutions keeps the
   column width of every other cell, and tables get tighter cells on a phone.
2. Labels the scroll container that pydata-sphinx-theme puts around every table
   (``div.pst-scrollable-table-container``, ``overflow-x: auto``): ``role="region"``, an
   ``aria-label`` that names the table by its columns, and ``tabindex="0"``, so that a table too
   wide for a phone scrolls sideways, is announced, and can be scrolled from the keyboard.
3. Adds ``tools/page_layout.js``: a table that overflows its container gets a visible hint above
   it ("Scroll sideways to see every column") and a shade on each edge behind which columns hide.

tests/browser/test_browser.py checks both at desktop and phone width.
"""

from __future__ import annotations

import html
import pathlib
import re

CSS = pathlib.Path(__file__).with_name("page_layout.css")
JS = pathlib.Path(__file__).with_name("page_layout.js")
CONTAINER = '<div class="pst-scrollable-table-container">'
TABLE = re.compile(re.escape(CONTAINER) + r"(\s*<table.*?</table>)", re.DOTALL)
HEADER_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def table_label(table_html: str) -> str:
    """'Table: symbol, meaning, shape' from the header cells (plain text), or just 'Table'."""
    head = table_html.split("</thead>", 1)[0] if "</thead>" in table_html else ""
    names = [
        " ".join(html.unescape(TAG.sub(" ", cell)).split()) for cell in HEADER_CELL.findall(head)
    ]
    names = [name for name in names if name]
    return "Table: " + ", ".join(names) if names else "Table"


def label_table(match: re.Match) -> str:
    label = html.escape(table_label(match.group(1)), quote=True)
    return (
        f'<div class="pst-scrollable-table-container" role="region" aria-label="{label}" '
        f'tabindex="0">{match.group(1)}'
    )


def label_tables(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and CONTAINER in body:
        context["body"] = TABLE.sub(label_table, body)


def add_static_file(app, config) -> None:
    config.html_static_path.extend([str(CSS), str(JS)])


def setup(app):
    app.connect("config-inited", add_static_file)
    app.add_css_file(CSS.name)
    app.add_js_file(JS.name, loading_method="defer")
    app.connect("html-page-context", label_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
