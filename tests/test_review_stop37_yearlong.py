"""A store after long daily use, as its reader meets it (stop 37 review: yearlong).

A small generated history stands in for a year: its days span several months, so what
the archive does with many months shows with a few days in each."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest

from digest.app import App, open_app
from digest.cli import main
from digest.config import Config, load_config
from digest.errors import ConfigError
from digest.records import Article
from digest.retention import prune
from digest.service.daemon import Daemon
from digest.service.replay import replay
from digest.service.webpages import INDEX_RECENT
from digest.store import prune as sql
from digest.store.base import NewArticle, open_store
from tests.support.config import MakeConfig
from tests.support.web import active, hrefs, site

#: The history's days: one story on each, INDEX_RECENT + 15 days over four months.
FIRST = date(2026, 1, 20)
DAYS = [FIRST + timedelta(days=3 * i) for i in range(INDEX_RECENT + 15)]


def _history(make_config: MakeConfig, tmp_path: Path) -> Config:
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


def _month_href(year: int, month: int) -> str:
    return f"/month/{year:04d}-{month:02d}"


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
        assert month_links == [_month_href(y, m) for y, m in months]
        assert "46 days" in " ".join(doc.text_content().split())
        for y, m in months:  # each month's page: its days, newest first, counted as their pages
            page = s.get(_month_href(y, m))
            assert page.status_code == 200 and active(page.text) == []
            in_month = sorted((d for d in DAYS if (d.year, d.month) == (y, m)), reverse=True)
            assert _listed(page.text) == {f"/day/{d.isoformat()}": 1 for d in in_month}
            doc = lxml.html.document_fromstring(page.text)
            assert [" ".join(h.text_content().split()) for h in doc.xpath("//h1|//h2")] == [
                date(y, m, 1).strftime("%B %Y")]  # the month once
            at = months.index((y, m))
            near = {a.get("rel"): a.get("href") for a in doc.xpath("//nav[@class='months'][1]/a")}
            assert near == {**({"next": _month_href(*months[at - 1])} if at else {}),
                            **({"prev": _month_href(*months[at + 1])} if at + 1 < len(months) else {})}
        assert s.get("/month/2025-02").status_code == 404  # no day of the archive in it
        assert s.get("/month/2026-13").status_code == 404


# -- pruning -----------------------------------------------------------------------
#: The pruning history: DAYS_RUN days from START, two stories a day each told by two
#: outlets, and one story told again every day (it develops: kept whole while it does).
START = datetime(2026, 3, 1, tzinfo=UTC)
DAYS_RUN = 12
_VOCAB = ("harbour council river bridge court school market strike flood budget ferry museum "
          "tunnel orchard airport library stadium hospital railway quarry festival reservoir "
          "lighthouse vineyard glacier canal brewery monastery observatory").split()


def _story_text(day: int, n: int) -> tuple[str, str]:
    """A story of its own words: names no other story has, and a subject from the vocabulary."""
    rng = random.Random(day * 10 + n)
    subject = rng.choice(_VOCAB)
    name = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4)).capitalize()
    place = "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)).capitalize()
    lines = [f"{name} said the {subject} in {place} would close after {3 + day + n} inspections failed.",
             f"Officials in {place} met {name} on the {subject} site to count the damage.",
             f"The {subject} had stood in {place} since {1900 + day * 7 + n}, {name} told reporters.",
             f"Residents of {place} asked {name} when the {subject} would open again."]  # fmt: skip
    return f"{place} {subject} to close, {name} says", " ".join(lines)


def _records() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    saga = "The Velmora dam inquiry heard evidence from engineers about the cracked spillway."
    for day in range(DAYS_RUN):
        base = (START + timedelta(days=day)).timestamp()
        for n in range(2):
            title, text = _story_text(day, n)
            for o, outlet in enumerate(("Coast News", "Valley Wire")):
                words = text.split(". ")
                body = ". ".join(words if o == 0 else [*words[1:], words[0]])
                at = base + 3600 * (8 + 3 * n + o)
                rows.append({"id": f"d{day}s{n}o{o}", "title": title, "text": body, "source": outlet,
                             "url": f"https://{outlet.split()[0].lower()}.example/{day}/{n}",
                             "published": at, "arrived": at + 600})  # fmt: skip
        saga += f" On day {day + 1} the inquiry heard from witness number {day + 1} about the dam."
        at = base + 3600 * 16
        rows.append({"id": f"saga{day}", "title": "Velmora dam inquiry", "text": saga, "source": "Dam Watch",
                     "url": f"https://dam.example/{day}", "published": at, "arrived": at + 600})  # fmt: skip
    return rows


#: The moment the history is looked at: the evening of its last day.
NOW = START + timedelta(days=DAYS_RUN - 1, hours=22)


def _pruning_history(make_config: MakeConfig, tmp_path: Path, **settings: object) -> tuple[Config, Path]:

    settings = {"clock": NOW.isoformat(), **settings}
    cfg = make_config(tmp_path, write=True, timezone="UTC", extra="dedup:\n  window_days: 1\n",
                      **{k: v for k, v in settings.items() if v is not None})
    feed = tmp_path / "history.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    assert main(["replay", "--config", str(cfg.config_path), str(feed)]) == 0
    return cfg, feed


def _stories(cfg: Config) -> dict[str, list[tuple[str, str]]]:
    """Every story: its versions (key, arrival), as the store holds them."""
    with open_store(cfg.database_url) as store:
        rows = store.db.execute("SELECT story_id, key, fetched FROM articles ORDER BY story_id, key").fetchall()  # type: ignore[attr-defined]
    out: dict[str, list[tuple[str, str]]] = {}
    for sid, key, fetched in rows:
        out.setdefault(sid, []).append((key, fetched))
    return out


def _content(page: str) -> str:
    """A day page without its links to the days before and after."""
    doc = lxml.html.document_fromstring(page)
    for nav in doc.xpath("//nav[@class='days']"):
        nav.getparent().remove(nav)
    return str(lxml.html.tostring(doc, encoding="unicode"))


def test_prune_removes_old_stories_whole_and_keeps_the_kept_days_as_they_were(
    make_config: MakeConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing ever left the store (0.75 MB a day at 100 articles a day).  ``digest prune
    --keep-days N`` removes the stories whose every version is older than the N days kept,
    whole; a story still developing in them keeps its old versions; the kept days' pages,
    story pages and search are as they were; the pruned days leave the archive; an entry
    pruned, read again, is not new."""

    cfg, _ = _pruning_history(make_config, tmp_path)
    config = str(cfg.config_path)
    before = _stories(cfg)
    keep = 5  # two windows of 1 day and 3 more: the fewest allowed
    first_kept = (START + timedelta(days=DAYS_RUN - keep)).date()
    cut = (datetime.combine(first_kept, datetime.min.time(), UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    kept_days = [first_kept + timedelta(days=i) for i in range(keep)]
    with site(cfg) as s:
        pages = {d: _content(s.get(f"/day/{d.isoformat()}").text) for d in kept_days}
        kept_ids = [sid for sid, vs in before.items() if max(f for _, f in vs) >= cut]
        story_pages = {sid: s.get(f"/story/{sid}").text for sid in kept_ids}
        found = s.get("/search?q=Velmora").text
    old_ids = {sid for sid, vs in before.items() if max(f for _, f in vs) < cut}
    developing = [sid for sid in kept_ids if min(f for _, f in before[sid]) < cut]
    assert old_ids and developing  # the history has both: stories wholly old, one still developing

    assert main(["prune", "--config", config, "--keep-days", "4"]) == 2  # fewer than the engine reads
    assert "the dedup engine reads the last 5" in capsys.readouterr().err
    assert main(["prune", "--config", config, "--keep-days", str(keep), "--dry-run"]) == 0
    assert _stories(cfg) == before
    said = capsys.readouterr().out
    assert said.startswith(f"would remove {len(old_ids)} stories ")
    assert main(["prune", "--config", config, "--keep-days", str(keep)]) == 0
    assert capsys.readouterr().out.startswith(f"removed {len(old_ids)} stories ")

    after = _stories(cfg)
    assert after == {sid: vs for sid, vs in before.items() if sid not in old_ids}  # whole, or not at all
    with site(cfg) as s:
        assert {d: _content(s.get(f"/day/{d.isoformat()}").text) for d in kept_days} == pages
        first_page = s.get(f"/day/{first_kept.isoformat()}").text
        assert [a.get("rel") for a in lxml.html.document_fromstring(first_page).xpath("//nav[@class='days']/a")] == [
            "next", "next"]  # the day before it is gone
        assert {sid: s.get(f"/story/{sid}").text for sid in kept_ids} == story_pages
        assert s.get("/search?q=Velmora").text == found
        gone = s.get(f"/day/{(first_kept - timedelta(days=2)).isoformat()}")
        assert gone.status_code == 410 and f"keeps the days from {first_kept.isoformat()} on" in gone.text
        for sid in old_ids:  # a permalink in an old mail: gone, and said so
            r = s.get(f"/story/{sid}")
            assert r.status_code == 410 and "This story was pruned" in r.text, sid
        assert s.get("/story/never-was").status_code == 404
        assert [h for h in hrefs(s.get("/").text) if h.startswith("/day/")] == [
            f"/day/{d.isoformat()}" for d in reversed(kept_days)]

    gone = sorted(old_ids)[0]
    assert main(["explain", "--config", config, gone]) == 2
    assert f"{gone}: pruned: the store keeps the days from {first_kept.isoformat()} on" in capsys.readouterr().err

    # an old day's files are not replaced by what is left of it (the developing story)
    old_day = first_kept - timedelta(days=3)
    html = cfg.output_dir / f"digest-{old_day.isoformat()}.html"
    written = html.read_bytes()
    assert main(["build", "--config", config, "--date", old_day.isoformat()]) == 2
    assert f"{old_day.isoformat()} was pruned: the store keeps the days from {first_kept.isoformat()} on" in (
        capsys.readouterr().err)
    assert html.read_bytes() == written

    # the first day's entries, read again today (a feed that keeps its items): nothing new
    again = [r for r in _records() if str(r["id"]).startswith("d0")]
    now = START + timedelta(days=DAYS_RUN - 1, hours=21)
    for r in again:
        r["arrived"] = now.timestamp()
    with App(cfg, open_store(cfg.database_url)) as app:
        report = replay(app, again)
    assert report.articles == len(again) and report.new_articles == 0
    assert _stories(cfg) == after
    assert main(["prune", "--config", config, "--keep-days", str(keep)]) == 0
    assert capsys.readouterr().out.startswith("nothing to prune")


def test_the_daemon_prunes_after_the_digest_when_keep_days_is_set(make_config: MakeConfig, tmp_path: Path) -> None:
    """``keep_days:`` in the configuration: the daemon prunes once a day, after the digest,
    as ``digest prune`` does (a daily user sets it once)."""

    cfg, _ = _pruning_history(make_config, tmp_path, clock=None, keep_days=5)  # the daemon refuses a clock
    before = _stories(cfg)
    assert cfg.config_path is not None
    with open_app(cfg.config_path) as app:
        Daemon(app, clock=lambda: NOW)._handle("digest")
    after = _stories(cfg)
    cut = (START + timedelta(days=DAYS_RUN - 5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert after and after == {sid: vs for sid, vs in before.items() if max(f for _, f in vs) >= cut}
    assert len(after) < len(before)


def test_keep_days_the_store_cannot_honour_is_a_configuration_error(tmp_path: Path) -> None:
    """Fewer days than the engine reads: refused at load, not each day.  A PostgreSQL store is
    pruned too since stop 38 (``digest.store.prune_pg``): its ``keep_days`` loads."""

    (tmp_path / "feeds.yaml").write_text("sources: []\nkeep_days: 30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keep_days: 30 is too few: the dedup engine reads the last 63"):
        load_config(tmp_path / "feeds.yaml")
    (tmp_path / "feeds.yaml").write_text(
        "sources: []\nkeep_days: 90\ndatabase: postgresql://digest@127.0.0.1/digest\n", encoding="utf-8")
    assert load_config(tmp_path / "feeds.yaml").keep_days == 90


def test_a_prune_cut_short_between_batches_leaves_the_kept_days_whole_and_the_next_one_finishes(
    make_config: MakeConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each batch of stories is one transaction: a prune killed after its first batch (here:
    that batch alone, as ``digest.retention.prune`` runs it) leaves every story whole or gone,
    the kept days as they were, the pruned ones out of the archive; the next prune finishes."""
    cfg, _ = _pruning_history(make_config, tmp_path)
    first_kept = (START + timedelta(days=DAYS_RUN - 5)).date()
    kept_days = [first_kept + timedelta(days=i) for i in range(5)]
    with site(cfg) as s:
        pages = {d: _content(s.get(f"/day/{d.isoformat()}").text) for d in kept_days}
    before = _stories(cfg)
    with open_store(cfg.database_url) as store:
        prune(store, cfg, 5, NOW, batch=1, dry_run=True)  # nothing removed
        assert _stories(cfg) == before
        cut = datetime.combine(first_kept, datetime.min.time(), UTC)
        old = sql.old_stories(store, cut)
        assert len(old) > 2
        store.set_meta("kept_from", first_kept.isoformat())  # what a prune notes first
        assert sql.drop_stories(store, [old[0][0]], cut) == (1, old[0][1])  # its first batch, then killed
    left = _stories(cfg)
    assert left == {sid: vs for sid, vs in before.items() if sid != old[0][0]}
    with site(cfg) as s:
        assert {d: _content(s.get(f"/day/{d.isoformat()}").text) for d in kept_days} == pages
        assert s.get(f"/day/{(first_kept - timedelta(days=1)).isoformat()}").status_code == 410
    assert main(["prune", "--config", str(cfg.config_path), "--keep-days", "5"]) == 0
    assert capsys.readouterr().out.startswith(f"removed {len(old) - 1} stories ")
    assert set(_stories(cfg)) == set(before) - {sid for sid, _ in old}


def test_explain_of_two_old_articles_compares_them_among_what_had_arrived_then(
    make_config: MakeConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest explain A B`` rebuilds the engine as it was when the later of the two arrived;
    it restored every article dated since then, the whole archive after it too (25 s for two
    articles of January on a year of 100 a day, 1.7 s now).  Of the first day's articles, the
    engine holds exactly what had arrived by the later one's arrival."""
    cfg, _ = _pruning_history(make_config, tmp_path)
    with open_store(cfg.database_url) as store:
        db = store.db  # type: ignore[attr-defined]
        (a, _), (b, later) = db.execute(
            "SELECT key, fetched FROM articles WHERE guid IN ('d0s0o0', 'd0s0o1') ORDER BY fetched").fetchall()  # fmt: skip
        arrived = db.execute("SELECT count(*) FROM articles WHERE fetched <= ?", (later,)).fetchone()[0]
        total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert main(["explain", "--config", str(cfg.config_path), a, b, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert arrived < total and out["engine_articles"] == arrived
    assert out["why"].startswith("same story")
