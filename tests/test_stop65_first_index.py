"""The first index of a store never served counts its days by a count's view (stop 65).

Its 31 days were counted by their whole views: each developing story's earlier versions read
for its line of what is new (``reading.read_of``, half the time), each story read by two
statements and each source's first read by two (on PostgreSQL a round trip each: 5,133 for a
year-old store's index).  A count's view (``view.build_view(lines=False)``) has no line of what
is new, reads what the earlier versions said only where a copy's test needs it, and a day's
view reads its stories and its sources' first reads at once: the same counts, the same page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.config import Config
from digest.output import news, view
from digest.output.digests import archive_view
from digest.records import ALSO_REPORTED, Article
from digest.service.daycounts import Count, DayCounts
from digest.service.webpages import Pages
from digest.store.base import NewArticle, Store, open_store
from tests.support.config import MakeConfig
from tests.support.services import pg_schema

DAY1, DAY2 = date(2026, 3, 9), date(2026, 3, 10)
FERRY = ("The ferry Aurora ran aground off the harbour mouth on Monday evening with 300 passengers aboard. "
         "Coastguard crews stood by through the night as the tide fell.")  # fmt: skip
REFLOAT = ("Tugs refloated the ferry Aurora at high tide on Tuesday morning, the operator said. "
           "All 300 passengers were taken ashore by launch before the attempt.")  # fmt: skip
BUDGET = ("The council passed its budget for the coming year on Monday night after a long debate. "
          "Rates will rise by four percent from July.")  # fmt: skip


def _article(key: str, source: str, title: str, d: date, hour: int, text: str) -> Article:
    when = datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=hour)
    return Article(key=key, source=source, title=title, text=text, url=f"https://{key}.example/a",
                   published=when, fetched=when)  # fmt: skip


#: Day 1: a ferry aground and a council's budget.  Day 2: the ferry refloated (developing, its
#: headline news: no earlier text need be read to count it), the budget's report copied by another
#: outlet (its headline says nothing new: a copy, "also reported", its earlier text read), and
#: two new stories of sources not seen before.
ITEMS = [
    ("f1", "Coast News", "Ferry Aurora runs aground off harbour", DAY1, 18, FERRY, "ferry"),
    ("b1", "Council Weekly", "Council passes budget with rates rise", DAY1, 20, BUDGET, "budget"),
    ("f2", "Valley Wire", "Tugs refloat stranded ferry at high tide", DAY2, 9, REFLOAT, "ferry"),
    ("b2", "Hill Post", "Council passes budget with rates rise", DAY2, 10, BUDGET, "budget"),
    ("n1", "Bay Times", "Lifeboat crew honoured for night rescue", DAY2, 11,
     "The lifeboat crew that saved four fishermen last winter was honoured at a ceremony on Tuesday.", "lifeboat"),
    ("n2", "Hill Post", "School roof repairs finished early", DAY2, 12,
     "Repairs to the roof of the primary school were finished two weeks early, the board said on Tuesday.", "school"),
]  # fmt: skip


def _filled(make_config: MakeConfig, tmp_path: Path, url: str) -> Config:
    now = datetime.combine(DAY2, datetime.min.time(), UTC) + timedelta(days=1, hours=7)
    cfg = make_config(tmp_path, timezone="UTC", clock=now.isoformat(), database=url)
    with open_store(cfg.database_url) as store:
        for key, source, title, d, hour, text, sid in ITEMS:
            store.add_articles([NewArticle(_article(key, source, title, d, hour, text), b"fp", sid, 0.9)],
                               leads={sid: f"{sid[0]}1" if sid in ("ferry", "budget") else key})  # fmt: skip
        for d in (DAY1, DAY2):
            store.record_digest(d.isoformat(), "html", None, 2)
    return cfg


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with pg_schema() if request.param == "postgresql" else nullcontext(str(tmp_path / "s.sqlite3")) as url:
        yield url


def test_a_days_view_reads_its_stories_and_its_sources_first_reads_at_once(
    make_config: MakeConfig, tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _filled(make_config, tmp_path, store_url)
    ids = {sid for *_, sid in ITEMS}
    with open_store(cfg.database_url) as store:
        run = type(store)._run
        asked: list[str] = []  # the statements naming a story or a source's first read

        def counted(self: Any, sql: str, params: Any = (), *a: Any, **k: Any) -> Any:
            said = [str(p) for p in params]
            if any(p in ids or "first_read" in p or any(f"'{i}'" in p for i in ids) for p in said):
                asked.append(sql)
            return run(self, sql, params, *a, **k)

        monkeypatch.setattr(type(store), "_run", counted)
        statements: dict[date, int] = {}
        for d in (DAY1, DAY2):
            asked.clear()
            shown = archive_view(store, cfg, d)
            statements[d] = len(asked)
        assert len(shown.stories) == 4
    # two stories and two sources on day 1, four and five on day 2: the stories read in two
    # statements, the sources' first reads in one (before: two a story, and two a source a new
    # story of the day asks of: 12 on day 2)
    assert statements == {DAY1: 3, DAY2: 3}


class _WholeViews(DayCounts):
    """The day counts of before stop 65: each day counted by its whole view."""

    def _built(self, store: Any, day: date, version: Any, *, lines: bool) -> Any:
        return super()._built(store, day, version, lines=True)


def _index(cfg: Config, *, whole: bool) -> bytes:
    pages = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)
    if whole:
        pages.counts = _WholeViews(cfg)
    pages.counts.load = lambda *a, **k: None  # type: ignore[method-assign]
    pages.counts.save = lambda *a, **k: None  # type: ignore[method-assign]
    with open_store(cfg.database_url) as store:
        return pages.index(store, "/").body


def _reading(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The earlier versions (keys) each ``read_of`` of a day's view reads."""
    calls: list[list[str]] = []
    real = view.read_of

    def read_of(earlier: Any) -> Any:
        earlier = list(earlier)
        calls.append([v.key for v in earlier])
        return real(earlier)

    monkeypatch.setattr(view, "read_of", read_of)
    monkeypatch.setattr(news, "read_of", read_of)
    return calls


