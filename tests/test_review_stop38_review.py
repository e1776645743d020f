"""Today's changes (stop 38) read in edge orders (stop 38 review: today's changes): a report
restored and revised, two notices before a report put back, a notice read before the report it
takes back.  Real parts: ``digest replay`` / ``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_review_stop36_developing import _at, md, replayed
from tests.test_review_stop37_hostile import Q_TEXT, Q_TITLE, REMOVED, RETRACTED, notice, quake_day0
from tests.test_review_stop37_inplace import revised_text
from tests.test_review_stop38_whole import rows_of
from tests.test_timeline import TUE, digest_json, record, versions
from datetime import timedelta


def _back(**extra: Any) -> dict[str, Any]:
    """Coast News's report put back as a new entry on day 2."""
    return {"id": "quake-1-back", "title": Q_TITLE, "source": "Coast News", "published": _at(2, 9),
            "text": Q_TEXT, **extra}


def _story(doc: dict[str, Any], rid: str) -> dict[str, Any]:
    [story] = [s for s in doc["stories"] if any(v["id"] == rid for v in versions(s))]
    return story


def test_a_restored_report_revised_in_place_counts_once_among_the_earlier_reports(tmp_path: Path) -> None:
    """Coast News removed its report (a notice), put it back as a new entry, then updated the
    entry it put back in place.  A follow-up's day said "2 earlier reports": the revision of the
    report put back counted as a report of its own, the report back as none."""
    revised = _back(text=revised_text(), arrived=_at(3, 9))
    follow = record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=4, hours=9))
    replayed(tmp_path, [*quake_day0(wire=False), notice(REMOVED), _back(), revised, follow])
    text = md(tmp_path, "2026-11-14")
    assert "1\xa0earlier report" in text and "earlier reports" not in text, text


def test_a_report_restored_after_two_notices_lists_neither_notice(tmp_path: Path) -> None:
    """Coast News removed its report ("This article has been removed.", its own entry), then
    published a retraction as another entry, and on day 3 put the report back.  The report back
    stood for the last notice only: the first was still listed under "Also reported by" as
    "removed its report" on a story reading "Coast News restored its report"."""
    second = notice(RETRACTED, id="quake-1-retraction", published=_at(2, 9))
    replayed(tmp_path, [*quake_day0(), notice(REMOVED), second, _back(published=_at(3, 9))])
    quake = _story(digest_json(tmp_path, "2026-11-13"), "quake-1-back")
    assert quake["whats_new"] == "Coast News restored its report"
    rows = rows_of(quake)
    assert [s for s, _ in rows].count("Coast News") == 1, rows


def test_a_report_read_after_the_notice_taking_it_back_is_no_news(tmp_path: Path) -> None:
    """Coast News's retraction was read on day 1, its report (published on day 0, before the
    retraction) only on day 2 (a feed's late backlog).  The engine reads the report as taken
    back (an outlet's versions by their dates), but day 2's digest showed the story
    "Developing" with the retracted report's first sentence as what is new, and listed the
    report as live beside "retracted its report"."""
    late = record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6), arrived=_at(2, 9))
    replayed(tmp_path, [record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
                        notice(RETRACTED), late])
    day1 = _story(digest_json(tmp_path, "2026-11-11"), "quake-1-notice")
    assert day1["whats_new"] == "Coast News retracted its report"
    day2 = digest_json(tmp_path, "2026-11-12")
    assert not day2["stories"], day2["stories"]
    assert Q_TEXT.split(",")[0] not in md(tmp_path, "2026-11-12")
