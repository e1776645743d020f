"""Stop 46's review: randomized ``digest replay`` streams against the reader's invariants
(docs/evaluation.md, "Reviews (stop 46)").  Each case is a shrunk stream; real parts: the
replay command, SQLite on disk, the written JSON digests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from digest.cli import main
from tests.test_timeline import TUE, digest_json, record, versions, write_inputs

RETRACTION = {"title": "Retraction", "text": "Editor's note: This article has been retracted."}


def _notice(rid: str, url: str, at: timedelta) -> dict[str, str]:
    when = (TUE + at).isoformat()
    return {"id": rid, **RETRACTION, "url": url, "source": "Coast News", "published": when, "arrived": when}


def _stream() -> list[dict[str, object]]:
    """Coast News's quake report and Valley Wire's on Tuesday; on Wednesday at 07:00 Coast News
    retracts it under another id at its address, at 12:00 Harbor Herald follows the story up."""
    return [
        record("q1", "quake_a1", "Coast News", TUE + timedelta(hours=8), url="https://coastnews.example/q1"),
        record("v1", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
        _notice("q1n", "https://coastnews.example/q1", timedelta(days=1, hours=7)),
        record("h1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=12)),
    ]


@pytest.mark.parametrize("split", [False, True])
def test_a_notice_of_its_own_takes_its_report_back_after_the_engine_is_rebuilt(tmp_path: Path, split: bool) -> None:
    """The notice's link to its report (found by its address as it was read) was no column: the
    engine rebuilt from the store (each day, or a new process) lost it, the next report of the
    story regrouped the notice into a story of its own (hidden), and Wednesday showed the
    retracted report leading, its retraction never told; a replay run in two parts (a restart)
    differed from one run."""
    data, cfg = write_inputs(tmp_path, _stream())
    if split:  # Tuesday, then the whole stream: another process, its engine rebuilt from the store
        assert main(["replay", str(data), "--config", str(cfg), "--to", "2026-11-10"]) == 0
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert story["whats_new"] == "Coast News retracted its report"
    assert story["lead"]["id"] != "q1"
    assert {v["id"]: v["new"] for v in versions(story)} == {"h1": True, "v1": False, "q1n": True}


def test_a_paragraph_added_after_one_whose_stop_no_sentence_end_follows_is_news(tmp_path: Path) -> None:
    """A paragraph ending `... closed while buildings were checked . "` (a quotation closed after
    a space; 103 of the 152 GVC reports hold one) ran into the next: a paragraph added after it
    in place read as a passage the reader had read, and the update was not even stored."""
    from tests.test_timeline import text_of

    title, body = text_of("quake_a1")
    body = body.rstrip().removesuffix(".") + ' . "'
    added = "The mayor of Opunake, Hugo Varga, said on Wednesday that an inquiry would begin next month."
    at = TUE + timedelta(hours=8)
    lines = [
        {"id": "q1", "title": title, "text": body, "source": "Coast News", "published": at.isoformat()},
        {"id": "q1", "title": title, "text": f"{body}\n{added}", "source": "Coast News",
         "published": at.isoformat(), "arrived": (at + timedelta(days=1)).isoformat()},
    ]
    data, cfg = write_inputs(tmp_path, lines)
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert story["status"] == "developing" and story["whats_new"] == added


def test_a_byline_line_still_runs_on_into_the_lede() -> None:
    """A paragraph without a stop (a byline, a subhead) is no passage of its own: "5 min read"
    become "6 min read" is no news (stop 40), where a paragraph ending with a stop ends one."""
    from digest.output.reading import passages

    text = 'By Jane Doe · 6 min read\nA magnitude 6.1 earthquake struck off the coast on Tuesday, GeoNet said . "\nNext.'
    assert list(passages(text)) == [
        'By Jane Doe · 6 min read A magnitude 6.1 earthquake struck off the coast on Tuesday, GeoNet said . "']


def test_a_new_headline_alone_is_told_by_the_heading_not_by_a_sentence_read_before(tmp_path: Path) -> None:
    """An entry updated in place with a new headline and its text unchanged: the revision leads,
    its headline is the story's heading, and the JSON's ``whats_new`` was the text's first
    sentence, read the day before (the Markdown left it out as the excerpt's opening)."""
    from tests.test_timeline import text_of

    title, body = text_of("quake_a1")
    at = TUE + timedelta(hours=8)
    new_title = "Taranaki quake: state of emergency declared in Opunake"
    lines = [
        {"id": "q1", "title": title, "text": body, "source": "Coast News", "published": at.isoformat()},
        {"id": "q1", "title": new_title, "text": body, "source": "Coast News", "published": at.isoformat(),
         "arrived": (at + timedelta(days=1)).isoformat()},
    ]
    data, cfg = write_inputs(tmp_path, lines)
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert (story["status"], story["title"], story["whats_new"]) == ("developing", new_title, None)


def _removed(rid: str, at: timedelta) -> dict[str, str]:
    when = (TUE + at).isoformat()
    return {"id": rid, "title": "Article removed", "text": "This article has been removed.",
            "url": "https://coastnews.example/q1", "source": "Coast News", "published": when, "arrived": when}


def _report(rid: str, at: timedelta) -> dict[str, object]:
    from tests.test_timeline import text_of

    title, body = text_of("quake_a1")
    when = (TUE + at).isoformat()
    return {"id": rid, "title": title, "text": body, "url": "https://coastnews.example/q1", "source": "Coast News",
            "published": (TUE + timedelta(hours=8)).isoformat(), "arrived": when}


def test_a_report_removed_and_put_back_as_a_new_entry_in_one_day_is_no_news(tmp_path: Path) -> None:
    """Removed at 08:00 (in place), back under a new id at 13:00 as the reader read it: the day
    showed it "also reported since" as new; put back under its own id, nothing (as it should)."""
    data, cfg = write_inputs(tmp_path, [_report("q1", timedelta(hours=8)), _removed("q1", timedelta(days=1, hours=8)),
                                        _report("q1b", timedelta(days=1, hours=13))])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    day = digest_json(tmp_path, "2026-11-11")
    assert day["stories"] == [] and day["counts"]["duplicates_collapsed"] == 2


@pytest.mark.parametrize("ids", [("q1", "q1"), ("q1n", "q1m")])
def test_a_report_put_back_and_removed_again_within_a_day_is_not_told_removed_twice(
    tmp_path: Path, ids: tuple[str, str]
) -> None:
    """Removed on Wednesday (told); on Thursday put back at 08:00 and removed again at 13:00:
    Thursday said "Coast News removed its report" again, though the reader's story had not
    changed since Wednesday.  The notices in place (the report's id) or as entries of their own."""
    first, again = ids
    data, cfg = write_inputs(tmp_path, [
        _report("q1", timedelta(hours=8)), record("v1", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
        _removed(first, timedelta(days=1, hours=8)), _report("q1", timedelta(days=2, hours=8)),
        _removed(again, timedelta(days=2, hours=13))])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert story["whats_new"] == "Coast News removed its report"
    assert digest_json(tmp_path, "2026-11-12")["stories"] == []
