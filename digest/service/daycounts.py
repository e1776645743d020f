"""The archive's day counts (``digest serve``): each day's story count as its page shows it,
kept with the store reads it was made from and taken again while they answer the same.

Observations
------------
* The index counts its newest 31 days (``webpages.INDEX_RECENT``), a month page its month's
  days, each by the day's whole view (``digests.archive_view``): ~60 ms a day at 150 articles,
  most of it reading what each developing story's earlier versions said.  Kept only at one
  version of the store (stop 61), the counts were all made again after every change, and the
  daemon changes the store every round: the index of a year-old store took ~2 s to render
  after each (docs/evaluation.md, "Stop 62: a year-old store, faster").
* A round changes today's stories, the few older ones a new version joins, and the sources'
  states; a past day's view reads the same rows as before.  Which writes can change a past
  day's view is a long list (a regrouping two windows back, a prune, a late backfill, a
  written lead, a renamed source: stop 61), and a list kept by hand goes stale; the reads
  the view made are the list.

How it works
------------
* A day counted is counted through :class:`Reads`, the store with each read noted: the
  method, its arguments and a digest of its answer (BLAKE2b of its pickle).  The count is
  kept with those reads (:class:`DayCounts`).
* Asked again at the version of the store it was made or last checked at (the server's change
  marker, ``webcache.change_marker``), the count is taken as it is (as before).  At another
  version, the reads are made again, in order: all answering as before, the view would be
  the same (it is a function of the configuration, which a ``Pages`` holds fixed, and of what
  it reads), and so is its count; one answering otherwise, the day is counted afresh.  The
  reads are cheap (the rows: ~0.1 s for 31 days of 150 articles); the view was not (~2 s).
* Only reads are noted (``get_``, ``list_``, ``count_``, ``story_``, ``stories_`` ...); a view
  that called anything else, or read an attribute, is not kept (counted afresh each time).

Special cases
-------------
* The sources' states change every round (the time of each poll).  A count reads them for
  two things only: a renamed source's name and feed (``states.renamed_sources``, a channel of
  ``view._repeats``), and the failing sources the page's footer names, which are no story.
  So a state is noted by its name and location alone (:data:`_NOTED`).
* An answer that cannot be pickled is no digest: the day is not kept.

Kept in the store (stop 63)
---------------------------
* Held in memory only, the counts were all made again by each server started (and each
  ``Pages``, a configuration read again): ~2 s for the index of a year-old store, its 31
  days' views.  A day counted afresh is now also written to the store (``day_counts``,
  :mod:`digest.store.daycount_rows`) with its reads as JSON (:func:`reads_text`), keyed by
  :func:`config_key` (the configuration's ``repr`` and digest's code: another version of the
  view may count otherwise); a page's days not held are read from there first
  (:meth:`DayCounts.load`) and taken as any count held, once their reads answer as before.
* Only ended days are written (today's changes with every round: stale at once), so a server
  writes rows after its first counting and after a change reached an ended day; a write is a
  change of the store, and SQLite's change marker then has the pages cached rendered again once
  (their counts checked by their reads, not counted).
* A day's count is two numbers (stop 64, :class:`Count`): the stories with news and a new
  source's earlier news, as the day's heading says them ("1 story · ... + 8 earlier
  stories"); the index said "9 stories".  The row's ``count`` holds the first, its ``reads``
  text the second beside the reads (no migration).  A row written before holds the one number
  (the backlog's stories in it): its key is another (:func:`config_key` digests digest's code,
  which changed), and a row of reads alone is not taken (:func:`reads_of`) all the same.
* A read whose arguments are not JSON's (strings, numbers, days, times, sequences of them) is
  not written; that day is counted again by the next server.  Writing is a cache's: a store
  that refuses it (busy, read-only, no such table) leaves the counts in memory (logged).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
import threading
from collections.abc import Callable, Hashable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..output.digests import archive_view as build_view
from ..store.base import Store

log = logging.getLogger(__name__)

#: At most this many days' counts are kept, the least recently counted dropped first: a day kept
#: holds its reads' digests, ~55 KB at 150 articles a day (stop 62's second review: never
#: dropped, a year's months viewed held ~20 MB, pruned days too).  The index shows 31 days and a
#: month page its month, so 400 holds a year's pages; a day dropped is counted again when shown.
DAYS_KEPT = 400

#: A store method whose name begins so is a read (it changes nothing): noted, and made again.
READS = ("get_", "list_", "count_", "story_", "stories_", "metas_", "latest_", "earliest_", "has_", "day_")


def _location(state: Any) -> Any:
    return None if state is None else (state.name, state.location)


#: What a count reads of some answers (see the module docstring): a source's state, its name
#: and feed.
_NOTED: dict[str, Callable[[Any], Any]] = {
    "get_source_state": _location,
    "list_source_states": lambda states: [_location(s) for s in states],
}


def _digest(method: str, answer: Any) -> bytes:
    noted = _NOTED.get(method)
    body = pickle.dumps(noted(answer) if noted is not None else answer, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(body, digest_size=16).digest()


#: One read: the method, its arguments (positional, keyword), the digest of its answer.
Read = tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...], bytes]


class Reads:
    """``store`` with each read noted (:attr:`reads`); ``kept`` False once the view did
    anything that is not a read the count can be checked by (then it is not kept)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.reads: list[Read] = []
        self.kept = True

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if not (callable(value) and name.startswith(READS)):
            self.kept = False
            return value

        def read(*args: Any, **kwargs: Any) -> Any:
            answer = value(*args, **kwargs)
            if self.kept:
                try:
                    # a sequence asked kept a tuple (``stories_read``'s ids, stop 65): a key of the
                    # answers the checks share, as it comes back from the store's JSON
                    kept = tuple(tuple(a) if isinstance(a, list) else a for a in args)
                    self.reads.append((name, kept, tuple(sorted(kwargs.items())), _digest(name, answer)))
                except Exception:  # no pickle of it: no digest, the count not kept
                    self.kept = False
            return answer

        return read


