"""A dateline opening a lede, as the digest leaves it out of what it shows of a text.

Observations
------------
* Agency and local reports open with the place they were filed from, in capitals, up to a
  dash: "WASHINGTON (AP) —", "SIOUX FALLS, S.D. –", "KOKOMO, Ind. (June 15, 2014) —".  Shown
  as an excerpt's or a "what's new" line's first words, it is the first thing a reader reads,
  and says nothing the lede does not (stop 48 review: 23 of the 181 scrapinghub pages and 30
  of GVC val's 78 reports open with one).
* Its forms: the place in capitals, its state or country after a comma, the agency or the
  date in brackets; a place in Title Case with its state abbreviated ("Dekalb, Ill. —"); the
  brackets alone ("(KMOV.com) –"); a dash left alone where a page dropped the place ("- The
  Gwinnett County police ..."); ">>" for the dash ("BURBANK >>").  The lede after it begins
  with a capital, a digit or a quotation mark: a sentence with a dash in it ("A crane - the
  biggest - fell", "US-China trade – what to know") has no dateline.

Used by ``digest.output.context.opening`` (the excerpt) and ``digest.output.news.whats_new``
(a passage shown as the "what's new" line).
"""

from __future__ import annotations

import re

#: A dateline opening the lede, up to its dash: the place in capitals, its state or country
#: after a comma, the agency or the date in brackets ("WASHINGTON –", "SIOUX FALLS, S.D. –",
#: "KOKOMO, Ind. (June 15, 2014) —", "CINCINNATI (AP) —", "BURBANK >>"); a place in Title Case
#: with its state abbreviated ("Dekalb, Ill. —"); the brackets alone ("(KMOV.com) –"); a dash
#: left alone ("- The Gwinnett County police ..."): the lede, read on one line, begins after it.
DATELINE = re.compile(
    r"(?:"
    r"(?:[A-Z][A-Z.'’&]*[A-Z.](?:[ -]+[A-Z][A-Z.'’&]*[A-Z.]){0,3}"  # WILKES-BARRE, SALT LAKE CITY
    r"(?:\s*,\s*[A-Z][\w.]{1,14}(?:\s[A-Z][\w.]{1,14})?)?"  # , S.D. / , New Mexico
    r"|[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2}\s*,\s*[A-Z][a-z]{0,4}\.(?:\s?[A-Z][a-z]?\.)?)"  # Dekalb, Ill.
    r"(?:\s*\([^()\n]{1,40}\))?"  # (AP), (June 15, 2014)
    r"|\([^()\n]{1,30}\)"  # (KMOV.com)
    r")?\s*(?:—|–|--|-|>>|> >)\s+(?=[\"“‘'(]?[A-Z0-9])"
)



def without_dateline(line: str) -> str:
    """``line`` less the dateline it opens with, if any."""
    m = DATELINE.match(line)
    return line[m.end():] if m else line
