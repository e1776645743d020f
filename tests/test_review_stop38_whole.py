"""The stop-37 features read together by a daily user (stop 38 review: whole): entries updated
in place, an outlet's notice taking its report back, a report restored, rebuilding a past day,
the archive's story and month pages after a prune.  Real parts: ``digest replay`` / ``digest
run`` / ``digest build`` / ``digest prune`` through the CLI, a loopback HTTP feed, SQLite on
disk, the archive's web server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html

from digest.cli import main
from digest.config import load_config
from tests.support.config import MakeConfig
from tests.support.web import hrefs, site
from tests.test_review_stop36_corrections import story_of
from tests.test_review_stop36_developing import _at, md, replayed
from tests.test_review_stop37_hostile import Q_TEXT, Q_TITLE, REMOVED, RETRACTED, notice, quake_day0
from tests.test_review_stop37_inplace import (
    DAY1,
    REVISED_TITLE,
    Reader,
    _item,
    feed,
    quake_of,
    reader,
    revised_text,
)
from tests.test_review_stop37_yearlong import _story_text
from tests.test_timeline import TUE, digest_json, record, versions

__all__ = ["reader"]  # the fixture, used below


def rows_of(story: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, title) of each version a story lists, the lead first."""
    return [(v["source"], v["title"]) for v in versions(story)]


# -- 1. an outlet restores the report it took back ---------------------------------------------

def test_a_report_restored_in_place_after_its_removal_reads_as_restored(reader: Reader) -> None:
    """Coast News replaced its report with "This article has been removed." (read: "Coast News
    removed its report") and the next day put the report back under the same guid.  The text
    back was read as churn (it adds nothing to what the entry said before): nothing was shown,
    the story stayed "removed" for good, another outlet's version leading or the notice.  Now
    the report back is read, and the day says so."""
    reader.run(DAY1, feed())
    gone = quake_of(reader.run(DAY1 + timedelta(hours=14), feed((Q_TITLE, REMOVED))))
    assert gone["whats_new"] == "Coast News removed its report"
    doc = reader.run(DAY1 + timedelta(days=1, hours=14), feed())
    quake = quake_of(doc)
    assert (quake["status"], quake["whats_new"]) == ("developing", "Coast News restored its report")
    assert rows_of(quake) == [("Coast News", Q_TITLE)]  # listed once, as its report again
    assert Q_TEXT.split(".")[0] in quake["lead"]["text"]


def test_a_report_restored_in_place_under_its_first_date_leads_again(reader: Reader) -> None:
    """The site moved the item's date on when it replaced the text with its notice, and put
    the report back under the item's first date.  The engine orders an outlet's versions by
    their dates: the report back read as older than the notice, so taken back by it, and the
    notice kept leading under "Coast News restored its report".  A revision is dated no earlier
    than its entry's earlier versions."""
    def coast(title: str, text: str, published: datetime) -> str:
        return feed().replace(feed().split("<item>")[1].split("</item>")[0],
                              _item("quake-1", title, text, published)[len("<item>"):-len("</item>")])
    first = DAY1 - timedelta(hours=12)
    reader.run(DAY1, coast(Q_TITLE, Q_TEXT, first))
    reader.run(DAY1 + timedelta(hours=14), coast(Q_TITLE, REMOVED, DAY1 + timedelta(hours=13)))
    quake = quake_of(reader.run(DAY1 + timedelta(days=1, hours=14), coast(Q_TITLE, Q_TEXT, first)))
    assert quake["whats_new"] == "Coast News restored its report"
    assert rows_of(quake) == [("Coast News", Q_TITLE)]
    assert Q_TEXT.split(".")[0] in quake["lead"]["text"]


