"""Stop 54's papercuts, each met running ``digest`` on a configuration of its own.

* ``digest sources`` wrote its counts as "0 failure(s)", "1 failure(s)": read aloud, they are
  "no failures", "1 failure", "3 failures" (``digest.records.plural``, as every other count).
* A port nobody listens on, read by the plain fetch path (one URL source, ``digest add``), was
  "cannot connect to 127.0.0.1:PORT: [Errno 111] Connection refused": the socket's text, where
  the async path and the README say "... : Connection refused".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.errors import FetchError
from digest.records import plural
from digest.sources.fetch import FetchConfig, fetch
from tests.support.daemon import free_port, loopback_config, rss
from tests.support.httpd import TestServer


def test_plural_says_none_as_no_when_asked() -> None:
    assert [plural(n, "failure", no=True) for n in (0, 1, 3)] == ["no failures", "1 failure", "3 failures"]
    assert plural(0, "day") == "0 days"  # a count in a row of counts ("0 new, 2 developing") stays a digit


def test_digest_sources_counts_failures_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv:
        srv.set("/good.xml", rss("good", range(2)))
        srv.set("/bad.xml", b"\x00 not a feed \x00")
        cfg = str(loopback_config(tmp_path, srv, {"Good": "/good.xml", "Bad": "/bad.xml"}))
        for runs in range(3):
            assert main(["run", "-q", "--config", cfg]) == 1
            capsys.readouterr()  # the digest's paths
            assert main(["sources", "--config", cfg]) == 0
            lines = capsys.readouterr().out.splitlines()
            assert lines[0].startswith("Good: ok, ") and ", no failures; " in lines[0], lines
            failures = "1 failure" if runs == 0 else f"{runs + 1} failures"
            assert lines[1].startswith(f"Bad: failing, last ok never, {failures}; "), lines
        assert main(["sources", "--config", cfg, "--resume", "Good"]) == 0
        assert capsys.readouterr().out.startswith("Good: not paused (ok): nothing to resume")
    assert "(s)" not in capsys.readouterr().out


def test_a_refused_connection_is_one_plain_line_on_every_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # closed: the connection is refused at once
    said = f"cannot connect to 127.0.0.1:{port}: Connection refused"
    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/feed.xml", config=FetchConfig(allow_hosts=[f"127.0.0.1:{port}"]))
    assert (caught.value.kind, caught.value.problem) == ("connect", said)

    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Coast News\n    url: http://127.0.0.1:{port}/feed.xml\n"
                   f"timezone: UTC\nfetch:\n  allow_hosts: ['127.0.0.1:{port}']\n", encoding="utf-8")
    assert main(["run", "-q", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("error:")] == [f"error: Coast News: {said}"], err
    assert main(["sources", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"; last error: {said}")
    assert main(["add", f"http://127.0.0.1:{port}/other.xml", "--config", str(cfg)]) == 2
    assert capsys.readouterr().err.strip() == f"error: add: {said}"
