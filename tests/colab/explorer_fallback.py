"""The explorer's fallback under Colab's ipywidgets 7.7.1, in a kernel of ``.venv-colab``.

ipywidgets 7 has no ``widgets.Stack``, so :func:`utils.explorer.explorer` switches panels with a
Python callback on the slider's ``index``. This test plays the browser's part over the kernel's
widget comms (part of ``make test-colab``):

1. a kernel started as in Colab (:mod:`colab_runtime`) builds an explorer of 3 panels with this
   working tree's ``utils`` and displays it; the test keeps the widget models the kernel opens, as
   a frontend does;
2. for each of the indices 2, 0, 1 it sends what a browser sends when the student moves the slider
   (``comm_msg`` ``{"method": "update", "state": {"index": i}}``), waits for the kernel, and
   asserts that the kernel told the frontend to show the HTML widget whose value is panel ``i``'s
   HTML, and that the kernel's own objects agree;
3. nothing may be written to stderr.

Usage: ``.venv-colab/bin/python tests/colab/explorer_fallback.py`` (prints ``1 passed, 0 failed``).
"""

from __future__ import annotations

import json
import pathlib
import queue
import shutil
import sys
import tempfile
import textwrap

import colab_runtime
from jupyter_client.manager import start_new_kernel

PANELS = {
    "small": "<b>panel small</b>",
    "medium": "<b>panel medium</b>",
    "large": "<b>panel large</b>",
}

BUILD = textwrap.dedent(
    f"""\
    import json, sys
    sys.path.insert(0, {str(colab_runtime.REPO_ROOT)!r})
    import ipywidgets as widgets
    from utils.explorer import explorer, panel_html
    assert widgets.__version__ == "7.7.1", widgets.__version__
    assert not hasattr(widgets, "Stack"), "ipywidgets has Stack: the fallback is not under test"
    labels = {list(PANELS)!r}
    panels = {{label: panel_html(numbers={{"panel": label}}) for label in labels}}
    box = explorer(panels, description="size")
    assert box.link is None, "ipywidgets 7 should get the Python-callback fallback, not a jslink"
    slider, holder = box.children
    print("@@panels@@" + json.dumps(panels))
    box
    """
)

CHECK = textwrap.dedent(
    """\
    shown = holder.children[0].value
    assert slider.index == {index} and slider.value == labels[{index}], (slider.index, slider.value)
    assert shown == panels[labels[{index}]], f"slider at {{slider.index}}, shown: {{shown}}"
    print("@@ok@@")
    """
)


class Frontend:
    """What the test needs of a browser's widget manager: every model's state, kept from iopub."""

    def __init__(self, client):
        self.client = client
        self.models: dict[str, dict] = {}  # comm id (= model id) -> state
        self.stderr: list[str] = []
        self.stdout: list[str] = []
        self.displayed: list[str] = []  # model ids of displayed widget views
        self.errors: list[str] = []

    def _handle(self, msg) -> None:
        kind, content = msg["header"]["msg_type"], msg["content"]
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.models[content["comm_id"]] = dict(content["data"]["state"])
        elif kind == "comm_msg" and content["data"].get("method") == "update":
            self.models.setdefault(content["comm_id"], {}).update(content["data"]["state"])
        elif kind == "stream":
            (self.stderr if content["name"] == "stderr" else self.stdout).append(content["text"])
        elif kind in ("display_data", "execute_result"):
            view = content["data"].get("application/vnd.jupyter.widget-view+json")
            if view:
                self.displayed.append(view["model_id"])
        elif kind == "error":
            self.errors.append(f"{content['ename']}: {content['evalue']}")

    def wait_idle(self, parent_id: str, timeout: float = 120) -> None:
        """Process iopub messages until the kernel is idle after the request ``parent_id``."""
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"the kernel did not answer within {timeout} s") from None
            self._handle(msg)
            if (
                msg["header"]["msg_type"] == "status"
                and msg["parent_header"].get("msg_id") == parent_id
                and msg["content"]["execution_state"] == "idle"
            ):
                return

    def execute(self, code: str) -> None:
        self.wait_idle(self.client.execute(code))
        assert not self.errors, "\n".join(self.errors)

    def move_slider(self, slider_id: str, index: int) -> None:
        """What the browser sends when the student drags the slider to ``index``."""
        content = {
            "comm_id": slider_id,
            "data": {"method": "update", "state": {"index": index}, "buffer_paths": []},
        }
        msg = self.client.session.msg("comm_msg", content)
        self.client.shell_channel.send(msg)
        self.wait_idle(msg["header"]["msg_id"])

    def model_id(self, reference: str) -> str:
        assert reference.startswith("IPY_MODEL_"), reference
        return reference[len("IPY_MODEL_") :]


def run() -> list[str]:
    """The test; returns the failures (empty when it passed)."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="colab-explorer-"))
    try:
        env = colab_runtime.make_runtime(folder / "runtime")
        (folder / "content").mkdir()
        manager, client = start_new_kernel(
            kernel_name=colab_runtime.KERNEL_NAME, cwd=str(folder / "content"), env=env
        )
        try:
            frontend = Frontend(client)
            frontend.execute(BUILD)
            panels = json.loads("".join(frontend.stdout).split("@@panels@@", 1)[1])
            # The displayed explorer: a VBox of the slider and the holder of the shown panel.
            (box_id,) = frontend.displayed
            slider_ref, holder_ref = frontend.models[box_id]["children"]
            slider_id, holder_id = frontend.model_id(slider_ref), frontend.model_id(holder_ref)
            slider = frontend.models[slider_id]
            assert slider["_model_name"] == "SelectionSliderModel", slider["_model_name"]
            assert slider["_options_labels"] == list(PANELS), slider["_options_labels"]

            def shown() -> str:
                (panel_ref,) = frontend.models[holder_id]["children"]
                panel = frontend.models[frontend.model_id(panel_ref)]
                assert panel["_model_name"] == "HTMLModel", panel["_model_name"]
                return panel["value"]

            labels = list(PANELS)
            assert shown() == panels[labels[0]], f"initially shown: {shown()}"
            for index in (2, 0, 1):
                frontend.move_slider(slider_id, index)
                assert shown() == panels[labels[index]], (
                    f"slider moved to {index} ({labels[index]}); the page shows {shown()}"
                )
                frontend.stdout.clear()
                frontend.execute(CHECK.format(index=index))
                assert "@@ok@@" in "".join(frontend.stdout), frontend.stdout
            assert not frontend.stderr, "the kernel wrote to stderr:\n" + "".join(frontend.stderr)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    except AssertionError as error:
        return [f"explorer fallback (ipywidgets 7.7.1, Python callback): {error}"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return []


def main() -> int:
    failures = run()
    for failure in failures:
        print(failure)
    if not failures:
        print(
            "ok: moving the slider of a 3-panel explorer shows the chosen panel (ipywidgets 7.7.1)"
        )
    print(f"{1 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
