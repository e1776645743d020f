"""The day's digest as plain data: what the templates and the web view render.

How it works
------------
A digest day is a calendar day in the configured time zone; its stories are
those *first seen* in it (a story that gains versions later is not repeated).
Each story's lead is the version the engine chose (``Story.lead_key``); the
others are listed as "also reported by", earliest first.  Stories are ordered
by how many outlets carried them, then by the lead's date.

Special cases
-------------
* A story whose versions were all expired away is skipped.
* A stored lead key that is no longer among the versions falls back to the
  first version.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..config import Config
from ..records import DigestView, StoryView, VersionView
from ..store.base import Store


def day_bounds(day: date, cfg: Config) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=cfg.tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def build_view(store: Store, cfg: Config, day: date) -> DigestView:
    """The day's digest as plain data: stories first seen in the day (local time)."""
    start, end = day_bounds(day, cfg)
    stories = []
    for st in store.stories_first_seen_between(start, end):
        versions = store.story_versions(st.id)
        if not versions:
            continue
        by_key = {v.key: v for v in versions}
        lead = by_key.get(st.lead_key) or versions[0]

        def view(v: Any) -> VersionView:
            return VersionView(
                source=v.source,
                title=v.title,
                url=v.url,
                published=v.published,
                text=v.text,
                score=v.score or 0.0,
            )

        others = sorted(
            (v for v in versions if v.key != lead.key),
            key=lambda v: (v.published or start, v.source),
        )
        stories.append(
            StoryView(
                st.id, lead.title, view(lead), [view(v) for v in others], first_seen=st.first_seen
            )
        )
    stories.sort(key=lambda s: (-s.outlets, -(s.lead.published or start).timestamp(), s.story_id))
    articles = store.count_articles_fetched_between(start, end)
    collapsed = sum(len(s.also) for s in stories)
    return DigestView(
        date=day.isoformat(),
        stories=stories,
        articles_read=articles,
        duplicates_collapsed=collapsed,
        title=cfg.title,
        generated=datetime.now(UTC),
    )
