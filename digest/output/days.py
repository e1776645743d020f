"""Which day's digest shows an arrival, and what each day's digest recorded when written.

Observations
------------
* The day an article belongs to is the day it *arrived* (was fetched), in the configured
  time zone: its publication time may lie days back (a feed read late, a page dated in its
  metadata), and a digest already mailed cannot take it any more.
* A day rebuilt later (``digest build --date``, the archive's page) must show what its digest
  showed when written, though the store keeps only what holds now: the lead chosen since,
  the failing sources' current runs of failures.

How it works
------------
* Each day's *window* is its calendar day, except where a digest was sealed (:func:`seal`:
  mailed by the daemon or ``digest send``, written by ``digest replay``) before the day ended:
  articles arriving after the seal belong to the next day (those fetched at its very instant,
  to the sealed day).  Windows never overlap and leave no gap, so every stored article is new
  in exactly one day's digest (:func:`shown_day` names it: search and the archive's story pages
  link there).
* Where a day begins and ends is kept as its digest is first written (:func:`pin_frame`,
  ``meta`` ``begins:<day>`` and ``begins:<next day>``); else it is its midnights in the
  configured time zone (:func:`day_frame`): a day once written stays the day it was.
* A digest written records its leads (:func:`record_leads`, ``meta`` ``leads:<day>``), the
  sources it named failing (:func:`record_failing`, ``meta`` ``failing:<day>``) and a hash of how
  its stories were grouped (:func:`record_grouping`, ``meta`` ``grouping:<day>``): the archive's
  page, built from the store, says so where a later article regrouped them since.

Special cases
-------------
* A seal before its own day began (a clock set back) is ignored; a day sealed once keeps
  its first seal.
* The time zone changed (stop 46 review: London to Tokyo between two ``digest run``, and the
  Tokyo day showed London's day before again as new, as the two calendar days overlap by nine
  hours).  Where two days meet is kept from the first digest written of either: moved east,
  the first day not yet written is shorter, moved west, longer; no window overlaps another
  or leaves a gap.  Seals bound windows as before.  Moved east in a
  store of days written before zones were kept, the day before was sealed (mailed) after this
  day began in the new zone: its window starts at that seal, not at its midnight (what arrived
  by then went out already).
* Articles stamped before a seal and stored after it (another process's run) are moved to
  the first window still open (:func:`stamp_open`): else they would be new in a digest that
  went out without them, and in no other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..config import Config
from ..records import Article, DigestView, FailingSource
from ..sources.dates import day_fits
from ..store.base import Store, aware, parse_ts, ts

#: Meta key under which the time a day's digest was sealed is kept.
SEAL_KEY = "sealed:{day}"
#: Meta key of the leads a day's digest showed, as written (``record_leads``): JSON, story id: key.
LEADS_KEY = "leads:{day}"
#: Meta key of the failing sources a day's digest named, as written (``record_failing``): JSON.
FAILING_KEY = "failing:{day}"
#: Meta key of how the day's stories were grouped when its digest was last written
#: (``record_grouping``): :func:`grouping_of` of the view written.
GROUPING_KEY = "grouping:{day}"
#: Meta key of where a day begins (UTC), kept as a digest of it or of the day before is first
#: written (``pin_frame``).
BEGINS_KEY = "begins:{day}"
#: The store's time resolution: an article fetched at the very instant of a seal is the
#: sealed day's (the daemon's clock reads one instant for a round's fetch and its digest).
_TICK = timedelta(microseconds=1)
#: Later than any run of failures began: where one of no known start is placed.
_NO_START = datetime.max.replace(tzinfo=UTC)


def day_bounds(day: date, cfg: Config) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=cfg.tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def pin_frame(store: Store, cfg: Config, day: date) -> None:
    """Keep where the day begins and ends as its digest is written (:func:`day_frame`), unless
    kept before: the day stays the calendar day it was, whatever the configuration says later."""
    with store.transaction():  # both ends or neither: a kill between kept the start alone
        start, end = day_frame(store, cfg, day)
        for when, at in ((day, start), (day + timedelta(days=1), end)):
            store.add_meta(BEGINS_KEY.format(day=when.isoformat()), ts(at) or "")  # the first writer's stays


def _kept(store: Store, day: date) -> datetime | None:
    return parse_ts(store.get_meta(BEGINS_KEY.format(day=day.isoformat())))


def _begins(store: Store, cfg: Config, day: date) -> datetime | None:
    """Where ``day`` begins (UTC): as kept when a digest of it or of the day before was written,
    else its midnight in the configured time zone, but not before the day before began where
    that was kept (moved east by more than a day, Pago Pago to Kiritimati: the day between is
    empty, never a day that overlaps the one before it); None: out of ``datetime``'s range."""
    kept = _kept(store, day)
    if kept is not None:
        return kept
    if not day_fits(day, cfg.tz):
        return None
    own = day_bounds(day, cfg)[0]
    before = _kept(store, day - timedelta(days=1)) if day > date.min else None
    return max(own, before) if before is not None else own


