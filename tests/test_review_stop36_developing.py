"""A review's findings (stop 36) on developing stories, read as a daily reader reads them: a
week replayed through ``digest replay`` (a real SQLite store on disk), each day's Markdown,
HTML and JSON digest read back.  Each test failed on the code as reviewed; the docstring says
what the reader got before."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from digest.app import open_app
from digest.cli import main
from digest.output.atom import entry_updated
from digest.output.render import render_email_html, render_text
from tests.test_timeline import TUE, digest_json, record, text_of, versions, write_inputs

Q_TITLE, Q_TEXT = text_of("quake_a1")
Q_LEDE = "A magnitude 6.1 earthquake struck off the Taranaki coast"


def _at(days: int, hours: int) -> str:
    return (TUE + timedelta(days=days, hours=hours)).isoformat()


def wire_copy(rid: str = "quake-copy", day: int = 1) -> dict[str, Any]:
    """Another outlet's copy of the first quake report (a dateline and a credit line added),
    published on day 0, arriving ``day`` days later."""
    return {"id": rid, "title": Q_TITLE, "source": "Valley Wire", "published": _at(0, 7), "arrived": _at(day, 8),
            "text": "OPUNAKE (Valley Wire) - " + Q_TEXT + "\nReporting by Valley Wire staff."}


def stream() -> list[dict[str, Any]]:
    """Day 0: the quake and a council vote.  Day 1: a wire copy of the quake report a day late,
    and another council story.  Day 2: a follow-up with its own headline.  Day 3: a follow-up
    whose headline repeats the story's.  Day 4: the first outlet's correction."""
    return [
        record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
        record("council-1", "council_a", "City Desk", TUE + timedelta(hours=10)),
        wire_copy(),
        record("council-2", "council_b", "City Desk", TUE + timedelta(days=1, hours=8)),
        record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=2, hours=9)),
        {"id": "followup-2", "title": "Magnitude 6.1 earthquake shakes Taranaki coast", "source": "Metro Daily",
         "published": _at(3, 8),
         "text": "A magnitude 4.9 aftershock rattled Opunake on Friday morning, three days after the magnitude "
                 "6.1 earthquake off the Taranaki coast, GeoNet said. No damage was reported, but Civil Defence "
                 "controller Mere Tukino said the harbour at Opunake would stay closed while engineers checked "
                 "the temporary barriers."},
        {"id": "quake-1-corrected", "title": "Correction: " + Q_TITLE, "source": "Coast News", "published": _at(4, 9),
         "text": Q_TEXT.replace("4,000", "4,400")
         + "\nCorrection: An earlier version of this story said 4,000 homes lost power; Powerco says it was 4,400."},
    ]


def replayed(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    data, cfg = write_inputs(tmp_path, rows)
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    return cfg


def md(tmp_path: Path, day: str, kind: str = "md") -> str:
    return (tmp_path / "out" / f"digest-{day}.{kind}").read_text(encoding="utf-8")


def quake_of(doc: dict[str, Any]) -> dict[str, Any]:
    [story] = [s for s in doc["stories"] if any(v["id"] == "quake-1" for v in versions(s))]
    return story


def test_a_late_wire_copy_is_also_reported_not_a_developing_story(tmp_path: Path) -> None:
    """Another outlet's copy of Tuesday's quake report arriving on Wednesday showed the quake
    again, first of the day, headed "Developing" with a "what's new" line that was the story's
    own first sentence (under the copy's dateline) and the same excerpt as Tuesday's: the reader
    was told the story developed when only another outlet's copy arrived.  It is now one line
    under "Also reported since", after the day's stories, marked new there (and only there);
    the header counts it as a duplicate collapsed, not a story."""
    replayed(tmp_path, stream())
    day1 = digest_json(tmp_path, "2026-11-11")
    quake = quake_of(day1)
    assert (quake["status"], quake["also_reported"], quake["whats_new"]) == ("developing", True, None)
    assert {v["id"]: v["new"] for v in versions(quake)} == {"quake-1": False, "quake-copy": True}
    # after the day's news; the JSON status stays within issue #19's two values
    assert [(s["status"], s["also_reported"]) for s in day1["stories"]] == [("new", False), ("developing", True)]
    assert day1["counts"] == {"articles_read": 2, "stories": 1, "duplicates_collapsed": 1, "muted_articles": 0,
                              "also_reported": 1, "backlog": 0}

    text = md(tmp_path, "2026-11-11")
    assert "Developing" not in text and Q_LEDE not in text
    assert "**2** articles read · **1** story · **1** duplicate collapsed" in text
    also = text[text.index("Also reported since"):]
    assert Q_TITLE in also and "Valley Wire" in also and "*new*" in also
    assert text.index("Free buses") < text.index("Also reported since")
    html = md(tmp_path, "2026-11-11", "html")
    assert "Developing" not in html and Q_LEDE not in html and 'class="also-since"' in html

    # the email's parts say the same
    with open_app(tmp_path / "feeds.yaml") as app:
        view = app.build_view(date(2026, 11, 11))
        plain = render_text(view, tz=app.cfg.tz)
        email = render_email_html(view, tz=app.cfg.tz)
    assert "Developing" not in plain and Q_LEDE not in plain and "Also reported since" in plain
    assert "Valley Wire" in plain[plain.index("Also reported since"):]
    assert "Developing" not in email and "Also reported since" in email


def test_each_article_is_new_once_on_its_arrival_day_and_no_story_is_shown_without_news(tmp_path: Path) -> None:
    """The accounting holds with the copies shown as "also reported" (each article new in
    exactly one digest, its arrival day's; every story listed holds a new version)."""
    rows = stream()
    replayed(tmp_path, rows)
    seen: dict[str, list[str]] = {}
    for path in sorted((tmp_path / "out").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for s in doc["stories"]:
            fresh = [v["id"] for v in versions(s) if v["new"]]
            assert fresh, (doc["date"], s["story_id"])
            for i in fresh:
                seen.setdefault(i, []).append(doc["date"])
        c = doc["counts"]
        assert c["articles_read"] == c["stories"] + c["duplicates_collapsed"] + c["muted_articles"]
    arrival = {r["id"]: datetime.fromisoformat(r.get("arrived") or r["published"]).date().isoformat() for r in rows}
    assert seen == {i: [d] for i, d in arrival.items()}


def test_whats_new_of_a_correction_is_what_it_corrects(tmp_path: Path) -> None:
    """The first outlet's correction (its headline "Correction: ..." repeating the story's)
    showed as what is new its first sentence, the story's own with one figure changed; the
    correction itself, further down, was not shown.  What is new is now the first sentence the
    reader has not read."""
    replayed(tmp_path, stream())
    quake = quake_of(digest_json(tmp_path, "2026-11-14"))
    assert quake["status"] == "developing"
    assert quake["whats_new"] == "Correction: An earlier version of this story said 4,000 homes lost power; Powerco says it was 4,400."
    # the follow-ups: a new headline, and a repeated headline's own lede
    assert quake_of(digest_json(tmp_path, "2026-11-12"))["whats_new"].startswith("Opunake harbour to reopen next month")
    assert quake_of(digest_json(tmp_path, "2026-11-13"))["whats_new"].startswith("A magnitude 4.9 aftershock rattled Opunake")


def test_a_developing_story_says_when_it_was_first_reported_and_how_often_since(tmp_path: Path) -> None:
    """A developing story was headed "Developing: <what is new>" and nothing said when the
    reader first read of it, nor how many reports came before: the story of Tuesday's quake
    on Thursday read like a new one.  The line now says it."""
    replayed(tmp_path, stream())
    text = md(tmp_path, "2026-11-12")
    line = next(ln for ln in text.splitlines() if ln.startswith("**Developing**"))
    assert re.search(r"first reported Tue\s10\sNov,\s06:00\sGMT\s·\s2\searlier reports", line), line
    assert line.startswith("**Developing**: Opunake harbour to reopen next month as aftershocks ease off Taranaki ·")
    html = md(tmp_path, "2026-11-12", "html")
    assert "first reported" in html and re.search(r"2(\s|&nbsp;)earlier reports", html)


def test_a_new_lead_is_not_repeated_by_the_whats_new_line(tmp_path: Path) -> None:
    """When the new version became the lead (the full report after a two-sentence summary),
    "what's new" was its lede, and the excerpt under it began with the same sentence: the
    reader read it twice.  The heading and the excerpt are the news; the line says when the
    story was first reported, and does not repeat them."""
    summary = {"id": "summary", "title": "Quake off Taranaki", "source": "Valley Wire", "published": _at(0, 7),
               "text": "A strong earthquake struck off the Taranaki coast early on Tuesday, GeoNet said. Damage was reported at Opunake."}
    replayed(tmp_path, [summary, record("quake-1", "quake_a1", "Coast News", TUE + timedelta(days=1, hours=6))])
    doc = digest_json(tmp_path, "2026-11-11")
    [story] = doc["stories"]
    assert story["status"] == "developing" and story["lead"]["id"] == "quake-1" and story["whats_new"]
    text = md(tmp_path, "2026-11-11")
    assert text.count(Q_LEDE) == 1, text
    assert Q_TITLE in text and "first reported" in text


def test_whats_new_is_read_from_the_follow_up_not_a_copy_that_arrived_after_it(tmp_path: Path) -> None:
    """A follow-up and, later the same day, a late copy of the first report: "what's new" was
    read from the last to arrive, the copy, and repeated the story's first sentence."""
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=7)),
            wire_copy(day=1)]
    replayed(tmp_path, rows)
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert story["status"] == "developing"
    assert story["whats_new"].startswith("Opunake harbour to reopen next month")


