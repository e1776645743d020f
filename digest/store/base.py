"""The store interface: what every backend offers, its rows, and ``open_store``.

Tables (the SQLite schema is in ``digest/store/migrations/sqlite/``)
---------------------------------------------------------------------
``sources``    one row per configured source (``name`` unique): ``location``
               (URL or path), fetch validators (``etag``, ``last_modified``),
               ``permanent_url`` (after a 301/308), ``last_fetch_at``,
               ``last_ok_at``, ``last_error``/``error_kind``, ``failures``
               (consecutive) since ``first_failure_at``, ``paused`` with
               ``paused_reason``, ``next_poll_at``, ``retry_after_until``,
               ``note`` (what the last good read noted: a feed cut off, front matter unread).
``articles``   one row per article, ``key`` unique (``digest.text.identity``): source,
               url, title, clean text, published, fetched, author, truncated,
               priority, ``junk`` (JSON list of removed lines), ``fingerprint``
               (opaque BLOB from the engine; made again only when of another format), ``story_id``,
               ``score`` (completeness) and ``score_detail`` (JSON).  Indexed by
               story, by fetched, and by ``coalesce(published, fetched)`` for
               the dedup window.
``stories``    ``id`` (chosen by the engine), ``first_seen`` (UTC), ``updated``,
               ``lead_key``, ``n_versions``, ``n_sources``.
``digests``    (date, format) -> built_at (by the writer's clock: compared with
               the day's seal), path, stories, articles_read, duplicates (collapsed).
``deliveries`` (date, target) -> status pending/whole/sent/failed, attempts,
               last_error, message_id, claimed_at, sent_at.
``meta``       small key/value pairs.

How it works
------------
:class:`Store` is the interface (a ``typing.Protocol``) the pipeline, the
daemon and the web archive use; ``open_store(url)`` picks the backend from
:data:`BACKENDS` by URL scheme (``sqlite`` built in: ``digest.store.sqlite``;
a PostgreSQL store registers ``postgresql``).  Backends are imported lazily,
so a missing optional driver only matters to whoever asks for it.  The rows
are plain dataclasses defined here (a digest's and its deliveries': ``digest.store.deliveries``); timestamps are aware UTC datetimes,
stored as fixed-format ISO 8601 text (:func:`ts`) that sorts as time.

Every write method is one transaction; ``transaction()`` groups several
calls into one (it nests: only the outermost commits), so a crash or
``kill -9`` leaves whole units or nothing.  ``add_articles`` stores a batch
of new articles with their story rows in one transaction.

Threads and processes
---------------------
One connection per ``Store`` object.  A ``Store`` must not be used by two
threads at once: each thread or process opens its own.  ``exclusive(name)``
is a cross-process lock (one daemon per database); the OS releases it when
the holder dies.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

from ..errors import StoreError
from ..records import Article, ShowsOutlet
from .deliveries import DayCounts, Delivery, DigestRecord
from .sourcestate import GONE as GONE  # re-exported: where the store's rows were named before
from .sourcestate import SourceState, redact
from .sourcestate import local_time as local_time

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(dt: datetime | None) -> str | None:
    """A datetime as the store's fixed-format UTC text (naive means UTC)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime(_TS_FORMAT)


def aware(dt: datetime) -> datetime:
    """``dt`` with its zone; a naive one (as the store reads some back) taken as UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def parse_ts(value: str | None) -> datetime | None:
    """The inverse of :func:`ts`.  A value in :func:`ts`'s own shape (every one the store
    wrote: "2026-01-31T07:00:00.000000Z") is read by ``datetime.fromisoformat``, ~20 times
    faster than ``strptime``, which reads the rest (and refuses what it refused): a day's view
    reads a timestamp per version it looks at, ~25,000 for the archive's index (stop 61)."""
    if not value:
        return None
    if (len(value) == 27 and value.isascii() and value[4] == value[7] == "-" and value[10] == "T"
            and value[13] == value[16] == ":" and value[19] == "." and value[26] == "Z"):
        with suppress(ValueError):
            return datetime.fromisoformat(value)  # "Z": UTC
    return datetime.strptime(value, _TS_FORMAT).replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- rows ------------------------------------------------------------------
