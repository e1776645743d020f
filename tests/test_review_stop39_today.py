"""Review of stop 39's changes of the day (a new source's backlog, the repeat key without the
link, folder entries, the emptied-feed note, front matter warnings, the Redis trim).

Each test is a bug a user would meet, found by a real run: feeds on loopback HTTP, a SQLite
store on disk, ``App.run`` at each day's clock, ``digest init`` and ``digest run`` processes.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from digest.output.mailsize import EMAIL_HTML_BUDGET, carried_size, email_parts
from digest.output.params import BACKLOG_LINES
from tests.support.config import MakeApp, config_text
from tests.support.httpd import TestServer
from tests.support.services import redis_prefix
from tests.test_stop39_backlog import HEADING, LOOPBACK, TEXTS, serve

DAY = datetime(2026, 11, 20, 20, tzinfo=UTC)  # a Friday


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_a_note_dropped_into_the_starter_folder_after_its_first_read_is_news(tmp_path: Path) -> None:
    """``digest init``'s folder is read empty; a week later the reader drops in a note dated
    five days before: it is the day's news, not "Earlier news, first read in this digest"
    (the folder was read before; its first read stored nothing).  The first read was the
    source's first batch stored, whenever that came.  ``init`` and the first run are the same
    commands in this process; the second, whose output is checked, a process of its own."""
    from digest.cli import main

    assert main(["init", str(tmp_path)]) == 0
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(cfg.read_text() + "\nclock: 2026-11-13T20:00:00Z\n")
    assert main(["run", "--config", str(cfg)]) == 0
    title, text = TEXTS["crane"]
    (tmp_path / "articles" / "crane.md").write_text(
        f"---\ntitle: {title}\ndate: 2026-11-15T09:00:00Z\n---\n{text}\n", encoding="utf-8")
    cfg.write_text(cfg.read_text().replace("clock: 2026-11-13", "clock: 2026-11-20"))
    second = digest("run", "--config", str(cfg), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "earlier news" not in second.stdout + second.stderr
    md = (tmp_path / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
    assert HEADING not in md
    assert f"### {title}" in md or f"## {title}" in md, md


def test_a_feed_read_empty_then_filled_is_news(tmp_path: Path, make_app: MakeApp) -> None:
    """A feed read well with no entry (a new blog), whose first items come a day later with
    older dates (a draft published with its date): they are the day's news."""
    with TestServer() as srv:
        serve(srv, "/f.xml", [])
        with make_app(tmp_path, {"Blog": srv.url("/f.xml")}, LOOPBACK) as app:
            app.run(now=DAY - timedelta(days=1))
            serve(srv, "/f.xml", [("crane", "crane", DAY - timedelta(days=4))])
            assert app.run(now=DAY).new_articles == 1
            view = app.build_view(DAY.date())
    assert [(s.status, s.backlog) for s in view.stories] == [("new", False)]


def _backlog_lines(md: str) -> list[str]:
    part = md[md.index(HEADING):]
    return re.findall(r"^- \[([^\]]+)\]", part, flags=re.M)


def test_the_backlog_is_newest_first_in_a_weekly_digest_and_across_sections(tmp_path: Path,
                                                                            make_app: MakeApp) -> None:
    """Its heading says "newest first": the weekly digest listed it by story id, and a daily
    digest with sections section by section."""
    keys = ["crane", "tram", "library", "storm", "vineyard", "marathon", "bridge", "museum"]
    published = {k: datetime(2026, m, 3, 9, tzinfo=UTC) for m, k in enumerate(keys, start=1)}
    with TestServer() as srv:
        serve(srv, "/a.xml", [(k, k, published[k]) for k in keys[0::2]])
        serve(srv, "/b.xml", [(k, k, published[k]) for k in keys[1::2]])
        sources = (f"  - name: Alpha\n    url: {srv.url('/a.xml')}\n    category: World\n"
                   f"  - name: Beta\n    url: {srv.url('/b.xml')}\n    category: Business\n")
        extra = LOOPBACK + ("digests:\n  - name: daily\n    sections: [World, Business]\n"
                            "  - name: weekly\n    every: week\n    weekday: monday\n")
        with make_app(tmp_path, sources, extra) as app:
            app.run(now=DAY)
            daily = app.render(day=DAY.date(), fmt="md", digest="daily")
            weekly = app.render(day=DAY.date(), fmt="md", digest="weekly")
    newest = [TEXTS[k][0] for k in sorted(keys, key=published.__getitem__, reverse=True)]
    assert _backlog_lines(daily) == newest
    assert _backlog_lines(weekly) == newest


