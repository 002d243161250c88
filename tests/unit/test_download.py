"""Downloads: progress shown to the person (never pooch's stderr lines), plain reasons for failures,
the mirror setting, and nothing half-written after an interruption. Servers on 127.0.0.1 only."""

import http.server
import threading

import pytest
import requests

from tests.unit.test_data import (  # noqa: F401 - fixtures, and FSDD_DIR cleared as there
    ROOT,
    _no_fsdd_dir,
    dataset,
    load,
    server,
)
from utils import data, download


def test_terminal_progress_redraws_one_line_and_ends_with_the_total(capsys):
    progress = download.DownloadProgress("http://example.org/fsdd.zip", notebook=False)
    progress.total = 2_000_000
    for _ in range(4):
        progress.update(500_000)
        progress._drawn_at = 0.0  # draw every update here, whatever the clock says
    progress.reset()
    progress.update(2_000_000)
    progress.close()
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.split("\r")
    assert "Downloading from example.org: [##########----------]  50 % of 2.0 MB" in lines
    assert lines[-1].startswith("Downloaded 2.0 MB from example.org in ")
    assert lines[-1].endswith(" s.\n")


def test_progress_without_a_size_counts_megabytes():
    progress = download.DownloadProgress("https://github.com/a.zip", notebook=False)
    progress.done = 3_400_000
    assert progress.text() == "Downloading from github.com: 3.4 MB"


def http_error(status):
    response = requests.Response()
    response.status_code = status
    return requests.exceptions.HTTPError(response=response)


@pytest.mark.parametrize(
    "error, reason",
    [
        (http_error(503), "the server answered HTTP 503"),
        (requests.exceptions.ConnectTimeout(), "did not answer within 30 s"),
        (requests.exceptions.ChunkedEncodingError(), "the transfer broke off"),
        (requests.exceptions.ConnectionError(), "could not be reached (no network"),
        (requests.exceptions.MissingSchema(), "is not a valid URL"),
    ],
)
def test_failures_are_explained_in_one_plain_sentence(error, reason):
    message = download.explain_download_error(error, "https://mirror.example/fsdd.zip")
    assert message.startswith("Could not download FSDD from mirror.example: ")
    assert reason in message and message.endswith(".")


def test_mirror_setting_chooses_the_archive(monkeypatch):
    monkeypatch.delenv("SPEECH_AE_FSDD_URL", raising=False)
    assert data.mirror_url() == data.FSDD_URL
    monkeypatch.setenv("SPEECH_AE_FSDD_URL", " http://classroom.local/fsdd.zip ")
    assert data.mirror_url() == "http://classroom.local/fsdd.zip"


def test_mirror_setting_is_used_by_load_fsdd(dataset, server, tmp_path, monkeypatch):  # noqa: F811
    url, requests_seen = server
    monkeypatch.setenv("SPEECH_AE_FSDD_URL", f"{url}/fsdd.zip")
    corpus = data.load_fsdd(
        cache_dir=tmp_path / "cache",
        archive_folder=ROOT,
        manifest_path=dataset["manifest"],
        download=True,
    )
    assert corpus.source == "download" and requests_seen == ["/fsdd.zip"]


def test_http_error_falls_back_and_says_why_within_the_page_width(dataset, tmp_path, capsys):  # noqa: F811
    class Failing(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_error(404)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/fsdd.zip"
        corpus = load(dataset, url, tmp_path / "cache")
    finally:
        httpd.shutdown()
        httpd.server_close()
    captured = capsys.readouterr()
    assert corpus.is_synthetic and captured.err == ""
    flat = " ".join(captured.out.split())
    assert "the server answered HTTP 404" in flat and "SPEECH_AE_FSDD_URL" in flat
    assert all(len(line) <= download.LINE_WIDTH for line in captured.out.splitlines())
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []


def test_interrupted_extraction_leaves_nothing_half_written_and_keeps_the_archive(
    dataset,  # noqa: F811
    server,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    url, requests_seen = server
    cache = tmp_path / "cache"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    real_safe_extract = data.safe_extract
    monkeypatch.setattr(data, "safe_extract", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load(dataset, f"{url}/fsdd.zip", cache)
    assert sorted(p.name for p in cache.iterdir()) == ["fsdd.zip"]  # complete, so kept
    monkeypatch.setattr(data, "safe_extract", real_safe_extract)
    corpus = load(dataset, f"{url}/fsdd.zip", cache)
    assert corpus.source == "download" and requests_seen == ["/fsdd.zip"]  # not fetched again
