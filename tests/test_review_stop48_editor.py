"""What an editor reading real digests saw (stop 48 review, the editor's angle): each test is
a small page or text of our own in the form the corpora showed it."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.records import Entry
from digest.sources.localfiles import read_path
from digest.text.extract import html_to_text
from tests.support.config import MakeConfig

PAGE = """<!doctype html><html><head>
<meta property="og:site_name" content="{site}">
<meta property="og:title" content="{title}">
<title>{title}</title></head><body><article><h1>{h1}</h1>
<p>Harbour pilots on the Opunake coast refused to take ships in on Tuesday after a crane
collapsed on the north wharf, the port company said in a statement to its customers.</p>
<p>Nobody was hurt, the company said, and the wharf is expected to reopen by the weekend.</p>
</article></body></html>"""


@pytest.mark.parametrize(
    ("site", "title", "headline"),
    [
        # scrapinghub: "... - VG247", "... | Al Bawaba", "... - SpaceNews.com" in og:title itself
        ("Highcliff Post", "Pilots refuse ships at Opunake - Highcliff Post", "Pilots refuse ships at Opunake"),
        ("The Harbour Blog", "Pilots refuse ships | The Harbour Blog", "Pilots refuse ships"),
        ("Portnews.co.nz", "Pilots refuse ships at Opunake – Portnews.co.nz", "Pilots refuse ships at Opunake"),
        # a name that is an address: "https://www.newsnation.in" names "... - News Nation"
        ("https://www.highcliffpost.co", "Pilots refuse ships - Highcliff Post", "Pilots refuse ships"),
        # the name before the headline
        ("Highcliff Post", "Highcliff Post :: Pilots refuse ships at Opunake", "Pilots refuse ships at Opunake"),
        # a part that is not the site's name stays: "A - B" headlines, a section
        ("Highcliff Post", "Crane collapse - what we know", "Crane collapse - what we know"),
        ("Highcliff Post", "Highcliff Post", "Highcliff Post"),
    ],
)
def test_a_pages_headline_is_without_the_site_name_it_states(
    tmp_path: Path, site: str, title: str, headline: str
) -> None:
    page = PAGE.format(site=site, title=title, h1=headline)
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (entry,) = [e for e in read_path(tmp_path, source="Saved") if isinstance(e, Entry)]
    assert entry.title == headline
    # a page read for its full text: the same headline
    assert html_to_text(page, page=True)[1] == headline


LEDE = ("Two harbour pilots were charged Tuesday with falsifying records of the "
        "ships they had checked in the hours before the collapse.")
REST = "Federal prosecutors said the records were written after the crane fell."


@pytest.mark.parametrize(
    "before",
    [
        # a subheadline over the lede (scrapinghub: USA Today, BBC Newsbeat, CBS Sports)
        ["Two harbour pilots charged with falsifying records in connection with the crane collapse"],
        # a deck and a dateline on its own line
        ["Pilots complete frantic rescue to save the north wharf", "Opunake"],
        # a photo's caption with its credit (GVC: "... | Facebook photo", "(Courtesy: ... police)")
        ["The north wharf crane lies across the berth on Tuesday. | Facebook photo"],
        ["The crane lies across the berth on Tuesday (Courtesy: Opunake police)"],
        # a date line and a reading time (scrapinghub, in Portuguese)
        ["sexta-feira, 22 de outubro de 2010 às 20:13"],
        ["Tempo de leitura: 1 minuto"],
    ],
)
def test_an_excerpt_begins_with_the_lede_not_the_lines_over_it(before: list[str]) -> None:
    from digest.output.context import excerpt

    text = "\n\n".join([*before, LEDE, REST])
    assert excerpt(text, 400) == f"{LEDE} {REST}"


@pytest.mark.parametrize(
    "text",
    [
        # a lede that lost its stop, long: running text, kept
        "Two harbour pilots were charged on Tuesday with falsifying the records of the ships they "
        "had checked in the hours before the crane on the north wharf collapsed onto the berth and "
        "the ferry moored there\n\n" + REST,
        # no line ends like a sentence: a list, kept as it is
        "Tide times\n\nHigh water 06:12\n\nLow water 12:30",
        # three short lines without a stop: more than a deck, kept
        "Opunake\n\nNorth wharf\n\nTuesday\n\n" + REST,
        # a first line that ends like a sentence
        f"{LEDE}\n\n{REST}",
    ],
)
def test_an_excerpt_keeps_a_lede_that_is_no_deck(text: str) -> None:
    from digest.output.context import excerpt

    assert excerpt(text, 1000) == " ".join(text.split())


@pytest.mark.parametrize(
    "line",
    [
        # scrapinghub, Barron's: the text the page gave, over the story
        "This copy is for your personal, non-commercial use only. To order presentation-ready copies "
        "for distribution to your colleagues, clients or customers visit http://www.djreprints.com.",
        # GVC val, a video player's note over the lede
        "Having trouble viewing the video? Try disabling any ad blocking extensions currently running "
        "on your browser.",
        "Please turn off your ad blocker to keep reading.",
    ],
)
@pytest.mark.parametrize("at", [0, 1])
def test_a_reprint_notice_and_an_ad_blocker_note_are_junk(line: str, at: int) -> None:
    from tests.support.cleaning import BODY, kept

    assert kept(line, at) == BODY


@pytest.mark.parametrize(
    "line",
    [
        "Publishers say a third of readers now use an ad blocker, the survey found.",
        "The company said it would not pause ad blocking on its browser, whatever advertisers said.",
        "The court said the copy was for personal use only and dismissed the claim.",
    ],
)
def test_prose_about_ad_blockers_and_copies_stays(line: str) -> None:
    from tests.support.cleaning import BODY, kept

    assert kept(line) == [BODY[0], line, *BODY[1:]]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # the agencies' and the local papers' datelines (scrapinghub, GVC val)
        ("WASHINGTON (AP) — Harbour pilots were charged.", "Harbour pilots were charged."),
        ("SIOUX FALLS, S.D. – People across the nation are talking.", "People across the nation are talking."),
        ("KOKOMO, Ind. (June 15, 2014) — Kokomo police want to know.", "Kokomo police want to know."),
        ("WILKES-BARRE, Pa. (AP) – State police say a man was killed.", "State police say a man was killed."),
        ("SALT LAKE CITY — Police say a man shot a boy.", "Police say a man shot a boy."),
        ("KANSAS CITY, Mo. -- A boy was shot and killed.", "A boy was shot and killed."),
        ("BURBANK >> Police on Friday were investigating.", "Police on Friday were investigating."),
        ("Dekalb, Ill. — Mike Glass threw for three touchdowns.", "Mike Glass threw for three touchdowns."),
        ("(KMOV.com) – Overland police say a teen died.", "Overland police say a teen died."),
        ("- The Gwinnett County police are investigating.", "The Gwinnett County police are investigating."),
        # under a deck
        ("Pilots refuse ships at the north wharf\n\nOPUNAKE — Pilots refused ships.", "Pilots refused ships."),
        # no dateline: kept whole
        ("NASA said on Tuesday it would launch.", "NASA said on Tuesday it would launch."),
        ("A crane - the biggest on the coast - fell.", "A crane - the biggest on the coast - fell."),
        ("US-China trade – what to know about it.", "US-China trade – what to know about it."),
        ("Opunake pilots — who refused ships — spoke.", "Opunake pilots — who refused ships — spoke."),
    ],
)
def test_an_excerpt_begins_after_the_ledes_dateline(text: str, shown: str) -> None:
    from digest.output.context import excerpt

    assert excerpt(text, 400) == shown


def _replay_day_two(tmp_path: Path, second: dict[str, object]) -> tuple[dict[str, object], str]:
    """The quake's report on Tuesday, ``second`` on Wednesday: Wednesday's story (JSON) and
    its Markdown digest."""
    from datetime import timedelta

    from digest.cli import main
    from tests.test_timeline import TUE, digest_json, record, write_inputs

    first = record("q1", "quake_a1", "Coast News", TUE + timedelta(hours=8))
    at = (TUE + timedelta(days=1, hours=9)).isoformat()
    data, cfg = write_inputs(tmp_path, [first, {"id": "v1", "source": "Valley Wire", "published": at, **second}])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    return story, (tmp_path / "out" / "digest-2026-11-11.md").read_text(encoding="utf-8")


PILOTS = ("Harbour pilots refused to take ships into Opunake on Wednesday after the magnitude 6.1 "
          "earthquake damaged the north wharf, the port company said.")


@pytest.mark.parametrize(
    "over",
    ["OPUNAKE (NZPA) — ", "The north wharf on Wednesday (Courtesy: Port Taranaki)\n"],
)
def test_a_developing_storys_line_is_not_its_excerpts_first_sentence_again(tmp_path: Path, over: str) -> None:
    """The new version leads, opening with a dateline or a caption over its lede: the excerpt
    begins after it, and the line, that sentence with the dateline or the caption in front,
    read as news the excerpt had not said (GVC val 2016-11-10: "Erick Malone is wanted ...
    (Waterbury police/WFSB) Police in Waterbury are searching ...")."""
    from tests.test_timeline import text_of

    _, body = text_of("quake_a1")
    more = ("The port company said the wharf would stay closed for at least a week while engineers "
            "checked its piles, and that two container ships had been sent on to New Plymouth.\n"
            "Fishermen said the closure would cost them the best week of the season, and the district "
            "council said it would ask the government for help with the cost of the repairs.\n")
    text = f"{over}{PILOTS}\n{more}{body}"
    story, md = _replay_day_two(tmp_path, {"title": "Pilots refuse ships at quake-damaged Opunake wharf", "text": text})
    assert story["lead"]["id"] == "v1"  # type: ignore[index]
    assert md.count("Harbour pilots refused") == 1, md
    assert "OPUNAKE" not in md and "Courtesy" not in md


def test_a_developing_storys_line_begins_after_a_dateline(tmp_path: Path) -> None:
    from tests.test_timeline import text_of

    title, body = text_of("quake_a1")
    story, md = _replay_day_two(tmp_path, {"title": title, "text": f"OPUNAKE (NZPA) — {PILOTS}\n{body.splitlines()[0]}"})
    assert story["lead"]["id"] == "q1"  # type: ignore[index]
    assert story["whats_new"] == PILOTS
    assert f"**Developing**: {PILOTS}" in md


@pytest.mark.parametrize("at", [0, 1, 3])
def test_a_web_address_alone_on_its_line_is_no_text_of_the_story(at: int) -> None:
    from tests.support.cleaning import BODY, kept

    assert kept("https://www.highcliffpost.example/articles/pilots-refuse-ships-51574168486", at) == BODY
    assert kept("www.highcliffpost.example/pilots", at) == BODY


def test_a_sentence_with_a_web_address_stays() -> None:
    from tests.support.cleaning import BODY, kept

    line = "The council published the repair plan at https://council.example/plan on Monday."
    assert kept(line) == [BODY[0], line, *BODY[1:]]


def test_an_excerpt_ends_before_a_table_the_text_holds() -> None:
    from digest.output.context import excerpt

    text = ("The standings after the last race of the season, with two drivers level on points.\n\n"
            "Final standings after 36 races:\n\n"
            "| Pos. | Driver | Points | Wins |\n\n| 1 | Kyle Busch | 5040 | 5 |\n\n| 2 | Martin Truex Jr. | 5035 | 7 |")
    assert excerpt(text, 400) == ("The standings after the last race of the season, with two drivers level on points. "
                                  "Final standings after 36 races …")
    # a text that is a table from its first line: shown as it is
    table = "| Pos. | Driver | Points | Wins |\n\n| 1 | Kyle Busch | 5040 | 5 |"
    assert excerpt(table, 400) == " ".join(table.split())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # GVC val: an update's stamp over the lede, and over its dateline
        ("Update, 9:45 a.m. Sunday: A 17-year-old was arrested.", "A 17-year-old was arrested."),
        ("UPDATED at 3:05 p.m. BLADENSBURG, MD — Authorities released the name.", "Authorities released the name."),
        ("UPDATE 3:45 p.m.: Police said the road reopened.", "Police said the road reopened."),
        # no stamp: kept
        ("Updates to the plan at 9 a.m. were announced.", "Updates to the plan at 9 a.m. were announced."),
        ("Update: the council met on Monday.", "Update: the council met on Monday."),
    ],
)
def test_an_excerpt_begins_after_an_updates_time_stamp(text: str, shown: str) -> None:
    from digest.output.context import excerpt

    assert excerpt(text, 400) == shown


