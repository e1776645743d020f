"""A feed cut off (the XML ends mid-entry): the entries read whole are kept, and it is said.

feedparser reads a truncated document with its loose parser, sets ``bozo`` and returns
what it read; it counted as a whole, ``ok`` read and nobody was told.  Here a real feed
is cut at a byte offset and served on loopback, read by ``digest run`` and the daemon;
harmless bozo documents (an undefined entity, a declared encoding overridden, an end
tag lacking its ``>``) must stay silent.

The entry open at the cut came back from feedparser without the element cut in its
middle (no text, or no id): it was stored so and never mended, or stored twice.  It is
left out now, and the next whole read stores it whole, new once.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from digest.app import App, open_app
from digest.cli import main
from digest.errors import ParseError
from digest.service.daemon import Daemon
from digest.sources.feeds import parse_feed
from digest.store.base import StoredArticle
from tests.support.config import MakeApp
from tests.support.daemon import Clock, loopback_config
from tests.support.httpd import TestServer

WORDS = "harbor council bridge river budget school rail storm museum vote market ferry".split()


def feed(n: int = 4) -> bytes:
    """An RSS feed of ``n`` items, one element a line (so lines mean something)."""
    rng = random.Random(n)
    now = datetime.now(UTC)
    items = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        items.append(
            f"<item>\n<title>Coast report {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}</title>\n"
            f"<link>https://coast.example/{i}</link>\n"
            f"<description>Item {i} of the coast. {body}.</description>\n"
            f"<guid>coast-{i}</guid>\n"
            f"<pubDate>{format_datetime(now - timedelta(minutes=i))}</pubDate>\n</item>\n"
        )
    return (
        '<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>Coast</title>\n'
        f"<link>https://coast.example/</link>\n{''.join(items)}</channel>\n</rss>\n"
    ).encode()


def cut_in_description(data: bytes, item: int) -> bytes:
    """``data`` cut in the middle of item ``item``'s description."""
    start = data.index(f"<description>Item {item} ".encode())
    return data[: start + 60]


def line_of_end(data: bytes) -> int:
    return data.count(b"\n") + 1


def test_a_cut_off_feed_keeps_its_whole_entries_and_notes_where_it_ended() -> None:
    cut = cut_in_description(feed(), 2)
    entries = parse_feed(cut, source="Coast")
    assert [e.entry_id for e in entries][:2] == ["coast-0", "coast-1"]
    assert entries.note is not None
    assert entries.note.startswith(f"feed ended early (XML not well-formed at line {line_of_end(cut)}): ")
    assert f": {len(entries)} entries read" in entries.note


def test_a_feed_cut_before_its_first_entry_is_a_broken_feed() -> None:
    data = feed()
    with pytest.raises(ParseError, match=r"^Coast: broken feed: feed ended early .* before any whole entry$"):
        parse_feed(data[: data.index(b"<item>")], source="Coast")


@pytest.mark.parametrize(
    "data",
    [
        feed(),
        # an undefined entity: bozo, read whole by the loose parser
        feed().replace(b"Item 1 of the coast.", b"Item 1 of the&nbsp;coast."),
        # a declared encoding the bytes contradict: bozo (CharacterEncodingOverride)
        feed().replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="us-ascii"?>')
        .replace(b"Coast report 0", "Coast r\u00e9port 0".encode()),
        # the root's end tag lacks its ">" (as a dozen of feedparser's own test feeds do)
        feed().rstrip().removesuffix(b">"),
        # a comment after the root element
        feed() + b"<!-- generated in 0.2 s -->\n",
    ],
    ids=["whole", "undefined-entity", "encoding-override", "end-tag-without-gt", "trailing-comment"],
)
def test_a_whole_feed_says_nothing_even_when_bozo(data: bytes) -> None:
    entries = parse_feed(data, source="Coast")
    assert len(entries) == 4 and entries.note is None