#: Meta key of a source's first read: when the first batch of its articles arrived (the store's
#: timestamp), or "" for a source that had articles (or pruned ones) before this was recorded,
#: or whose first good read stored nothing (its first articles are news).
#: Written by ``add_articles``; read by the view, which lists that read's old items apart
#: (``digest.output.view``: a newly added feed's backlog).
FIRST_READ_KEY = "first_read:{source}"
#: "1" where a source's first read (``FIRST_READ_KEY``) held only items stating no date of their
#: own: an undated feed's backlog (``digest.output.view``; stop 55).
UNDATED_READ_KEY = "first_read_undated:{source}"
#: Its value when the first read's items stated dates, all ahead of the clock (not believed: a
#: feed's clock or time zone wrong), not none ("1"): the digest says which (stop 56).
UNDATED_AHEAD = "ahead"
#: Where a stored article moves (``Store.rekey_articles``): its new key, entry id and content hash.
KeyMove = tuple[str, str | None, str | None]


@dataclass(slots=True)
class StoredArticle(ShowsOutlet):
    key: str
    source: str
    url: str | None
    title: str
    text: str
    published: datetime | None
    fetched: datetime
    author: str | None
    truncated: bool
    priority: float
    junk: list[str]
    fingerprint: bytes
    story_id: str
    score: float | None
    score_detail: dict[str, Any] | None
    #: The entry's own id (feed guid, replayed record id); None when it had none.
    guid: str | None = None
    #: The language it is written in, as its source stated it (``Article.lang``); None when
    #: unstated, or stored before schema version 8 (SQLite) / 11 (PostgreSQL).
    lang: str | None = None
    #: The outlet the entry named as its own (``Article.outlet``); None when the source is the
    #: outlet, or stored before schema version 9 (SQLite) / 12 (PostgreSQL).
    outlet: str | None = None
    #: ``Article.content_hash``; of an entry's first article, the content as last polled (None:
    #: stored before schema version 10 (SQLite) / 13 (PostgreSQL), until the next poll).
    content_hash: str | None = None
    #: ``Article.revision_of``: the key of the first article of the entry this one revises.
    revision_of: str | None = None
    #: ``Article.published_day``: ``published`` is a day stated without its time (schema
    #: version 17 (SQLite) / 22 (PostgreSQL); stored before: a time of 00:00:00.000000 UTC).
    published_day: bool = False
    #: ``Article.links``: a Markdown note's links, (words, address) each (schema version 18
    #: (SQLite) / 23 (PostgreSQL)).
    links: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class StoredStory:
    id: str
    first_seen: datetime
    updated: datetime
    lead_key: str
    n_versions: int = 0
    n_sources: int = 0


class SearchHit(NamedTuple):
    """A story :meth:`Store.search` found."""

    story_id: str
    #: How well it matches: higher is better (bm25 or ts_rank, by backend: an order, not a scale).
    score: float
    #: When its latest matching version arrived (fetched at or after the search's ``since``).
    latest: datetime


class NewArticle(NamedTuple):
    """One item of :meth:`Store.add_articles` (a plain tuple in this order works too)."""

    article: Article
    fingerprint: bytes
    story_id: str
    score: float | None = None
    detail: Mapping[str, Any] | None = None
    #: Stored articles moved to another story as this one came in (the engine's regrouping):
    #: (key, story id), applied right after it.
    moves: tuple[tuple[str, str], ...] = ()


# -- pure helpers shared by backends -----------------------------------------
def new_articles(items: Iterable[NewArticle | tuple[Any, ...]]) -> list[NewArticle]:
    """Normalise ``add_articles`` input (tuples of 3 to 6 fields) to :class:`NewArticle`."""
    out = []
    for item in items:
        if not isinstance(item, NewArticle):
            item = NewArticle(*item)
        if not isinstance(item.fingerprint, bytes | bytearray | memoryview):
            raise TypeError(f"{item.article.key}: fingerprint must be bytes")
        out.append(item)
    return out


