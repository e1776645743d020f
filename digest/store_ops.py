"""What every store does the same way on top of its own SQL: the backend-free half.

Observations
------------
* The SQLite and PostgreSQL stores differ in their SQL (placeholders, upserts,
  locking) but not in how a batch of articles becomes story rows, or how a
  story's lead and scores are saved together: that logic lives here once.

How it works
------------
``StoreOps`` is a mixin.  A backend provides what ``_Backend`` lists:
``transaction()``, ``_insert`` (one row; False when the key exists),
``merge_stories``, ``update_story``, ``update_scores`` and ``get_delivery``;
the mixin composes them (its methods take the backend as ``self``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from .records import Article
from .store import Delivery, NewArticle, new_articles, utcnow


class _Backend(Protocol):
    """What a backend provides for ``StoreOps``."""

    def transaction(self) -> AbstractContextManager[Any]: ...
    def _insert(self, item: NewArticle, now: datetime) -> bool: ...
    def merge_stories(self, *, keep: str, drop: str) -> None: ...
    def update_story(
        self, story_id: str, *, lead_key: str | None = None, first_seen: datetime | None = None
    ) -> None: ...
    def update_scores(self, story_id: str, scores: Mapping[str, tuple[float, Mapping[str, Any]]]) -> int: ...
    def get_delivery(self, date: str, target: str) -> Delivery | None: ...


class StoreOps:
    """Backend-free store operations (see the module docstring)."""

    def add_article(
        self: _Backend,
        article: Article,
        fingerprint: bytes,
        story_id: str,
        score: float | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> bool:
        """Insert one article (its story row is the caller's: ``update_story``)."""
        with self.transaction():
            return self._insert(NewArticle(article, fingerprint, story_id, score, detail), utcnow())

    def add_articles(
        self: _Backend,
        items: Sequence[NewArticle | tuple[Any, ...]],
        *,
        leads: Mapping[str, str] | None = None,
        merges: Sequence[tuple[str, str]] = (),
    ) -> list[bool]:
        """Store new articles, story merges and story rows in one transaction.

        Articles whose key exists are skipped (False in the result).  Each
        touched story gets ``first_seen`` = the earliest of its stored value
        and its new articles' fetch times, the lead from ``leads`` (else the
        best-scored version), and fresh counts.  ``merges`` are (keep, drop)
        pairs applied after the inserts.
        """
        batch = new_articles(items)
        leads = dict(leads or {})
        now = utcnow()
        result: list[bool] = []
        with self.transaction():
            first: dict[str, datetime] = {}
            for item in batch:
                ok = self._insert(item, now)
                result.append(ok)
                if ok:
                    seen = item.article.fetched or now
                    first[item.story_id] = min(first.get(item.story_id, seen), seen)
            for keep, drop in merges:
                self.merge_stories(keep=keep, drop=drop)
                if drop in first:
                    seen = first.pop(drop)
                    first[keep] = min(first.get(keep, seen), seen)
            for story_id in sorted(set(first) | set(leads)):
                self.update_story(story_id, lead_key=leads.get(story_id), first_seen=first.get(story_id))
        return result

    def save_story(
        self: _Backend,
        story_id: str,
        *,
        lead_key: str,
        first_seen: datetime,
        scores: Mapping[str, tuple[float, Mapping[str, Any]]],
    ) -> None:
        """``update_story`` and ``update_scores`` in one transaction."""
        with self.transaction():
            self.update_story(story_id, lead_key=lead_key, first_seen=first_seen)
            self.update_scores(story_id, scores)

    def delivery_status(self: _Backend, date: str, target: str) -> str | None:
        d = self.get_delivery(date, target)
        return None if d is None else d.status

