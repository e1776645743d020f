"""An excerpt as an editor reads it: from the lede's first word, not its dateline, and cut where
a sentence of its script ends.

Before: the agencies' datelines with a day ("LONDON, June 5 (Reuters) -"), several places
("NEW YORK/WASHINGTON"), a country of three words ("DUBAI, United Arab Emirates —"), a place in
Title Case ("Kyiv, Ukraine —", "New York, NY –") and CNN's credit without a dash ("(CNN)
President ...") stayed as the excerpt's first words (scrapinghub: 4 of 181 pages, GVC: 2 of 152
reports).  A Thai, Lao, Khmer or Burmese excerpt, with no full stop to end at, was cut at its
last space or mid-cluster."""

from __future__ import annotations

import pytest

from digest.output.context import excerpt

LEDE = "Oil prices fell on Tuesday as traders weighed the chance of more supply from the Gulf."


@pytest.mark.parametrize(
    "dateline",
    [
        # the agencies: a day, an agency in brackets, a dash or two
        "LONDON, June 5 (Reuters) - ",
        "NEW YORK/WASHINGTON, Dec 4 (Reuters) - ",
        "(Reuters) - ",
        "BEIJING, Dec 5 (Xinhua) -- ",
        "PARIS (AFP) - ",
        "WASHINGTON (Bloomberg) -- ",
        "(Bloomberg) -- ",
        "SAN FRANCISCO, Dec. 4, 2019 (AP) — ",
        "LONDON, 5 June (Reuters) - ",
        # in Title Case
        "London, June 5 (Reuters) - ",
        "London (Reuters) - ",
        "Kyiv, Ukraine — ",
        # scrapinghub, GVC: a country of three words, a state in capitals, CNN's credit
        "DUBAI, United Arab Emirates — ",
        "New York, NY – ",
        "Indianapolis , IND. — ",
        "(CNN) ",
        "(CNN)",
        "( CNN ) ",
        "Hong Kong (CNN Business) ",
        # ECB+: the day after the dash, and a dash again
        "WASHINGTON - April 27 - ",
    ],
)
def test_an_excerpt_begins_after_an_agencys_dateline(dateline: str) -> None:
    assert excerpt(dateline + LEDE, 400) == LEDE


@pytest.mark.parametrize(
    "text",
    [
        # a place and a day, no agency or dash after them: the sentence's
        "London, June 5 was the wettest day on record, the Met Office said.",
        "Kyiv, Ukraine and Poland signed the accord on Tuesday.",
        # a place in Title Case alone before a dash
        "Liverpool – Chelsea: the player ratings from Sunday's match.",
        "Indianapolis – Several thousand teachers wearing red surrounded the Statehouse.",
        # a bracket that is no agency's, a first word that is no place
        "Tesla (TSLA) – Shares rose 5% on Monday after the delivery figures.",
        "Microsoft (NSDQ: MSFT) issued an emergency patch on Wednesday.",
        "The (AP) Stylebook now accepts the singular they.",
        "In British Columbia, Attorney - General Wally Oppal has focused on gangs.",
        # places joined by a slash with neither day nor agency
        "AC/DC — The band announced a tour of forty cities.",
    ],
)
def test_an_excerpt_keeps_a_sentence_that_opens_like_a_dateline(text: str) -> None:
    assert excerpt(text, 400) == text
