"""Places named in an article's opening, and the pairs whose openings name conflicting places.  Pure.

Observations
------------
* In a young store (a topic's one to three reports) an article's only neighbour may be its
  sibling event's report, and shared neighbours say 1 for two events of one kind as for one.
  Two such events happen in two places, and each report's opening says where ("a quake off
  Sumatra", "a fire in Harwick"); a report of the other event never mentions the place at
  all (``benchmarks.close_cues --cue places``, ``docs/evaluation.md``, stop 53).

How it works
------------
* :func:`opening_places`: a capitalised word, up to three, after "in", "at", "near", "off"
  or "outside" in the title and the first ``PLACE_CHARS`` characters of the text is a place;
  it is kept as its words' terms (``terms.plain_term``, as ``VOCAB`` indices, read folded), the
  generic ones ("Southern", "Island", "County") left out unless it has no other: "Southern
  Iran" is mentioned wherever "Iran" is.
* :func:`place_factor`: two articles conflict when each names a place none of whose words is
  among the other's terms (its whole text, names folded onto plain words) or its places; their
  link counts ``Params.place_factor`` of itself.

Special cases
-------------
* A place whose words are all stopwords or single letters ("in US") is no place here.
* An article naming no place, or a region with fewer than two that do, costs nothing.
"""

from __future__ import annotations

import re

import numpy as np

from .params import PLACE_CHARS
from .terms import NAME_BIT, PLAIN, VOCAB, plain_term, term_id

_PLACE = re.compile(r"\b(?:in|at|near|off|outside)\s+((?:[A-Z][\w'-]+\s?){1,3})")
#: Words of a place that need not match for another article to mention it.
GENERIC = frozenset(("The", "Island", "Islands", "County", "Province", "City", "State", "North", "South",
                     "East", "West", "Northern", "Southern", "Eastern", "Western", "Central", "New"))
#: Ends each place's words in an article's run of place terms.
END = -1


def place_names(title: str, text: str) -> list[str]:
    """The places the opening names, as written (generic words kept), in order: what
    ``digest explain`` shows of the places rule."""
    return list(dict.fromkeys(" ".join(words) for words in _place_words(title, text)))


def _place_words(title: str, text: str) -> list[list[str]]:
    """Each place's words in the opening, as written."""
    return [m.group(1).split() for m in _PLACE.finditer(f"{title}. {text[:PLACE_CHARS]}")]


def opening_places(title: str, text: str) -> np.ndarray:
    """The places the opening names, as one run of ``VOCAB`` indices of their words (name or
    plain: read folded), each place's words followed by ``END`` (empty: it names none)."""
    out: list[int] = []
    seen: set[tuple[int, ...]] = set()
    for words in _place_words(title, text):
        words = [w for w in words if w not in GENERIC] or words
        idx = tuple(dict.fromkeys(_index(term_id(t)) for w in words if (t := plain_term(w)) is not None))
        if idx and idx not in seen:
            seen.add(idx)
            out.extend(idx)
            out.append(END)
    return np.array(out, dtype=np.int32)


def _index(tid: int) -> int:
    """The ``VOCAB`` index of a place word: its name's when interned (the word as its article
    wrote it, mostly), else its plain word's (interned now).  Read folded (``PLAIN``) either way."""
    named = VOCAB.index.get(tid | NAME_BIT)
    return named if named is not None else VOCAB.add(tid)


def place_factor(
    factor: float, places: np.ndarray, place_runs: np.ndarray, terms: np.ndarray, term_owner: np.ndarray, k: int
) -> np.ndarray | None:
    """Per pair of ``k`` articles (each naming a place), ``factor`` where both name a place the
    other never mentions, else 1; None when no pair does.  ``places``: their place runs
    concatenated (``opening_places``), ``place_runs``: which article each entry belongs to;
    ``terms``: their pooled terms concatenated, owned by ``term_owner``."""
    word = places != END
    ends = np.flatnonzero(~word)
    wid = VOCAB.ids[places[word]] & PLAIN
    uw = np.unique(wid)  # the place words: a few
    wpos = np.searchsorted(uw, wid)
    folded = VOCAB.ids[terms] & PLAIN
    at = np.minimum(np.searchsorted(uw, folded), uw.size - 1)
    hit = uw[at] == folded
    found = np.zeros((uw.size, k), dtype=bool)  # [place word, article]: the article mentions it
    found[at[hit], term_owner[hit]] = True
    found[wpos, place_runs[word]] = True  # or names it among its places
    place_start = ends - np.arange(ends.size)  # each place's first word, then the next's ...
    place_start = np.concatenate([[0], place_start[:-1]])
    mentioned = np.logical_or.reduceat(found[wpos], place_start, axis=0)  # [place, article]
    place_owner = place_runs[ends]
    art_start = np.flatnonzero(np.concatenate([[True], place_owner[1:] != place_owner[:-1]]))
    um = np.logical_or.reduceat(~mentioned, art_start, axis=0)  # [a, b]: a names a place b never mentions
    conflict = um & um.T  # (an article mentions its own places: none on the diagonal)
    return np.where(conflict, factor, 1.0) if conflict.any() else None
