"""A store a year old (stop 61, ``benchmarks/year_store.py``): what its reader waits for.

The archive's index counts its newest 31 days (a day's whole view each, ~2 s at 150 articles
a day) and the month page it links to counted most of them again; and every view read each
version's timestamps through ``strptime``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from digest.config import Config
from digest.records import Article
from digest.service import daycounts
from digest.store import base
from digest.store.base import NewArticle, open_store, parse_ts, ts
from tests.support.config import MakeConfig
from tests.support.web import site

#: Twelve days of one month, two stories a day; the last is today.
DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(12)]


def _add(cfg: Config, d: date, n: int) -> None:
    when = datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=9 + n)
    key = f"a{d.isoformat()}-{n}"
    art = Article(key=key, source="Daily Post", title=f"Story {n} of {d.isoformat()} about the {'harbour ferry'.split()[n % 2]}",
                  text=f"What happened on {d.isoformat()} in the town, the {n}th report of it.",
                  url=f"https://post.example/{key}", published=when, fetched=when)  # fmt: skip
    with open_store(cfg.database_url) as store:
        store.add_articles([NewArticle(art, b"fp", key, 0.9)], leads={key: key})


def _history(make_config: MakeConfig, tmp_path: Path) -> Config:
    now = datetime.combine(DAYS[-1], datetime.min.time(), UTC) + timedelta(hours=20)
    cfg = make_config(tmp_path, timezone="UTC", clock=now.isoformat())
    for d in DAYS:
        for n in range(2):
            _add(cfg, d, n)
        with open_store(cfg.database_url) as store:
            store.record_digest(d.isoformat(), "html", None, 2)
    return cfg


def _listed(page: str) -> dict[str, int]:
    doc = lxml.html.document_fromstring(page)
    return {li.find("a").get("href"): int(li.text_content().rsplit("·", 1)[1].split()[0])
            for li in doc.xpath("//ul[@class='days']/li")}  # fmt: skip


def _views_built(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """The days whose whole view the archive builds from now on, in order (a day counted
    afresh: ``digest.service.daycounts.build_view``)."""
    built: list[date] = []
    view_of = daycounts.build_view

    def counting(store: object, c: Config, d: date, **kw: object) -> object:
        built.append(d)
        return view_of(store, c, d, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(daycounts, "build_view", counting)
    return built


def test_the_month_page_after_the_index_takes_the_days_counted_until_the_store_changes(
    make_config: MakeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index counted each of its days with the day's whole view, and the month page it
    links to (the same days, mostly) built each view again.  Now the counts made at one
    version of the store (the server's change marker, the day) are taken again by the month
    and the index (and a day page's view is counted too); a change to the store counts
    afresh the days it changed (stop 62: ``daycounts``): the counts are those of the store
    as it is."""
    cfg = _history(make_config, tmp_path)
    built = _views_built(monkeypatch)
    month = "/month/2026-03"
    with site(cfg) as s:
        index = s.get("/")
        assert index.status_code == 200
        assert _listed(index.text) == {f"/day/{d.isoformat()}": 2 for d in reversed(DAYS)}
        assert sorted(built) == DAYS  # each day counted once
        built.clear()
        page = s.get(month)
        assert page.status_code == 200 and _listed(page.text) == _listed(index.text)
        assert built == []  # the index's counts, taken again
        day = s.get(f"/day/{DAYS[3].isoformat()}")
        assert day.status_code == 200 and built == [DAYS[3]]  # the day page builds its own view
        built.clear()
        _add(cfg, DAYS[3], 2)  # the store changes: a third story that day
        listed = _listed(s.get(month).text)
        assert listed[f"/day/{DAYS[3].isoformat()}"] == 3
        # the day changed counted afresh; the others' reads answer as before (stop 62: kept)
        assert set(listed.values()) == {2, 3} and built == [DAYS[3]]
        built.clear()
        s.get(f"/day/{DAYS[5].isoformat()}")  # a day page's count is the index's
        assert built == [DAYS[5]]
        built.clear()
        assert _listed(s.get("/").text) == listed and built == []


def test_a_stored_timestamp_is_read_without_strptime_and_other_text_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A day's view reads a timestamp of each version it looks at (~25,000 for the index),
    each through ``strptime`` (13% of the index's time).  The store's own shape is now read by
    ``datetime.fromisoformat``: the same datetime; anything else is ``strptime``'s, refused
    as it was."""
    values = [datetime(2026, 3, 29, 1, 30, 5, 123456, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC),
              datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)]  # fmt: skip
    odd = ["2026-03-29T01:30:05.12345Z", "2026-03-29 01:30:05.123456Z", "2026-03-29T01:30:05.123456+00:00",
           "2026-02-30T01:30:05.123456Z", "2026-03-29T24:00:00.000000Z", "2026-03-29T01:30:05.12345xZ",
           "２０２６-03-29T01:30:05.123456Z", "2026-03-29"]  # fmt: skip
    before = {}
    for text in odd:  # as strptime reads them (the store never writes them)
        try:
            before[text] = base.datetime.strptime(text, base._TS_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            before[text] = None

    class NoStrptime(datetime):
        @classmethod
        def strptime(cls, *args: object) -> datetime:  # type: ignore[override]
            raise AssertionError("strptime")

    monkeypatch.setattr(base, "datetime", NoStrptime)
    for v in values:
        got = parse_ts(ts(v))
        assert got == v and got is not None and got.utcoffset() == timedelta(0) and got.tzinfo is UTC
    monkeypatch.undo()
    for text, was in before.items():
        if was is None:
            with pytest.raises(ValueError):
                parse_ts(text)
        else:
            assert parse_ts(text) == was