def _count(store: Store, cfg: Config, *, lines: bool) -> Count:
    return Count.of(archive_view(store, cfg, DAY2, lines=lines))


def test_a_count_view_counts_as_the_whole_view_and_reads_no_text_a_headline_tells(
    make_config: MakeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _filled(make_config, tmp_path, str(tmp_path / "s.sqlite3"))
    calls = _reading(monkeypatch)
    with open_store(cfg.database_url) as store:
        whole = archive_view(store, cfg, DAY2)
        read_whole = [k for c in calls for k in c]
        calls.clear()
        assert _count(store, cfg, lines=False) == Count.of(whole) == Count(3)
    statuses = {s.story_id: s.status for s in whole.stories}
    assert statuses == {"ferry": "developing", "budget": ALSO_REPORTED, "lifeboat": "new", "school": "new"}
    assert "f1" in read_whole and "b1" in read_whole  # the ferry's line of what is new, the copy's test
    assert [k for c in calls for k in c] == ["b1"]  # the copy's test alone
    assert _index(cfg, whole=False) == _index(cfg, whole=True)


def test_a_server_started_again_checks_its_days_stories_and_first_reads_in_one_read_each(
    make_config: MakeConfig, tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _filled(make_config, tmp_path, store_url)

    def index() -> tuple[bytes, DayCounts]:
        pages = Pages(cfg, feed_days=7, index_days=60, feed_max=100, clock=cfg.now)
        with open_store(cfg.database_url) as store:
            return pages.index(store, "/").body, pages.counts

    first, _ = index()  # its days counted and written to the store
    with open_store(cfg.database_url) as store:
        kind = type(store)
    calls: list[str] = []
    for name in ("stories_read", "metas_read"):
        real = getattr(kind, name)
        monkeypatch.setattr(kind, name, lambda self, arg, _real=real, _n=name: calls.append(_n) or _real(self, arg))
    again, counts = index()  # a server started again: its two days checked by their reads
    assert again == first and (counts.built, counts.checked) == (0, 2)
    # each read of the two days' views answered from one query of the ids and keys of both
    # (before: the days' own reads again, a day at a time)
    assert sorted(calls) == ["metas_read", "stories_read"]
