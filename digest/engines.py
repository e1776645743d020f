"""The dedup engine as the configuration makes it: one factory for ``App`` and the workers.

Observations
------------
A plain ``App`` (``digest run``, the daemon) and a worker of several
(``digest.service.workers``) each hold an engine rebuilt from what was stored;
they must build it alike, or the same store gives different stories
depending on which process clusters next.

How it works
------------
* :func:`new_engine`: an empty ``Engine`` with the configured window
  (``dedup.window_days``) and candidate index (``index``: Redis when
  configured, else in memory, ``digest.dedup.index_redis.open_index``).
  A caller may wrap the index (the workers journal what they insert, to undo
  a failed unit).
* :func:`restore_since`: where the rebuild starts reading the store.
* :func:`rebuilt_engine`: a plain ``App``'s engine, rebuilt from the store's
  articles since then (:func:`restore_row` each; the workers restore what the
  shared log holds the same way).  A stored fingerprint of another format
  (made under other weights) is made again from the article's text and
  stored, once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from .articles import stored_doc
from .config import Config
from .dedup.engine import Engine, Params
from .dedup.fingerprint import Fingerprint
from .dedup.index import CandidateIndex
from .dedup.params import FINGERPRINT_VERSION, INDEX_KEEP_SLACK
from .sources.dates import FUTURE_SLACK
from .store.base import Store, StoredArticle


def window_seconds(cfg: Config) -> float:
    """The dedup window (``dedup.window_days``) in seconds."""
    return cfg.dedup.window_days * 86400.0


def new_engine(cfg: Config, wrap: Callable[[CandidateIndex], CandidateIndex] | None = None) -> Engine:
    """An empty engine for ``cfg``: its window and its candidate index (wrapped by ``wrap``
    when given)."""
    from .dedup.index_redis import open_index

    params = Params(window=window_seconds(cfg))
    # a shared index drops what no engine has held since two windows and a slack ago
    index = open_index(cfg.index, params.lsh_threshold, keep=2 * params.window + INDEX_KEEP_SLACK)
    return Engine(params, index=index if wrap is None else wrap(index))


def restore_since(cfg: Config, end: datetime) -> datetime:
    """The earliest article an engine rebuilt at ``end`` (the fetch time) restores: two
    windows back.  A story open now has a version within the window, and its versions before
    that are its context (neighbours, idf); with one window only, GVC test through replay lost
    precision 1.000 -> 0.964 at each daily rebuild."""
    return end - timedelta(seconds=2 * window_seconds(cfg))


def rebuilt_engine(cfg: Config, store: Store, end: datetime, *, arrived: bool = False) -> Engine:
    """An engine holding the stored articles since ``restore_since(cfg, end)``, each in its
    stored story; fingerprints of another format are made again and written back (the next
    rebuild reads them as stored).  ``arrived``: only those that had arrived by ``end`` (the
    engine as it was then: ``digest explain`` of two articles of last spring restored every
    article since, 25 s on a year of 100 a day)."""
    # an article is dated at most FUTURE_SLACK after it arrived: the index's range ends there
    until = (end, end + FUTURE_SLACK) if arrived else None
    return _restored(cfg, store, restore_since(cfg, end), until)


def engine_of_pair(cfg: Config, store: Store, a: StoredArticle, b: StoredArticle) -> Engine:
    """The engine ``digest explain`` compares ``a`` and ``b`` in: as rebuilt when the later of
    them arrived; where that holds not both (a new source's backlog: pages of 2019 read in
    2026 are older than any rebuild's range, and a run compares them all the same, among
    themselves and with undated ones), the articles dated from two windows before the earlier
    one's date to one after the later's that had arrived by then.  The window alone held
    neither, and ``explain`` said "same story" with no link, the stage that decided."""
    later = max(a.fetched, b.fetched)
    engine = rebuilt_engine(cfg, store, later, arrived=True)
    if a.key in engine and b.key in engine:
        return engine
    first, last = sorted(min(x.published or x.fetched, later) for x in (a, b))
    around = _restored(cfg, store, restore_since(cfg, first), (later, last + timedelta(seconds=window_seconds(cfg))))
    return around if a.key in around and b.key in around else engine


def _restored(cfg: Config, store: Store, since: datetime, until: tuple[datetime, datetime] | None) -> Engine:
    """A new engine holding ``store.articles_since(since, until=until)``, each in its stored
    story; fingerprints of another format written back."""
    engine = new_engine(cfg)
    remade: dict[str, bytes] = {}
    for row in store.articles_since(since, until=until):
        restore_row(engine, row, remade, store)
    if remade:
        store.save_fingerprints(remade)
    return engine


def restore_row(engine: Engine, row: StoredArticle, remade: dict[str, bytes], store: Store) -> None:
    """Put the stored article ``row`` back into ``engine``, in its stored story.  A stored
    fingerprint of another format is made again from the article's text and put in
    ``remade`` (key -> today's blob), for the caller to write back once it has restored all:
    made again at every rebuild otherwise.  ``store``: where a notice of its own finds the report
    it took back (``articles.stored_doc``)."""
    doc = stored_doc(row, store)
    fp = engine.stored_fingerprint(doc, row.fingerprint)
    if Fingerprint.version_of(row.fingerprint) != FINGERPRINT_VERSION:
        remade[row.key] = fp.to_bytes()
    engine.restore(doc, fp, row.story_id)


def recall_entry(engine: Engine, store: Store, key: str) -> None:
    """Put back into ``engine`` the stored versions of the entry whose first article is ``key``
    (its article and revisions, each in its stored story), where the engine no longer holds
    them: a notice that replaced an old report in place (a takedown months later, the report
    dated before the engine's range) takes it back, where it was a new story "Article removed".
    A fingerprint of another format is made again but not written back: the entry is older than
    any rebuild's range, so no rebuild reads it, and the run is mid-ingest."""
    remade: dict[str, bytes] = {}  # made for restore_row; not saved (above)
    for row in store.entry_revisions(key):
        if row.key not in engine:
            restore_row(engine, row, remade, store)
