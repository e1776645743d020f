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
