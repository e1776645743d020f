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


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_export_opml_with_a_store_that_cannot_be_read_exports_the_configured_urls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export-opml reads the store since stop 55 (a moved feed's address): with its PostgreSQL
    server down, or left behind by the operator's move, it stopped with the connection error
    and wrote no OPML, where it needed no store before.  The file's list is written, and one
    line says the store was not read."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Harbour\n    url: https://harbour.example/feed.xml\n"
                   "    site: https://harbour.example/\n"
                   f"database: postgresql://postgres@127.0.0.1:{_closed_port()}/gone\n", encoding="utf-8")
    out = tmp_path / "subs.opml"
    assert main(["export-opml", "--config", str(cfg), "--output", str(out)]) == 0
    assert 'xmlUrl="https://harbour.example/feed.xml"' in out.read_text(encoding="utf-8")
    assert 'htmlUrl="https://harbour.example/"' in out.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "not read" in line] == [err.splitlines()[0]], err
    assert err.startswith("the store is not read (postgresql:"), err
    assert f"{out}: 1 feed\n" in err, err  # (was "1 feeds")


@pytest.mark.parametrize("with_dated", [False, True])
def test_the_earlier_news_heading_does_not_date_an_undated_feeds_items(tmp_path: Path, with_dated: bool) -> None:
    """An undated feed's first read is earlier news since stop 55, and the heading said of its
    items "published long before": their date is what is not known (a migrating operator's first
    digest, "its item published long before" over a post of that morning).  It says they state no
    date; beside a dated backlog, that those come after it."""
    import datetime as dt

    from digest.app import open_app
    from digest.output.render import make_env, render_markdown, render_text
    from tests.support.httpd import TestServer
    from tests.test_stop55_migration import START, UNDATED, config, undated_rss

    first = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
    with TestServer() as srv:
        srv.set("/zine.rss", undated_rss(UNDATED), headers={"Content-Type": "application/rss+xml"})
        srv.set("/dated.rss", (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Dated</title><link>https://d.example/</link>'
            b"<description>d</description><item><guid>https://d.example/1</guid><link>https://d.example/1</link>"
            b"<title>Frost ruins half the harvest at Castel Brenno vineyards</title><description>A late frost "
            b"destroyed about half of the grapes at the Castel Brenno vineyards, the growers said. Winemaker "
            b"Lucia Ferrante said the lower slopes were hit hardest.</description>"
            b"<pubDate>Wed, 11 Nov 2026 08:00:00 +0000</pubDate></item></channel></rss>"),
            headers={"Content-Type": "application/rss+xml"})
        feeds = f"sources:\n  - name: Zine\n    url: {srv.url('/zine.rss')}\n"
        if with_dated:
            feeds += f"  - name: Dated\n    url: {srv.url('/dated.rss')}\n"
        path = config(tmp_path, START.replace("sources:\n", feeds) + "fetch:\n  allow_hosts: ['127.0.0.1']\n")
        with open_app(path) as app:
            app.run(now=first)
            view = app.build_view(first.date())
            assert [s.backlog for s in view.stories] == [True] * (len(UNDATED) + with_dated)
            for text in (render_markdown(view, env=make_env()), render_text(view, env=make_env())):
                # (the text part wraps its lines at 72: its paragraph as one line)
                (line,) = [p.replace("\n", " ") for p in text.split("\n\n") if "read for the first time" in p]
                if with_dated:
                    assert "items published long before, newest first, then those that state no date." in line, line
                else:
                    assert "its items state no date." in line and "long before" not in line, line
