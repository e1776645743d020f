"""The lead a story had stays while nothing more complete arrives: a copier's feed, an outlet's
text revised in place, a report removed and put back do not take it.

A story's lead is its most complete clean version; "clean" is read as few words no other
version has (a site's furniture is its own).  A word-for-word copy of one report (a copier's
feed a day late) made all that report's words shared, its page the cleanest, and the copy or
the report it copies took the lead from the outlet that had it: another headline and link for
the story the reader read the day before.  An outlet's text revised in place shares every word
with the text it replaced, and a report put back with the report its notice took back: each
took the lead the same way.  Words are now shared between holders: one text word for word is
one holder, and a version that no longer stands (revised, taken back, a notice) is none
(``dedup.lead.holders``); of two versions as complete, published at one time, the first read
leads.  Real parts: ``digest replay`` through the CLI, SQLite on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from digest.cli import main

A = ("A 22-year-old Woodville man died at a Tyler County hospital Sunday after he was accidentally "
     "shot in the chest by his brother-in-law, according to law enforcement. A press release from the "
     "Tyler County Sheriff's Office identified the victim as Dakota Schriefer. Deputies said the two men "
     "were comparing handguns outside a home in Ivanhoe when one of the weapons discharged. Schriefer was "
     "taken to Tyler County Hospital where he was pronounced dead. No foul play is suspected, the sheriff said, "
     "and the case will be reviewed by the district attorney.")
B = ("A Woodville man died Sunday afternoon from a gunshot wound to his chest, according to the Tyler County "
     "Sheriff's Office. Dakota Schriefer, 22, was comparing handguns with his brother-in-law, William Dabill, "
     "outside a residence in Ivanhoe, Sheriff Bryan Weatherford said in a release. One of the handguns went off "
     "and struck Schriefer in the chest. He was taken to the hospital in Woodville, where he died. Investigators "
     "interviewed witnesses and believe the shooting was an accident.")
A_TITLE = "No foul play suspected in Tyler County accidental shooting death"
B_TITLE = "22-year-old Woodville man dead after gunshot to chest"


def _record(rid: str, title: str, text: str, source: str, arrived: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "title": title, "text": text, "url": url, "source": source,
            "published": "2026-11-21T07:00:00+00:00" if source == "Daily Courier" else "2026-11-21T09:00:00+00:00",
            "arrived": arrived, **extra}


FIRST = [
    _record("a1", A_TITLE, A, "Daily Courier", "2026-11-21T07:43:00+00:00", "https://a.example/1"),
    _record("b1", B_TITLE, B, "Channel 7 News", "2026-11-21T10:50:00+00:00", "https://b.example/1"),
]


def _leads(tmp_path: Path, records: list[dict[str, Any]]) -> dict[str, str]:
    """Replay ``records``; each day's story lead (its outlet), from the JSON digests."""
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n", encoding="utf-8")
    assert main(["replay", str(src), "--config", str(cfg)]) == 0
    out = {}
    for path in sorted((tmp_path / "out").glob("digest-*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        [story] = doc["stories"]
        out[doc["date"]] = story["lead"]["source"]
    return out


def test_a_copy_a_day_late_takes_no_lead(tmp_path: Path) -> None:
    copy = _record("wm-b0", B_TITLE, B, "Wire Mirror", "2026-11-22T10:50:00+00:00", "https://wm.example/b1")
    leads = _leads(tmp_path, [*FIRST, copy])
    assert leads == {"2026-11-21": "Daily Courier", "2026-11-22": "Daily Courier"}, leads


def test_an_outlets_text_revised_in_place_takes_no_lead(tmp_path: Path) -> None:
    revised = _record("b1", B_TITLE, B.replace("Dakota Schriefer, 22,", "Dakota Schriefer, 23,"), "Channel 7 News",
                      "2026-11-22T10:50:00+00:00", "https://b.example/1")
    leads = _leads(tmp_path, [*FIRST, revised])
    assert leads == {"2026-11-21": "Daily Courier", "2026-11-22": "Daily Courier"}, leads


def test_a_report_removed_and_put_back_takes_no_lead(tmp_path: Path) -> None:
    removed = _record("b1", "Article removed", "This article has been removed.", "Channel 7 News",
                      "2026-11-22T10:50:00+00:00", "https://b.example/1")
    back = _record("b1", B_TITLE, B, "Channel 7 News", "2026-11-24T10:50:00+00:00", "https://b.example/1")
    leads = _leads(tmp_path, [*FIRST, removed, back])
    assert set(leads.values()) == {"Daily Courier"}, leads


def test_of_a_report_and_its_copy_the_first_read_leads(tmp_path: Path) -> None:
    """Two versions of one text, published at one time (a copier keeping its original's date):
    the one read first leads, whichever sorts first by key."""
    for i, rid in enumerate(("wm-b0", "wm-b1", "wm-b2", "wm-b3")):
        work = tmp_path / str(i)
        work.mkdir()
        copy = _record(rid, B_TITLE, B, "Wire Mirror", "2026-11-22T10:50:00+00:00", "https://wm.example/b1")
        leads = _leads(work, [FIRST[1], copy])
        assert leads == {"2026-11-21": "Channel 7 News", "2026-11-22": "Channel 7 News"}, (rid, leads)
