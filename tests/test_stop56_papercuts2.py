"""Stop 56, papercuts (second batch): what the day's reviews left, each through real parts
(``digest`` on its command line, loopback HTTP feeds, SQLite files on disk)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.config import make_config


def test_several_feeds_read_less_often_are_one_line_a_run_not_one_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Feeds that time out run after run are passed over by ``digest run``; each said a line of
    its own every run, a cron mail's many lines with many such feeds.  From three they are one
    line: how many, the first names, when they are asked next; the feed that answers is read."""
    from tests.support.daemon import rss
    from tests.support.httpd import TestServer, never_answer

    with TestServer() as srv:
        srv.set("/a.xml", rss("a", range(2)))
        hung = [f"Hung {i}" for i in range(4)]
        for i in range(4):
            srv.handle(f"/hung{i}.xml", never_answer)
        feeds: dict[str, str | Path] = {"A": srv.url("/a.xml"),
                                        **{n: srv.url(f"/hung{i}.xml") for i, n in enumerate(hung)}}
        cfg = make_config(tmp_path, feeds, write=True, timezone="UTC",
                          fetch={"allow_hosts": ["127.0.0.1"], "read_timeout": 0.5, "per_host": 4},
                          schedule={"poll_minutes": 30}).config_path
        assert cfg is not None
        for _ in range(3):
            capsys.readouterr()
            assert main(["run", "-q", "--config", str(cfg)]) == 1
        capsys.readouterr()
        assert main(["run", "-q", "--config", str(cfg)]) == 0
        err = capsys.readouterr().err.splitlines()
        assert srv.hits["/a.xml"] == 4 and all(srv.hits[f"/hung{i}.xml"] == 3 for i in range(4))
        said = [ln for ln in err if "not read this run" in ln]
        assert len(said) == 1, err
        assert re.fullmatch(r"4 feeds not read this run: they timed out run after run \(Hung 0, Hung 1, Hung 2, "
                            r"Hung 3\); read less often until they answer, next (at|between (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC and) "
                            r"(\d{4}-\d\d-\d\d )?\d\d:\d\d UTC", said[0]), said  # a day named past midnight


def test_a_feed_whose_dates_are_all_ahead_of_the_clock_is_not_said_to_state_no_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed whose clock or time zone is days wrong: every item's date is ahead of the clock,
    not believed, so its first read is listed as earlier news as an undated feed's is; the
    heading said "its items state no date", which they do (a wrong one).  It says their dates
    are ahead of the clock; an undated feed's heading is unchanged."""
    from datetime import UTC, datetime, timedelta

    from tests.support.daemon import rss
    from tests.support.httpd import TestServer

    undated = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Old</title><link>http://old.example/</link>'
               b"<description>x</description>" + b"".join(
                   b"<item><title>Old news %d: the mill by the river was sold to a brewery</title>"
                   b"<link>http://old.example/%d</link><description>The old mill by the river was sold %d times "
                   b"over the years, the last time to a brewery that plans a tap room.</description></item>"
                   % (i, i, i) for i in range(2)) + b"</channel></rss>")
    with TestServer() as srv:
        srv.set("/ahead.xml", rss("ahead", range(3), now=datetime.now(UTC) + timedelta(days=3)))
        srv.set("/old.xml", undated)
        for feeds, said in (({"Ahead": srv.url("/ahead.xml")}, "a date ahead of the clock, not believed."),
                            ({"Old": srv.url("/old.xml")}, " no date.")):
            run_dir = tmp_path / next(iter(feeds))
            run_dir.mkdir()
            cfg = make_config(run_dir, dict(feeds), write=True, timezone="UTC",
                              fetch={"allow_hosts": ["127.0.0.1"]}).config_path
            assert cfg is not None
            capsys.readouterr()
            assert main(["run", "-q", "--config", str(cfg)]) == 0
            written = [Path(p) for p in capsys.readouterr().out.split()]
            md = next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8")
            assert "## Earlier news, first read in this digest" in md, md
            label = next(ln for ln in md.splitlines() if ln.startswith("From a source read for the first time: "))
            assert label.endswith(said), label


@pytest.mark.slow  # four real processes, one a case (6 s)
def test_digest_search_exits_1_when_no_story_matches_as_grep_does(tmp_path: Path) -> None:
    """``digest search`` exited 0 whether a story matched or not: a script's
    ``if digest search storm; then`` could not tell.  As grep, rg and git grep: 0 a match, 1 none
    (text and ``--json``, which prints ``[]``), 2 an error (an empty query)."""
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "quay.md").write_text(
        "# Quay wall collapses at the harbour\n\nA section of the old quay wall collapsed into the harbour "
        "overnight, the port authority said, and the quay is closed to traffic.\n", encoding="utf-8")
    cfg = make_config(tmp_path, {"Notes": tmp_path / "notes"}, write=True, timezone="UTC").config_path
    assert cfg is not None
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

    def digest(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "digest", *args, "--config", str(cfg)], env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    assert digest("run", "-q").returncode == 0
    found = digest("search", "quay")
    assert found.returncode == 0 and "Quay wall collapses" in found.stdout
    none = digest("search", "volcano")
    assert none.returncode == 1 and none.stdout == "" and "no story matches 'volcano'" in none.stderr
    as_json = digest("search", "--json", "volcano")
    assert as_json.returncode == 1 and json.loads(as_json.stdout) == []
    assert digest("search", "--json", "quay").returncode == 0
    assert digest("search", " ").returncode == 2
