"""Stop 62, a fresh review of the day's second batch: what it found wrong, each reproduced
with the parts that carry it (docs/evaluation.md, "Stop 62: review of today's changes,
second batch")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from digest.dedup.offices import conflict, read_offices
from digest.sources.localfiles import read_file
from digest.sources.pagemeta import metas, stated_time
from digest.text.shown import headline


def test_a_web_address_inside_a_headlines_last_clause_is_no_sites_part() -> None:
    """``_SITE_PART`` cut from the first separator whose part held a web address anywhere:
    "Jeff Bezos steps down — Amazon.com founder to become executive chair" was shown
    "Jeff Bezos steps down".  A site's part ends at its address (or holds nothing but it)."""
    kept = [
        "Jeff Bezos steps down — Amazon.com founder to become executive chair",
        "Retail sales slump – Amazon.com shares fall 5%",
        "Data of 37 million leaked | Ashley Madison users of AshleyMadison.com exposed",
    ]
    for title in kept:
        assert headline(title) == title
    # the site's parts the change was made for are still cut
    assert headline("Man charged in fatal crash - KXLF.com | Continuous News | Butte , Montana") == (
        "Man charged in fatal crash")
    assert headline("Canada win the Davis Cup Finals - Sportsnet.ca") == "Canada win the Davis Cup Finals"
    assert headline("Brexit talks stall again | Express.co.uk") == "Brexit talks stall again"
    assert headline("Three hurt in Newark fire - nj.com") == "Three hurt in Newark fire"
    assert headline("Three Dead in Aransas Pass Murder - Suicide - KiiiTV.com South Texas , Corpus Christi , "
                    "Coastal Bend") == "Three Dead in Aransas Pass Murder - Suicide"  # GVC val's


def test_a_scripts_gmt_offset_is_read_as_the_offset() -> None:
    """A script's date ("Tue Nov 19 2019 03:05:46 GMT-0500", JavaScript's ``Date`` written out)
    was read as 03:05 UTC, its offset dropped, and preferred as a time stating its zone: 5
    hours early."""
    def at(value: str) -> datetime | None:
        head = f'<meta property="article:published_time" content="{value}">'
        return stated_time(head, metas(head))

    assert at("Tue Nov 19 2019 03:05:46 GMT-0500") == datetime(2019, 11, 19, 8, 5, 46, tzinfo=UTC)
    assert at("Tue Nov 19 2019 03:05:46 GMT+0530") == datetime(2019, 11, 18, 21, 35, 46, tzinfo=UTC)
    assert at("Tue Nov 19 2019 03:05:46 GMT+0000") == datetime(2019, 11, 19, 3, 5, 46, tzinfo=UTC)


def _conflict(one: tuple[str, str], other: tuple[str, str]) -> bool:
    a, b = read_offices(*one), read_offices(*other)
    assert a is not None and b is not None
    return conflict(a, b)


def test_a_surname_with_a_capital_inside_is_read_whole() -> None:
    """"Veterans Affairs Secretary Bob McDonald" was read as a holder named "Bob" (the name's
    word stopped before "D"), "... Robert McDonald" as "Robert": two holders of one office, the
    one story's two reports held apart (``Params.office_factor``)."""
    bob = ("VA chief visits Phoenix hospital",
           "Veterans Affairs Secretary Bob McDonald visited the Phoenix VA hospital on Wednesday.")
    robert = ("McDonald tours Phoenix VA",
              "Veterans Affairs Secretary Robert McDonald toured the Phoenix VA hospital on Wednesday.")
    assert not _conflict(bob, robert)
    assert not _conflict(("Order signed", "Ohio Gov. Mike DeWine signed the order on Monday."),
                         ("Order signed", "Ohio Gov. Michael DeWine signed the order on Monday."))
    held = read_offices("Fired", "Houston Texans coach Bill O'Brien was fired on Monday.")
    assert held is not None and held.held == {"houston texans coach": frozenset({"O'Brien"})}
    # two holders are still two
    assert _conflict(("Ruling", "Interior Secretary Ken Salazar ruled on the act."),
                     ("Ruling", "Interior Secretary Dirk Kempthorne ruled on the act."))


def test_a_report_naming_one_person_elected_and_in_office_is_of_the_changeover() -> None:
    """An inauguration day's reports: the morning's "President-elect Donald Trump arrived ..."
    and the afternoon's, which names him both ways ("President Donald Trump took the oath ...
    Hours earlier President-elect Trump ..."), were held apart as of two administrations."""
    morning = ("Trump arrives at the Capitol",
               "President-elect Donald Trump arrived at the Capitol for his swearing-in on Friday morning.")
    afternoon = ("Trump sworn in", "President Donald Trump took the oath of office on Friday. "
                                   "Hours earlier President-elect Trump had tea with Barack Obama.")
    assert not _conflict(morning, afternoon)
    # one elected, the other in office, neither both: still of two times (issue #19)
    assert _conflict(("Rule", "President-elect Barack Obama said he would review the rule."),
                     ("Rule", "President Barack Obama reversed the rule."))


def test_a_first_h1_naming_the_section_does_not_become_the_headline(tmp_path: Path) -> None:
    """A saved page whose first ``<h1>`` is its section's (or site's) name and whose title
    begins with it ("Opinion | Why the council is wrong ..."): the title was cut to the part
    equal to the ``<h1>``, and the story was shown under the headline "Opinion"."""
    page = tmp_path / "opinion.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta property="og:title" content="Opinion | Why the council is wrong about the harbour wall">'
        '<meta property="article:published_time" content="2019-11-19T08:00:00+01:00"></head>'
        "<body><header><h1>Opinion</h1></header><article><p>The council voted on Tuesday to rebuild "
        "the harbour wall at a cost of four million euros, and it is the wrong choice for the lower "
        "town, whose cellars flooded twice last winter.</p><p>A seawall further out would cost less "
        "over twenty years, the engineers' own report said in the spring.</p></article></body></html>",
        encoding="utf-8")
    (entry,) = read_file(page, source="Saved", now=datetime(2026, 12, 7, tzinfo=UTC))
    assert entry.title == "Opinion | Why the council is wrong about the harbour wall"
