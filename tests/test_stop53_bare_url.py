"""``digest add example.com/feed``: a URL typed without its scheme (stop 53's papercuts).

It was refused as "not an http(s) URL".  Feed readers take a bare ``host/path`` for
``https://host/path``; ``digest add`` now does too, and its line says so.  What it tried is
named when it fails, with ``http://`` offered when the server did not answer in TLS.  A file
or folder that exists is still no URL (a local source is a ``path:`` in feeds.yaml).

Real parts: the CLI in-process, ``feeds.yaml`` on disk, a feed on a loopback HTTP server
(plain HTTP: the https:// tried first fails at the TLS handshake, and the http:// offered reads).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.cli.sourcelist import typed_url
from digest.errors import DigestError
from tests.support.config import config_text
from tests.support.daemon import rss
from tests.support.httpd import TestServer

LOOPBACK = "fetch:\n  allow_hosts: ['127.0.0.1']\n"


def _config(tmp_path: Path, sources: dict[str, str | Path] | None = None) -> Path:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(config_text(sources or "", LOOPBACK), encoding="utf-8")
    return cfg


def test_a_bare_host_and_path_is_tried_as_https_and_the_failure_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _config(tmp_path)
    before = cfg.read_bytes()
    with TestServer() as srv:
        srv.set("/feed.xml", rss("alpha", range(3)), headers={"Content-Type": "application/rss+xml"})
        bare = srv.url("/feed.xml").removeprefix("http://")  # 127.0.0.1:PORT/feed.xml
        assert main(["add", bare, "--config", str(cfg)]) == 2
        said = capsys.readouterr()
        assert said.out == ""
        (line,) = said.err.splitlines()
        assert line.startswith(f"error: add: cannot connect to {bare.partition('/')[0]}: "), line
        assert line.endswith(f"(no scheme was given: tried https://{bare}; "
                             f"if the server has no TLS, add http://{bare})"), line
        assert cfg.read_bytes() == before
        # what it offers is what reads
        assert main(["add", f"http://{bare}", "--config", str(cfg)]) == 0
        out = capsys.readouterr().out
    assert f"added 'alpha': http://{bare} (3 entries" in out and "assumed" not in out
    assert f"url: http://{bare}" in cfg.read_text(encoding="utf-8")


def test_the_line_says_https_was_assumed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _config(tmp_path)
    assert main(["add", "example.com/feed", "--config", str(cfg), "--no-check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{cfg}: added 'example.com': https://example.com/feed "
                   f"(not read: --no-check, https:// assumed for example.com/feed); the old file is {cfg}.bak"]
    assert "url: https://example.com/feed" in cfg.read_text(encoding="utf-8")
    # typed again, bare or whole: there already, and nothing is asked of its server
    for typed in ("example.com/feed", "https://example.com/feed"):
        assert main(["add", typed, "--config", str(cfg)]) == 0
        assert capsys.readouterr().out.startswith(f"{cfg}: not added: https://example.com/feed is there already")


def test_a_file_that_exists_is_no_url_and_a_bare_word_is_no_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news.example").mkdir()
    (tmp_path / "news.example" / "feed.xml").write_bytes(rss("beta", range(2)))
    cfg = _config(tmp_path)
    before = cfg.read_bytes()
    for typed in ("news.example/feed.xml", "myfeed", "localhost:port/feed", "me@example.com/feed"):
        assert main(["add", typed, "--config", str(cfg)]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"error: add: {typed!r} is not an http(s) URL (a local file or folder is a source's 'path:' in {cfg})"]
    assert cfg.read_bytes() == before
    # the same file beside a configuration elsewhere: seen from its folder too
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(DigestError):
        typed_url("news.example/feed.xml", str(cfg))
    assert typed_url("news.example/other.xml", str(cfg)) == ("https://news.example/other.xml", "news.example/other.xml")
    assert typed_url("localhost:8080/f", str(cfg)) == ("https://localhost:8080/f", "localhost:8080/f")
    assert typed_url("http://a.example/f", str(cfg)) == ("http://a.example/f", None)
