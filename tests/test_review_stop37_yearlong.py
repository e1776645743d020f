"""A store after long daily use, as its reader meets it (stop 37 review: yearlong).

A small generated history stands in for a year: its days span several months, so what
the archive does with many months shows with a few days in each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.html

from digest.records import Article
from digest.service.webpages import INDEX_RECENT
from digest.store.base import NewArticle, open_store
from tests.support.config import MakeConfig
from tests.support.web import active, hrefs, site

#: The history's days: one story on each, INDEX_RECENT + 15 days over four months.
FIRST = date(2026, 1, 20)
DAYS = [FIRST + timedelta(days=3 * i) for i in range(INDEX_RECENT + 15)]


def _history(make_config: MakeConfig, tmp_path: Path) -> object:
    """A configuration whose store holds one story a day (its article arriving at noon) on
    each of :data:`DAYS`, the last of them being today."""
    now = datetime.combine(DAYS[-1], datetime.min.time(), UTC) + timedelta(hours=20)
    cfg = make_config(tmp_path, timezone="UTC", clock=now.isoformat())
    with open_store(cfg.database_url) as store:
        for d in DAYS:
            when = datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=12)
            key = f"a{d.isoformat()}"
            art = Article(key=key, source="Daily Post", title=f"News of {d.isoformat()}",
                          text=f"What happened on {d.isoformat()} in the town.", url=f"https://post.example/{key}",
                          published=when, fetched=when)  # fmt: skip
            store.add_articles([NewArticle(art, b"fp", key, 0.9)], leads={key: key})
            store.record_digest(d.isoformat(), "html", None, 1)  # as `digest run` records it
    return cfg


def _listed(page: str) -> dict[str, int]:
    doc = lxml.html.document_fromstring(page)
    return {li.find("a").get("href"): int(li.text_content().rsplit("·", 1)[1].split()[0])
            for li in doc.xpath("//ul[@class='days']/li")}  # fmt: skip


def test_index_of_many_months_lists_the_recent_days_by_month_and_links_each_month(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    """The index counted every day of the archive on each rendering (a year: 365 views, 12 s
    on the year of the stop 37 review) in one list of 365 lines.  Now it lists the newest
    INDEX_RECENT days under their months' headings, then every month as a link to its page,
    which lists its days with their counts as the index did."""
    cfg = _history(make_config, tmp_path)
    with site(cfg) as s:
        r = s.get("/")
        assert r.status_code == 200 and active(r.text) == []
        listed = _listed(r.text)
        newest = sorted(DAYS, reverse=True)[:INDEX_RECENT]
        assert list(listed) == [f"/day/{d.isoformat()}" for d in newest]
        assert set(listed.values()) == {1}
        doc = lxml.html.document_fromstring(r.text)
        headings = [" ".join(h.text_content().split()) for h in doc.xpath("//h2")]
        shown_months = list(dict.fromkeys(d.strftime("%B %Y") for d in newest))
        assert len(shown_months) > 1 and headings[: len(shown_months)] == shown_months
        months = sorted({(d.year, d.month) for d in DAYS}, reverse=True)
        month_links = [h for h in hrefs(r.text) if h.startswith("/month/")]
        assert month_links == [f"/month/{y:04d}-{m:02d}" for y, m in months]
        assert "46 days" in " ".join(doc.text_content().split())
        for y, m in months:  # each month's page: its days, newest first, counted as their pages
            page = s.get(f"/month/{y:04d}-{m:02d}")
            assert page.status_code == 200 and active(page.text) == []
            in_month = sorted((d for d in DAYS if (d.year, d.month) == (y, m)), reverse=True)
            assert _listed(page.text) == {f"/day/{d.isoformat()}": 1 for d in in_month}
        assert s.get("/month/2025-02").status_code == 404  # no day of the archive in it
        assert s.get("/month/2026-13").status_code == 404