def _long_feed(n: int, start: int, first: datetime = DAY - timedelta(days=10), step: timedelta = timedelta(days=1)) -> bytes:
    """``n`` items of distinct made-up events, published ``first`` (10 days before ``DAY``)
    and a ``step`` earlier each."""
    rnd = random.Random(start)
    syllables = ["ka", "lo", "mi", "ne", "ra", "tu", "vi", "so", "pe", "da", "ri", "go", "ba", "ze", "hu", "fi"]

    def word() -> str:
        return "".join(rnd.choice(syllables) for _ in range(3))

    parts = []
    for i in range(start, start + n):
        title = f"{word().title()} council in {word().title()} approves {word()} plan for {word().title()}"
        body = " ".join(f"{word().title()} {word()} {word()} {word()} {word().title()} {word()}." for _ in range(8))
        parts.append(f'<item><guid isPermaLink="false">n{i}</guid><link>https://site.example/n{i}</link>'
                     f"<title>{escape(title)}</title><description>{escape(body)}</description>"
                     f"<pubDate>{format_datetime(first - step * (i - start))}</pubDate></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title><link>https://site.example/</link>'
            f"<description>d</description>{''.join(parts)}</channel></rss>").encode()


@pytest.mark.slow  # seconds by design: runs in CI (--run-slow), not in the README's quick run
def test_a_long_backlog_keeps_the_email_under_the_clipping_size(tmp_path: Path, make_app: MakeApp) -> None:
    """A podcast's or an archive feed's 400 old items on its first read: the email's HTML was
    every line of them, 170 KB, clipped by Gmail with its footer (the fit took a titles-only
    mail as long as the whole for a template of the user's that ignores the fit, and sent it
    whole); with the day's news too, its line said "the other 0 by title only"."""
    with TestServer() as srv:
        srv.set("/new.xml", _long_feed(400, 0), headers={"Content-Type": "application/rss+xml"})
        serve(srv, "/old.xml", [(k, k, DAY - timedelta(hours=3)) for k in ("storm", "bridge", "museum")])
        with make_app(tmp_path, {"Newcomer": srv.url("/new.xml")}, LOOPBACK) as app:
            app.run(now=DAY)
            alone = app.build_view(DAY.date())
        with make_app(tmp_path / "two", {"Old Wire": srv.url("/old.xml"), "Newcomer": srv.url("/new.xml")},
                      LOOPBACK) as app:
            app.run(now=DAY)
            both = app.build_view(DAY.date())
    assert alone.backlog == 400 and both.backlog == 400 and both.story_count == 403
    for view in (alone, both):
        html, text = email_parts(view)
        text = " ".join(text.split())  # its lines wrapped at 72
        assert carried_size(html) <= EMAIL_HTML_BUDGET
        assert "Generated" in html and "Generated" in text  # the footer
        # the earlier news is listed to params.BACKLOG_LINES lines before any fit (stop 65: a
        # 20,000-item first read was 20,000 lines), the rest counted; a fit, if one is still
        # needed, never says "the other 0"
        said = re.search(r"Too many stories for one email: ([^.]*)\.", text)
        assert said is None or "the other 0" not in said.group(1), said
        left = int(re.search(r"(\d+) more stories of earlier news, not listed here\.", text).group(1))
        assert 400 - BACKLOG_LINES <= left < 400
    assert "Storm Idris" in email_parts(both)[0]  # the day's news in full



