"""A second review's finding (stop 63) on a developing story that leads with an outlet's notice.

Stop 63 made a developing story whose only news of the day is an outlet's notice taking its
report back lead with the notice.  The check was "a notice is the day's last word", not "the
notice is the day's only news": on a day a notice and another outlet's new report of the
story both arrived, the entry led with the notice's words ("This article has been removed.")
and the new report, the day's real news, was one line among "Also reported by" (its words
shown nowhere, in the digest or in the Atom feed).  Now such a day leads with the new report
(the line above it still says the notice)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import lxml.html

from tests.support.replays import replayed
from tests.test_review_stop63_developing import NEWS, first_excerpt
from tests.test_review_stop63_devfeed import NOTICE, feed_entry, paras
from tests.test_timeline import TUE, record


def notice_and_report(tmp_path: Path) -> Path:
    """Tuesday: Coast News's report (the lead) and Valley Wire's.  Wednesday: Harbor Herald's
    follow-up at 08:00, then Valley Wire's report replaced by a notice at 09:00."""
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
            record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=8)),
            {"id": "quake-2", "title": "Article removed", "text": NOTICE, "source": "Valley Wire",
             "published": (TUE + timedelta(days=1, hours=9)).isoformat()}]
    cfg = replayed(tmp_path, rows)
    return cfg


def test_a_notice_and_a_new_report_on_one_day_lead_with_the_report(tmp_path: Path) -> None:
    cfg = notice_and_report(tmp_path)
    out = tmp_path / "out"
    [story] = json.loads((out / "digest-2026-11-11.json").read_text(encoding="utf-8"))["stories"]
    assert story["whats_new"] == "Valley Wire removed its report"  # the line still says the notice
    assert story["news_lead"]["id"] == "followup-1"
    day = lxml.html.document_fromstring((out / "digest-2026-11-11.html").read_text(encoding="utf-8"))
    assert NEWS in first_excerpt(day) and NOTICE not in first_excerpt(day)
    md = (out / "digest-2026-11-11.md").read_text(encoding="utf-8")
    said = md[md.index("**Developing**"):].split("\n\n")
    assert said[1].startswith("**Harbor Herald**") and said[1].endswith("*new*"), said[1]
    entry, html = feed_entry(cfg)
    assert NEWS in entry.summary and NOTICE not in entry.summary
    lines = paras(html)
    assert lines[0] == "Developing: Valley Wire removed its report"
    assert lines[1].startswith("Harbor Herald") and NEWS in lines[2]
