"""The archive's index and month pages count a day as its page says it (stop 64 review).

A new source's earlier news (its first read's old items, listed apart under "Earlier news")
was counted as stories there: "Monday, 7 December 2026 · 9 stories" where the day's page, the
file and the mail said "0 stories · ... + 9 earlier stories".  A day's count is now both
numbers (``daycounts.Count``), kept in the store's ``day_counts`` rows as well, and a row of
before (its one number the backlog's stories too) is not taken."""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from digest.cli import main
from digest.config import load_config
from digest.output.digests import archive_view
from digest.output.render import render_email_html, render_text
from digest.service.webpages import Pages
from digest.store.base import open_store
from tests.support.examples import copy_examples
from tests.support.services import pg_schema

DAY = "2026-12-07"


def _days(page: bytes) -> dict[str, str]:
    """The index's or month's days: YYYY-MM-DD -> the words after the day's link."""
    doc = lxml.html.document_fromstring(page.decode())
    return {li.find("a").get("href").rsplit("/", 1)[1]: " ".join(li.text_content().split("·", 1)[1].split())
            for li in doc.xpath("//ul[@class='days']/li")}  # fmt: skip


def _words(page: str) -> str:
    return " ".join(lxml.html.document_fromstring(page).text_content().split())


def _heading(page: bytes) -> str:
    return " ".join(lxml.html.document_fromstring(page.decode()).xpath("//p[@class='counts']")[0].text_content().split())


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_index_counts_a_new_sources_earlier_news_as_the_days_page_does(tmp_path: Path, backend: str) -> None:
    with pg_schema() if backend == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        path = copy_examples(tmp_path)
        text = path.read_text().replace("clock: 2026-11-20T20:00:00Z", f"clock: {DAY}T20:00:00Z")
        path.write_text(text + f"\ndatabase: {url}\n")
        assert main(["run", "-q", "--config", str(path)]) == 0  # the examples, weeks old: all earlier news
        path.write_text(path.read_text().replace(f"clock: {DAY}T20:00:00Z", "clock: 2026-12-08T10:00:00Z"))
        cfg = load_config(path)

        def pages() -> Pages:
            return Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)

        first = pages()
        with open_store(cfg.database_url) as store:
            assert "· 0 stories · 12 duplicates collapsed · + 9 earlier stories first read" in _heading(
                first.day(store, date.fromisoformat(DAY)).body)
            index = _days(first.index(store).body)
            month = _days(first.month(store, 2026, 12).body)
        assert index[DAY] == month[DAY] == "0 stories + 9 earlier"  # before: "9 stories"

        again = pages()  # a server started again: the day's count read from the store, not counted
        with open_store(cfg.database_url) as store:
            assert _days(again.index(store).body)[DAY] == "0 stories + 9 earlier" and again.counts.built == 0
            # a row of before: its reads alone (a JSON list), its count the backlog's stories too
            key = again.counts.key
            text, = (r["reads"] for r in store._run("SELECT reads FROM day_counts WHERE config = ? AND day = ?",  # type: ignore[attr-defined]
                                                     (key, DAY)).fetchall())  # fmt: skip
            with store.transaction():
                store._run("UPDATE day_counts SET count = 9, reads = ? WHERE config = ? AND day = ?",  # type: ignore[attr-defined]
                           (json.dumps(json.loads(text)["reads"]), key, DAY))
        stale = pages()
        with open_store(cfg.database_url) as store:
            assert _days(stale.index(store).body)[DAY] == "0 stories + 9 earlier" and stale.counts.built == 1


_POST = ("Town council votes to close the old harbour bridge to cars from March while engineers "
         "inspect its rusted supports, the mayor said on Tuesday after a long meeting.")