def test_a_headline_does_not_end_with_the_separator_its_site_name_was_cut_from(tmp_path: Path) -> None:
    """GVC val: "15-year-old accidentally shoots self while taking selfie –", the heading of its
    story and a row of "also reported by"."""
    from datetime import timedelta

    from digest.cli import main
    from tests.test_timeline import TUE, record, text_of, write_inputs

    title, body = text_of("quake_a1")
    second = {"id": "v1", "title": "Quake damages Opunake harbour wall |", "text": body, "source": "Valley Wire",
              "published": (TUE + timedelta(hours=9)).isoformat()}
    first = record("q1", "quake_a1", "Coast News", TUE + timedelta(hours=8)) | {"title": f"{title} –"}
    data, cfg = write_inputs(tmp_path, [first, second])
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    md = (tmp_path / "out" / "digest-2026-11-10.md").read_text(encoding="utf-8")
    assert f"## {title}\n" in md, md
    assert "**Valley Wire**: Quake damages Opunake harbour wall ·" in md, md


def test_the_archive_and_the_feed_show_a_headline_as_the_digest_does(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """The separator left at a headline's end was dropped in the digest only: the archive's
    search results, story page, permalinks and the Atom feed still said "... taking selfie –"
    (seen in headless Chromium, GVC val's search page)."""
    from digest.store.base import NewArticle, open_store
    from tests.support.archive import NOW, article, at
    from tests.support.web import site as open_site

    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="Test archive")
    text = "A teenager shot himself while taking a selfie with a gun on Friday, police said. " * 3
    with open_store(cfg.database_url) as store:
        store.add_articles([NewArticle(article("s1", "Coast News", "Teen shoots self while taking selfie –",
                                               "https://coast.example/selfie", at(14, 8), text),
                                       b"fp", "selfie", 0.9)], leads={"selfie": "s1"})
    with open_site(cfg, clock=lambda: NOW) as site:
        pages = {path: site.get(path).text for path in
                 ("/day/2026-03-14", "/story/selfie", "/search?q=selfie", "/feed.atom")}
    for path, page in pages.items():
        assert "taking selfie –" not in page, path
        assert "Teen shoots self while taking selfie" in page, path