def test_a_key_an_engine_restores_while_another_trims_stays_in_the_redis_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers started together after every engine was down past the keep (two windows and
    two days): one's trim reads a batch of old keys, the other's rebuilt engine restores one of
    them (its time now), and the trim then removed it all the same: that engine held an article
    the shared index no longer proposed.  The trim removes only what is still old."""
    from digest.dedup.fingerprint import fingerprint
    from digest.dedup.index_redis import RedisIndex, open_index
    from tests.test_index_redis import _age, client

    with redis_prefix() as url:
        fp = fingerprint(title="Harbor ferry strike ends",
                         text="The ferry strike in Harbor ended on Monday after talks with the union.")
        restoring = open_index(url, 0.08)
        assert isinstance(restoring, RedisIndex)
        for key in ("gone", "held"):
            restoring.insert(key, fp)
            _age(client(), url, key, 70)
        trimming = open_index(url, 0.08)
        assert isinstance(trimming, RedisIndex)
        real = RedisIndex._trim_members

        def between(self: RedisIndex, members: list[bytes], older: float) -> int:
            restoring.insert("held", fp)  # the other worker's engine restores it, now
            return real(self, members, older)

        monkeypatch.setattr(RedisIndex, "_trim_members", between)
        trimming.trim(62 * 86400.0)
        monkeypatch.setattr(RedisIndex, "_trim_members", real)
        assert "gone" not in restoring
        assert "held" in restoring and set(restoring.query(fp)) == {"held"}


def test_a_backlog_is_in_the_archives_atom_feed_beside_a_busy_week(tmp_path: Path, make_app: MakeApp) -> None:
    """The feed lists the last 7 days' stories, the newest 100: sorted by their Atom
    ``updated``, a new source's backlog (dated by its publication, months back) came after
    every story of the week, so a week of 100 stories left it out of the feed: a feed reader
    never saw it.  It is news of the day it was first read, and ranks so for the cap (its
    entries still dated by publication)."""
    import lxml.etree

    from digest.config import load_config
    from tests.support.web import site

    keys = ["crane", "tram", "library"]
    with TestServer() as srv:
        srv.set("/old.xml", _long_feed(100, 1000, DAY - timedelta(days=2, hours=1), timedelta(minutes=5)),
                headers={"Content-Type": "application/rss+xml"})
        serve(srv, "/new.xml", [(k, k, datetime(2026, 7, 3 + i, 9, tzinfo=UTC)) for i, k in enumerate(keys)])
        with make_app(tmp_path, {"Old Wire": srv.url("/old.xml")}, LOOPBACK) as app:
            assert app.run(now=DAY - timedelta(days=2)).new_articles == 100
        cfg = tmp_path / "feeds.yaml"
        cfg.write_text(config_text({"Old Wire": srv.url("/old.xml"), "Newcomer": srv.url("/new.xml")}, LOOPBACK,
                                   clock=DAY.isoformat()), encoding="utf-8")
        with make_app(tmp_path, {"Old Wire": srv.url("/old.xml"), "Newcomer": srv.url("/new.xml")}, LOOPBACK) as app:
            assert app.run(now=DAY).new_articles == 3
            assert app.build_view(DAY.date()).backlog == 3
        with site(load_config(cfg)) as web:
            feed = web.get("/feed.atom")
    assert feed.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    entries = lxml.etree.fromstring(feed.content).findall(f"{atom}entry")
    assert len(entries) == 100
    titles = {e.findtext(f"{atom}title"): e.findtext(f"{atom}updated") for e in entries}
    for k in keys:
        assert TEXTS[k][0] in titles
        assert titles[TEXTS[k][0]].startswith("2026-07-0")  # dated by its publication still