def day_frame(store: Store, cfg: Config, day: date) -> tuple[datetime, datetime]:
    """[start, end) of the day as a calendar day, seals left out: its midnights in the configured
    time zone, or where they were when a digest of it, or of a day beside it, was written
    (:func:`pin_frame`; module doc)."""
    start, end = day_bounds(day, cfg)
    start = _begins(store, cfg, day) or start
    if day < date.max:
        end = _begins(store, cfg, day + timedelta(days=1)) or end
    return start, max(start, end)


def frame_day(store: Store, cfg: Config, at: datetime) -> date:
    """The day whose calendar day (:func:`day_frame`) holds ``at``: its date in the configured
    time zone, or the day beside it where the zone changed since a day was written (the day
    ``digest run`` writes: what arrives now is new in it, unless its digest went out)."""
    return _holding(store, cfg, at, day_frame)


def _holding(store: Store, cfg: Config, at: datetime,
             span: Callable[[Store, Config, date], tuple[datetime, datetime]]) -> date:
    """The day whose ``span`` (its frame, its window) holds ``at``: its date in the configured
    time zone, or the day before or after (a span moved by a seal or a change of zone)."""
    at = aware(at)
    day = at.astimezone(cfg.tz).date()
    for _ in range(3):  # a day emptied by a move east of more than a day is walked past
        start, end = span(store, cfg, day)
        if at >= end and day < date.max:
            day += timedelta(days=1)
        elif at < start and day > date.min:
            day -= timedelta(days=1)
        else:
            break
    return day


def sealed_at(store: Store, day: date) -> datetime | None:
    """When the day's digest was sealed (None: not sealed)."""
    return parse_ts(store.get_meta(SEAL_KEY.format(day=day.isoformat())))


def _written(store: Store, key: str, day: date) -> Any:
    """What the day's digest recorded under ``key`` (``LEADS_KEY``, ``FAILING_KEY``) when it was
    last written, as JSON; None when nothing was recorded (a day written by an older digest) or
    the record does not parse."""
    raw = store.get_meta(key.format(day=day.isoformat()))
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _record(store: Store, key: str, day: date, value: Any) -> None:
    store.set_meta(key.format(day=day.isoformat()), json.dumps(value, sort_keys=True, separators=(",", ":")))


def written_leads(store: Store, day: date) -> dict[str, tuple[str, str]]:
    """The leads the day's digest showed when it was last written: story id: (the lead's key,
    the key of the story's version that had arrived last); {} when none was recorded."""
    leads = _written(store, LEADS_KEY, day)
    if not isinstance(leads, dict):
        return {}
    return {str(k): (str(v[0]), str(v[1])) for k, v in leads.items() if isinstance(v, list) and len(v) == 2}