def same_reads(store: Store, reads: list[Read], answers: dict[tuple[Any, ...], bytes] | None = None) -> bool:
    """Whether each of ``reads``, made again on ``store``, answers as it did; ``answers``: the
    digests of the reads made for other days of the same page (the days' views read the
    sources' states, a story of several days, the same meta), each read made once."""
    answers = {} if answers is None else answers
    for name, args, kwargs, digest in reads:
        try:
            asked = (name, args, kwargs)
            if (now := answers.get(asked)) is None:
                now = answers[asked] = _digest(name, getattr(store, name)(*args, **dict(kwargs)))
            if now != digest:
                return False
        except Exception:  # a read that fails now: counted afresh (which says why, if it fails too)
            return False
    return True


@functools.cache
def _code() -> bytes:
    """A digest of digest's own modules (the view that counts is theirs)."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


def config_key(cfg: Config) -> str:
    """What a count kept in the store was made with: the configuration and digest's code."""
    return hashlib.blake2b(repr(cfg).encode("utf-8") + _code(), digest_size=16).hexdigest()


def _plain(value: Any) -> Any:
    """``value`` as JSON holds it (a time, a day tagged); TypeError for what it cannot hold."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    raise TypeError(f"not kept: {type(value).__name__}")


def _value(value: Any) -> Any:
    """:func:`_plain`'s inverse (a sequence comes back a tuple: reads are dict keys)."""
    if isinstance(value, dict):
        return datetime.fromisoformat(value["t"]) if "t" in value else date.fromisoformat(value["d"])
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    return value


def reads_text(reads: list[Read], earlier: int = 0) -> str:
    """``reads`` as the store keeps them (JSON), with the day's ``earlier`` count (stop 64: the
    row's ``count`` is the stories with news less those); TypeError for an argument JSON cannot
    hold."""
    return json.dumps({"earlier": earlier,
                       "reads": [[name, _plain(args), _plain(kwargs), digest.hex()] for name, args, kwargs, digest in reads]},
                      separators=(",", ":"))  # fmt: skip