def test_a_report_restored_as_a_new_entry_after_a_notice_reads_as_restored(tmp_path: Path) -> None:
    """The notice was its own entry, and the outlet published its report again as a new one.
    The story was listed "also reported since, nothing new to read" (the report back is a copy
    of what was read) with the notice still listed as "removed its report" under it.  Now the
    story is developing, "Coast News restored its report", Coast News listed once."""
    back = {"id": "quake-1-back", "title": Q_TITLE, "source": "Coast News", "published": _at(2, 9), "text": Q_TEXT}
    replayed(tmp_path, [*quake_day0(), notice(REMOVED), back])
    quake = story_of(digest_json(tmp_path, "2026-11-12"), "quake-1-back")
    assert (quake["status"], quake["also_reported"]) == ("developing", False)
    assert quake["whats_new"] == "Coast News restored its report"
    rows = rows_of(quake)
    assert [s for s, _ in rows].count("Coast News") == 1 and ("Coast News", "removed its report") not in rows
    assert "**Developing**: Coast News restored its report" in md(tmp_path, "2026-11-12")


# -- 2. a past day rebuilt shows the lead it had -------------------------------------------------

def test_a_past_day_rebuilt_after_a_retraction_shows_the_lead_it_had(tmp_path: Path) -> None:
    """Coast News's report led Tuesday's quake story; on Wednesday Coast News retracted it and
    Valley Wire's version leads since.  ``digest build --date`` of Tuesday (a lost file, a
    template changed) showed Valley Wire's version as Tuesday's lead, Coast News's report under
    "Also reported by": not the day as it was.  Now the rebuilt day is the one written then."""
    cfg = replayed(tmp_path, [*quake_day0(), notice(RETRACTED)])
    then = digest_json(tmp_path, "2026-11-10")
    assert then["stories"][0]["lead"]["id"] == "quake-1"
    out = tmp_path / "rebuilt.json"
    assert main(["build", "--config", str(cfg), "--date", "2026-11-10", "-o", str(out)]) == 0
    now = json.loads(out.read_text(encoding="utf-8"))
    assert now["stories"] == then["stories"]


def test_a_past_day_rebuilt_after_an_update_in_place_shows_the_lead_it_had(tmp_path: Path) -> None:
    """The same with Coast News's report revised in place the next day (its revision leads since)."""
    first = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6))
    update = {**first, "title": REVISED_TITLE, "text": revised_text(), "arrived": _at(1, 9)}
    cfg = replayed(tmp_path, [first, record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)), update])
    then = digest_json(tmp_path, "2026-11-10")
    out = tmp_path / "rebuilt.json"
    assert main(["build", "--config", str(cfg), "--date", "2026-11-10", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["stories"] == then["stories"]


# -- 3. the archive's story page says what each version is ---------------------------------------

def _story_rows(page: str) -> list[str]:
    doc = lxml.html.document_fromstring(page)
    return [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='versions']/li")]


def test_the_story_page_says_what_each_version_is(tmp_path: Path) -> None:
    """A story page listed every stored version alike, "Coast News: <headline>": an entry's
    earlier text and its revision as two reports of the outlet, its notice as a third under the
    same headline, another outlet's word-for-word copy as a report of its own.  Each row now
    says what the version is."""
    first = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6))
    update = {**first, "title": REVISED_TITLE, "text": revised_text(), "arrived": _at(1, 9)}
    copy = {"id": "quake-copy", "title": Q_TITLE, "source": "Metro Daily", "published": _at(0, 7),
            "arrived": _at(1, 8), "text": "OPUNAKE (Metro Daily) - " + Q_TEXT}
    gone = notice(RETRACTED, title=REVISED_TITLE, published=_at(2, 9))
    cfg = replayed(tmp_path, [first, record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
                              copy, update, gone])
    sid = story_of(digest_json(tmp_path, "2026-11-12"), "quake-1-notice")["story_id"]
    with site(load_config(cfg)) as s:
        r = s.get(f"/story/{sid}")
    assert r.status_code == 200
    rows = _story_rows(r.text)
    assert len(rows) == 5, rows
    [revision] = [row for row in rows if REVISED_TITLE in row and "Coast News" in row]
    [original] = [row for row in rows if row.startswith("Coast News") and Q_TITLE in row]
    [taken] = [row for row in rows if "retracted its report" in row]
    [copied] = [row for row in rows if row.startswith("Metro Daily")]
    assert "revision" in revision and "revision" not in original, rows
    assert "notice" in taken, rows
    assert "copy" in copied, rows
    assert "retracted" in original or "taken back" in original, rows
    assert len({row.split(":", 1)[0] for row in rows}) == len(rows), rows  # no two rows alike but for the headline


