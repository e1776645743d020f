"""A review's finding (stop 63) on a developing story read the next day: a story replayed over
two days through ``digest replay`` (a real SQLite store on disk), its second day read in every
output the reader may have it in (the Markdown and HTML files, the email's HTML and text parts,
the archive's day page over loopback HTTP, the JSON digest).

Before: the story's lead stayed Tuesday's report (the most complete version), so Wednesday's
entry opened, under its "Developing" line, with the very excerpt Tuesday's digest had shown;
the follow-up was one title among the outlets, its words nowhere.  The reader who read Tuesday's
read the same paragraph again, and had to hunt for what was new."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import lxml.html

from digest.app import open_app
from digest.config.reading import load_config
from digest.output.render import render_email_html, render_text
from tests.support.replays import replayed
from tests.support.web import site
from tests.test_timeline import TUE, record, text_of

#: The follow-up's opening words (its first sentence, not the story's): what is new.
NEWS = "will be rebuilt by March, the Taranaki Regional Council said on Thursday."
#: Tuesday's excerpt opened with the first report's lede; its second sentence was Tuesday's too.
LEDE = "A magnitude 6.1 earthquake struck off the Taranaki coast"
SECOND = "The quake hit at 4.12am at a depth of 18 kilometres"


def two_days(tmp_path: Path) -> Path:
    """Tuesday: the quake's first report (Coast News).  Wednesday: a follow-up with its own
    headline (Harbor Herald), shorter than the first report: the lead stays Tuesday's."""
    rows = [record("quake-1", "quake_a1", "Coast News", TUE + timedelta(hours=6)),
            record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=9))]
    cfg = replayed(tmp_path, rows)
    return cfg


def flat(text: str) -> str:
    return " ".join(text.split())


def first_excerpt(doc: lxml.html.HtmlElement) -> str:
    """The excerpt an HTML entry leads with: the story's first ``p.excerpt``."""
    return flat(doc.find_class("excerpt")[0].text_content())


def earlier(doc: lxml.html.HtmlElement) -> str:
    return " ".join(flat(p.text_content()) for p in doc.find_class("earlier"))


def check_html(day1: str, day2: str) -> None:
    """Day 2's entry leads with the follow-up's words, not day 1's excerpt; day 1's lede is
    still there, once, cut short under "Earlier"."""
    one, two = lxml.html.document_fromstring(day1), lxml.html.document_fromstring(day2)
    assert LEDE in first_excerpt(one)
    lead = first_excerpt(two)
    assert lead != first_excerpt(one) and NEWS in lead and LEDE not in lead, lead
    said = earlier(two)
    assert said.startswith("Earlier, Coast News") and LEDE in said and SECOND not in said, said
    assert flat(two.text_content()).count(LEDE) == 1


def test_the_json_names_the_version_the_next_days_entry_leads_with(tmp_path: Path) -> None:
    """The lead stays Tuesday's (its text whole, for a reader who missed it); ``news_lead`` is
    the follow-up, with its text: what the entry leads with (null on Tuesday)."""
    out = two_days(tmp_path).parent / "out"
    doc: dict[str, Any] = json.loads((out / "digest-2026-11-11.json").read_text(encoding="utf-8"))
    [story] = doc["stories"]
    assert story["status"] == "developing" and story["lead"]["id"] == "quake-1" and not story["lead"]["new"]
    assert story["news_lead"]["id"] == "followup-1" and story["news_lead"]["new"]
    assert flat(story["news_lead"]["text"]) == flat(text_of("quake_a_followup")[1])
    assert [v["id"] for v in story["also"]] == ["followup-1"]
    [first] = json.loads((out / "digest-2026-11-10.json").read_text(encoding="utf-8"))["stories"]
    assert first["news_lead"] is None


def test_the_next_days_entry_leads_with_what_is_new_in_every_page_and_mail(tmp_path: Path) -> None:
    cfg = two_days(tmp_path)
    out = tmp_path / "out"

    # the Markdown: the excerpt under the follow-up's own line, Tuesday's lede after it, short
    md = (out / "digest-2026-11-11.md").read_text(encoding="utf-8")
    paras = md[md.index("**Developing**"):].split("\n\n")
    assert paras[1].startswith("**Harbor Herald**") and paras[1].endswith("*new*"), paras[1]
    assert NEWS in paras[2] and LEDE not in paras[2], paras[2]
    assert paras[3].startswith("Earlier, **Coast News**") and LEDE in paras[3] and SECOND not in paras[3]
    md1 = (out / "digest-2026-11-10.md").read_text(encoding="utf-8")
    assert LEDE in md1 and SECOND in md1 and SECOND not in md

    # the HTML file, the email's two parts, the archive's day page
    check_html((out / "digest-2026-11-10.html").read_text(encoding="utf-8"),
               (out / "digest-2026-11-11.html").read_text(encoding="utf-8"))
    with open_app(cfg) as app:
        parts = [(render_email_html(app.build_view(d), tz=app.cfg.tz), render_text(app.build_view(d), tz=app.cfg.tz))
                 for d in (date(2026, 11, 10), date(2026, 11, 11))]
    check_html(parts[0][0], parts[1][0])
    text = flat(parts[1][1])
    assert text.index("Harbor Herald") < text.index(NEWS) < text.index("Earlier, Coast News") < text.index(LEDE)
    assert SECOND not in text and SECOND in flat(parts[0][1])
    with site(load_config(cfg)) as s:
        check_html(s.get("/day/2026-11-10").text, s.get("/day/2026-11-11").text)


def test_a_day_whose_lead_is_new_has_no_earlier_line(tmp_path: Path) -> None:
    """Where the day's version became the lead (it is the day's news), the entry is as it was:
    the lead's excerpt, no "Earlier" line, no ``news_lead``."""
    rows = [record("quake-2", "quake_a2", "Valley Wire", TUE + timedelta(hours=6)),
            record("quake-1", "quake_a1", "Coast News", TUE + timedelta(days=1, hours=6))]
    replayed(tmp_path, rows)
    doc = json.loads((tmp_path / "out" / "digest-2026-11-11.json").read_text(encoding="utf-8"))
    developing = [s for s in doc["stories"] if s["status"] == "developing" and s["lead"]["new"]]
    assert developing and all(s["news_lead"] is None for s in developing)
    assert "Earlier, " not in (tmp_path / "out" / "digest-2026-11-11.md").read_text(encoding="utf-8")
