"""The email's plain-text part wrapped at :data:`TEXT_WIDTH` (``render.render_text``).

Observations
------------
* Titles, "Developing: ..." lines, a backlog's line, a week's count per day and the lines
  of a story's versions were each one line however long (a 160-character headline, 300
  characters of what a developing story added); only the excerpts were wrapped.  Mail
  readers show a text part as it is (RFC 5322: lines of 78 characters at most, better 72),
  so a reader of the text part scrolled sideways or got the client's own breaks.
* The project sends no ``format=flowed``: the text part is plain ``text/plain; charset=utf-8``
  in the transfer encoding the email package picks, and is hard-wrapped as such.

How it works
------------
* :func:`wrap_plain` breaks each line longer than the width at its spaces only: a word and a
  URL are never split (one longer than the line stays whole on a line of its own), and a
  no-break space (a date's "Tue 1 Dec, 10:06 UTC") holds.  A continuation line is indented
  as the line's text begins: under the text of a list item ("* ", "- ", " 1. ") and under an
  indented line's text.  Only whitespace changes: the words, in order, are the same.
* Not at a space inside a feed's bidi run (U+202A-U+202E, U+2066-U+2068 up to its closer):
  the renderer closes a feed's run before the digest's own words on the line (stop 56: an
  override "turned the rest of the line around"); broken inside, a line ended with the run
  open.  A field holding one is as long as it was.
* Not after a lone "·" (" · Sat 14 Mar"): the dot goes to the next line with what it
  introduces, not left at a line's end (as the pages keep it, ``render.dated``).
* Not before a word ending in a colon: a feed's title "... Bcc: x" (its CR/LF made spaces)
  began a line "Bcc: x", as a header does (stop 56 holds that feed text begins no line so).

Special cases
-------------
* The width is counted in characters, not in columns: a line of wide (East Asian) letters
  without spaces is not broken anyway.
* A user's own ``digest.txt.j2`` is wrapped alike: a text part over 78 characters a line is
  no better for being a template's.
"""

from __future__ import annotations

import re

#: Characters a plain-text line of the email holds at most (RFC 5322 2.1.1: at most 78, better
#: 72; the excerpts were wrapped at 72 already, and the rule above each story is 72 wide).
TEXT_WIDTH = 72

#: A line's indentation and list marker, if any: its continuation lines are indented as far.
_LEAD = re.compile(r" *(?:(?:[*\-]|\d{1,3}\.) +)?")
_OPENERS = frozenset("\u202a\u202b\u202d\u202e\u2066\u2067\u2068")
_CLOSERS = frozenset("\u202c\u2069")


def _depth(text: str, depth: int) -> int:
    """How many bidi runs are open after ``text``, ``depth`` open before it."""
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
    return depth


def _units(text: str) -> list[str]:
    """``text`` cut at the spaces a line may break at (see the module docstring): each unit
    holds its other spaces; the spaces cut at are dropped."""
    parts = re.split(r"( +)", text)
    units, cur = [], parts[0]
    depth = _depth(cur, 0)
    for run, word in zip(parts[1::2], parts[2::2], strict=True):
        if depth == 0 and cur and word and not word.endswith(":") and cur.rsplit(" ", 1)[-1] != "·":
            units.append(cur)
            cur = word
        else:
            cur += run + word
        depth = _depth(word, depth)
    units.append(cur)
    return units


def wrap_plain(text: str, width: int = TEXT_WIDTH) -> str:
    """``text`` with each line longer than ``width`` broken at its spaces (see the module
    docstring); lines that fit, and the line ends, as they are."""
    out = []
    for line in text.split("\n"):
        lead = _LEAD.match(line)
        prefix = lead.group(0) if lead else ""
        units = _units(line[len(prefix):]) if len(line) > width else []
        if len(units) < 2:
            out.append(line)
            continue
        indent = " " * len(prefix)
        cur = prefix + units[0]
        for unit in units[1:]:
            if len(cur) + 1 + len(unit) <= width:
                cur += " " + unit
            else:
                out.append(cur)
                cur = indent + unit
        out.append(cur)
    return "\n".join(out)
