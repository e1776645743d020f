"""The lines a reader sees of an outlet's notices, reports restored and entries updated in
place, in every output (stop 38 review: outputs): the Markdown and HTML files, the JSON digest,
the email (sent by ``digest send`` to a real SMTP server on loopback, its HTML and text parts),
the archive's day and story pages.  Real parts: ``digest replay`` / ``digest send`` through the
CLI, SQLite on disk, aiosmtpd, the archive's web server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import lxml.html

from digest.app import open_app
from digest.cli import main
from digest.config import load_config
from digest.output.mailsize import carried_size, email_parts
from digest.records import DigestView, SectionView, StoryView, VersionView
from tests.support.config import loopback_email
from tests.support.daemon import smtpd
from tests.support.web import site
from tests.test_review_stop36_developing import _at
from tests.test_review_stop37_hostile import Q_TEXT, Q_TITLE, RETRACTED, notice, quake_day0
from tests.test_timeline import TUE, record

#: An outlet an aggregator's item names, in a script written right to left.
ARABIC = "أخبار الساحل"


def _replayed(tmp_path: Path, rows: list[dict[str, Any]], port: int = 25, extra: str = "") -> Path:
    """``rows`` replayed into a store on disk, with a configuration that mails to ``port``
    (and ``extra``, YAML)."""
    (tmp_path / "day.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"""sources:
  - {{name: Aggregator, url: 'https://agg.example/feed'}}
  - {{name: Valley Wire, url: 'https://vw.example/feed'}}
  - {{name: Harbor Herald, url: 'https://hh.example/feed'}}
