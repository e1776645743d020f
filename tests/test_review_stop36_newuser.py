"""Review (stop 36): digest as a new user's first week meets it.

A user who installed the wheel has no ``feeds.yaml``: ``digest init`` writes a starter one that
loads and runs.  ``digest build -o`` writes the kind its file names, or refuses a kind it does not
know.  ``digest explain --json`` writes times as the JSON digest does.  One feed configured under
two spellings of its URL is one warning line when the configuration loads.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.store.base import open_store
from tests.support.archive import fill
from tests.support.config import make_config

# ---- digest build -o --------------------------------------------------------------------------


def _empty_config(tmp_path: Path) -> Path:
    cfg = make_config(tmp_path, write=True, clock="2026-11-20T20:00:00Z")
    assert cfg.config_path is not None
    return cfg.config_path


@pytest.mark.parametrize(("name", "starts"), [("x.md", "# "), ("x.markdown", "# "), ("x.htm", "<!doctype html>"),
                                              ("x.HTML", "<!doctype html>"), ("x.json", "{")])
def test_build_writes_the_kind_each_extension_names(tmp_path: Path, name: str, starts: str) -> None:
    cfg = _empty_config(tmp_path)
    assert main(["build", "--config", str(cfg), "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / name).read_text().startswith(starts)


@pytest.mark.parametrize("name", ["x.txt", "x", "digest.2026-11-20"])
def test_build_refuses_an_output_file_of_no_known_kind(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _empty_config(tmp_path)
    assert main(["build", "--config", str(cfg), "-o", str(tmp_path / name)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(tmp_path / name) in line and ".md, .html or .json" in line and "--format" in line, line
    assert not (tmp_path / name).exists()
    assert main(["build", "--config", str(cfg), "--format", "md", "-o", str(tmp_path / name)]) == 0  # said
    assert (tmp_path / name).read_text().startswith("# ")


# ---- digest explain --json --------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def test_explain_json_writes_times_in_iso_8601(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "digest.sqlite3"
    with open_store(f"sqlite:///{db}") as store:
        fill(store)
    cfg = make_config(tmp_path, write=True, database=str(db)).config_path
    assert main(["explain", "--config", str(cfg), "quake", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    times = [out["first_seen"], *(v["published"] for v in out["versions"])]
    assert len(times) == 4
    for t in times:
        assert _ISO.match(t), t
    assert datetime.fromisoformat(out["first_seen"]) == datetime.fromisoformat("2026-03-14T08:00:00+00:00")


# ---- one feed under two URLs ------------------------------------------------------------------

TWICE = """\
  - name: Harbor Herald
    url: https://harbor.example/feed
  - name: Valley Wire
    url: https://valley.example/atom.xml
  - name: Herald (old link)
    url: http://www.harbor.example:80/feed/
"""


def test_one_feed_under_two_urls_is_one_warning_naming_both(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        cfg = make_config(tmp_path, TWICE, write=True)
    assert len(cfg.sources) == 3  # a warning, not an error: both are still read
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1, said
    line = said[0]
    assert "\n" not in line
    assert line.startswith(f"{cfg.config_path}:7: ")  # the second entry's line
    assert "'Harbor Herald'" in line and "'Herald (old link)'" in line and "Valley" not in line


@pytest.mark.parametrize("other", [
    "https://harbor.example/feed?section=sport",  # a query selects another feed
    "https://harbor.example/feed/comments",
    "https://news.harbor.example/feed",  # another host
    "https://harbor.example:8443/feed",  # another port
])
def test_feeds_that_differ_in_more_than_spelling_are_not_warned_about(
    tmp_path: Path, other: str, caplog: pytest.LogCaptureFixture
) -> None:
    sources = f"  - name: A\n    url: https://harbor.example/feed\n  - name: B\n    url: {other}\n"
    with caplog.at_level(logging.WARNING):
        make_config(tmp_path, sources, write=True)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_opml_list_naming_a_configured_feed_by_another_spelling_adds_it_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "subs.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        '<outline text="Herald" type="rss" xmlUrl="http://www.harbor.example/feed/"/>'
        '<outline text="Ledger" type="rss" xmlUrl="https://ledger.example/rss"/></body></opml>'
    )
    sources = "  - name: Harbor Herald\n    url: https://harbor.example/feed\n" \
              "  - name: Blogroll\n    path: subs.opml\n"
    with caplog.at_level(logging.WARNING):
        cfg = make_config(tmp_path, sources, write=True)
    assert [s.name for s in cfg.sources] == ["Harbor Herald", "Ledger"]
    assert any("Herald" in n and "another source reads" in n for n in cfg.list_notes)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    # import-opml, the same: the configured entry is that feed already
    path = cfg.config_path
    assert path is not None
    path.write_text("sources:\n  - name: Harbor Herald\n    url: https://harbor.example/feed\n")
    assert main(["import-opml", "--config", str(path), str(tmp_path / "subs.opml")]) == 0
    out = capsys.readouterr().out
    assert "Herald: already there (as 'Harbor Herald'" in out and "added 1 of 2" in out
