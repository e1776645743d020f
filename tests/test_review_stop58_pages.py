"""Stop 58: every page in Chromium (docs/evaluation.md): papercuts found looking at each page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from digest.config import parse_config
from digest.output.digests import arrange, categories, plan_named
from digest.output.render import render_email_html, render_html
from digest.records import DigestView, StoryView, VersionView


def _sectioned_view(tmp_path: Path) -> DigestView:
    """Four stories of two sources whose categories are the morning digest's two sections."""
    cfg = parse_config(
        "sources:\n  - {name: Wire, url: 'https://w.example/f', category: World}\n"
        "  - {name: Desk, url: 'https://d.example/f', category: Business}\n"
        "digests:\n  - {name: morning, sections: [World, Business]}\n", path=tmp_path / "feeds.yaml")  # fmt: skip
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    stories = [StoryView(f"s{i}", f"Story {i}", VersionView(src, f"Story {i} headline", f"https://x.example/{i}", at,
                                                             "Body text. " * 20), [])
               for i, src in enumerate(["Desk", "Wire", "Desk", "Wire"])]  # fmt: skip
    sections, _ = arrange(stories, plan_named(cfg, "morning"), categories(cfg))
    return DigestView("2026-12-01", [s for sec in sections for s in sec.stories], 4, 0, sections=sections)


def _style(el: lxml.html.HtmlElement) -> dict[str, str]:
    pairs = (p.split(":", 1) for p in (el.get("style") or "").split(";") if ":" in p)
    return {k.strip(): v.strip() for k, v in pairs}


def test_the_emails_contents_name_each_section_as_its_heading_does(tmp_path: Path) -> None:
    """The email's contents wrote "World" as a paragraph of body text (15px, the text's black),
    its heading below in small muted capitals; the page writes both alike."""
    view = _sectioned_view(tmp_path)
    page = lxml.html.document_fromstring(render_html(view))
    assert page.find_class("toc-section") and page.find_class("section")  # the page has both
    email = lxml.html.document_fromstring(render_email_html(view))
    names = email.find_class("toc-section")
    heads = [h for h in email.iter("h2") if "section" in (h.get("class") or "").split()]
    assert [n.text_content() for n in names] == [h.text_content() for h in heads] == ["World", "Business"]
    for name in names:
        style = _style(name)
        assert style.get("text-transform") == "uppercase" and style.get("color") == "#555555", style
        assert style.get("font-size") == _style(heads[0])["font-size"]


def test_the_emails_first_story_of_a_section_has_no_second_rule_under_its_heading(tmp_path: Path) -> None:
    """A section's heading is a thick rule; its first story drew a thin one again just under it
    (the page leaves it out: ``h2.section + h3.story``).  The stories after keep theirs."""
    email = lxml.html.document_fromstring(render_email_html(_sectioned_view(tmp_path)))
    firsts, others = [], []
    for h3 in email.iter("h3"):
        before = h3.getprevious()
        after_section = before is not None and before.tag == "h2" and "section" in (before.get("class") or "")
        (firsts if after_section else others).append(_style(h3))
    assert len(firsts) == 2 and len(others) == 2
    assert all("border-top" not in s for s in firsts), firsts
    assert all(s.get("border-top") == "1px solid #dddddd" for s in others), others
    assert all(s.get("font-size") == "18px" for s in firsts + others)


def _developing_view() -> DigestView:
    """A story developing: its lead read before, another outlet's version new today."""
    at = datetime(2026, 11, 25, 7, 45, tzinfo=UTC)
    lead = VersionView("Coast FM", "Quake shakes coast", "https://c.example/q", at.replace(day=24), "Body. " * 30, new=False)
    new = VersionView("Taranaki Daily", "Harbour wall collapses", "https://t.example/q", at, "Wall. " * 30, new=True)
    story = StoryView("s1", "Quake shakes coast", lead, [new], status="developing", whats_new="Harbour wall collapses",
                      first_seen=at.replace(day=24))  # fmt: skip
    return DigestView("2026-11-25", [story], 2, 1, generated=at.replace(day=26, hour=0, minute=0))


