import functools
import hashlib
import http.server
import threading

import pytest

from rnnpipe.core.errors import DownloadError
from rnnpipe.core.fetch import expected_sha256, fetch, verify_sha256


@pytest.fixture
def http_folder(tmp_path):
    """A local HTTP server on 127.0.0.1 serving tmp_path/www; yields (folder, base URL)."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNPIPE_CACHE", str(tmp_path / "cache"))


def test_local_path_and_file_url_are_used_in_place(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"abc")
    assert fetch(str(path)) == path
    assert fetch(path.as_uri()) == path


def test_missing_local_file_is_named(tmp_path):
    with pytest.raises(DownloadError, match="no such file"):
        fetch(str(tmp_path / "absent.tar.gz"))


def test_http_download_lands_in_the_cache_once(http_folder, tmp_path):
    folder, base = http_folder
    (folder / "vectors.txt").write_text("the 0.1 0.2\n")
    first = fetch(f"{base}/vectors.txt")
    assert first.read_text() == "the 0.1 0.2\n" and first.parent == tmp_path / "cache"
    (folder / "vectors.txt").unlink()  # the second call must not need the server
    assert fetch(f"{base}/vectors.txt") == first
    assert not list(first.parent.glob("*.part"))


def test_http_error_is_reported_with_status(http_folder):
    _, base = http_folder
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(f"{base}/missing.tar.gz")


def test_unreachable_host_suggests_a_local_path():
    with pytest.raises(DownloadError, match="cannot be reached.*local path"):
        fetch("http://127.0.0.1:9/aclImdb_v1.tar.gz", timeout=2)


def test_sha256_mismatch_names_both_hashes(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(b"content")
    good = hashlib.sha256(b"content").hexdigest()
    assert verify_sha256(path, good, str(path)) == good
    with pytest.raises(DownloadError, match=f"expected {'0' * 64}, got {good}"):
        verify_sha256(path, "0" * 64, str(path))


def test_auto_hash_comes_from_known_urls_or_a_sums_file(tmp_path):
    url = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert expected_sha256("auto", url, tmp_path / "x").startswith("c40f74a1")
    (tmp_path / "imdb").mkdir()
    path = tmp_path / "imdb" / "aclImdb_v1.tar.gz"
    path.write_bytes(b"x")
    assert expected_sha256("auto", str(path), path) is None
    (tmp_path / "SHA256SUMS").write_text(f"{'ab' * 32}  ./imdb/aclImdb_v1.tar.gz\n")
    assert expected_sha256("auto", str(path), path) == "ab" * 32
    assert expected_sha256("none", url, path) is None
    with pytest.raises(DownloadError, match="64 hex digits"):
        expected_sha256("xyz", url, path)


def test_a_missing_relative_path_in_a_temporary_experiment_copy_says_what_to_do(
    tmp_path, monkeypatch
):
    """Queued and --temp experiments run in DVC's copy under .dvc/tmp/exps/, where ../shared/...
    leads elsewhere: the message says so and what to pass instead."""
    copy = tmp_path / "repo" / ".dvc" / "tmp" / "exps" / "run" / "abc123"
    copy.mkdir(parents=True)
    monkeypatch.chdir(copy)
    with pytest.raises(
        DownloadError, match=r"temporary copy of the repository .* pass an absolute path"
    ):
        fetch("../shared/datasets/imdb/aclImdb_v1.tar.gz")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DownloadError, match=r"relative paths start at the repository root"):
        fetch("../shared/datasets/imdb/aclImdb_v1.tar.gz")


class Trickle(http.server.BaseHTTPRequestHandler):
    """A server that promises 10,000 bytes and sends one every 0.1 s: never a read timeout."""

    def do_GET(self):
        import time

        self.send_response(200)
        self.send_header("Content-Length", "10000")
        self.end_headers()
        try:
            for _ in range(10000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_a_server_trickling_bytes_is_stopped_by_the_minimum_rate(monkeypatch, tmp_path):
    from rnnpipe.core import fetch as fetching

    monkeypatch.setattr(fetching, "RATE_WINDOW", 1.0)  # a minute in production
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slow.csv"
    try:
        with pytest.raises(DownloadError, match=r"below download.min_rate \(100 bytes/s\)"):
            fetch(url, param="download.url", timeout=5, min_rate=100)
    finally:
        server.shutdown()
        server.server_close()
    assert not list((tmp_path / "cache").glob("*slow.csv"))  # nothing half-written was kept
