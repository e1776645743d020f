"""Where sentences end: the one sentence splitter.  Pure.

Observations
------------
A full stop ends a sentence far less often than it seems in news text:
initials ("John F. Kennedy"), titles ("Dr. Reid"), "U.S.", "p.m." and
abbreviated months are followed by a capital too.  A sentence that does end
is followed by a capital or a digit, possibly after an opening quote.

How it works
------------
:func:`sentence_ends` walks the candidate stops (a stop, closing quotes or
brackets, spaces, then a word character) and keeps those before a capital or
a digit that do not follow an initial or a listed abbreviation.  The lede
(``digest.dedup.terms.lede``), the copy keys (``digest.dedup.copies``), the
"what is new" line of a developing story (``digest.output.view``) and the
excerpt's cut (``digest.output.render``) all read it.

Special cases
-------------
* Linear in the text: the word before a stop is found by walking back to
  the space before it.
* Scripts without capitals: a stop before a letter of no case ends a sentence (Arabic,
  Hebrew, Hindi after a full stop); their own stops end one before any word (``。！？``
  with no space after them, the danda ``।``, the Arabic question mark ``؟``).  English text
  holds none of these: its ends are the same.
* A line break ends a sentence too for :func:`sentences` (a headline or a
  list item has no stop); :func:`sentence_ends` reads only stops.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: A sentence ends at ``.``, ``!``, ``?`` or ``…`` (and a closing quote or bracket), then space,
#: then a capital or a digit (after an opening quote or bracket, if any).  (French guillemets
#: and square brackets as quotes moved the lede of a few ECB+ dev texts: dated close F1
#: 0.946 -> 0.940; left out.)
_SENTENCE_END = re.compile(
    r"[.!?\u2026][\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?\w)"
    # stops of scripts without capitals end a sentence before any word: Chinese and Japanese
    # write no space after theirs (a quote closed after the stop and no space: the sentence
    # goes on, 「止まれ！」と言った。), Hindi's danda and Arabic's question mark are followed by one
    r"|(?P<wide>[\u3002\uff01\uff1f](?:[\u300d\u300f\u201d\u2019\uff09\"')]+\s+|\s*)"
    r"|[\u0964\u0965\u061f\u06d4][\"'\u201d\u2019)]*\s+)"
    r"(?=[\"'\u201c\u2018(\u300c\u300e\uff08]?\w)"
)
_OPENERS = "\"'\u201c\u2018("
#: Words a full stop follows without ending the sentence (titles, months, "U.S.", "p.m.").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen sen rep gov lt col capt sgt maj cmdr adm rev jr sr no vs inc ltd co corp"
    " jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n a.m p.m".split()
)
_LINE_BREAKS = re.compile(r"\n+")


def sentence_ends(text: str) -> Iterator[int]:
    """Where each sentence of ``text`` ends (after its stop and the space that follows), in
    order: a stop before a capital or a digit, not after an initial or a title ("Dr.",
    "U.S.", "p.m.")."""
    for m in _SENTENCE_END.finditer(text):
        if m.group("wide"):
            yield m.end()
            continue
        after = m.end() + (text[m.end()] in _OPENERS)
        c = text[after]
        if not (c.isupper() or c.isdigit() or (c.isalpha() and not c.islower())):
            continue  # (a letter neither upper nor lower case: Arabic, Hebrew, Devanagari, Han)
        start = m.start()
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        word = text[start : m.start()].lstrip(_OPENERS)
        if (len(word) == 1 and word.isalpha()) or word.lower() in _ABBREVIATIONS:
            continue  # an initial, a title: not an end
        yield m.end()


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text`` in order, lazily: split at each :func:`sentence_ends` and at
    line breaks, the spaces that end a sentence left on it."""
    for line in _LINE_BREAKS.split(text):
        pos = 0
        for end in sentence_ends(line):
            yield line[pos:end]
            pos = end
        if pos < len(line):
            yield line[pos:]


#: Thai's and Lao's letters (their marks and digits too).
_THAI_LAO = "\u0e01-\u0e5b\u0e81-\u0edf"
#: Where a sentence ends in the scripts with no full stop: after Khmer's khan "។" or bariyoosan
#: "៕" or Burmese's "။" (and the spaces after it); in Thai and Lao, a space between two of their
#: letters (the space there ends a sentence or a clause; a space before a number or a Latin
#: word does not: "วันที่ 12").
_SCRIPT_END = re.compile(rf"[\u17d4\u17d5\u104b]\s*|(?<=[{_THAI_LAO}])\s+(?=[{_THAI_LAO}])")
#: A Thai letter before a full stop: an abbreviation ("ธ.ค. 2569", "พ.ศ.", "ดร. สมชาย"), as Thai
#: ends no sentence with one.
_THAI_STOP = re.compile("[\u0e01-\u0e5b][.]")


def display_ends(text: str) -> list[int]:
    """Where an excerpt may end ``text`` at a sentence's end, in order: :func:`sentence_ends`
    less a full stop after a Thai letter (Thai abbreviates with one and ends sentences with a
    space: "... วันที่ 12 ธ.ค. …" was an excerpt cut in its sentence), and the ends of the
    scripts without a full stop (``_SCRIPT_END``).  Only the excerpt reads these: the lede, the
    copy keys and the passages still read :func:`sentence_ends` alone."""
    ends = {
        end
        for end in sentence_ends(text)
        if not _THAI_STOP.match(text, max(0, len(text[:end].rstrip().rstrip("\"'\u201d\u2019)")) - 2))
    }
    ends.update(m.end() for m in _SCRIPT_END.finditer(text))
    return sorted(ends)