def _feed(tmp_path: Path) -> Path:
    """A blog's feed of three old posts, the second a rewrite of the first under another title
    and link (one story of two versions from one outlet)."""
    items = [("Bridge to close", "bridge", "Tue, 04 Oct 2016 09:00:00 GMT", _POST),
             ("Harbour bridge: the council's vote", "bridge-vote", "Tue, 04 Oct 2016 11:00:00 GMT", _POST),
             ("Library opens on Sundays", "library", "Wed, 05 Oct 2016 09:00:00 GMT",
              "The central library will open on Sundays from next month, its director told staff in a letter.")]
    body = "".join(f"<item><title>{t}</title><link>https://blog.example/{s}</link><pubDate>{d}</pubDate>"
                   f"<description>{x}</description></item>" for t, s, d, x in items)  # fmt: skip
    feed = tmp_path / "feed.xml"
    feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
                    f"<link>https://blog.example/</link><description>d</description>{body}</channel></rss>")
    return feed


def renderings(path: Path) -> tuple[str, str, str]:
    """DAY's digest as the mail's text part, its HTML part and the archive's day page render it,
    from the store the configuration at ``path`` names."""
    cfg = load_config(path)
    day = date.fromisoformat(DAY)
    with open_store(cfg.database_url) as store:
        view = archive_view(store, cfg, day)
        text = render_text(view, tz=cfg.tz, locale=cfg.locale)
        mail_html = render_email_html(view, tz=cfg.tz, locale=cfg.locale)
        archived = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now).day(store, day).body.decode()
    return text, mail_html, archived


def test_a_new_sources_earlier_story_of_one_outlet_says_its_versions(tmp_path: Path) -> None:
    """Two posts of one outlet in one story of a new source's earlier news: its line showed one
    title, no count (one outlet), and the other post was nowhere in the digest."""
    path = tmp_path / "feeds.yaml"
    path.write_text(f"sources:\n  - name: Blog\n    path: {_feed(tmp_path)}\ntimezone: UTC\nclock: {DAY}T20:00:00Z\n")
    assert main(["run", "-q", "--config", str(path)]) == 0
    md = (tmp_path / "out" / f"digest-{DAY}.md").read_text().replace("\u00a0", " ")
    lines = {line.split("](")[0].removeprefix("- ["): line for line in md.splitlines() if line.startswith("- [")}
    bridge, = (line for title, line in lines.items() if "ridge" in title)
    assert " · 2 versions, also: [" in bridge  # before: the date last (stop 65: the other title after it)
    assert lines["Library opens on Sundays"].endswith("UTC")  # one version: nothing said
    html = (tmp_path / "out" / f"digest-{DAY}.html").read_text()
    assert _words(html).count("· 2 versions") == 1
    text, mail_html, archived = renderings(path)
    assert sum(line.strip().startswith("Blog · ") and line.rstrip().endswith(" · 2 versions")
               for line in text.splitlines()) == 1  # the mail's text part
    assert _words(mail_html).count("· 2 versions") == 1  # its HTML part
    assert _words(archived).count("· 2 versions") == 1  # the archive's day page


def test_an_earlier_story_with_more_versions_than_outlets_says_both(tmp_path: Path) -> None:
    """The blog's two posts and a wire's copy: three versions from two outlets ("2 outlets" alone
    hid the blog's second post)."""
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>'
        "<description>d</description><item><title>Council to shut harbour bridge to cars</title>"
        "<link>https://wire.example/bridge</link><pubDate>Tue, 04 Oct 2016 10:00:00 GMT</pubDate>"
        f"<description>{_POST}</description></item></channel></rss>")
    path = tmp_path / "feeds.yaml"
    path.write_text(f"sources:\n  - name: Blog\n    path: {_feed(tmp_path)}\n  - name: Wire\n    path: {wire / 'feed.xml'}\n"
                    f"timezone: UTC\nclock: {DAY}T20:00:00Z\n")  # fmt: skip
    assert main(["run", "-q", "--config", str(path)]) == 0
    md = (tmp_path / "out" / f"digest-{DAY}.md").read_text().replace("\u00a0", " ")
    assert [line.rsplit(" · ", 1)[1].split(", also: ")[0] for line in md.splitlines()
            if line.startswith("- [") and "ridge" in line] == ["3 versions from 2 outlets"]  # then the titles (stop 65)