# -- the interface -----------------------------------------------------------
@runtime_checkable
class Store(Protocol):
    """What every backend offers.  Datetimes in and out are aware UTC."""

    url: str

    # lifecycle, transactions, locks
    @property
    def schema_version(self) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...
    def transaction(self) -> AbstractContextManager[None]:
        """Group calls into one atomic unit (nests; the outermost commits)."""
        ...
    def acquire_lock(self, name: str) -> bool:
        """Take the cross-process lock ``name``; False if another process holds it."""
        ...
    def release_lock(self, name: str) -> None: ...
    def lock_held(self, name: str) -> bool:
        """Whether lock ``name`` is held now (by this store or another process), not taking it."""
        ...
    def lock_holder(self, name: str) -> str:
        """The pid the holder of lock ``name`` recorded ("unknown" when none), for messages."""
        ...
    def exclusive(self, name: str) -> AbstractContextManager[None]:
        """Hold lock ``name`` for a block; StoreError naming the holder's pid if taken."""
        ...

    # meta
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def add_meta(self, key: str, value: str) -> None:
        """Set ``key`` to ``value`` unless it has a value: the first writer's stays, whatever
        another process writes at the same instant (a day's kept hours, its seal)."""
        ...

    # sources
    def sync_sources(self, sources: Iterable[tuple[str, str]]) -> None:
        """Register configured (name, location) pairs; a changed location resets its state."""
        ...
    def get_source_state(self, name: str) -> SourceState | None: ...
    def save_source_state(self, state: SourceState) -> None: ...
    def list_source_states(self) -> list[SourceState]: ...

    # articles and stories
    def has_article(self, key: str) -> bool: ...
    def has_articles(self, keys: Iterable[str], *, source: str | None = None) -> set[str]:
        """The keys among ``keys`` that are stored (``source``: stored by that source)."""
        ...
    def content_hashes(self, keys: Iterable[str]) -> dict[str, str | None]:
        """The ``content_hash`` of each article stored under one of ``keys`` (None: none recorded)."""
        ...
    def set_content_hashes(self, hashes: Mapping[str, str]) -> int:
        """Record stored articles' ``content_hash`` (key -> hash); how many rows changed."""
        ...
    def keyed_by_text(self, source: str, urls: Sequence[str]) -> dict[str, StoredArticle]:
        """``source``'s latest article keyed by its text (no guid, not a revision) of each URL."""
        ...
    def articles_at(self, source: str, url: str) -> list[StoredArticle]:
        """``source``'s articles read from ``url``, the latest read first."""
        ...
    def rekey_articles(self, moves: Mapping[str, KeyMove]) -> int:
        """Move articles to new keys (old -> (new, guid, content hash)); how many moved."""
        ...
    def entry_revisions(self, key: str) -> list[StoredArticle]:
        """The article stored under ``key`` and its revisions (``revision_of``), in arrival order."""
        ...
    def add_article(
        self,
        article: Article,
        fingerprint: bytes,
        story_id: str,
        score: float | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> bool:
        """Insert one article (no story row); False and nothing written if its key exists."""
        ...
    def add_articles(
        self,
        items: Sequence[NewArticle | tuple[Any, ...]],
        *,
        leads: Mapping[str, str] | None = None,
        merges: Sequence[tuple[str, str]] = (),
        scores: Mapping[str, Mapping[str, tuple[float, Mapping[str, Any]]]] | None = None,
        first_seen: datetime | None = None,
    ) -> list[bool]:
        """Insert a batch (with the moves it made) and its story rows in ONE transaction;
        which items were new."""
        ...
    def get_article(self, key: str) -> StoredArticle | None: ...
    def keys_at(self, urls: Sequence[str]) -> list[str]:
        """The keys of the articles read from any of ``urls`` (links as stored), sorted."""
        ...
    def links_ending(self, tails: Sequence[str], lengths: Sequence[int] = ()) -> list[tuple[str, str, bool]]:
        """(key, link, its source listed) of the articles whose link ends with one of ``tails``
        or is one of ``lengths`` long (a scan: explain only)."""
        ...
    def guids_ending(self, tails: Sequence[str], lengths: Sequence[int] = ()) -> list[tuple[str, str]]:
        """(key, entry id) of the articles whose entry id ends with one of ``tails`` or is one
        of ``lengths`` long (a scan: explain only)."""
        ...
    def keys_of_guid(self, guid: str) -> list[str]:
        """The keys of the articles whose entry id (``StoredArticle.guid``) is ``guid``."""
        ...
    def articles_since(
        self, since: datetime, *, with_text: bool = True, until: tuple[datetime, datetime] | None = None
    ) -> Iterator[StoredArticle]:
        """Articles dated (published, else fetched) at or after ``since``, or read at or after
        it though dated before (a backlog), oldest first by date (``until``: and arrived by its
        first, dated by its second); index-backed."""
        ...
    def update_story(
        self, story_id: str, *, lead_key: str | None = None, first_seen: datetime | None = None
    ) -> None: ...
    def save_story(
        self,
        story_id: str,
        *,
        lead_key: str,
        first_seen: datetime,
        scores: Mapping[str, tuple[float, Mapping[str, Any]]],
    ) -> None: ...
    def set_lead(self, story_id: str, lead_key: str) -> None: ...
    def update_scores(self, story_id: str, scores: Mapping[str, tuple[float, Mapping[str, Any]]]) -> int: ...
    def save_fingerprints(self, fingerprints: Mapping[str, bytes]) -> int: ...
    def merge_stories(self, *, keep: str, drop: str) -> None: ...
    def move_article(self, key: str, story_id: str) -> None:
        """Move a stored article to another story (created if new); a story is first seen when
        its first version arrived (the one it moves to no later than the article, the one it
        leaves no earlier than its first version left); the story it leaves is deleted once empty."""
        ...
    def get_story(self, story_id: str) -> StoredStory | None: ...
    def stories_first_seen_between(self, start: datetime, end: datetime) -> list[StoredStory]: ...
    def story_versions(self, story_id: str) -> list[StoredArticle]: ...
    def count_articles_fetched_between(self, start: datetime, end: datetime) -> int: ...
    def latest_fetched(self) -> datetime | None:
        """When the newest stored article arrived (None for an empty store)."""
        ...
    def latest_fetched_between(self, start: datetime, end: datetime) -> datetime | None:
        """When the newest article fetched in [start, end) arrived (None: none was)."""
        ...
    def earliest_fetched(self) -> datetime | None:
        """When the first stored article arrived (None for an empty store)."""
        ...
    def stories_fetched_between(self, start: datetime, end: datetime) -> list[str]:
        """Ids of the stories holding a version fetched in [start, end)."""
        ...
    def search(
        self, query: str, *, since: datetime | None = None, limit: int = 20, newest: bool = False
    ) -> list[SearchHit]:
        """Stories with a version matching ``query`` (words, "phrases", -excluded; see
        ``digest.store.search``), fetched at or after ``since``: best first, or
        with ``newest`` the story whose latest matching version arrived last first (a reader
        looking up a story that runs again wants this week's, not the one that used the words
        most: bm25 knows no time)."""
        ...
    def day_counts(self, start: datetime, end: datetime) -> DayCounts: ...
    def kept_day_counts(self, config: str, days: Sequence[str]) -> dict[str, tuple[int, str]]: ...
    def keep_day_counts(self, config: str, counts: Mapping[str, tuple[int, str]]) -> None: ...
    def stories_read(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, StoredStory | None], dict[str, list[StoredArticle]]]: ...
    def metas_read(self, keys: Sequence[str]) -> dict[str, str | None]: ...

    # digests and deliveries
    def record_digest(
        self,
        date: str,
        fmt: str,
        path: str | None,
        stories: int,
        *,
        articles_read: int = 0,
        duplicates: int = 0,
        built_at: datetime | None = None,
    ) -> None:
        """Record the day's digest file of ``fmt``, built at ``built_at`` (the writer's clock, as
        the day's seal; default: now)."""
        ...
    def get_digest(self, date: str, fmt: str) -> DigestRecord | None: ...
    def list_digest_dates(self) -> list[tuple[str, int]]: ...
    def claim_delivery(self, date: str, target: str, *, stale_after: float = 3600.0) -> bool: ...
    def set_message_id(self, date: str, target: str, message_id: str) -> None: ...
    def mark_whole(self, date: str, target: str) -> None: ...
    def send_whole_mark(self, date: str, target: str) -> Callable[[], None]: ...
    def mark_unconfirmed(self, date: str, target: str) -> bool: ...
    def mark_sent(self, date: str, target: str, message_id: str) -> None: ...
    def mark_failed(self, date: str, target: str, error: str) -> None: ...
    def get_delivery(self, date: str, target: str) -> Delivery | None: ...
    def deliveries_on(self, date: str) -> list[Delivery]: ...
    def delivery_status(self, date: str, target: str) -> str | None: ...


