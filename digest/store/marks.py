"""The ``meta`` marks that tell a process its in-memory engine is stale.

Observations
------------
* Each process clusters with an engine in its own memory, built from the store.  Another
  process that changes what the engine was built on leaves it stale: one that stored
  articles (a second story of one story), and ``digest prune``, which removes stories the
  engine still holds.  A daemon whose engine was built before a prune (another process's,
  or its own daily one) clustered a late version of a pruned story into it: the story came
  back, one version long, under its old id (stop 38 review).

How it works
------------
* ``clustered``: a new value for every unit that stored articles, and for every batch a
  prune removes; a plain ``App`` rebuilds its engine when the value differs from the one it
  built it on, read inside its write transaction (``digest.app``).
* ``pruned``: written with each batch a prune removes, ``"<batches> <UTC time>"`` (a
  counter, and when).  A worker among several (``digest.service.workers``) replays the
  others' writes instead of rebuilding at each ``clustered`` change: it rebuilds when
  ``pruned`` changed since its engine was built.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from .base import Store

#: Meta key: a new value for every clustering unit that stored articles, and every prune
#: batch (engines built before it are stale).
CLUSTERED = "clustered"
#: Meta key: ``"<batches> <UTC time>"`` of the prune batches removed so far.
PRUNED = "pruned"
#: Meta key: the archive's own id, a random UUID written with its first stored articles and
#: never changed: the Atom feed's ``id`` (``urn:uuid:``), the same under every host name and
#: port the archive is served at (RFC 4287 4.2.6.1; the feed's URL was its id until stop 62).
ARCHIVE_ID = "archive_id"


def new_mark() -> str:
    """A value no engine was built on."""
    return uuid.uuid4().hex


def mark_archive(store: Store) -> None:
    """In the open transaction of a unit that stored articles: give the archive its id, unless
    it has one (the first writer's stays)."""
    store.add_meta(ARCHIVE_ID, str(uuid.uuid4()))


def archive_id(store: Store) -> str | None:
    """The archive's id (``ARCHIVE_ID``); None for a store no article was stored in since."""
    return store.get_meta(ARCHIVE_ID) or None


def mark_pruned(store: Store, now: datetime | None = None) -> str:
    """In the open transaction (a prune's batch): count one more batch in ``pruned`` and give
    ``clustered`` a new value, so every engine built before it is rebuilt; the new ``pruned``."""
    old = (store.get_meta(PRUNED) or "0").split()[0]
    batches = int(old) + 1 if old.isdigit() else 1
    value = f"{batches} {(now or datetime.now(UTC)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
    store.set_meta(PRUNED, value)
    store.set_meta(CLUSTERED, new_mark())
    return value
