"""Review of the changes of stop 55 (docs/evaluation.md, "Stop 55: review of today's changes").

Each test runs what a user runs (the CLI on a configuration on disk) and fails on the code as it
was merged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config

TWINS = """\
sources:
  - name: News
    url: https://a.example/feed.xml
  - name: news
    url: https://b.example/feed.xml
  - name: Blog
    url: https://c.example/rss
  - name: Blog (c2)
    url: https://www.c.example/rss/
"""


def test_remove_of_a_name_or_url_that_names_two_sources_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two names differing in capitals, or two sources reading one feed: `digest remove NEWS` said
    "no source is named 'NEWS'; did you mean 'News' or 'news' or 'News'?" (one name twice), and a
    URL of the two Blogs "no source is named" with no hint.  Nothing is removed."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(TWINS, encoding="utf-8")
    assert main(["remove", "--config", str(cfg), "NEWS"]) == 2
    err = capsys.readouterr().err
    assert "'NEWS' names 2 sources, 'News' and 'news'" in err, err
    assert main(["remove", "--config", str(cfg), "https://C.example/rss"]) == 2
    err = capsys.readouterr().err
    assert "names 2 sources, 'Blog' and 'Blog (c2)'" in err, err
    assert main(["remove", "--config", str(cfg), "Nws"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'News' or 'news'?" in err, err
    assert cfg.read_text(encoding="utf-8") == TWINS
    assert main(["remove", "--config", str(cfg), "news"]) == 0  # as written: that one alone
    assert [s.name for s in load_config(cfg).sources] == ["News", "Blog", "Blog (c2)"]
