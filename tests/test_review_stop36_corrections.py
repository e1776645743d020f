"""A review's findings (stop 36) on corrections and updated versions of a story: an outlet's
correction or revised article arriving as a new entry, replayed through ``digest replay`` (a
real SQLite store on disk), each day's JSON and Markdown digest read back.  Each test that
names what the reader got before failed on the code as reviewed; the others guard the rule's
edges (what must not supersede)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_review_stop36_developing import _at, md, replayed
from tests.test_timeline import TUE, digest_json, record, text_of, versions

Q_TITLE, Q_TEXT = text_of("quake_a1")
W_TITLE, W_TEXT = text_of("quake_a2")
FIRST = "A magnitude 6.1 earthquake struck off the Taranaki coast early on Tuesday"


def correction(rid: str = "quake-1-corrected", day: int = 1, tail: str = "") -> dict[str, Any]:
    """Coast News's correction of its report: a new entry, every 4,000 now 4,400, and the
    correcting line at the end (after ``tail``, lines a site puts there)."""
    return {"id": rid, "title": "Correction: " + Q_TITLE, "source": "Coast News", "published": _at(day, 9),
            "text": Q_TEXT.replace("4,000", "4,400") + tail
            + "\nCORRECTION: A previous version of this story misstated the number of homes without power."}


def toll_raised(day: int = 1) -> dict[str, Any]:
    """Coast News's report revised: a death, a new lede and paragraph, the injuries raised."""
    body = Q_TEXT.split("\n", 1)[1].replace(
        "Civil Defence controller Mere Tukino said two people were treated for minor injuries.",
        "Civil Defence controller Mere Tukino said three people were treated in hospital.")
    return {"id": "quake-1-update", "title": "One dead as 6.1 quake shakes Taranaki coast", "source": "Coast News",
            "published": _at(day, 9),
            "text": "One person died and three were injured when a magnitude 6.1 earthquake struck off the Taranaki "
                    "coast early on Tuesday, damaging the harbour wall at Opunake and cutting power to about 4,000 "
                    "homes, police and GeoNet said.\nA 71-year-old Opunake man was found dead in his home on "
                    "Tuesday afternoon; police said he had been struck by a falling bookcase.\n" + body}


def story_of(doc: dict[str, Any], rid: str) -> dict[str, Any]:
    [story] = [s for s in doc["stories"] if any(v["id"] == rid for v in versions(s))]
    return story


def excerpt(tmp_path: Path, day: str) -> str:
    """The Markdown digest's lead excerpt of the quake story (the paragraph under its outlet line)."""
    text = md(tmp_path, day)
    start = text.index("\n\n", text.index("**Coast News**")) + 2
    return text[start:text.index("\n", start)]


@pytest.mark.parametrize(("revision", "news", "superseded"), [
    (correction(), "cutting power to about 4,400 homes", "about 4,000 homes"),
    (toll_raised(), "One person died and three were injured", "two people were treated for minor injuries"),
])
def test_an_outlets_revision_leads_in_place_of_its_earlier_version(
    tmp_path: Path, revision: dict[str, Any], news: str, superseded: str
) -> None:
    """Coast News's correction (or its report revised, the toll raised) arrived as a new entry
    the next day: its first report stayed the lead (the most complete, the earliest), so the
    excerpt under the story kept the figure the outlet had corrected and only the "what's new"
    line carried the correction.  An outlet's later revision of its own article now takes the
    earlier one's place: the earlier is no longer eligible to lead.  (The revision with the toll
    raised led before too, being longer; it is here for the excerpt.)"""
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)), revision]
    replayed(tmp_path, rows)
    assert story_of(digest_json(tmp_path, "2026-11-10"), "quake-1")["lead"]["id"] == "quake-1"
    quake = story_of(digest_json(tmp_path, "2026-11-11"), "quake-1")
    assert quake["status"] == "developing"
    assert quake["lead"]["id"] == revision["id"]
    assert {v["id"] for v in quake["also"]} == {"quake-1", "quake-2"}
    shown = excerpt(tmp_path, "2026-11-11")
    assert news in shown and superseded not in shown


def test_another_outlets_more_complete_version_still_leads(tmp_path: Path) -> None:
    """The rule is the outlet's own: Valley Wire's fuller report (its text and a paragraph more)
    keeps the lead when Coast News corrects its shorter one."""
    fuller = {"id": "wire-full", "title": Q_TITLE, "source": "Valley Wire", "published": _at(0, 7),
              "text": Q_TEXT + "\n" + W_TEXT.split("\n")[3]}
    short = {"id": "coast-short", "title": W_TITLE, "source": "Coast News", "published": _at(0, 8),
             "text": "\n".join(W_TEXT.split("\n")[:2])}
    fixed = {**short, "id": "coast-short-fixed", "published": _at(1, 9), "title": "Correction: " + W_TITLE,
             "text": short["text"].replace("20m", "25m")
             + "\nCorrection: An earlier version of this story gave the wrong length of the collapsed wall."}
    replayed(tmp_path, [fuller, short, fixed])
    quake = story_of(digest_json(tmp_path, "2026-11-11"), "wire-full")
    assert quake["lead"]["id"] == "wire-full"
    assert {v["id"] for v in quake["also"]} == {"coast-short", "coast-short-fixed"}


def test_the_outlets_summary_or_follow_up_does_not_supersede_its_report(tmp_path: Path) -> None:
    """What is no revision of the report keeps it the lead: the outlet's later feed summary of
    it (cut short) and its follow-up on another part of the story (another text)."""
    summary = {"id": "quake-1-summary", "title": Q_TITLE, "source": "Coast News", "published": _at(1, 8),
               "text": Q_TEXT.split("\n")[0] + " The quake hit at 4.12am at a depth of 18 kilometres […]"}
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("followup-1", "quake_a_followup", "Coast News", TUE + timedelta(days=1, hours=9)), summary]
    replayed(tmp_path, rows)
    quake = story_of(digest_json(tmp_path, "2026-11-11"), "quake-1")
    assert {v["id"] for v in versions(quake)} == {"quake-1", "followup-1", "quake-1-summary"}
    assert quake["lead"]["id"] == "quake-1"


def test_a_short_correction_after_a_site_box_is_kept(tmp_path: Path) -> None:
    """A correction of under 15 words after a share prompt at the end of the text went with the
    prompt, as part of a site box running to the end: the correcting line was lost (the
    digest's "what's new" showed nothing of it).  A correction note is content."""
    revision = correction(tail="\nShare this article on Facebook")
    replayed(tmp_path, [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)), revision])
    quake = story_of(digest_json(tmp_path, "2026-11-11"), "quake-1")
    assert quake["whats_new"].startswith("CORRECTION: A previous version of this story misstated")
