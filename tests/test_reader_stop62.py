"""A daily reader's month (stop 62): what a replayed archive's excerpts open with and hold.

Real parts: ``digest replay`` of a few records into a SQLite store on disk, and the Markdown
and HTML digests it writes, read as a reader reads them (one line of the lead's text)."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from digest.output.context import excerpt
from tests.support.replays import replayed

LEDE = ("A three-year-old was shot in the shoulder on Sunday night in a drive-by shooting in Harborville, "
        "leaving the child in critical condition, police said.")
MORE = ("The child was in a car on the 6100 block of Kestrel Avenue when someone in a passing car opened "
        "fire, according to police. No arrests have been made.")


def _excerpt_of(tmp_path: Path, text: str, title: str = "Child shot in Harborville") -> str:
    """The lead's excerpt as the day's Markdown and HTML digests show it (both the same)."""
    replayed(tmp_path, [{"id": "a1", "source": "Harbor Herald", "title": title, "text": text,
                         "url": "https://h.example/1", "published": "2016-06-19T09:15:00Z"}])
    out = tmp_path / "out"
    md = (out / "digest-2016-06-19.md").read_text(encoding="utf-8")
    paras = [p for p in md.split("\n\n") if p.strip() and not p.startswith(("#", "**", "---", "*Generated"))]
    html = lxml.html.document_fromstring((out / "digest-2016-06-19.html").read_text(encoding="utf-8"))
    shown = " ".join(html.text_content().split())
    assert paras, md
    first = " ".join(paras[0].split())
    assert first.replace("\\", "") in shown.replace("\\", ""), (first, shown)
    return first


def test_a_long_caption_with_its_credit_is_not_the_excerpts_opening(tmp_path: Path) -> None:
    """A photo's caption over the lede, ending in its credit ("View Full Caption Name/Name"),
    of more words than a short line over the lede may hold: the excerpt opened with the caption,
    its credit and the lede's dateline run together ("... Sam Cholke WOODLAWN — A three-year-old
    ..."), on the story's first day and again on the day it developed."""
    caption = ("A three-year-old was shot on Sunday night on the 6100 block of Kestrel Avenue, where neighbours "
               "said at least 20 shots were fired during a shootout in May and again in the spring. "
               "View Full Caption Harbor Herald/Sam Teller")
    shown = _excerpt_of(tmp_path, f"{caption}\nHARBORVILLE — {LEDE}\n{MORE}")
    assert shown.startswith(LEDE[:60]), shown
    assert "View Full Caption" not in shown and "HARBORVILLE" not in shown, shown


def test_a_dateline_opening_the_second_paragraph_is_not_shown_mid_excerpt(tmp_path: Path) -> None:
    """A standfirst over the lede, then the lede with its dateline: the excerpt read "... an
    elementary school . SAN DIEGO ( CBS 8 ) - Officials Wednesday identified ..."."""
    stand = "Grief counsellors will be at Harborville Elementary School on Wednesday after a pupil's death."
    shown = _excerpt_of(tmp_path, f"{stand}\nHARBORVILLE, Ore. (KHHR) - Officials on Wednesday identified three "
                                  f"people found dead in a home.\n{MORE}")
    assert shown.startswith(stand), shown
    assert "HARBORVILLE" not in shown and "(KHHR)" not in shown, shown
    assert "Officials on Wednesday identified three people" in shown, shown


def test_a_links_own_line_is_not_run_into_the_excerpt(tmp_path: Path) -> None:
    """"VIDEO : Baby shot in act of road rage" stood as a line of its own between two
    paragraphs: on one line it read as a sentence without a stop, run into the next."""
    shown = _excerpt_of(tmp_path, f"{LEDE}\nVIDEO: Child shot in drive-by on Kestrel Avenue\n{MORE}")
    assert "VIDEO" not in shown and "Kestrel Avenue when" in shown, shown


def test_a_rule_and_a_sponsors_introduction_are_not_the_excerpts_end(tmp_path: Path) -> None:
    """A short report shown whole ended "... expanded area coverage . This news report is made
    possible by :" (the sponsor's logo after it is not text), and a rule "—-" between two
    paragraphs showed as "—-" in the middle."""
    shown = _excerpt_of(tmp_path, f"{LEDE}\n—-\nNo arrests have been made.\nThis news report is made possible by:")
    assert shown == f"{LEDE} No arrests have been made.", shown


