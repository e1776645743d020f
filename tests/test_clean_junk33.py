"""Junk that survived cleaning in real pages (stop 33's survey of scrapinghub, GVC and ECB+):
each kind goes from between body paragraphs, and prose that resembles it stays."""

from __future__ import annotations

import pytest

from tests.support.cleaning import BODY, kept


@pytest.mark.parametrize(
    "line",
    [
        # newsletter and membership prompts (scrapinghub: 9 lines on 7 pages; GVC: 1)
        "Get the day’s top headlines delivered to your inbox every morning by subscribing to our newsletter.",
        "Get Motor Cycle Monthly delivered through your letterbox every month. 12 issues for £11.99. "
        "Click here for more information.",
        "There's plenty more where that came from. Sign up for The Water Coolest today to get the free "
        "daily newsletter delivered to your inbox daily.",
        "Keep checking NBC4i.com for real - time updates on this story . To get alerts for breaking news , "
        "grab the free NBC4 News App for iPhone or Android . You can also sign up for email alerts .",
        "If you enjoyed this article, and were stimulated by its contents, we have a proposition for you: Join NRPLUS.",
        # reporters' credits (scrapinghub: 6 lines on 6 pages; GVC: 2)
        "Keith Bradsher contributed reporting from Hong Kong.",
        "Associated Press writers Alan Fram, Zeke Miller and Jill Colvin contributed to this report.",
        "Reporting by Rodrigo Campos; additional reporting by Stephanie Kelly; Editing by Nick Zieminski",
        "(Reporting by Will Dunham; Editing by Tom Brown)",
        # how to reach the writer (scrapinghub: 5 lines on 5 pages; GVC: 2)
        "Have a tip? Amy Kuperinsky may be reached at akuperinsky@example.com. Follow her on Twitter @AmyKup.",
        "Email Tariq Malik at tmalik@example.com or follow him @tariqjmalik. Follow us on Twitter @Example.",
        "Reach the reporters on Twitter at http://twitter.com/MegKinnardAP and http://twitter.com/emarvelous",
        "Tony Raap is a staff writer . Reach him at 412 - 320 - 7827 or traap@example.com .",
        # labels of links to other stories (scrapinghub: 6 lines on 6 pages)
        "SEE MORE: Hong Kong protests: 800 students under siege in university",
        "Related post: Pickled Brussels Sprouts Recipe",
        "Most read in world news",
        "More:",
        "Also:",
    ],
)
def test_stop33_junk_goes_from_the_body(line: str) -> None:
    assert kept(line) == BODY


@pytest.mark.parametrize(
    "line",
    [
        # checked: prose about newsletters, inboxes and subscriptions names no reader
        "The paper's newsletter reached two million subscribers last year, the publisher said.",
        "If you want Disney+, you can sign up for a free 7-day trial and pay $6.99 a month after it.",
        "Investigators said the phishing e-mails landed in the inboxes of 400 council staff.",
        # ... about reporting, and about following someone on a social network
        "Reporting by the local paper found that the deck had corroded years before the closure.",
        "Volunteers contributed to this report on the river's health, the university said.",
        "Police asked anyone with information to e-mail tips@example.org or call the station.",
        "The mayor wrote on Twitter @RiversideCity that the bridge would reopen on Tuesday.",
        "Residents can follow the works at www.example.org, where the council posts a weekly report.",
        # ... and lines opening with the words of a link's label
        "Most read the report before the vote, the clerk said on Monday.",
        "See more of the river from the new footpath, the council's leaflet urges walkers.",
        "Also: the council will vote on the budget for the east bank next week.",
        "More: two further closures are planned for the spring, the engineers said.",
        "If you enjoy walking, the new bridge has a wide footpath on both sides, the engineer said.",
    ],
)
def test_stop33_prose_resembling_the_junk_stays(line: str) -> None:
    assert kept(line) == [BODY[0], line, *BODY[1:]]