def reads_of(text: str) -> tuple[list[Read], int]:
    """:func:`reads_text`'s inverse: the reads and the earlier count.  ValueError for a row of
    before stop 64 (its reads alone, its count the backlog's too: not taken)."""
    kept = json.loads(text)
    if not isinstance(kept, dict):
        raise ValueError("a day count of before stop 64: no earlier count")
    reads = [(name, _value(args), _value(kwargs), bytes.fromhex(digest)) for name, args, kwargs, digest in kept["reads"]]
    return reads, int(kept["earlier"])


@dataclass(frozen=True, slots=True)
class Count:
    """A day's count as its page's heading says it: the stories with news (new, developing),
    and a new source's earlier news listed apart ("1 story · ... + 8 earlier stories"), which
    ``DigestView.story_count`` holds too (stop 64: the index said "9 stories")."""

    stories: int
    earlier: int = 0

    @classmethod
    def of(cls, view: Any) -> Count:
        return cls(view.story_count - view.backlog, view.backlog)


@dataclass(slots=True)
class _Count:
    count: Count
    reads: list[Read]
    at: Hashable | None  # the store's version it was made or last checked at


def _asked(held: list[_Count], methods: tuple[str, ...], answers: dict[tuple[Any, ...], bytes]) -> set[str]:
    """The one text argument of each read of ``methods`` in ``held`` not yet in ``answers``."""
    return {args[0] for h in held for name, args, kwargs, _ in h.reads
            if name in methods and len(args) == 1 and not kwargs and isinstance(args[0], str)
            and (name, args, kwargs) not in answers}  # fmt: skip


