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
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import Config
from ..output.digests import archive_view as build_view
from ..store.base import Store

#: At most this many days' counts are kept, the least recently counted dropped first: a day kept
#: holds its reads' digests, ~55 KB at 150 articles a day (stop 62's second review: never
#: dropped, a year's months viewed held ~20 MB, pruned days too).  The index shows 31 days and a
#: month page its month, so 400 holds a year's pages; a day dropped is counted again when shown.
DAYS_KEPT = 400

#: A store method whose name begins so is a read (it changes nothing): noted, and made again.
READS = ("get_", "list_", "count_", "story_", "stories_", "latest_", "earliest_", "has_", "day_")


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
                    self.reads.append((name, args, tuple(sorted(kwargs.items())), _digest(name, answer)))
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


@dataclass(slots=True)
class _Count:
    count: int
    reads: list[Read]
    at: Hashable | None  # the store's version it was made or last checked at


class DayCounts:
    """Each day's story count as its page shows it (new and developing) and the reads it was
    made from, for one configuration (a ``Pages``'s)."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._days: dict[date, _Count] = {}
        self._lock = threading.Lock()
        #: Days counted by a view, and days whose count was checked by its reads (figures, tests).
        self.built = self.checked = 0

    def count(
        self, store: Store, day: date, version: Hashable | None = None,
        answers: dict[tuple[Any, ...], bytes] | None = None,
    ) -> int:
        """The day's count: kept at ``version`` (the store's; None: not known), or its reads
        answering as before (``answers``: :func:`same_reads`'s, shared by a page's days), else
        counted by the day's view."""
        with self._lock:
            held = self._days.get(day)
        if held is not None:
            if version is not None and held.at == version:
                return held.count
            self.checked += 1
            if same_reads(store, held.reads, answers):
                held.at = version
                return held.count
        return self.view(store, day, version).story_count

    def view(self, store: Store, day: date, version: Hashable | None = None) -> Any:
        """The day's view (``digests.archive_view``), its count kept with the reads it made."""
        self.built += 1
        reads = Reads(store)
        view = build_view(reads, self.cfg, day)  # the reads stand for the store
        with self._lock:
            self._days.pop(day, None)  # counted now: the last to be dropped
            if reads.kept:
                self._days[day] = _Count(view.story_count, reads.reads, version)
                while len(self._days) > DAYS_KEPT:
                    del self._days[next(iter(self._days))]
        return view
