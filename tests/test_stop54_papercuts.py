"""Stop 54's papercuts, each met running ``digest`` on a configuration of its own.

* ``digest sources`` wrote its counts as "0 failure(s)", "1 failure(s)": read aloud, they are
  "no failures", "1 failure", "3 failures" (``digest.records.plural``, as every other count).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.records import plural
from tests.support.daemon import loopback_config, rss
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