def test_digest_run_says_it_in_one_log_line_and_digest_sources_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    whole = feed()
    cut = cut_in_description(whole, 3)
    with TestServer() as srv, caplog.at_level(logging.WARNING, logger="digest"):
        srv.set("/feed.xml", cut)
        cfg = str(loopback_config(tmp_path, srv, {"Coast": "/feed.xml"}))
        assert main(["run", "-q", "--config", cfg]) == 0  # not a failure
        lines = [r.getMessage() for r in caplog.records if "ended early" in r.getMessage()]
        assert len(lines) == 1
        assert lines[0].startswith(f"Coast: feed ended early (XML not well-formed at line {line_of_end(cut)}): ")
        assert "0 failed" in capsys.readouterr().err
        assert main(["sources", "--config", cfg]) == 0
        out = capsys.readouterr().out
        assert "Coast: ok, " in out and "no failures" in out
        assert "; last read: feed ended early (XML not well-formed at line" in out

        # cut the same way at the next run: kept, and not said again on every poll
        caplog.clear()
        assert main(["run", "-q", "--config", cfg]) == 0
        assert not [r for r in caplog.records if "ended early" in r.getMessage()]

        # whole again: the note goes
        srv.set("/feed.xml", whole)
        caplog.clear()
        assert main(["run", "-q", "--config", cfg]) == 0
        assert not [r for r in caplog.records if "ended early" in r.getMessage()]
        assert main(["sources", "--config", cfg]) == 0
        assert "last read" not in capsys.readouterr().out
        # and cut again: said again
        srv.set("/feed.xml", cut)
        caplog.clear()
        assert main(["run", "-q", "--config", cfg]) == 0
        assert len([r for r in caplog.records if "ended early" in r.getMessage()]) == 1


def test_the_daemon_records_the_note_and_never_pauses_for_it(tmp_path: Path) -> None:
    with TestServer() as srv:
        srv.set("/feed.xml", cut_in_description(feed(), 3))
        cfg = loopback_config(tmp_path, srv, {"Coast": "/feed.xml"})
        with open_app(cfg) as app:
            clock = Clock()
            daemon = Daemon(app, rng=random.Random(1), clock=clock)
            for _ in range(3):
                report = daemon.poll_due()
                assert report.errors == [] and report.sources == 1
                state = app.store.get_source_state("Coast")
                assert state is not None and state.condition == "ok" and state.failures == 0
                assert state.note is not None and state.note.startswith("feed ended early")
                assert state.next_poll_at is not None
                clock.now = state.next_poll_at


