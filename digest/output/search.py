"""Search results as plain data: stories found by words in any of their versions.

How it works
------------
The store's own full-text index (SQLite FTS5, PostgreSQL's tsvector; see
``digest.store.search``) ranks the stories; each result carries what a
reader needs to recognise the story: its day (first seen, configured time
zone), its lead's title, outlet and link, and how many outlets carried it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..config import Config
from ..errors import DigestError
from ..store.base import Store


@dataclass(frozen=True, slots=True)
class SearchResult:
    story_id: str
    day: date
    title: str
    source: str
    url: str | None
    outlets: int
    versions: int
    score: float


def search(store: Store, cfg: Config, query: str, *, since: date | None = None, limit: int = 20) -> list[SearchResult]:
    """The stories matching ``query`` (fetched on or after ``since``, local day), best first.

    An empty query or a ``limit`` below 1 is a mistake, not a search: DigestError."""
    if not query.strip():
        raise DigestError("search: the query is empty (give words to look for)")
    if limit < 1:
        raise DigestError(f"search: --limit must be 1 or more, not {limit}")
    start = None if since is None else datetime.combine(since, datetime.min.time(), tzinfo=cfg.tz).astimezone(UTC)
    out = []
    for story_id, score in store.search(query, since=start, limit=limit):
        st = store.get_story(story_id)
        versions = store.story_versions(story_id)
        if st is None or not versions:
            continue
        lead = next((v for v in versions if v.key == st.lead_key), versions[0])
        first = st.first_seen if st.first_seen.tzinfo else st.first_seen.replace(tzinfo=UTC)
        out.append(
            SearchResult(
                story_id=story_id, day=first.astimezone(cfg.tz).date(), title=lead.title,
                source=lead.source, url=lead.url, outlets=len({v.source for v in versions}),
                versions=len(versions), score=score,
            )
        )
    return out
