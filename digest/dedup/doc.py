"""What the dedup engine is given and what it answers: ``Doc`` in, ``Assignment`` out.  Pure.

Plain frozen records, so that the stages around the engine (articles, batch, the store)
build and read them without knowing how the engine keeps its state
(``digest.dedup.state``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_TITLE_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Doc:
    """What the engine needs to know of an article (clean text only)."""

    id: str
    title: str
    text: str
    source: str = ""
    #: Publication time, epoch seconds; None means "no time window applies".
    published: float | None = None
    #: When it was read (arrived), epoch seconds; None: unknown.  Of two versions as complete,
    #: published at one time, the one read first leads (a copier keeping its original's time).
    arrived: float | None = None
    priority: float = 0.0
    truncated: bool = False
    #: Characters of site junk the cleaner removed (a cleaner page wins a tie).
    junk: int = 0
    #: The outlet's notice that it removed or retracted its report ("This article has been
    #: removed.": ``digest.text.notices``): it joins the story of the outlet's article of its
    #: headline, and the outlet's earlier versions there no longer lead (``lead.withdrawn``).
    notice: bool = False
    #: The id of the article this one revises (an entry updated in place: its first article's,
    #: ``digest.revisions``), "" for none: a notice under a headline of its own ("Article
    #: removed") takes back the entry's report, found by it.
    revises: str = ""


@dataclass(frozen=True, slots=True)
class Assignment:
    """The engine's answer for one added article."""

    doc_id: str
    story_id: str
    new_story: bool
    #: Stories that are gone after this article (their versions moved to other stories).
    merged: tuple[str, ...] = ()
    #: Earlier articles that moved to another story: (article id, its story id now).
    moved: tuple[tuple[str, str], ...] = ()
    #: Every story whose versions changed (``story_id`` included).
    touched: tuple[str, ...] = ()


def title_key(source: str, title: str) -> int | None:
    """A source's title as the engine compares it with the source's other titles: its words,
    case folded, hashed with the source (None: no source or no title to compare).

    One outlet uses one title for many different articles ("Daily update", "Morning
    briefing", "Letters", "Weather"): such a title says nothing of the story, and as titles
    weigh more than the text (``TITLE_WEIGHT``) it joined short unrelated items.  The
    engine reads a title seen before from the same source as no title
    (``Engine.fingerprint``)."""
    if not source or not title:
        return None
    words = " ".join(_TITLE_WORD.findall(title.casefold()))
    if not words:
        return None
    digest = hashlib.blake2b(f"{source}\x00{words}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")

