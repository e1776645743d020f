"""Stop 55: an operator moving from another feed reader (Miniflux, FreshRSS) to digest.

Each test runs the CLI on a configuration on disk, as the operator did in the review
(docs/evaluation.md, "Stop 55: an operator's migration (review)").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config

START = """\
sources:
  - name: Local notes
    path: notes
timezone: UTC
output_dir: out
data_dir: data
"""


def config(tmp_path: Path, text: str = START) -> Path:
    (tmp_path / "notes").mkdir(exist_ok=True)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def test_an_opml_title_its_reader_escaped_twice_is_added_as_the_text_it_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reader's export wrote ``text="AT&amp;amp;T Tech Blog"`` (escaped once too often, as
    publishers do in feed titles): the source was named "AT&amp;T Tech Blog", shown so in the
    digest ("AT&amp;amp;T" in its Markdown), and `digest remove 'AT&T Tech Blog'` found no
    such source.  Its folder's name the same."""
    cfg = config(tmp_path)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><body>'
        '<outline text="Tech &amp;amp; Science">'
        '<outline text="AT&amp;amp;T Tech Blog" type="rss" xmlUrl="https://att.example/feed"/>'
        '<outline text="Q&amp;#38;A &amp;#8211; weekly" type="rss" xmlUrl="https://qa.example/rss"/>'
        '<outline text="Fish &amp; Chips" type="rss" xmlUrl="https://fish.example/rss"/>'
        "</outline></body></opml>", encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    capsys.readouterr()
    srcs = {s.name: s for s in load_config(cfg).sources}
    assert set(srcs) == {"Local notes", "AT&T Tech Blog", "Q&A – weekly", "Fish & Chips"}
    assert srcs["AT&T Tech Blog"].category == "Tech & Science"
    assert main(["remove", "--config", str(cfg), "AT&T Tech Blog"]) == 0


def imported(tmp_path: Path, n: int) -> Path:
    """A configuration after an import of ``n`` feeds titled as a reader exports them."""
    cfg = config(tmp_path)
    outlines = "".join(f'<outline text="Feed {i:03d} Weekly" type="rss" xmlUrl="https://f{i}.example/rss"/>'
                       for i in range(n))
    opml = tmp_path / "subs.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Dead or moved">'
                    '<outline text="Old Gazette" type="rss" xmlUrl="http://www.gazette.example/feed/"/>'
                    f"</outline>{outlines}</body></opml>", encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    return cfg


def test_remove_finds_a_source_in_other_capitals_or_by_its_feed_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After an import the names are the old reader's titles: `digest remove "old gazette"` (or
    the feed's URL, as the old reader and `digest sources` show it) was "no source is named"."""
    cfg = imported(tmp_path, 3)
    capsys.readouterr()
    assert main(["remove", "--config", str(cfg), "old  gazette"]) == 0
    assert capsys.readouterr().out.startswith(f"{cfg}: removed 'Old Gazette': ")
    assert main(["remove", "--config", str(cfg), "https://f1.example/rss/"]) == 0  # another spelling of its URL
    assert "removed 'Feed 001 Weekly'" in capsys.readouterr().out
    assert [s.name for s in load_config(cfg).sources] == ["Local notes", "Feed 000 Weekly", "Feed 002 Weekly"]


def test_remove_of_a_name_not_there_names_the_closest_not_every_imported_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After importing 200 feeds, a typo printed one line of all 201 names (9 KB); it names the
    closest now, and where to see them all."""
    cfg = imported(tmp_path, 200)
    before = cfg.read_text()
    capsys.readouterr()
    assert main(["remove", "--config", str(cfg), "Old Gazete"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300, err
    assert "no source is named 'Old Gazete'; did you mean 'Old Gazette'?" in err and "digest sources" in err
    assert cfg.read_text() == before
