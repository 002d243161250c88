"""The live lab's codec in onnxruntime-web (Chromium, WebAssembly, one thread) against Keras.

A small codec is exported by utils.export and run in Debian's Chromium by onnxruntime-web's
WebAssembly build, single-threaded (a plain static host cannot send the cross-origin isolation
headers threads need): the code indices must be the Keras codec's, exactly, and the decoded
frames within 1e-5, for two input lengths and every number of stages, with no console error.

onnxruntime-web is served from ``_vendor/npm/onnxruntime-web/`` (``ort.wasm.min.mjs``,
``ort-wasm-simd-threaded.mjs`` and ``.wasm``), where tools/static_assets.py is to put the pinned
package; ``SPEECH_AE_ORT_WEB_DIR`` names another folder with those three files. Without them the
test is skipped, saying so.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import shutil
import threading

import numpy as np
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _QuietHandler
from tests.toc import ROOT

ORT_WEB = pathlib.Path(
    os.environ.get("SPEECH_AE_ORT_WEB_DIR", ROOT / "_vendor" / "npm" / "onnxruntime-web")
)
ORT_FILES = ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
N_MELS = 40
LENGTHS = (40, 37)

_RUN = """async ([x, nFrames]) => {
  const ort = await import("./ort.wasm.min.mjs");
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = "./";
  const encoder = await ort.InferenceSession.create("encoder.onnx");
  const decoder = await ort.InferenceSession.create("decoder.onnx");
  const frames = new ort.Tensor("float32", Float32Array.from(x), [1, nFrames, 40]);
  const codes = (await encoder.run({ frames })).codes;
  const [, nCodes, nStages] = codes.dims;
  const decoded = [];
  for (let n = 1; n <= nStages; n++) {  // the codes of the first n stages, as the page sends
    const first = new Int32Array(nCodes * n);
    for (let i = 0; i < nCodes; i++) {
      for (let s = 0; s < n; s++) first[i * n + s] = codes.data[i * nStages + s];
    }
    const out = await decoder.run({ codes: new ort.Tensor("int32", first, [1, nCodes, n]) });
    decoded.push({ dims: out.frames.dims, data: Array.from(out.frames.data) });
  }
  return { dims: codes.dims, type: codes.type, codes: Array.from(codes.data), decoded };
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory, playwright_session):
    """A page on a local server with onnxruntime-web and an exported tiny codec."""
    missing = [name for name in ORT_FILES if not (ORT_WEB / name).exists()]
    if missing:
        pytest.skip(f"onnxruntime-web is not in {ORT_WEB} (missing {', '.join(missing)})")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: `apt-get install chromium`")
    from utils import codec, export, features

    rng = np.random.default_rng(0)
    standardizer = features.Standardizer().fit(-40 + 10 * rng.standard_normal((200, N_MELS)))
    model = codec.VQVAE(N_MELS, channels=8, code_dim=4, stages=3, codebook_size=16, seed=2)
    model(rng.standard_normal((8, 16, N_MELS)).astype("float32"), training=True)  # EMA, restarts
    folder = tmp_path_factory.mktemp("lab")
    export.export_codec(model, standardizer, folder)
    for name in ORT_FILES:
        shutil.copy(ORT_WEB / name, folder / name)
    (folder / "index.html").write_text(
        "<!doctype html><link rel=icon href='data:,'><title>lab</title>"
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    errors, outside = [], []
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    page.goto(base + "index.html")
    yield model, page, errors, outside
    browser.close()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("n_frames", LENGTHS)
def test_onnxruntime_web_gives_the_keras_codes_and_frames(lab, n_frames):
    model, page, errors, outside = lab
    X = np.random.default_rng(n_frames).standard_normal((1, n_frames, N_MELS)).astype("float32")
    result = page.evaluate(_RUN, [X.ravel().tolist(), n_frames])
    n_codes = -(-n_frames // model.stride)
    assert result["dims"] == [1, n_codes, 3] and result["type"] == "int32"
    codes = np.array(result["codes"], dtype="int32").reshape(result["dims"])
    np.testing.assert_array_equal(codes, np.asarray(model.encode(X)))
    assert len(np.unique(codes[..., 0])) > 1  # a codec that sends more than one code
    for n, decoded in enumerate(result["decoded"], start=1):
        assert decoded["dims"] == [1, model.stride * n_codes, N_MELS]
        frames = np.array(decoded["data"]).reshape(decoded["dims"])
        np.testing.assert_allclose(frames, np.asarray(model.decode(codes[..., :n])), atol=1e-5)
    assert errors == [] and outside == []