def test_a_local_feed_file_cut_off_is_noted_by_its_source(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "coast.xml"
    path.write_bytes(cut_in_description(feed(), 3))
    with make_app(tmp_path, {"Coast": path}) as app:
        report = app.run()
        assert report.errors == [] and report.new_articles >= 3
        state = app.store.get_source_state("Coast")
        assert state is not None and state.note is not None
        assert state.note.startswith("feed ended early (XML not well-formed at line")
        assert str(tmp_path) not in state.note


#: Where item 2 of ``feed()`` is cut: in its description (feedparser gave it a title and no
#: text), before its guid (no id: a link key, another article than the whole one), in its
#: end tag (all of it read, not closed).
CUTS = {
    "in-description": lambda d: cut_in_description(d, 2),
    "before-guid": lambda d: d[: d.index(b"<guid>coast-2")],
    "in-end-tag": lambda d: d[: d.index(b"</item>", d.index(b"<guid>coast-2")) + 4],
}


@pytest.mark.parametrize("where", sorted(CUTS))
def test_the_entry_cut_off_is_left_out(where: str) -> None:
    entries = parse_feed(CUTS[where](feed()), source="Coast")
    assert [e.entry_id for e in entries] == ["coast-0", "coast-1"]
    assert entries.note is not None and entries.note.endswith(
        ": 2 entries read; the entry cut off at its end is left for the next read"
    )


def test_a_feed_cut_between_entries_loses_none() -> None:
    data = feed()
    cut = data[: data.index(b"<item>", data.index(b"coast-2"))]
    entries = parse_feed(cut, source="Coast")
    assert [e.entry_id for e in entries] == ["coast-0", "coast-1", "coast-2"]
    assert entries.note is not None and entries.note.endswith(": 3 entries read")


def _stored(app: App) -> list[StoredArticle]:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    return sorted(app.store.articles_since(day), key=lambda a: a.guid or "")


def _new_in(app: App, day: datetime) -> list[str]:
    """The entry ids shown as new in ``day``'s digest."""
    view = app.build_view(day.date())
    return [v.id for s in view.stories for v in (s.lead, *s.also) if v.new]


@pytest.mark.parametrize("where", sorted(CUTS))
def test_cut_then_whole_stores_each_entry_once_whole_and_new_once(tmp_path: Path, where: str) -> None:
    """Read cut (day 1), then whole (day 2), over HTTP with an ETag: every entry is one
    article with its whole text, new in one day's digest."""
    whole = feed()
    day1 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    day2 = day1 + timedelta(days=1)
    with TestServer() as srv:
        srv.set("/feed.xml", CUTS[where](whole), etag='"cut"')
        cfg = loopback_config(tmp_path, srv, {"Coast": "/feed.xml"})
        with open_app(cfg) as app:
            first = app.run(now=day1)
            assert first.errors == [] and first.new_articles == 2
            state = app.store.get_source_state("Coast")
            assert state is not None and state.condition == "ok" and state.etag is None

            srv.set("/feed.xml", whole, etag='"whole"')
            second = app.run(now=day2)
            assert second.errors == [] and second.new_articles == 2 and second.not_modified == 0
            # the cut body's validators were not sent back: the server could not answer 304
            assert srv.headers_of("/feed.xml")[-1].get("If-None-Match") is None

            rows = _stored(app)
            assert [a.guid for a in rows] == ["coast-0", "coast-1", "coast-2", "coast-3"]
            texts = {a.guid: a.text for a in rows}
            assert all(texts[f"coast-{i}"].startswith(f"Item {i} of the coast.") for i in range(4))
            assert len(texts["coast-2"].split()) > 60  # whole, not the cut's title-only entry
            arrived = {a.guid: a.fetched for a in rows}
            assert arrived == {"coast-0": day1, "coast-1": day1, "coast-2": day2, "coast-3": day2}
            new1, new2 = _new_in(app, day1), _new_in(app, day2)
            assert sorted(new1 + new2) == ["coast-0", "coast-1", "coast-2", "coast-3"]
            state = app.store.get_source_state("Coast")
            assert state is not None and state.note is None and state.etag == '"whole"'


def json_feed(n: int = 4) -> bytes:
    items = [{"id": f"coast-{i}", "url": f"https://coast.test/{i}", "title": f"Coast report {i}",
              "content_text": f"Item {i} of the coast, in full: the harbour wall held overnight."}
             for i in range(n)]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Coast",
           "home_page_url": "https://coast.test/", "items": items}
    return json.dumps(doc, indent=2).encode()


def test_a_cut_off_json_feed_keeps_its_whole_items_and_notes_where_it_ended() -> None:
    """A JSON Feed cut off (it failed whole, as invalid JSON) keeps the items closed before the
    end; the item open there is left for the next read, as in a cut XML feed."""
    data = json_feed()
    cut = data[: data.index(b"Item 2 of the") + 10]  # inside the third item's text
    entries = parse_feed(cut, source="Coast", content_type="application/feed+json")
    assert [e.entry_id for e in entries] == ["coast-0", "coast-1"]
    assert entries.note == (f"feed ended early (JSON not well-formed at line {line_of_end(cut)}): 2 entries read; "
                            "the entry cut off at its end is left for the next read")
    between = data[: data.rindex(b"},", 0, data.index(b'"id": "coast-3"')) + 2]  # after the third item's comma
    entries = parse_feed(between, source="Coast", content_type="application/feed+json")
    assert [e.entry_id for e in entries] == ["coast-0", "coast-1", "coast-2"]
    assert entries.note is not None and entries.note.endswith(": 3 entries read")
    with pytest.raises(ParseError, match=r"^Coast: broken feed: feed ended early \(JSON .* before any whole entry"):
        parse_feed(data[: data.index(b"Item 0 of")], source="Coast", content_type="application/feed+json")
    # broken inside, whole at the end: not a cut, the one clear line as before
    broken = data.replace(b'"title": "Coast report 1",', b'"title": "Coast report 1",,')
    with pytest.raises(ParseError, match=r"^Coast: not a feed: invalid JSON"):
        parse_feed(broken, source="Coast", content_type="application/feed+json")
    assert parse_feed(data, source="Coast", content_type="application/feed+json").note is None
