"""Stop 62, a fresh review of the day's second batch: what it found wrong, each reproduced
with the parts that carry it (docs/evaluation.md, "Stop 62: review of today's changes,
second batch")."""

from __future__ import annotations

from datetime import UTC, datetime

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
