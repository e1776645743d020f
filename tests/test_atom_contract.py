"""The archive's Atom feed (``/feed.atom`` of ``digest serve``) read as RFC 4287 asks, day by
day over a replayed week in which a story develops (stop 62).

Real parts: ``digest replay`` into SQLite on disk, the archive's server on loopback with its
clock at each day's evening, the feed read by feedparser (``bozo`` 0) and by ElementTree.
Checked on every day's feed: the feed's ``id``, ``title``, ``updated`` (the newest entry's),
``author``, ``xml:lang`` and ``link rel="self"``; each entry's one ``id``, ``title`` and
``updated``, ``published`` not after it, every link absolute; a story's entry ``id`` the same
on every day and under every host name, its ``updated`` moved on the days the story developed
(issue #19 item 3) and only then; the feed's ``id`` the same under every host name (RFC 4287
4.2.6.1: relocated, an Atom document keeps its id).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest

from digest.cli import main
from digest.config import load_config
from tests.support.config import make_config
from tests.support.web import site
from tests.test_json_schema import replay_week
from tests.test_timeline import TUE

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: RFC 3339's date-time, as RFC 4287 3.3 takes it (an uppercase T and Z).
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
#: RFC 4151's tag URI: tag:authority,date:specific.
TAG = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]+")
DAYS = range(5)  # Tuesday 10 to Saturday 14 November 2026


@dataclass
class Fetched:
    day: int
    host: str
    body: bytes

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.body)


def _time(text: str | None) -> datetime:
    assert text is not None and RFC3339.fullmatch(text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _one(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.findall(A + tag)
    assert len(found) == 1, (tag, len(found))
    return found[0]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> list[Fetched]:
    """The week replayed a day at a time (each day's arrivals, then its feed), the feed fetched
    at 20:00 on each day as 127.0.0.1 and as localhost (the Host header a reader's URL gives):
    what a reader polling every evening got."""
    where = tmp_path_factory.mktemp("atom")
    path = make_config(where, timezone="Europe/London", write=True).config_path
    assert path is not None
    cfg = load_config(path)
    rows = replay_week()
    out, replayed = [], 0
    for day in DAYS:
        evening = TUE + timedelta(days=day, hours=20)
        data = where / f"day{day}.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in rows
                                if evening - timedelta(days=1) <= _time(r.get("arrived", r["published"])) < evening),
                        encoding="utf-8")
        assert main(["replay", str(data), "--config", str(path)]) == 0
        replayed += len(data.read_text(encoding="utf-8").splitlines())
        with site(cfg, clock=lambda evening=evening: evening) as s:
            port = s.url.rsplit(":", 1)[1]
            for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
                r = s.get("/feed.atom", headers={"Host": host})
                assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
                out.append(Fetched(day, host, r.content))
    assert replayed == len(rows)
    return out


def test_every_days_feed_keeps_rfc_4287s_musts(feeds: list[Fetched]) -> None:
    for f in feeds:
        parsed = feedparser.parse(f.body)
        assert parsed.bozo == 0, (f.day, parsed.get("bozo_exception"))
        root = f.root
        assert root.tag == A + "feed" and root.get(XML_LANG) == "en"
        assert _one(root, "id").text and _one(root, "title").text
        updated = _time(_one(root, "updated").text)
        assert root.findall(A + "author")  # the feed's, so no entry needs one (4.1.1)
        [self_link] = [ln for ln in root.findall(A + "link") if ln.get("rel") == "self"]
        assert self_link.get("href") == f"http://{f.host}/feed.atom"
        entries = root.findall(A + "entry")
        assert entries
        ids = [_one(e, "id").text for e in entries]
        assert len(set(ids)) == len(ids) and all(TAG.fullmatch(i or "") for i in ids), ids
        times = []
        for e in entries:
            assert (_one(e, "title").text or "").strip()
            times.append(_time(_one(e, "updated").text))
            for published in e.findall(A + "published"):
                assert _time(published.text) <= times[-1]
            links = e.findall(A + "link")
            alternates = [(ln.get("type"), ln.get("hreflang")) for ln in links if ln.get("rel", "alternate") == "alternate"]
            assert len(alternates) == len(set(alternates)) >= 1  # one per type and language (4.1.1)
            content = _one(e, "content")
            assert content.get("type") == "html"
            hrefs = [ln.get("href") or "" for ln in links]
            hrefs += [str(h) for h in lxml.html.fragment_fromstring(content.text or "", create_parent=True).xpath("//@href")]
            for href in hrefs:
                assert urlsplit(href).scheme in ("http", "https") and urlsplit(href).netloc, href
        assert updated == max(times)  # the feed changed when its newest entry did


def test_a_storys_entry_id_is_the_same_every_day_and_under_every_host(feeds: list[Fetched]) -> None:
    by_title: dict[str, set[str]] = {}
    for f in feeds:
        for e in f.root.findall(A + "entry"):
            link = next(ln.get("href") or "" for ln in e.findall(A + "link") if ln.get("rel") == "related")
            by_title.setdefault(link.rsplit("/", 1)[1], set()).add(_one(e, "id").text or "")
    assert len(by_title) == 3 and all(len(ids) == 1 for ids in by_title.values()), by_title


def test_the_feeds_id_is_the_same_under_every_host(feeds: list[Fetched]) -> None:
    """A reader who subscribed as localhost and one as 127.0.0.1 read one feed: its ``id`` was
    the URL the request named, two ids for one document."""
    ids = {_one(f.root, "id").text for f in feeds}
    assert len(ids) == 1, ids
    [feed_id] = ids
    assert feed_id and re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", feed_id)


def test_a_developing_storys_entry_is_updated_on_the_days_it_develops_only(feeds: list[Fetched]) -> None:
    """The quake: new on Tuesday, a wire's copy on Wednesday (no news: not updated), followed
    up on Thursday and Friday, its report updated in place on Saturday: each a newer
    ``updated``, the entry the same and first in the feed."""
    quake: list[tuple[str, datetime, datetime]] = []
    first: list[bool] = []
    for f in feeds:
        if f.host.startswith("127."):
            entries = f.root.findall(A + "entry")
            e = next(e for e in entries if "Taranaki" in (_one(e, "title").text or ""))
            quake.append((_one(e, "id").text or "", _time(_one(e, "published").text), _time(_one(e, "updated").text)))
            first.append(e is entries[0])
    assert len({q[0] for q in quake}) == 1 and len({q[1] for q in quake}) == 1  # one entry, first published once
    updated = [q[2] for q in quake]
    assert updated[1] == updated[0]  # Wednesday: only a copy arrived
    assert updated[0] < updated[2] < updated[3] < updated[4], updated
    assert [u.date() for u in updated] == [(TUE + timedelta(days=d)).date() for d in (0, 0, 2, 3, 4)]
    assert first[2:] == [True, True, True]  # the newest news first
