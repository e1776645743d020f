"""The incremental dedup engine: one article in, its story out.  Pure, in memory.

(Interface first; the algorithm is filled in by ``fingerprint``/``verify``/``choose``.)
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


@dataclass(frozen=True, slots=True)
class Assignment:
    """The engine's answer for one added article."""

    doc_id: str
    story_id: str
    new_story: bool
    #: The story's lead after this article joined (may be this article).
    lead_id: str
    lead_changed: bool
