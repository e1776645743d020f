"""When to poll a source next, and when a digest is due: pure scheduling policy.

Observations
------------
* Feed servers say how often they want to be asked: ``Cache-Control:
  max-age``/``Expires`` (``FetchResult.max_age``) on success, ``Retry-After``
  (``FetchError.retry_after``) on 429/503.  Polling sooner wastes both sides'
  bandwidth and gets clients banned; ignoring them is the most common
  complaint about feed readers.
* A source that fails keeps failing for a while (server down, DNS gone):
  asking again at the normal rate achieves nothing, so the delay doubles per
  consecutive failure, up to a cap.
* Hundreds of daemons configured with "every 30 minutes" would hit a server
  at the same second; a random spread (jitter) avoids the thundering herd.

How it works
------------
:func:`next_poll_delay` returns seconds until the next poll from the
configured interval, the consecutive failure count, the server's max-age and
Retry-After, and a caller-supplied ``random.Random`` (seeded in tests, so
results are reproducible).  Jitter only ever *lengthens* the wait beyond what
the server asked for: the server's numbers are floors, never shortened.
:func:`is_due` says whether a stored source state is due at a moment
(``next_poll_at`` passed, not paused unless its retry is due, no Retry-After
pending);
:func:`should_pause` decides when a continuously failing source is paused.
:func:`digest_due` says which local day's digest is due at a moment, given
the daily ``HH:MM`` digest time.

Special cases
-------------
* A max-age shorter than the interval does not make polling more frequent:
  the configured interval is the floor.  A very long max-age is honoured up
  to ``MAX_TTL`` (one day) or the interval if longer.
* ``no-cache``/``no-store`` arrive as ``max_age == 0``: the interval applies.
* Retry-After is honoured in full (``digest.sources.fetch`` already caps it at a
  week), jitter added on top.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, timedelta, tzinfo

from ..config import Config, SourceConfig
from ..errors import FetchError, SourceError
from ..sources.tracking import SourceTracker, held
from ..store.base import GONE, SourceState, local_time
from .digesttime import digest_moment

log = logging.getLogger("digest.daemon")

__all__ = [
    "BACKOFF_CAP",
    "MAX_TTL",
    "ScheduledTracker",
    "backoff_delay",
    "digest_due",
    "is_due",
    "last_digest_moment",
    "next_poll_delay",
    "overdue_key",
    "poll_interval",
    "should_pause",
    "tick_seconds",
]

#: Longest wait between polls of a failing source, seconds (unless the
#: interval itself is longer).
BACKOFF_CAP = 6 * 3600.0
#: Longest server freshness lifetime honoured, seconds (unless the interval is longer).
MAX_TTL = 24 * 3600.0
#: Default jitter: up to this fraction of the delay is added at random.
JITTER = 0.1


def backoff_delay(interval: float, failures: int, *, cap: float = BACKOFF_CAP) -> float:
    """``interval`` doubled per consecutive failure beyond the first, capped.

    0 or 1 failures: the interval; 2: twice; 3: four times; ... never more
    than ``max(cap, interval)``.
    """
    if interval <= 0:
        raise ValueError(f"interval must be positive (got {interval})")
    if failures <= 1:
        return interval
    limit = max(cap, interval)
    # 2**63 would overflow float math long after the cap is reached
    return min(interval * 2.0 ** min(failures - 1, 62), limit)


def next_poll_delay(
    interval: float,
    *,
    failures: int = 0,
    max_age: float | None = None,
    retry_after: float | None = None,
    rng: random.Random,
    jitter: float = JITTER,
    cap: float = BACKOFF_CAP,
) -> float:
    """Seconds until the next poll of a source.

    ``interval``: the configured poll interval (seconds); ``failures``: the
    consecutive failures so far (0 after a success); ``max_age``: the
    response's freshness lifetime (success only); ``retry_after``: the
    server's Retry-After (seconds).  ``rng`` draws the jitter: a random
    extra of up to ``jitter`` times the base delay.
    """
    base = backoff_delay(interval, failures, cap=cap)
    if max_age is not None and max_age > 0 and not failures:
        base = max(base, min(max_age, max(MAX_TTL, interval)))
    delay = base * (1.0 + rng.uniform(0.0, max(0.0, jitter)))
    if retry_after is not None and retry_after > 0:
        delay = max(delay, retry_after + rng.uniform(0.0, max(0.0, jitter)) * interval)
    return delay


def is_due(state: SourceState | None, now: datetime, *, retry_paused: bool = False) -> bool:
    """Whether a source in ``state`` (None: never polled) should be polled at ``now``.

    A paused source is due only with ``retry_paused`` (``schedule.paused_retry_hours``
    above 0), at its ``next_poll_at``, and never when the server called it gone."""
    if state is None:
        return True
    if state.paused and not (retry_paused and state.paused_reason != GONE):
        return False
    if held(state, now):  # the server's Retry-After (a clock gone back since: not)
        return False
    return state.next_poll_at is None or state.next_poll_at <= now


def overdue_key(state: SourceState | None) -> datetime:
    """Sort key putting the longest overdue source first (never polled before all)."""
    if state is None or state.next_poll_at is None:
        return datetime.min.replace(tzinfo=UTC)
    return state.next_poll_at


def should_pause(first_failure_at: datetime | None, now: datetime, pause_after_hours: float) -> bool:
    """Whether a source failing since ``first_failure_at`` has failed long enough to pause."""
    if first_failure_at is None:
        return False
    return (now - first_failure_at).total_seconds() >= pause_after_hours * 3600.0


def _last_digest(now: datetime, hhmm: str, tz: tzinfo) -> tuple[date, datetime]:
    """The local day of the latest daily ``hhmm`` at or before ``now``, and its instant."""
    day = now.astimezone(tz).date()
    moment = digest_moment(day, hhmm, tz)
    while moment > now:  # instants, not wall times: around a DST change they differ (and a
        day -= timedelta(days=1)  # day the zone skipped shares its moment with the next)
        moment = digest_moment(day, hhmm, tz)
    return day, moment


def last_digest_moment(now: datetime, hhmm: str, tz: tzinfo) -> datetime:
    """The latest daily ``hhmm`` (local time in ``tz``) at or before ``now``, in ``tz``.

    On a day when ``hhmm`` does not exist (a DST gap) or exists twice (the clocks go back),
    it is :func:`digest.service.digesttime.digest_moment`'s instant, the one the daemon's
    digest job fires at; the result is never after ``now``.
    """
    return _last_digest(now, hhmm, tz)[1].astimezone(tz)


def digest_due(now: datetime, hhmm: str, tz: tzinfo, *, day_offset: int = -1) -> date:
    """The local day whose digest is due at ``now``.

    The digest built at the latest ``hhmm`` covers the day ``day_offset``
    days from that moment's date: ``-1`` (the default) the day that ended
    before it, so every calendar day is sent once and complete; ``0`` the day
    so far.
    """
    return _last_digest(now, hhmm, tz)[0] + timedelta(days=day_offset)


def poll_interval(src: SourceConfig, cfg: Config) -> float:
    """The source's poll interval, seconds (its own, else the configuration's)."""
    return (src.interval or cfg.schedule.poll_minutes) * 60.0


def tick_seconds(cfg: Config) -> float:
    """How often the daemon's scheduler wakes the poll round: half the shortest interval, 1-60 s."""
    shortest = min((poll_interval(s, cfg) for s in cfg.sources if s.enabled), default=1800.0)
    return max(1.0, min(60.0, shortest / 2))