# -- 4. an entry updated in place is one earlier report ------------------------------------------

def test_an_entry_updated_in_place_counts_once_among_the_earlier_reports(tmp_path: Path) -> None:
    """Coast News's report, updated in place the next day, then another outlet's follow-up:
    the follow-up's day said "2 earlier reports" of a story one entry had reported."""
    first = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6))
    update = {**first, "title": REVISED_TITLE, "text": revised_text(), "arrived": _at(1, 9)}
    follow = record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=2, hours=9))
    replayed(tmp_path, [first, update, follow])
    text = md(tmp_path, "2026-11-12")
    assert "1\xa0earlier report" in text and "2\xa0earlier reports" not in text, text


def test_a_report_taken_back_and_restored_counts_once_among_the_earlier_reports(tmp_path: Path) -> None:
    """The same for a report removed (a notice) and put back as a new entry: one report, not three."""
    back = {"id": "quake-1-back", "title": Q_TITLE, "source": "Coast News", "published": _at(2, 9), "text": Q_TEXT}
    follow = record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=3, hours=9))
    replayed(tmp_path, [*quake_day0(wire=False), notice(REMOVED), back, follow])
    text = md(tmp_path, "2026-11-13")
    assert "1\xa0earlier report" in text and "earlier reports" not in text, text


# -- 5. a month wholly pruned is gone, as its days are ---------------------------------------------

def test_a_month_wholly_pruned_answers_410_as_its_days_do(make_config: MakeConfig, tmp_path: Path) -> None:
    """After ``digest prune``, a pruned day answers 410 Gone saying from which day the archive
    keeps; the page of a month whose days were all pruned answered 404 "No digest in ...", as
    for a month that never had one (a bookmark, a link from an old mail)."""
    start = datetime(2026, 2, 22, tzinfo=UTC)
    rows = []
    for day in range(14):
        title, text = _story_text(day, 0)
        at = (start + timedelta(days=day, hours=9)).timestamp()
        rows.append({"id": f"d{day}", "title": title, "text": text, "source": "Coast News",
                     "url": f"https://coast.example/{day}", "published": at, "arrived": at + 600})
    now = start + timedelta(days=13, hours=22)
    cfg = make_config(tmp_path, write=True, timezone="UTC", clock=now.isoformat(), extra="dedup:\n  window_days: 1\n")
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["replay", "--config", str(cfg.config_path), str(history)]) == 0
    with site(cfg) as s:
        assert s.get("/month/2026-02").status_code == 200
    assert main(["prune", "--config", str(cfg.config_path), "--keep-days", "5"]) == 0
    with site(cfg) as s:
        assert s.get("/day/2026-02-25").status_code == 410
        gone = s.get("/month/2026-02")
        assert gone.status_code == 410, gone.status_code
        assert "keeps the days from 2026-03-03 on" in gone.text
        assert s.get("/month/2026-03").status_code == 200
        assert s.get("/month/2026-05").status_code == 404  # a month to come: none yet
    with site(cfg, url_prefix="/news") as s:  # behind a proxy at a path: the same, its links under it
        gone = s.get("/news/month/2026-02")
        assert gone.status_code == 410
        assert {h for h in hrefs(gone.text) if h.startswith("/")} <= {"/news/", "/news/feed.atom", "/news/search"}