def record_leads(store: Store, day: date, view: DigestView) -> None:
    """Record the leads ``view`` (the day's digest, written) shows: a day rebuilt after later
    days (``digest build --date``, the archive's day page) shows the same where none of the
    day's versions arrived after the writing, as the store keeps only the lead chosen since and
    ``entries.day_lead`` can only approximate the day's choice (a later notice of another
    version of the day made it choose again without the engine's figures).  Merged into what
    was recorded: a day's named digests show parts of it."""
    old = {sid: list(pair) for sid, pair in written_leads(store, day).items()}
    leads = old | {s.story_id: [s.lead.key, s.newest] for s in view.stories if s.lead.key and s.newest}
    _record(store, LEADS_KEY, day, leads)


def grouping_of(stories: Iterable[tuple[str, Iterable[str]]]) -> str:
    """A short hash of a day's stories as they stood at its end: each story's id with the keys
    of its versions read by then (``view.build_view``, muted and hidden stories too).  A
    regrouping by a later article (a version moved to another story, two stories merged)
    changes it; a later day's version of a story, or a new lead, does not."""
    text = json.dumps(sorted((sid, sorted(keys)) for sid, keys in stories), separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def record_grouping(store: Store, day: date, view: DigestView) -> None:
    """Record how ``view`` (the day's digest, written) grouped the day's stories."""
    if view.grouping:
        store.set_meta(GROUPING_KEY.format(day=day.isoformat()), view.grouping)


def regrouped_since(store: Store, day: date, view: DigestView) -> bool:
    """Whether the day's stories are grouped otherwise in ``view`` (the archive's page, from the
    store as it is) than in the digest last written of the day: a later article regrouped them.
    False where nothing was recorded (a day written by an older digest: it cannot be told)."""
    written = store.get_meta(GROUPING_KEY.format(day=day.isoformat()))
    return bool(written and view.grouping and written != view.grouping)


def seal(store: Store, cfg: Config, day: date, at: datetime) -> None:
    """Seal the day's digest at ``at``: what arrives later goes to the next day.  A day
    sealed once keeps its first seal (what it showed stays shown)."""
    if sealed_at(store, day) is None:
        start, end = day_frame(store, cfg, day)  # (another process's seal of the same instant stays)
        store.add_meta(SEAL_KEY.format(day=day.isoformat()), ts(min(max(at, start), end)) or "")


def day_window(store: Store, cfg: Config, day: date) -> tuple[datetime, datetime]:
    """[start, end) of the arrivals shown as new in the day's digest (see the module doc)."""
    start, end = day_frame(store, cfg, day)
    if day > date.min and day_fits(prev := day - timedelta(days=1), cfg.tz):
        prev_start, _ = day_frame(store, cfg, prev)
        before = sealed_at(store, prev)
        if before is not None and prev_start <= before < start:
            start = before + _TICK
        elif before is not None and start < before < end:
            # the day before was sealed after this day began: the time zone moved east since
            # (its digest went out in the old one's day); what arrived by then was in it
            start = before
    mine = sealed_at(store, day)
    if mine is not None and start <= mine < end:
        end = mine + _TICK
    return start, end


def shown_day(store: Store, cfg: Config, at: datetime) -> date:
    """The day whose digest shows as new what arrived at ``at``: its own day (configured time
    zone), or the next one when that day's digest was sealed before it arrived (the day before,
    for an arrival at the very instant a late seal ended it)."""
    return _holding(store, cfg, at, day_window)


def stamp_open(store: Store, cfg: Config, at: datetime, articles: Iterable[Article]) -> datetime:
    """The arrival of ``articles`` read at ``at`` and stored now (in the write transaction):
    ``at``, or, when the digest of the day that shows ``at`` was sealed since (another process
    stamped them before the daemon's or ``digest send``'s seal and stores them after it: that
    digest was built without them), the start of the first window still open, set on each
    article too.  Else they would be new in a digest that went out without them, and no other."""
    start = at = aware(at)
    while (sealed := sealed_at(store, day := shown_day(store, cfg, at))) is not None and sealed >= at:
        at = day_window(store, cfg, day)[1]
    if at != start:
        for article in articles:
            article.fetched = at
    return at


def gone_later(store: Store, cfg: Config, arrived: dict[datetime, int], today: date) -> tuple[int, str, str] | None:
    """The new articles of a run (how many arrived at each time) that a later digest than
    their arrival day's shows, as that day's had gone out: (how many, the later day, why:
    "today's went out at 07:00"); None when each is in its arrival day's digest."""
    moved: dict[date, int] = {}
    why = ""
    for at, n in arrived.items():
        own, shown = frame_day(store, cfg, at), shown_day(store, cfg, at)  # own: its calendar day, kept
        if shown != own:
            moved[shown] = moved.get(shown, 0) + n
            sealed = sealed_at(store, own)
            when = f" at {_clock_time(sealed, cfg)}" if sealed is not None else ""
            why = f"{'today' if own == today else own.isoformat()}'s went out{when}"
    if not moved:
        return None
    return sum(moved.values()), max(moved).isoformat(), why


def _clock_time(at: datetime, cfg: Config) -> str:
    """``at`` as a clock in the configured time zone reads it ("07:00"), with the zone's name
    where that reading happens twice (the night the clocks go back: "01:30 BST", not the
    01:30 GMT an hour later)."""
    local = aware(at).astimezone(cfg.tz)
    twice = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()  # a real time: no gap
    return f"{local:%H:%M %Z}" if twice else f"{local:%H:%M}"


def record_failing(store: Store, day: date, view: DigestView) -> None:
    """Record the failing sources ``view`` (the day's digest, written) names: once a source
    reads again the store forgets its run of failures, and a later rebuild of the day
    (the archive's page) would no longer name it.  The last writing of the day wins."""
    _record(store, FAILING_KEY, day, [[f.name, ts(f.since), f.failures, f.error, f.paused] for f in view.failing])


def written_failing(store: Store, day: date) -> list[FailingSource]:
    """The failing sources the day's digest named when last written ([] when none was
    recorded: a day written by an older digest, or a record that does not parse)."""
    try:
        return [FailingSource(str(n), parse_ts(s), int(k), str(e), bool(p))
                for n, s, k, e, p in _written(store, FAILING_KEY, day) or []]
    except (ValueError, TypeError):
        return []


def day_failing(store: Store, names: set[str], day: date, end: datetime, now: datetime) -> list[FailingSource]:
    """The sources failing at the day's ``end`` (:func:`failing_sources`); for a day that has
    ended, as its digest named them when written: those that have read again since, and those
    still failing in the same run with the day's count of tries and error, not today's (a past
    day's page said "(212 failed tries)" of a run that had 4 that day, stop 61).  A source
    failing in a run the digest did not name (one begun after it was written) is named as the
    store has it now."""
    out = failing_sources(store, names, end)
    if end <= now:
        written = {f.name: f for f in written_failing(store, day) if f.name in names}
        current = {f.name: f for f in out}
        out = earliest_failing_first([*(written[f.name] if _same_run(written.get(f.name), f) else f for f in out),
                                      *(f for name, f in written.items() if name not in current)], end)
    return out


def _same_run(written: FailingSource | None, now: FailingSource) -> bool:
    """Whether the run of failures a digest recorded (``written``) is the one going on
    ``now``: the same start (a record of an older digest, which has none, is taken to be)."""
    return written is not None and (written.since is None or written.since == now.since)


def failing_sources(store: Store, names: set[str], end: datetime) -> list[FailingSource]:
    """The sources among ``names`` failing at ``end``: those whose run of failures (still
    going on: a success ends it) began before ``end``, earliest first."""
    out = []
    for st in store.list_source_states():
        since = aware(st.first_failure_at) if st.first_failure_at else None
        if st.name in names and st.failures and since is not None and since < end:
            error = (st.last_error or "").removeprefix(st.name + ": ")
            out.append(FailingSource(st.name, since, st.failures, error, st.paused))
    return earliest_failing_first(out)


def earliest_failing_first(failing: Iterable[FailingSource], last: datetime = _NO_START) -> list[FailingSource]:
    """``failing`` by the start of each one's run of failures, then by name; one of no known
    start (a record written by an older digest) as if it began at ``last``."""
    return sorted(failing, key=lambda f: (f.since or last, f.name))
