"""Explorers: a slider over settings (latent size, beta, codebook size) and a panel per setting.

First used in chapter 1 (latent size); chapters 2-5 reuse it. The notebook
computes every result first; the explorer only *switches* among them. It is
built from ipywidgets linked on the client side (``jslink`` of a
``SelectionSlider.index`` to a ``Stack.selected_index``), with each panel an
``HTML`` widget holding its figure (PNG with alt text), audio players and
numbers. No Python callback is involved, so it works live in Jupyter and
Colab *and* on the static web page, where the executed notebook's widget
state is rendered without a kernel.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from .audio import players_html
from .plots import figure_html
from .validation import SAMPLE_RATE


def panel_html(
    figure=None,
    *,
    alt: str | None = None,
    clips=None,
    numbers: Mapping | None = None,
    sample_rate: int = SAMPLE_RATE,
    caption: str | None = None,
) -> str:
    """HTML of one explorer panel: a figure (with ``alt``), audio clips and a table of numbers.

    clips: ``{caption: audio}`` or ``[(caption, audio), ...]``, played at equal loudness.
    numbers: ``{name: value}``; floats are shown with 3 significant digits.
    """
    parts = []
    if figure is not None:
        parts.append(figure_html(figure, alt or "", caption))
    if clips:
        parts.append(players_html(clips, sample_rate))
    if numbers:
        rows = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(str(k))}</th>"
            f"<td>{html.escape(f'{v:.3g}' if isinstance(v, float) else str(v))}</td></tr>"
            for k, v in numbers.items()
        )
        parts.append(f'<table class="sae-numbers">{rows}</table>')
    if not parts:
        raise ValueError("a panel needs a figure, clips or numbers to show.")
    return f'<div class="sae-panel">{"".join(parts)}</div>'


def explorer(panels: Mapping, description: str = "setting", *, initial=None):
    """A slider over the keys of ``panels`` that shows the panel of the chosen setting.

    panels: ``{setting: panel HTML}`` in slider order, the HTML made by :func:`panel_html`.
    description: the slider's label, e.g. ``"latent size"``.
    Returns an ``ipywidgets.VBox``; make it the last line of a cell. With
    ipywidgets >= 8 its ``link`` attribute is the client-side link from the
    slider's ``index`` to the stack's ``selected_index`` (``None`` otherwise).
    """
    import ipywidgets as widgets

    if not panels:
        raise ValueError("the explorer needs at least one panel.")
    labels = [str(key) for key in panels]
    if len(set(labels)) != len(labels):
        raise ValueError(f"settings must have distinct labels, got {labels}.")
    children = [widgets.HTML(value=value) for value in panels.values()]
    index = 0 if initial is None else labels.index(str(initial))
    slider = widgets.SelectionSlider(
        options=labels,
        index=index,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"),
    )
    if hasattr(widgets, "Stack"):  # ipywidgets >= 8: linked in the browser, works without a kernel
        stack = widgets.Stack(children, selected_index=index)
        link = widgets.jslink((slider, "index"), (stack, "selected_index"))
        box = widgets.VBox([slider, stack])
    else:  # older ipywidgets (some Colab images): switch with a Python callback, live only
        holder = widgets.Box([children[index]])
        slider.observe(
            lambda change: setattr(holder, "children", [children[change["new"]]]), names="index"
        )
        box, link = widgets.VBox([slider, holder]), None
    box.link = link  # kept with the box, so the link lives as long as the explorer
    box.add_class("sae-explorer")
    return box