def test_a_lists_dash_and_a_sentence_opening_in_capitals_are_kept() -> None:
    """What the cleaning of later lines leaves alone: a list's item opened by a dash, a later
    paragraph opening with a name in capitals that no dash follows, a heading that reads like a
    dateline but ends without a stop ("PEPA – Universitätsklinikum Heidelberg (UKHD)", a
    scrapinghub page's), a colon inside the text."""
    text = (f"{LEDE}\nThe police listed what was found:\n- A handgun, a 9 mm pistol.\n- Two spent casings.\n"
            "HHR – Harbor Herald Radio (KHHR)\nNASA said nothing of it.")
    shown = excerpt(text, 1000)
    assert shown == " ".join(text.split()), shown


def test_another_pages_teaser_and_a_read_more_link_are_not_shown(tmp_path: Path) -> None:
    """A gallery's teaser standing inside the text, ending in its link "More", ran into the
    lead's excerpt on the day its story developed ("... At least 1 dead , several injured in
    Madisonville shooting Photos Police in Madisonville are investigating ... More"); a short
    report's last words were its "Read more →"."""
    teaser = "At least 1 dead in Harborville shooting Photos Police are investigating a shooting. More"
    shown = _excerpt_of(tmp_path, f"{LEDE}\n{teaser}\n{MORE}")
    assert "Photos" not in shown and " More" not in shown and "Kestrel Avenue when" in shown, shown
    assert excerpt(f"{LEDE} Two people broke … Read more →") == f"{LEDE} Two people broke …"


def test_a_sites_part_at_a_headlines_end_is_not_shown(tmp_path: Path) -> None:
    """A feed's titles carrying their site's line ("... identified - KXLF.com | Continuous News |
    Butte , Montana", "... death - KSLA News 12 Shreveport , Louisiana News Weather & Sports"):
    the story's heading, its "also reported by" row and a developing day's line of what is new
    were the longest lines of the day, wrapping twice on a phone, for the site's name."""
    site = " - HHR.com | Continuous News | Harborville , Oregon"
    replayed(tmp_path, [
        {"id": "a1", "source": "Harbor Herald", "title": "Child shot in Harborville drive-by" + site,
         "text": f"{LEDE}\n{MORE}", "url": "https://h.example/1", "published": "2016-06-19T09:15:00Z"},
        {"id": "b1", "source": "Coast Wire", "title": "Three-year-old hurt in Harborville shooting",
         "text": f"{LEDE}\nThe child's family asked for privacy.", "url": "https://c.example/1",
         "published": "2016-06-19T11:15:00Z"},
        {"id": "a2", "source": "Harbor Herald",
         "title": "Man charged with shooting boy in Harborville - Harbor Herald News , Weather & Sports",
         "text": ("A man has been charged in the drive-by shooting that left a three-year-old hurt in "
                  f"Harborville on Sunday, police said. {MORE}"),
         "url": "https://h.example/2", "published": "2016-06-23T09:15:00Z"},
    ])
    out = tmp_path / "out"
    for day in ("2016-06-19", "2016-06-23"):
        md = (out / f"digest-{day}.md").read_text(encoding="utf-8")
        html = (out / f"digest-{day}.html").read_text(encoding="utf-8")
        for shown in (md, html):
            assert "HHR.com" not in shown and "Weather" not in shown, shown
    md = (out / "digest-2016-06-19.md").read_text(encoding="utf-8")
    assert "## [Child shot in Harborville drive-by](https://h.example/1)" in md, md
    later = (out / "digest-2016-06-23.md").read_text(encoding="utf-8")
    assert "Man charged with shooting boy in Harborville" in later, later


def test_a_headline_whose_last_part_is_news_keeps_it() -> None:
    """What the site's part leaves alone: a last part with no address or station line, an
    address inside the headline itself, a part ending like a sentence, a short headline."""
    from digest.text.shown import headline

    for title in ("Amazon.com shares fall - analysts react", "Storm hits coast - see News and Weather.",
                  "Review - Booking.com", "Quake hits Opunake | Highcliff Post"):
        assert headline(title) == title
