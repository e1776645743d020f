"""Junk removal: prose survives, site furniture goes, truncation is detected."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.text.clean import classify_lines, clean_text
from digest.text.lines import line_key, recurring_lines
from tests.support.examples_count import examples

FIXTURES = Path(__file__).parent / "fixtures" / "clean"


def read(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


BRIDGE_PROSE = [
    "The Riverside Bridge reopened to traffic on Tuesday morning",
    "City engineers said the original steel deck had corroded",
    "The closure hit small businesses on the east bank especially hard.",
    "Mayor Ana Ruiz thanked residents for their patience",
    "The project cost 48 million dollars",
]
BRIDGE_JUNK = [
    "Home",
    "Local News",
    "March 2024",
    "Riverside Bridge Reopens After Two Years of Repairs",
    "Share on Facebook",
    "Follow us on Instagram for more updates",
    "Views: 532",
    "Posted in: City",
    "I have been covering city hall for a decade",
    "Leave a comment",
    "Your email address will not be published.",
    "Council Approves New Budget for Public Parks",
    "School Board Votes to Extend Summer Break",
]


def test_article_keeps_every_prose_paragraph_and_drops_junk() -> None:
    raw = read("bridge_article.txt")
    res = clean_text(raw)
    kept = paragraphs(res.text)
    assert len(kept) == len(BRIDGE_PROSE) == res.paragraphs
    for start, para in zip(BRIDGE_PROSE, kept, strict=True):
        assert para.startswith(start)
    for junk in BRIDGE_JUNK:
        assert junk not in res.text
        assert any(line.startswith(junk) for line in res.junk), junk
    assert not res.truncated


def test_cleaning_never_makes_text_longer_and_only_removes_whole_lines() -> None:
    raw = read("bridge_article.txt")
    res = clean_text(raw)
    assert res.words < len(raw.split())
    assert len(res.text) < len(raw)
    raw_lines = {ln.strip() for ln in raw.splitlines() if ln.strip()}
    assert set(paragraphs(res.text)) <= raw_lines
    assert set(res.junk) <= raw_lines


def test_title_and_its_repeats_are_removed() -> None:
    text = (
        "Storm Closes Mountain Pass\n\n"
        "The mountain pass was closed on Sunday after heavy snow blocked both lanes, "
        "the highway agency said in a statement.\n\n"
        "Crews expect to reopen the road on Wednesday if the weather improves."
    )
    res = clean_text(text, title="Storm closes mountain pass")
    assert res.junk == ["Storm Closes Mountain Pass"]
    assert res.text.startswith("The mountain pass was closed")


def test_first_person_column_is_not_a_bio() -> None:
    raw = read("column_first_person.txt")
    res = clean_text(raw)
    assert res.junk == []
    assert paragraphs(res.text) == paragraphs(raw)


def test_third_person_article_with_trailing_first_person_bio() -> None:
    body = " ".join(
        f"The committee heard evidence from witness number {i} about the contract."
        for i in range(8)
    )
    bio = (
        "I am a freelance writer and editor, and my passion is telling stories "
        "about the people I meet on my travels."
    )
    res = clean_text(f"{body}\n\n{bio}")
    assert res.junk == [bio]
    assert res.text == body


def test_dated_list_at_end_is_content_not_related_headlines() -> None:
    raw = read("tour_dates.txt")
    res = clean_text(raw)
    assert "June 12 – Austin, TX @ Riverside Pavilion" in res.text
    assert res.junk == []


def test_related_headline_list_at_end_goes() -> None:
    text = (
        "The city council voted on Monday to expand the bus network to three new suburbs, "
        "a plan that will cost about twelve million over five years.\n\n"
        "Officials said the first routes would open in September.\n\n"
        "Local Bakery Wins National Award\n"
        "New Cycle Lanes Open Downtown\n"
        "Airport Expansion Delayed Again"
    )
    res = clean_text(text)
    assert res.paragraphs == 2
    assert res.junk[-1] == "Airport Expansion Delayed Again"


def test_subheading_followed_by_prose_is_dropped_list_items_stay() -> None:
    text = (
        "The report found that rents rose in every district last year, with the steepest "
        "increases near the university.\n\n"
        "Rising Costs Across the City\n\n"
        "Tenants in the north paid on average nine percent more than a year earlier, "
        "the housing office said.\n\n"
        "- more inspections of rented flats\n"
        "- a register of landlords\n\n"
        "The council will debate the proposals next month."
    )
    junk = [line for line, reason in classify_lines(text) if reason]
    assert junk == ["Rising Costs Across the City"]
    assert "- a register of landlords" in clean_text(text).text


def test_table_rows_and_cjk_prose_survive() -> None:
    table = "| Pos | Driver | Points | Wins |\n| 1 | A. Driver | 5040 | 5 |\n| 2 | B. Driver | 5035 | 7 |"
    text = (
        "The championship standings after the final race of the season are listed below, "
        "with the top two separated by five points.\n\n" + table
    )
    assert "| 2 | B. Driver | 5035 | 7 |" in clean_text(text).text
    cjk = "報道によると、今回販売されたのは改造された端末です。\n\nもちろん、メーカーはこの改造を認めていません。"
    assert clean_text(cjk).text == cjk


@pytest.mark.parametrize(
    "ending",
    [" […]", "...", "…", " [...]", " Read more", "\n\nRead more", "\n\nContinue reading →"],
)
def test_cut_short_summaries_are_truncated(ending: str) -> None:
    body = " ".join(["The board met to discuss the new water rates for the valley."] * 8)
    res = clean_text(body.rstrip(".") + ending)
    assert res.truncated
    assert "Read more" not in res.text
    assert "Continue reading" not in res.text


def test_fixture_summary_truncated_and_full_article_not() -> None:
    assert clean_text(read("cut_summary.txt")).truncated
    assert not clean_text(read("tour_dates.txt")).truncated
    assert clean_text("A short note.").truncated  # very short
    empty = clean_text("")
    assert (empty.text, empty.junk, empty.truncated, empty.words) == ("", [], True, 0)


def test_line_key_ignores_case_punctuation_and_numbers() -> None:
    assert line_key("Views: 1021") == line_key("views 87") == "views #"
    assert line_key("  Share THIS!  ") == "share this"
    assert line_key("") == ""


def test_recurring_lines_counts_each_article_once() -> None:
    a = "Story one body text.\n\nThe Valley Courier is on Mastodon\n\nThe Valley Courier is on Mastodon"
    b = "Story two body text.\n\nThe Valley Courier is on Mastodon"
    c = "Story three body text."
    rec = recurring_lines([a, b, c])
    assert rec == Counter({line_key("The Valley Courier is on Mastodon"): 2})
    assert recurring_lines([a, b, c], min_count=3) == Counter()


def test_source_recurring_lines_are_junk_even_mid_article() -> None:
    tagline = "Independent reporting from the valley since 1998, funded by our readers"
    prose = [
        "The festival drew more than ten thousand visitors over the weekend, organisers said.",
        "Traders reported their busiest days of the year, and the council praised the volunteers.",
    ]
    others = [f"Another story {i} about the harbour.\n\n{tagline}" for i in range(3)]
    text = f"{prose[0]}\n\n{tagline}\n\n{prose[1]}"
    assert tagline in clean_text(text).text  # no signal without the source's history
    res = clean_text(text, source_lines=recurring_lines(others))
    assert res.junk == [tagline]
    assert paragraphs(res.text) == prose


def test_source_lines_never_wipe_a_republished_article() -> None:
    prose = [
        "The festival drew more than ten thousand visitors over the weekend, organisers said.",
        "Traders reported their busiest days of the year, and the council praised the volunteers.",
        "Next year's event will move to the riverside park, which has room for twice as many stalls.",
    ]
    text = "\n\n".join(prose)
    res = clean_text(text, source_lines=recurring_lines([text, text + "\n\nUpdated."]))
    assert paragraphs(res.text) == prose


@settings(max_examples=examples(150), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(min_size=0, max_size=120),
            st.sampled_from(BRIDGE_JUNK + BRIDGE_PROSE + ["", "\n", "Read more", "…"]),
        ),
        max_size=25,
    )
)
def test_property_never_longer_never_invents_text(parts: list[str]) -> None:
    raw = unicodedata.normalize("NFC", "\n\n".join(parts))
    res = clean_text(raw)
    assert len(res.text.split()) <= len(raw.split())
    assert len("".join(res.text.split())) <= len("".join(raw.split()))
    flat = " ".join(raw.split())
    for para in paragraphs(res.text):
        assert " ".join(para.split()) in flat


def test_sentence_case_related_list_after_the_body_is_junk() -> None:
    body = (
        "The ferry ran aground on a sandbar in heavy fog on Friday, and all passengers were safe.\n\n"
        "Salvage crews plan to refloat the vessel on Saturday's high tide, the operator said.\n\n"
        "Related: Ferry firm adds winter timetable\n"
        "Lighthouse on the point reopens to visitors\n"
        "Fish market moves indoors for the winter"
    )
    result = clean_text(body)
    assert "Salvage crews" in result.text
    assert "Lighthouse" not in result.text and "Related" not in result.text
    assert len(result.junk) == 3


BODY = [
    "Fire crews spent the night at the old cannery on Harbor Road after flames broke through the roof "
    "shortly before midnight, the county fire service said on Saturday morning.",
    "Nobody was inside the building, which has stood empty since the company moved its packing line "
    "to the industrial park three years ago, according to the owner.",
    "Investigators have not said what started the fire.",
]


def test_site_boxes_after_the_body_go_whole_and_a_short_last_sentence_stays() -> None:
    """A comment form, a third-person writer bio and a trending list after the body, with prose-like lines in them."""
    text = "\n\n".join([
        *BODY,
        "Share this article Twitter icon Facebook icon Threads icon",
        "Ana Petrov is a senior reporter at The Harbor Star covering city hall. Ana joined in 2019.\n"
        "Contact: ana@harborstar.example",
        "Post a comment\nComments are moderated and may take a while to appear.\nName *\nEmail *\n"
        "Website (optional)",
        "Trending now\nCouncil to vote on new ferry timetable\nSchool roof repairs finished ahead of term.\n"
        "Lighthouse reopens to visitors",
        "183,282 views",
    ])
    res = clean_text(text)
    assert paragraphs(res.text) == BODY
    reasons = dict(classify_lines(text))
    assert reasons["Ana Petrov is a senior reporter at The Harbor Star covering city hall. Ana joined in 2019."]
    assert reasons["School roof repairs finished ahead of term."]


def test_share_bar_of_platform_names_and_app_prompt_open_the_boxes_after_the_body() -> None:
    """"Spread the word" with the platforms' names, and "Get our app", ask the reader to do
    something: after the body they start the site's boxes, which go to the end with the
    headlines under them.  The same words in a sentence of the story stay."""
    prose = "Volunteers spread the word through LinkedIn and Reddit groups, organisers of the clean-up said."
    listing = "How the clean-up came together:\n- Volunteers spread the word on Facebook and WhatsApp groups\n" \
        "- 200 residents turned up on Saturday\n- The council supplied bags and gloves"
    text = "\n\n".join([
        BODY[0],
        listing,
        *BODY[1:],
        prose,
        "Spread the word LinkedIn X Reddit Bluesky",
        "Get our app: read The Harbor Star on the go, free on the App Store and Google Play",
        "Don't miss\nCouncil to vote on new ferry timetable\nLighthouse reopens to visitors.",
    ])
    assert paragraphs(clean_text(text).text) == [BODY[0], *listing.split("\n"), *BODY[1:], prose]
    reasons = dict(classify_lines(text))
    assert reasons["Spread the word LinkedIn X Reddit Bluesky"] == "call to action"
    assert reasons["Lighthouse reopens to visitors."]


def test_a_box_inside_the_body_goes_with_its_heading_and_the_prose_around_it_stays() -> None:
    text = "\n\n".join([
        BODY[0],
        "Our free newsletter\nThe essential news, every day.\nSign up\nYou can unsubscribe at any time.",
        BODY[1],
        BODY[2],
    ])
    assert paragraphs(clean_text(text).text) == BODY


def test_a_third_person_sentence_about_a_reporter_inside_the_body_stays() -> None:
    line = "Maria Lopez is a reporter at the Courier who was detained at the border on Friday for six hours."
    text = "\n\n".join([BODY[0], line, BODY[1]])
    assert line in clean_text(text).text


def test_hard_wrapped_paragraphs_are_whole_and_the_junk_after_them_goes() -> None:
    """Plain text wrapped at 64 columns: lines that start with a name do not break the paragraph."""
    import textwrap

    wrapped = "\n\n".join(textwrap.fill(p, 64) for p in BODY[:2])
    last = "Investigators have not said what started the fire at the old cannery on\nHarbor Road."
    text = f"{wrapped}\n\n{last}\n\nComments are moderated and may take a while to appear.\nName *\nEmail *"
    res = clean_text(text)
    assert [" ".join(p.split()) for p in paragraphs(res.text)] == [*BODY[:2], " ".join(last.split())]
    assert not any("Comments" in line for line in paragraphs(res.text))


def test_a_list_of_title_case_headlines_is_never_taken_for_a_wrapped_paragraph() -> None:
    heads = [
        "Council Approves New Budget For Public Parks And Libraries Today",
        "Harbor Festival Returns With Record Crowds After Two Quiet Years",
        "Police Investigate Break-In At The Downtown Museum Of Modern Art",
    ]
    text = "\n\n".join([*BODY, "\n".join(heads)])
    res = clean_text(text)
    assert paragraphs(res.text) == BODY
    assert all(any(j.startswith(h) for j in res.junk) for h in heads)


def test_a_one_sentence_summary_full_of_names_is_kept() -> None:
    text = 'Jack Ketsoyan said Friday that the "American Pie" star went to the Promises Treatment Center.'
    assert clean_text(text).text == text


KESSLER_LEAD = "Inspectors found badly rusted support cables on the Kessler Bridge, the highways agency said on Thursday."
KESSLER_REST = (
    "The bridge, which carries 40,000 vehicles a day, will stay open while repairs are planned, "
    "but heavy lorries will be limited to one lane from Monday."
)
KESSLER_JUNK = [
    "Also Read: Ten best walks near Hollin",
    "Follow us on Google News for the latest updates.",
    "Join our WhatsApp channel for breaking news alerts",
]
KESSLER_HTML = "\n".join(f"<p>{line}</p>" for line in [KESSLER_LEAD, *KESSLER_JUNK, KESSLER_REST])


def test_related_links_and_follow_us_lines_go_when_the_article_is_alone_from_its_source(tmp_path: Path) -> None:
    """A feed's content:encoded and a saved page, one article each: no other article of the
    source to learn the site's lines from, the lines' own words tell."""
    from digest.records import Entry
    from digest.sources.feeds import parse_feed
    from digest.sources.localfiles import read_path
    from digest.text.prepare import prepare

    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>E</title><item><guid>e2</guid><title>Kessler Bridge cables badly rusted</title>"
        f"<link>https://e.example/2</link><content:encoded><![CDATA[{KESSLER_HTML}]]></content:encoded>"
        "</item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(feed, source="E")
    page = tmp_path / "saved" / "kessler.html"
    page.parent.mkdir()
    page.write_text(
        "<!DOCTYPE html><html><head><title>Kessler Bridge cables badly rusted</title></head><body>"
        f"<article><h1>Kessler Bridge cables badly rusted</h1>{KESSLER_HTML}</article></body></html>"
    )
    (saved,) = read_path(page.parent, source="Saved")
    assert isinstance(saved, Entry)
    for e in (entry, saved):
        article = prepare(e)
        assert article is not None
        assert paragraphs(article.text) == [KESSLER_LEAD, KESSLER_REST]
        assert set(KESSLER_JUNK) <= set(article.junk)


@pytest.mark.parametrize(
    "line",
    [
        "Also read | Ten best walks near Hollin",
        "READ ALSO",
        "Read more: Council approves plan for a second bridge over the Hollin river",
        "Follow us on Twitter for the latest updates from the newsroom.",
        "Sign up for our free newsletter to get the best stories delivered to your inbox every morning.",
        "Subscribe to our newsletter",
        # photo captions, a link line, a reporter's contact line: GVC's news sites (stop 32)
        "Buy Photo Police vehicles and paramedics are on the scene of a shooting . ( Photo : Brittany Horn/The News Journal)Buy Photo",
        "Three bodies were found in a home in Henry County Thursday , August 27 , 2015 . ( WISH Photo )",
        "Crowds gather outside the court on Monday. (AP Photo/Evan Vucci)",
        "Read or Share this story : http://on.freep.com/2c44nVN",
        "Contact Brittany Horn at ( 302 ) 324 - 2771 or bhorn@delawareonline.com . Follow her on Twitter at @brittanyhorn .",
        "( 313 ) 222 - 2027",
    ],
)
def test_common_site_furniture_goes_from_the_body(line: str) -> None:
    text = "\n\n".join([BODY[0], line, BODY[1], BODY[2]])
    assert paragraphs(clean_text(text).text) == BODY[:3]


@pytest.mark.parametrize(
    "line",
    [
        "Police also read the suspect his rights.",
        "Also read the small print, the regulator warned shoppers.",
        "Google News will stop linking to Canadian outlets, the company said on Thursday.",
        "Readers who follow us on Google News saw the alert first, the editor said.",
        "Join us at the town hall on Monday to help our community group plan the festival.",
        "The museum will show the photo (and the letters) from next week, the curator said.",
        "Contact tracing at the school began on Monday after 312 cases were reported.",
        "Police asked anyone with information to contact Crime Stoppers at 555-1234.",
        "Replay of the final drew 4 million viewers, the broadcaster said on Monday.",
    ],
)
def test_sentences_that_mention_reading_or_following_stay(line: str) -> None:
    text = "\n\n".join([BODY[0], line, BODY[1], BODY[2]])
    assert paragraphs(clean_text(text).text) == [BODY[0], line, *BODY[1:3]]


def test_a_video_players_controls_glued_to_the_lede_go_and_the_lede_stays() -> None:
    """GVC: "Skip Ad Ad Loading ... x Embed x Share A 17-year-old boy was injured ..." (the
    player's controls read as text, one line with the lede's opening)."""
    lede = "A 17-year-old boy was injured Tuesday afternoon in a shooting at Stoneybrook Apartments, police said."
    text = "\n\n".join([f"Skip Ad Ad Loading ... x Embed x Share {lede}", BODY[0], BODY[1]])
    result = clean_text(text)
    assert paragraphs(result.text) == [lede, BODY[0], BODY[1]]
    assert result.junk == ["Skip Ad Ad Loading ... x Embed x Share"]


@pytest.mark.parametrize("run", [".", "-", " ", "…", "/"])
def test_a_hostile_run_of_one_character_is_cleaned_without_hanging(run: str) -> None:
    # A feed's text of 30,000 dots (or hyphens) hung the cleaner: the e-mail line of
    # BOILERPLATE was cubic over it (4,000 dots: 22 s), READ_MORE quadratic (30,000: 7 s),
    # TAIL_MARKER cubic over spaces.  Not a speed goal: a guard against a hang of hours.
    import signal

    def hung(*_: object) -> None:
        raise TimeoutError(f"clean_text hung on a run of {run!r}")

    body = "\n\n".join([*BODY[:3], "x " + run * 30_000 + " y", run * 30_000 + "a", "a" + run * 30_000])
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        result = clean_text(body)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert paragraphs(result.text)[:3] == BODY[:3]


def test_escape_md_strips_line_edges_in_linear_time() -> None:
    from digest.output.sanitize import escape_md

    assert escape_md("  a  \n\tb\t\n c ") == "a\nb\nc"
    line = "a" + " " * 200_000 + "b"  # each line's edges only: the run inside stays
    assert escape_md(line) == line