class ScheduledTracker(SourceTracker):
    """The daemon's tracker: after each poll, when to poll next (:func:`next_poll_delay`);
    a source failing for ``schedule.pause_after_hours`` is paused, and each failure is
    logged once, with the wait before the next try."""

    def __init__(self, cfg: Config, rng: random.Random) -> None:
        super().__init__(None)  # its own backoff, for every failure (``after_failure``)
        self.cfg, self.rng = cfg, rng

    def scheduled(self, src: SourceConfig, state: SourceState, now: datetime, max_age: float | None) -> None:
        delay = next_poll_delay(poll_interval(src, self.cfg), max_age=max_age, rng=self.rng)
        state.next_poll_at = now + timedelta(seconds=delay)

    def retries(self, state: SourceState, now: datetime) -> bool:
        return is_due(state, now, retry_paused=self.cfg.schedule.paused_retry_hours > 0)

    def after_failure(
        self, src: SourceConfig, state: SourceState, exc: SourceError, now: datetime, *, logged: bool = False
    ) -> None:
        retry = self.cfg.schedule.paused_retry_hours
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None  # kept by ``failed``
        # a paused source's next try waits for the server's Retry-After too (it was asked again
        # every paused_retry_hours, a 503's "retry after 7200s" logged beside "next try in 1 h")
        paused_wait = timedelta(seconds=max(retry * 3600.0, retry_after or 0.0))
        if state.paused and state.paused_reason != GONE:  # a paused source's retry failed
            state.next_poll_at = now + paused_wait
            if not logged:
                log.warning("%s (still paused, failure %d; next try in %g h)", exc, state.failures,
                            round(paused_wait.total_seconds() / 3600.0, 2))
            return
        delay = next_poll_delay(
            poll_interval(src, self.cfg), failures=state.failures, retry_after=retry_after, rng=self.rng
        )
        state.next_poll_at = now + timedelta(seconds=delay)
        hours = self.cfg.schedule.pause_after_hours
        if exc.kind == "gone":
            log.warning("%s: paused: %s", src.name, state.paused_reason)
        elif should_pause(state.first_failure_at, now, hours):
            # in the configured zone, as ``digest sources`` writes the line's other times
            since = local_time(state.first_failure_at, self.cfg.tz) if state.first_failure_at else "?"
            state.paused = True
            state.paused_reason = f"failing continuously since {since} ({state.failures} failures): {exc.problem}"
            state.next_poll_at = now + paused_wait if retry else None
            when = f"tried again every {retry:g} h" if retry else "waits for digest sources --resume"
            log.warning(
                "%s: paused after failing continuously for %s h since %s (%d failures), %s; last error: %s",
                src.name, f"{hours:g}", since, state.failures, when, exc.problem,
            )
        elif not logged:  # a crash in the daemon was logged with its traceback
            line = f"{exc} (failure {state.failures}; next try in {delay:.0f}s)"
            if self.lines is not None:  # the round says many failing alike in one line
                self.lines.failed(src.name, line, exc, delay)
            else:
                log.warning("%s", line)