def test_the_atom_entry_of_a_story_is_not_updated_by_a_copy(tmp_path: Path) -> None:
    """A feed reader showed the quake's entry as updated on Wednesday (its ``updated`` moved
    to the copy's arrival) when only another outlet's copy had arrived."""
    replayed(tmp_path, stream()[:4])
    with open_app(tmp_path / "feeds.yaml") as app:
        [quake] = [s for s in app.build_view(date(2026, 11, 11)).stories if s.status == "also_reported"]
    cap = TUE + timedelta(days=30)
    assert entry_updated(quake, cap) == TUE + timedelta(hours=6)  # the first report's arrival


def test_a_weekly_digest_keeps_a_story_developing_when_a_copy_arrived_after_its_news(tmp_path: Path) -> None:
    """A week's digest took each story's status from its last day: a story that developed on
    Wednesday and gained a copy on Thursday would read "also reported", its news lost; and a
    story that only gained a copy in the week must not read "developing"."""
    from tests.support.config import make_config

    weekly = "digests:\n  - name: daily\n  - name: weekly\n    every: week\n    weekday: monday\n"
    cfg = make_config(tmp_path, "", weekly, timezone="Europe/London", write=True).config_path
    rows = [record("quake-1", "quake_a1", "Coast News", TUE - timedelta(days=6, hours=-6)),  # the week before
            record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=7)),
            wire_copy(day=2)]
    data = tmp_path / "week.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    with open_app(tmp_path / "feeds.yaml") as app:
        assert [s.status for s in app.build_view(date(2026, 11, 12), digest="daily").stories] == ["also_reported"]
        [story] = app.build_view(date(2026, 11, 15), digest="weekly").stories
    assert story.status == "developing" and story.whats_new.startswith("Opunake harbour to reopen next month")
    assert story.earlier == 1
    (tmp_path / "data").rename(tmp_path / "data-1")
    data.write_text("".join(json.dumps(r) + "\n" for r in (rows[0], rows[2])), encoding="utf-8")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    with open_app(tmp_path / "feeds.yaml") as app:
        [story] = app.build_view(date(2026, 11, 15), digest="weekly").stories
    assert (story.status, story.whats_new) == ("also_reported", "")