def test_the_emails_new_mark_stands_out_as_the_pages_does() -> None:
    """The page writes "new" upright in the warning colour (``li em``); the email left it in the
    line's muted italics, where a reader skimming for what is new did not find it."""
    view = _developing_view()
    page = render_html(view)
    assert "<em>new</em>" in page and "li em { font-style: normal; font-weight: 600; color: var(--warn); }" in page
    email = lxml.html.document_fromstring(render_email_html(view))
    marks = [em for em in email.iter("em") if em.text_content() == "new"]
    assert marks
    for em in marks:
        assert _style(em) == {"font-style": "normal", "font-weight": "600", "color": "#a8480f"}


def test_the_emails_closing_line_is_small_and_muted_below_a_spaced_rule() -> None:
    """"Generated ..." was body text (15px, the text's black) on a rule set tight under the last
    list; the page has it small and muted (``hr + p``), the rule 2rem below the stories."""
    email = lxml.html.document_fromstring(render_email_html(_developing_view()))
    rule = next(email.iter("hr"))
    closing = rule.getnext()
    assert closing is not None and closing.text_content().startswith("Generated")
    assert _style(closing)["color"] == "#555555" and _style(closing)["font-size"] == "13px"
    assert _style(rule)["margin"].startswith("24px")


def test_the_story_page_says_what_an_entry_updated_in_place_now_adds(tmp_path: Path) -> None:
    """An entry updated in place by a paragraph added at its end: the story page listed the
    revision and its earlier text with one excerpt, word for word (the change after the
    excerpt's end), so what changed was on the day page only.  The revision's row now says it,
    as a developing story's line; the earlier text and the other outlet's row say nothing."""
    import json

    from digest.cli import main
    from digest.config import load_config
    from tests.support.web import site

    stories = Path(__file__).parent / "fixtures" / "stories"
    def record(rid: str, name: str, outlet: str, at: str, extra: str = "") -> dict[str, str]:
        title, text = (stories / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)
        return {"id": rid, "title": title.strip(), "text": text.strip() + extra, "url": f"https://x.example/{rid}",
                "source": outlet, "published": at, "arrived": at}  # fmt: skip

    added = "Update: Civil Defence now says 14 people were treated and a state of emergency was declared."
    first = record("quake-1", "quake_a1", "Coast FM", "2026-11-24T06:00:00Z")
    wire = record("quake-2", "quake_a2", "Taranaki Daily", "2026-11-25T07:45:00Z")
    update = {**record("quake-1", "quake_a1", "Coast FM", "2026-11-24T06:00:00Z", "\n" + added),
              "arrived": "2026-11-25T12:00:00Z"}  # fmt: skip
    data = tmp_path / "week.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in (first, wire, update)), encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("data_dir: data\noutput_dir: out\ntimezone: UTC\nsources: []\n", encoding="utf-8")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    with site(load_config(cfg)) as s:
        day = lxml.html.document_fromstring(s.get("/day/2026-11-25").text)
        story = lxml.html.document_fromstring(s.get(day.xpath("//a[starts-with(@href, '/story/')]/@href")[0]).text)
    rows = story.xpath("//ul[@class='versions']/li")
    said = {" ".join(li.xpath("string(strong)").split()) + " " + li.xpath("string(span[@class='kind'])"):
            [" ".join(p.text_content().split()) for p in li.find_class("developing")] for li in rows}  # fmt: skip
    assert said == {
        "Coast FM (lead; revision: the entry updated in place)": [f"Updated: {added}"],
        "Coast FM (earlier text, updated since)": [],
        "Taranaki Daily ": [],
    }, said
    excerpts = [" ".join(p.text_content().split()) for p in story.find_class("excerpt")]
    assert excerpts[0] == excerpts[1] and added not in excerpts[0]  # why the line is needed