class DayCounts:
    """Each day's story count as its page shows it (new and developing) and the reads it was
    made from, for one configuration (a ``Pages``'s)."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._days: dict[date, _Count] = {}
        self._lock = threading.Lock()
        self._key: str | None = None  # config_key(cfg), when first needed
        #: Days counted afresh, not yet written to the store: day -> (stories, reads and earlier
        #: as text, :func:`reads_text`).
        self._fresh: dict[date, tuple[int, str]] = {}
        #: Writes them instead of ``store.keep_day_counts`` (``digest serve`` on SQLite: its
        #: change marker's connection, ``webcache``), or None.
        self.writer: Callable[[str, dict[str, tuple[int, str]]], None] | None = None
        #: Days counted by a view, and days whose count was checked by its reads (figures, tests).
        self.built = self.checked = 0

    def count(
        self, store: Store, day: date, version: Hashable | None = None,
        answers: dict[tuple[Any, ...], bytes] | None = None,
    ) -> Count:
        """The day's count: kept at ``version`` (the store's; None: not known), or its reads
        answering as before (``answers``: :func:`same_reads`'s, shared by a page's days), else
        counted by the day's count view (stop 65: no line of what is new, :meth:`view`)."""
        with self._lock:
            held = self._days.get(day)
        if held is not None:
            if version is not None and held.at == version:
                return held.count
            self.checked += 1
            if same_reads(store, held.reads, answers):
                held.at = version
                return held.count
        return Count.of(self._built(store, day, version, lines=False))

    def view(self, store: Store, day: date, version: Hashable | None = None) -> Any:
        """The day's view (``digests.archive_view``), its count kept with the reads it made."""
        return self._built(store, day, version, lines=True)

    def _built(self, store: Store, day: date, version: Hashable | None, *, lines: bool) -> Any:
        """The day's view, with its ``lines`` of what is new or without (a count's: the
        same count, stop 65), its count kept with the reads it made."""
        self.built += 1
        reads = Reads(store)
        view = build_view(reads, self.cfg, day, lines=lines)  # the reads stand for the store
        with self._lock:
            self._days.pop(day, None)  # counted now: the last to be dropped
            if reads.kept:
                count = Count.of(view)
                self._days[day] = _Count(count, reads.reads, version)
                with suppress(TypeError):  # an argument JSON cannot hold: held here, not in the store
                    self._fresh[day] = (count.stories, reads_text(reads.reads, count.earlier))
                while len(self._days) > DAYS_KEPT:
                    del self._days[next(iter(self._days))]
        return view

    def prefetch(self, store: Store, days: Iterable[date], version: Hashable | None,
                 answers: dict[tuple[Any, ...], bytes]) -> None:
        """The stories and meta values the checks of ``days`` will read (those held at another
        ``version``), read at once (``Store.stories_read``, ``Store.metas_read``) into ``answers``
        (:func:`same_reads`'s): three queries where each story was two round trips and each
        value one (PostgreSQL: ~2,500 and ~215 for the index's 31 days).  A day's view reads its
        stories and its sources' first reads at once (stop 65): each day's such read is answered
        from the same two queries (read a day at a time, the index's checks took ~0.5 s more on
        PostgreSQL: 62 more statements, each of a few dozen ids)."""
        with self._lock:
            held = [h for d in days if (h := self._days.get(d)) is not None and (version is None or h.at != version)]
        one = _asked(held, ("get_story", "story_versions"), answers)
        each = _asked(held, ("get_meta",), answers)
        at_once = {(name, args) for h in held for name, args, kwargs, _ in h.reads
                   if name in ("stories_read", "metas_read") and len(args) == 1 and not kwargs
                   and isinstance(args[0], tuple) and (name, args, kwargs) not in answers}  # fmt: skip
        ids = sorted(one.union(*(args[0] for name, args in at_once if name == "stories_read")))
        keys = sorted(each.union(*(args[0] for name, args in at_once if name == "metas_read")))
        try:
            if ids:
                stories, versions = store.stories_read(ids)
                for sid in one:
                    answers[("get_story", (sid,), ())] = _digest("get_story", stories[sid])
                    answers[("story_versions", (sid,), ())] = _digest("story_versions", versions[sid])
                for name, args in at_once:  # as the day's own read answers: its ids in its order
                    if name == "stories_read":
                        answer = ({i: stories[i] for i in args[0]}, {i: versions[i] for i in args[0]})
                        answers[(name, args, ())] = _digest(name, answer)
            if keys:  # stop 64: ~215 round trips on PostgreSQL for the index's 31 days, one now
                values = store.metas_read(keys)
                for key in each:
                    answers[("get_meta", (key,), ())] = _digest("get_meta", values[key])
                for name, args in at_once:
                    if name == "metas_read":
                        answers[(name, args, ())] = _digest(name, {k: values[k] for k in args[0]})
        except Exception as exc:  # each read made alone then
            log.debug("stories or meta not read at once: %s", exc)

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = config_key(self.cfg)
        return self._key

    def load(self, store: Store, days: Iterable[date]) -> None:
        """The counts the store keeps of those of ``days`` not held (one read), held from now on,
        each taken once its reads answer as before (:meth:`count`)."""
        with self._lock:
            wanted = [d.isoformat() for d in days if d not in self._days]
        if not wanted:
            return
        try:
            rows = store.kept_day_counts(self.key, wanted)
        except Exception as exc:  # a cache: no table (a store opened as it was)
            log.debug("day counts not read from the store: %s", exc)
            return
        kept: dict[date, _Count] = {}
        for day, (stories, text) in rows.items():
            try:
                reads, earlier = reads_of(text)
                kept[date.fromisoformat(day)] = _Count(Count(stories, earlier), reads, None)
            except Exception as exc:  # a row unreadable, or of before stop 64: that day counted again
                log.debug("day count of %s not taken: %s", day, exc)
        with self._lock:
            for when, held in kept.items():
                self._days.setdefault(when, held)

    def save(self, store: Store, before: date) -> None:
        """Write the days before ``before`` (ended) counted afresh since the last call to the store
        (one transaction).  A day not ended changes every round of the daemon: its row would be
        stale at once, and every write is a change of the store (SQLite's change marker: each
        page cached is rendered again)."""
        with self._lock:
            fresh = {d.isoformat(): c for d, c in self._fresh.items() if d < before}
            self._fresh.clear()
        if not fresh:
            return
        try:
            (self.writer or store.keep_day_counts)(self.key, fresh)
        except Exception as exc:  # a cache: a store busy or read-only keeps them in memory only
            log.debug("day counts not written to the store: %s", exc)
