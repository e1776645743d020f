"""Stop 64, after the developing entry's excerpt began at the day's version's first passage with
news: two things that change left.

* Where that passage comes before the one the line of what is new is read from, the line's
  sentence was said twice in one entry: in "Developing: <line>" and again in the excerpt after
  the opening's news.  The excerpt now stops before it (the line over it says it).
* The Atom entry (``/feed.atom`` of ``digest serve``) named the day's version twice: its outlet
  and time marked *new* over its excerpt, and again in the list of versions.  Now once, as the
  digest names it: outlet, headline linked, time, *new*.

The two-day ferry of ``test_review_stop64_developing`` (a real SQLite store on disk), read in
every output: the Markdown and HTML files, the email's two parts, the archive's day page and
feed over loopback HTTP."""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.html

from digest.config.reading import load_config
from digest.output.atom import story_tag
from tests.support.web import site
from tests.test_review_stop64_developing import (
    HERALD,
    REFLOATED,
    RESUME,
    WIRE,
    _outputs,
    _row,
    flat,
    two_days,
)


def _text(name: str, raw: str) -> str:
    return flat(lxml.html.document_fromstring(raw).text_content()) if name not in ("md", "mail_text") else flat(
        raw.replace("\\", ""))


def test_the_lines_sentence_is_said_once_and_the_openings_news_kept(tmp_path: Path) -> None:
    """The line says the sailings (once), the excerpt the refloating: before, the excerpt went on
    from the refloating to the sailings, said a second time."""
    for name, raw in _outputs(two_days(tmp_path)).items():
        text = _text(name, raw)
        assert text.count(RESUME) == 1, (name, text)
        assert REFLOATED in text, name
        # the one said is the line's, before the excerpt with the opening's news
        assert text.index(RESUME) < text.index(REFLOATED), name


def test_an_excerpt_beginning_at_the_line_still_goes_on_after_it(tmp_path: Path) -> None:
    """Where the day's version's first passage with news is the line's, nothing stops short:
    the excerpt is what follows the line (stop 63), the line said once."""
    first = ("The ferry Aurora ran aground off Kestrel Point on Thursday evening with 120 passengers aboard, "
             "Bluewater Lines said.\n\nAll passengers were taken off by lifeboat and no one was hurt, the coastguard "
             "said.\n\nSalvage crews were assessing the hull, and sailings to Kestrel Point were cancelled until "
             "further notice, the company said.")
    update = (f"{first.split(chr(10))[0]}\n\n{RESUME} after a hull inspection by divers.\n\n"
              "Divers from a Nelson firm found two dents below the waterline and no breach, the harbourmaster said.")
    for name, raw in _outputs(two_days(tmp_path, update=update)).items():
        text = _text(name, raw)
        assert text.count(RESUME) == 1, (name, text)
        assert "found two dents below the waterline" in text, name


def _feed(cfg: Path) -> tuple[str, feedparser.FeedParserDict]:
    with site(load_config(cfg)) as s:
        r = s.get("/feed.atom")
    assert r.status_code == 200
    parsed = feedparser.parse(r.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return r.text, parsed


def test_the_atom_entry_names_the_days_version_once_with_its_headline_and_link(tmp_path: Path) -> None:
    """Over its excerpt: "Harbor Herald: <headline linked> · <time> · new"; not listed again
    under the versions, where the lead and another report of the day still are; the line's
    sentence said once; the entry's id the story's tag, as before."""
    wire = _row("ferry-3", "Kestrel Point ferry: divers to inspect hull", "The ferry Aurora, aground off "
                "Kestrel Point since Thursday evening with 120 passengers aboard, will have its hull inspected by "
                "divers from a Nelson firm, the harbourmaster told reporters.", "Valley Wire", WIRE, 30)
    cfg = two_days(tmp_path, wire)
    _, parsed = _feed(cfg)
    [entry] = [e for e in parsed.entries if "Kestrel" in e.title]
    html = entry.content[0].value
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    assert len(doc.xpath("//a[@href=$u]", u=HERALD)) == 1, html
    assert len(doc.xpath("//a[@href=$u]", u=WIRE)) == 1, html
    assert doc.xpath("//a[@href='https://coast.example/ferry']"), html
    text = flat(doc.text_content())
    assert text.count("Ferry Aurora aground off Kestrel Point") == 1, text
    assert "Harbor Herald: Ferry Aurora aground off Kestrel Point" in text, text
    assert text.count("Harbor Herald") == 1, text
    assert text.count(RESUME) == 1 and REFLOATED in text, text
    [story_id] = {e.id for e in parsed.entries if "Kestrel" in e.title}
    assert story_id.startswith("tag:")
    # the id is the story's tag, the same on every fetch
    again = _feed(cfg)[1]
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]
    assert story_id in {story_tag(sid) for sid in _story_ids(cfg)}


def _story_ids(cfg: Path) -> list[str]:
    import json

    doc = json.loads((cfg.parent / "out" / "digest-2026-11-11.json").read_text(encoding="utf-8"))
    return [s["story_id"] for s in doc["stories"]]