output_dir: out
data_dir: data
timezone: Europe/London
clock: 2026-11-16T08:00:00Z
{loopback_email(port)}{extra}""", encoding="utf-8")
    assert main(["replay", str(tmp_path / "day.jsonl"), "--config", str(cfg)]) == 0
    return cfg


def _mailed(cfg: Path, *days: str) -> list[tuple[str, str]]:
    """``digest send`` of each day to a loopback SMTP server: each message's HTML and text parts."""
    text = cfg.read_text(encoding="utf-8")
    with smtpd() as (inbox, port):
        cfg.write_text(text.replace("port: 25\n", f"port: {port}\n"), encoding="utf-8")
        for day in days:
            assert main(["send", "--config", str(cfg), "--date", day]) == 0
    parts = []
    for raw in inbox.raw:
        msg = message_from_bytes(raw, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        html, plain = msg.get_body(("html",)), msg.get_body(("plain",))
        assert html is not None and plain is not None
        parts.append((html.get_content(), plain.get_content()))
    return parts


def _stated_quake(outlet: str, lang: str) -> list[dict[str, Any]]:
    """Day 0: the aggregator's item of ``outlet`` (its source states ``lang``) and Valley Wire's
    rewrite; day 1: the outlet's retraction; day 2: its report put back; day 3: a follow-up."""
    said = {"source": "Aggregator", "outlet": outlet, "lang": lang}
    rows = [{**r, **said} if r["id"] == "quake-1" else r for r in quake_day0()]
    return [*rows, notice(RETRACTED, **said),
            {"id": "quake-1-back", "title": Q_TITLE, "published": _at(2, 9), "text": Q_TEXT, **said},
            record("followup-1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=3, hours=9))]


def _said_in(html: str, words: str) -> list[str | None]:
    """The language each place holding ``words`` is marked in (its own or an ancestor's ``lang``;
    None: none stated, the page's)."""
    out = []
    for el in lxml.html.document_fromstring(html).iter():
        if not isinstance(el.tag, str):
            continue
        for holder, text in ((el, el.text), (el.getparent(), el.tail)):
            if holder is not None and words in (text or ""):
                langs = [a.get("lang") for a in (holder, *holder.iterancestors()) if a.get("lang")]
                out.append(langs[0] if langs else None)
    return out


# -- 1. the notice's line is the digest's words, the outlet's name feed text ------------------

def test_the_notice_line_is_in_the_pages_language_with_the_outlet_isolated(tmp_path: Path) -> None:
    """An aggregator's item of an outlet named in Arabic, its source stating German: the
    developing line "<outlet> retracted its report" was one ``<span dir="auto" lang="de">``,
    so the English words were marked German (a screen reader speaks them so) and laid out
    right to left from the outlet's first letter: Chromium showed "retracted its report
    أخبار الساحل".  The notice's row "retracted its report" was marked German too, in the
    digest and on the archive's story page.  Now the outlet is isolated in its own direction
    and the digest's words are in the pages' language, in the HTML file, the email and the
    archive."""
    cfg = _replayed(tmp_path, _stated_quake(ARABIC, "de"))
    [(mail, _plain), (mail_back, _)] = _mailed(cfg, "2026-11-11", "2026-11-12")
    page = (tmp_path / "out" / "digest-2026-11-11.html").read_text(encoding="utf-8")
    for html, verb in ((page, "retracted"), (mail, "retracted"), (mail_back, "restored")):
        root = lxml.html.document_fromstring(html)
        [line] = root.find_class("developing")[-1:]  # the story's line (its heading is .developing too)
        assert line.tag == "p"
        [outlet] = [el for el in line.iter("span") if el.text == ARABIC]
        assert outlet.get("dir") == "auto" and outlet.get("lang") is None
        assert (outlet.tail or "").startswith(f" {verb} its report")
        assert all(a.get("lang") in (None, "en") for a in (line, *line.iterancestors()))
    for html in (page, mail):
        langs = _said_in(html, "retracted its report")
        assert langs and set(langs) <= {None, "en"}, langs
    with site(load_config(cfg)) as s:
        day = s.get("/day/2026-11-13").text
        story = s.get(lxml.html.document_fromstring(day).xpath("//a[starts-with(@href, '/story/')]/@href")[0]).text
    langs = _said_in(story, "retracted its report")
    assert langs and set(langs) <= {None, "en"}, langs
    assert 'lang="de"' in story  # the versions' own words keep their language


# -- 2. a long day's email: a story by title only still says what happened -----------------------

def _long_day(cfg: Path, day: date, stories: int) -> DigestView:
    """The day's view as the store gives it, after ``stories`` other new stories of three
    outlets each (ahead of it: most outlets first)."""
    with open_app(cfg) as app:
        view = app.build_view(day)
    at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8)
    filler = []
    for i in range(stories):
        vs = [VersionView(source=f"Outlet {k}", title=f"Harbour board item {i}: ferry timetable {k}",
                          url=f"https://o{k}.example/{i}", published=at, arrived=at, key=f"f{i}-{k}",
                          text=f"The harbour board met about item {i}. " * 30) for k in range(3)]
        filler.append(StoryView(f"f{i}", vs[0].title, vs[0], vs[1:], first_seen=at))
    stories = [*filler, *view.stories]
    return replace(view, stories=stories, sections=[SectionView("", stories)] if view.sections else [])


def test_a_story_by_title_only_in_a_long_mail_still_says_it_is_developing_and_why(tmp_path: Path) -> None:
    """A day too long for one email shows its later stories by title only: the quake the
    outlet retracted that day was a bare link among new stories, in the HTML and the text part,
    with nothing saying it was an earlier story, nor that Coast News retracted its report (the
    contents at the top mark a story "developing"; a title-only one had no contents line
    either).  Now a developing story listed by title says "Developing" and its line."""
    cfg = _replayed(tmp_path, [*quake_day0(), notice(RETRACTED)])
    view = _long_day(cfg, date(2026, 11, 11), 40)
    html, text = email_parts(view, tz=UTC, budget=40_000)
    assert carried_size(html) <= 40_000
    root = lxml.html.document_fromstring(html)
    assert Q_TITLE not in [" ".join(h.text_content().split()) for h in root.iter("h2", "h3")]  # by title
    [item] = [li for li in root.iter("li") if "harbour wall collapses" in li.text_content()]
    said = " ".join(item.text_content().split())
    assert "Developing" in said and "Coast News retracted its report" in said, said
    [line] = [ln for ln in text.splitlines() if "harbour wall collapses" in ln]
    at = text.splitlines().index(line)
    block = " ".join(text.splitlines()[at : at + 3])
    assert "Developing" in block and "Coast News retracted its report" in block, block


# -- 3. the week's figures add up when a report was taken back, put back or updated in place ----

WEEKLY = """digests:
  - name: daily
  - name: weekly
    every: week
    weekday: monday
"""


def test_the_weekly_figures_add_up_after_a_notice_a_report_restored_and_a_revision(
    tmp_path: Path, capsys: Any
) -> None:
    """The week's digest said "5 articles read · 1 story · 2 duplicates collapsed" of a week
    in which the aggregator's outlet retracted its report and put it back: the report and the
    notice, new in the week and listed on their days, stood for by the report back in the
    week's last view, were counted nowhere (``articles_read`` = ``stories`` +
    ``duplicates_collapsed`` + ``muted_articles``, README).  So was an entry's first text
    updated in place later in the week."""
    from tests.test_review_stop37_inplace import REVISED_TITLE, revised_text

    quake = _stated_quake("Coast News", "en")
    revision = {**quake[0], "title": REVISED_TITLE, "text": revised_text(), "arrived": _at(1, 10)}
    for name, rows in (("restored", quake), ("revised", [*quake_day0(), {**revision, "source": "Coast News"}])):
        folder = tmp_path / name
        folder.mkdir()
        cfg = _replayed(folder, [{k: v for k, v in r.items() if k != "outlet" or name == "restored"} for r in rows],
                        extra=WEEKLY)
        capsys.readouterr()
        assert main(["build", "--config", str(cfg), "--digest", "weekly", "--date", "2026-11-13",
                     "--format", "json", "-o", "-"]) == 0
        counts = json.loads(capsys.readouterr().out)["counts"]
        assert counts["articles_read"] == len(rows), (name, counts)
        assert counts["articles_read"] == counts["stories"] + counts["duplicates_collapsed"] + counts["muted_articles"], (
            name, counts)
