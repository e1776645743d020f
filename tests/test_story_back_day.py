"""A story page's "Digest of ..." link goes back to the day page it was reached from, when the
story is on that day (``digest.service.webstory``); a real server on 127.0.0.1 over a real
SQLite file, pages fetched with httpx, links followed as a reader follows them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from digest.store.base import NewArticle, open_store
from tests.support.archive import NOW, article, at, fill
from tests.support.config import MakeConfig
from tests.support.web import Site, active, check_headers
from tests.support.web import site as open_site


@pytest.fixture
def site(tmp_path: Path, make_config: MakeConfig) -> Iterator[Site]:
    """The test archive (``fill``) with its council story developing: first read on 13 March,
    a new version on the 14th (so on both days' pages)."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Test archive")
    with open_store(cfg.database_url) as store:
        fill(store)
        later = article("c2", "Valley Wire", "Council budget: mayor signs it", "https://valley.example/c2",
                        at(14, 16), "The mayor signed the budget on Saturday.")
        store.add_articles([NewArticle(later, b"fp", "council", 0.8)])
    with open_site(cfg, clock=lambda: NOW) as s:
        yield s


def _permalink(s: Site, day: str, story: str) -> str:
    """The href of the story's permalink on the day's page."""
    doc = lxml.html.document_fromstring(s.get(f"/day/{day}").text)
    [href] = {str(h) for h in doc.xpath("//a[contains(@class, 'permalink')]/@href") if str(h).startswith(f"/story/{story}")}
    return href


def _back(s: Site, href: str, **headers: str) -> tuple[str, str | None, int]:
    """The day the story page's navigation links (its "Digest of ..."), its ETag, its status."""
    r = s.get(href, headers=headers)
    if r.status_code == 304:
        return "", r.headers.get("ETag"), 304
    assert r.status_code == 200, (href, r.status_code)
    check_headers(r)
    assert active(r.text) == []
    doc = lxml.html.document_fromstring(r.text)
    [link] = [a for a in doc.xpath("//nav[@aria-label='Archive']/a") if a.text_content().startswith("Digest of")]
    return str(link.get("href")), r.headers.get("ETag"), 200


def test_a_developing_story_goes_back_to_the_day_it_was_reached_from(site: Site) -> None:
    """Reached from the 14th's page, the council story's link went back to the 13th (its first)."""
    for day in ("2026-03-13", "2026-03-14"):
        href = _permalink(site, day, "council")
        assert href == f"/story/council?day={day}"
        assert _back(site, href)[0] == f"/day/{day}"
    # a story of one day: its day, as before
    assert _back(site, _permalink(site, "2026-03-14", "quake"))[0] == "/day/2026-03-14"


@pytest.mark.parametrize("asked", [
    "", "?day=", "?day=2026-03-12",  # a day of no digest
    "?day=2026-01-02",  # a day of the archive the story is not on
    "?day=2026-02-30", "?day=9999-12-31", "?day=0001-01-01", "?day=20260314", "?day=2026-3-14",
    "?day=+2026-03-14", "?day=2026-03-14%00", "?day=2026-03-14T00:00", "?day=%3Cscript%3E",
    "?day=" + "9" * 5000,
])  # fmt: skip
def test_a_day_the_story_is_not_on_or_no_day_goes_back_to_its_first(site: Site, asked: str) -> None:
    assert _back(site, "/story/council" + asked)[0] == "/day/2026-03-13"


def test_a_one_day_story_asked_with_another_day_goes_to_its_own(site: Site) -> None:
    """The quake is on the 14th's page only: the 13th (a day of the archive) is not linked."""
    assert _back(site, "/story/quake?day=2026-03-13")[0] == "/day/2026-03-14"


def test_each_day_is_its_own_cached_page_and_validators(site: Site) -> None:
    """The page cache keys a story by the day it was reached from: a page cached for one day is
    not served (nor answered 304) for another."""
    first, tag13, _ = _back(site, "/story/council?day=2026-03-13")
    second, tag14, _ = _back(site, "/story/council?day=2026-03-14")
    assert (first, second) == ("/day/2026-03-13", "/day/2026-03-14") and tag13 and tag14 and tag13 != tag14
    assert _back(site, "/story/council?day=2026-03-13")[0] == "/day/2026-03-13"  # from the cache
    assert _back(site, "/story/council?day=2026-03-14", **{"If-None-Match": tag14})[2] == 304
    assert _back(site, "/story/council?day=2026-03-13", **{"If-None-Match": tag14})[:3:2] == ("/day/2026-03-13", 200)
    # a day it is not on is the first day's page, the same bytes as no day at all
    assert _back(site, "/story/council")[1] == _back(site, "/story/council?day=2026-01-02")[1] == tag13
