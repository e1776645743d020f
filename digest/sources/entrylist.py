"""Which of a document's entries are kept: the same rules for RSS, Atom and JSON Feed.

How it works
------------
* At most ``MAX_ENTRIES`` (20,000) entries are read from one document: the
  newest by date (in document order), the undated after the dated; the
  first in document order when none is dated.  One warning line names the
  source and both counts.  (Keeping the first 20,000 silently dropped the
  newest entries of feeds that list oldest first.)
* Duplicate entry ids within one feed: the first is kept; an id that entries
  linking to three pages or more share is dropped (they are known by their links).  Entries with no
  title and no text at all are dropped; entries without links are kept.
* ``Entry.former``: the key an entry was known by before stop 33, where it differs.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..records import Entries, Entry
from ..text.identity import id_identity

__all__ = ["MAX_ENTRIES", "SHARED_ID_PAGES", "finish", "former_key", "newest", "shared_ids"]

log = logging.getLogger("digest.sources.feeds")  # the parse's log lines keep one logger name

MAX_ENTRIES = 20_000
#: An id carried by entries linking to this many pages is no id (:func:`shared_ids`).
SHARED_ID_PAGES = 3


def newest(dates: list[datetime | None], source: str) -> list[int]:
    """Indices of the entries to read (all, or the ``MAX_ENTRIES`` newest), in document order."""
    n = len(dates)
    if n <= MAX_ENTRIES:
        return list(range(n))
    dated = any(d is not None for d in dates)

    def rank(i: int) -> tuple[int, float, int]:
        d = dates[i]
        return (0, -d.timestamp(), i) if d is not None else (1, 0.0, i)

    keep = sorted(sorted(range(n), key=rank)[:MAX_ENTRIES])
    which = "newest (by date)" if dated else "first (no entry is dated)"
    log.warning(
        "%s: the feed lists %s entries; only the %s %s are read",
        source, f"{n:,}", f"{MAX_ENTRIES:,}", which,
    )
    return keep


def finish(entries: list[Entry]) -> Entries:
    """Drop textless entries and repeated ids (first wins; an http(s) id's spellings are one id,
    as they are one key); an id that several pages share is no id (:func:`shared_ids`)."""
    entries = [e for e in entries if e.title or e.content_html or e.summary_html or e.text]
    shared = shared_ids(entries)
    out = Entries()
    seen: set[str] = set()
    pages: set[tuple[str | None, str]] = set()
    for e in entries:
        if e.entry_id and id_identity(e.entry_id) in shared:
            e.former = (e.entry_id, e.former[1] if e.former else e.url)
            e.entry_id = None
            if (e.url, e.title) in pages:  # the same page listed twice under the shared id
                continue
            pages.add((e.url, e.title))
        elif e.entry_id:
            if (ident := id_identity(e.entry_id)) in seen:  # an http(s) id: one key however spelt
                continue
            seen.add(ident)
        out.append(e)
    return out


def former_key(entry_id: str | None, url: str | None, old_url: str | None) -> tuple[str | None, str | None] | None:
    """``Entry.former``: the id and link digest read before stop 33, when the key they gave
    differs from today's (an entry without an id whose link changed)."""
    return (None, old_url) if not entry_id and old_url != url else None


def shared_ids(entries: list[Entry]) -> set[str]:
    """Ids that entries linking to three pages or more carry: a CMS that writes its home page
    (or "0") as every item's guid.  Taken as ids, all but the first entry were dropped, and at
    the next poll the newest was "stored already": the feed showed nothing new again.  Repeats
    of one page (one entry listed twice, an Atom entry's versions) keep their id, and so do
    two pages (an entry's versions, its link moved between them: the first wins).  An http(s)
    id's spellings are one id (``identity.id_identity``), as they are one key: a home page
    written ``http://`` on some items and ``https://`` on others is one shared id, where each
    spelling's two pages kept their id, and one key took the first item of the four only."""
    links: dict[str, set[str]] = {}
    for e in entries:
        if e.entry_id and e.url:
            links.setdefault(id_identity(e.entry_id), set()).add(e.url)
    return {i for i, urls in links.items() if len(urls) >= SHARED_ID_PAGES}