# -- opening by URL ------------------------------------------------------------
#: URL scheme -> factory taking the URL, or "module:attribute" imported on first
#: use.  ``register_backend`` adds one.
BACKENDS: dict[str, Callable[[str], Store] | str] = {
    "sqlite": "digest.store.sqlite:from_url",
    "postgresql": "digest.store.postgres:from_url",
    "postgres": "digest.store.postgres:from_url",
}


def register_backend(scheme: str, factory: Callable[[str], Store] | str) -> None:
    BACKENDS[scheme.lower()] = factory


def _factory(scheme: str, url: str) -> Callable[[str], Store]:
    entry = BACKENDS.get(scheme)
    if entry is None:
        known = ", ".join(sorted(BACKENDS))
        raise StoreError(f"{redact(url)}: unknown database kind {scheme!r} (known: {known})")
    if not isinstance(entry, str):
        return entry
    module, _, attr = entry.partition(":")
    try:
        factory: Callable[[str], Store] = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise StoreError(f"{redact(url)}: the {scheme} store is not available ({exc})") from None
    return factory


def open_store(url: str) -> Store:
    """Open the store at ``url`` (``sqlite:///abs/path``, ``postgresql://...``, or a plain path)."""
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    scheme = url.split("://", 1)[0].lower().split("+", 1)[0]
    return _factory(scheme, url)(url)
