"""Today's changes (stop 38) read in edge orders (stop 38 review: today's changes): a report
restored and revised, two notices before a report put back, a notice read before the report it
takes back.  Real parts: ``digest replay`` / ``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.output.days import written_leads
from digest.retention import _backend
from digest.store.base import open_store
from tests.test_review_stop36_developing import _at, md, replayed
from tests.test_review_stop37_hostile import Q_TEXT, Q_TITLE, REMOVED, RETRACTED, notice, quake_day0
from tests.test_review_stop37_inplace import DAY1, Reader, feed, quake_of, reader, revised_text
from tests.test_review_stop37_pgprune import _database
from tests.test_review_stop38_whole import rows_of
from tests.test_timeline import TUE, digest_json, record, versions

__all__ = ["reader"]  # the fixture, used below


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


def test_a_past_day_rebuilt_after_another_versions_notice_keeps_the_lead_it_showed(tmp_path: Path) -> None:
    """Tuesday: Coast News's report and Valley Wire's, the same text with one more line
    published earlier; the engine led with Coast News's (the cleaner page).  Wednesday: Valley
    Wire removed its version.  ``digest build --date`` of Tuesday chose the lead again (a
    version of the day was out by a later notice, so the stored lead was not trusted) without
    the engine's cleanliness figures, and led with Valley Wire's report: one Tuesday never
    showed, and one its outlet removed since.  The leads a day's digest showed are recorded."""
    a = {"id": "quake-1", "title": Q_TITLE, "source": "Coast News", "published": _at(0, 9), "text": Q_TEXT}
    b = {"id": "quake-w", "title": Q_TITLE, "source": "Valley Wire", "published": _at(0, 6),
         "text": Q_TEXT + "\nHarbourmaster Jill Brown thanked volunteers."}
    gone = {"id": "quake-w-notice", "title": Q_TITLE, "source": "Valley Wire", "published": _at(1, 9),
            "text": REMOVED}
    cfg = replayed(tmp_path, [a, b, gone])
    then = digest_json(tmp_path, "2026-11-10")
    assert then["stories"][0]["lead"]["id"] == "quake-1"
    out = tmp_path / "rebuilt.json"
    assert main(["build", "--config", str(cfg), "--date", "2026-11-10", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["stories"] == then["stories"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_a_prune_removes_the_leads_recorded_for_the_days_it_removes(tmp_path: Path, backend: str) -> None:
    """The leads each day's digest showed are kept in ``meta`` (``leads:<day>``, a few dozen
    bytes a story): a prune removes those of the days it removes, as it does their digests."""
    with _database(backend, tmp_path) as url, open_store(url) as store:
        for day in ("2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"):
            store.record_digest(day, "json", None, 1)
            store.set_meta(f"leads:{day}", json.dumps({"s1": ["k1", "k2"]}))
            store.set_meta(f"failing:{day}", "[]")  # and the failing sources it named (stop 40)
            store.set_meta(f"grouping:{day}", "0f")  # and how its stories were grouped (stop 54)
        assert _backend(store).drop_digests(store, "2026-03-01") == 2
        assert [store.get_meta(f"leads:{d}") is None for d in ("2026-02-27", "2026-02-28", "2026-03-01")] == [
            True, True, False]
        assert [store.get_meta(f"failing:{d}") is None for d in ("2026-02-27", "2026-02-28", "2026-03-01")] == [
            True, True, False]
        assert [store.get_meta(f"grouping:{d}") is None for d in ("2026-02-27", "2026-02-28", "2026-03-01")] == [
            True, True, False]
        assert written_leads(store, date(2026, 3, 2)) == {"s1": ("k1", "k2")}


def test_a_report_put_back_under_its_first_date_as_a_new_entry_still_reads_restored(tmp_path: Path) -> None:
    """Guard for the fix above (a report read after its notice, dated before it, is taken
    back): a report put back as a new entry under its first date is read after the notice and
    dated before it too, but it is the outlet's report again (its headline): still restored."""
    replayed(tmp_path, [*quake_day0(), notice(REMOVED), _back(published=_at(0, 6), arrived=_at(2, 9))])
    quake = _story(digest_json(tmp_path, "2026-11-12"), "quake-1-back")
    assert quake["whats_new"] == "Coast News restored its report"
    assert [s for s, _ in rows_of(quake)].count("Coast News") == 1, rows_of(quake)


def test_a_past_day_whose_versions_came_after_its_digest_was_written_is_not_shown_as_written(
    reader: Reader,
) -> None:
    """Guard for the leads recorded: Tuesday's digest was written at 18:00 (Coast News's report
    leading); at 22:00 Coast News replaced it in place with a removal notice, read by a run that
    wrote another day's digest; Wednesday it put the report back.  Tuesday rebuilt after
    Wednesday must not lead with the report
    its outlet had removed by Tuesday's end: the record is used only where no version of the
    day arrived after it was written."""
    assert main(["run", "--config", str(reader.config(DAY1, feed())), "--quiet"]) == 0
    late = reader.config(DAY1 + timedelta(hours=4), feed((Q_TITLE, REMOVED)))
    # read at 22:00 without writing Tuesday's again: a run for Wednesday, not begun, reads the
    # sources and writes no digest (stop 53: it wrote Wednesday's, empty, into the archive)
    assert main(["run", "--config", str(late), "--quiet", "--date", "2026-11-11"]) == 2
    cfg = reader.config(DAY1 + timedelta(days=1), feed())  # Wednesday: the report put back
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    out = reader.tmp / "rebuilt.json"
    assert main(["build", "--config", str(cfg), "--date", "2026-11-10", "-o", str(out)]) == 0
    quake = quake_of(json.loads(out.read_text(encoding="utf-8")))
    assert Q_TEXT.split(",")[0] not in quake["lead"]["text"], quake["lead"]
    assert len(versions(quake)) == 1 and REMOVED in quake["lead"]["text"], versions(quake)
