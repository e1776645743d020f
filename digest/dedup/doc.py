"""What the dedup engine is given and what it answers: ``Doc`` in, ``Assignment`` out.  Pure.

Plain frozen records, so that the stages around the engine (articles, batch, the store)
build and read them without knowing how the engine keeps its state
(``digest.dedup.state``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Doc:
    """What the engine needs to know of an article (clean text only)."""

    id: str
    title: str
    text: str
    source: str = ""
    #: Publication time, epoch seconds; None means "no time window applies".
    published: float | None = None
    priority: float = 0.0
    truncated: bool = False
    #: Characters of site junk the cleaner removed (a cleaner page wins a tie).
    junk: int = 0


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
