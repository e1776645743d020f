"""What one poll's outcome does to a source's stored state: one place for every poller.

Observations
------------
``digest run`` (``App.poll``), the daemon and the workers all record the
same facts after reading a source: a success clears the run of failures, a
failure counts one more and keeps when the run began and what went wrong,
and a feed the server says is gone (HTTP 410) is paused.  A success after
failures is one INFO line (``NAME: reads again after N failed reads``): each
failure was a line, and without it the log never said the source came back.  A failure changes
nothing else: the validators (``ETag``, ``Last-Modified``) stay those of the
last read that was parsed and stored, or none, so the next poll asks for
the whole body and the source stays failing until it really recovers.
(Stored from a body that did not parse, they made the next poll a 304,
counted as a success: a broken feed showed as ``ok``.)  The daemon also
schedules the next poll and pauses a source that failed for too long
(``digest.service.polling.ScheduledTracker``); ``digest run`` schedules
nothing, it polls when it is run (beside a running daemon it leaves the daemon's schedule:
:attr:`SourceTracker.keeps_schedule`).  Every poller keeps the server's own request to wait
(``Retry-After`` on a failure: ``retry_after_until``, cleared by a read that worked or a failure
without one): ``digest run`` honours it as the daemon does (``App.run``), and a cron run's 429 was
asked again at the next run, every 15 minutes, while the daemon's was not.  A read that worked on a feed cut off
(``digest.sources.cutoff``) is a success with a note: the entries read are
stored, the note is kept with the state (``digest sources``: ``last read:
feed ended early ...``) and logged as one warning naming the source, once
while it stays the same; the next whole read clears it.  Its validators are
dropped: they name a body that was cut off (or a whole one a proxy cut), and a
304 to them would keep the entry cut off from ever being read whole.
A feed that times out run after run (a host that takes the connection and never answers)
held every cron run its read timeout, 20 s, for nothing (stop 56): from the
:data:`~digest.sources.params.SLOW_AFTER`-th failure in a row, the last two timeouts,
``digest run`` asks it again only after the poll interval, doubled for each more (at most
6 h: :func:`slow_wait`); :func:`slowed` says it is passed over (``App.poll``, ``prefetch``:
a line a run, one for several: :func:`slowed_lines`; ``digest sources``: "read less often").  Only timeouts: a refused
connection or an error page costs a run nothing, and the network coming back must find
every feed read at the next run.  Nor a run where every feed asked timed out
(:func:`all_timed_out`): a network that drops what is sent (a firewall, an upstream down
behind the router) times out every connection, and three such runs slowed every feed, read
up to 6 h after the network came back; the run's feeds are read side by side, so it waited
one read timeout, not one a feed.

How it works
------------
:class:`SourceTracker` changes a ``SourceState`` in place; the caller saves
it (in the transaction that stored the source's articles, on success).  A
poller reads into a copy of the stored state and hands
:meth:`SourceTracker.failed` the state as stored (``App.poll``,
``Daemon._source``).  A poller that schedules overrides
:meth:`SourceTracker.scheduled` and :meth:`SourceTracker.after_failure`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo

from ..config import Config, SourceConfig
from ..errors import FetchError, SourceError
from ..records import FetchResult, plural
from ..store.base import GONE, SourceState
from .alike import RoundLines, names
from .freshness import HELD, MAX_WAIT, NOT_ASKED
from .params import ALIKE_AT, SLOW_AFTER, SLOW_CAP, SLOW_EARLY

log = logging.getLogger(__name__)



def held(state: SourceState | None, now: datetime) -> bool:
    """Whether ``state``'s server asked to wait past ``now`` (``Retry-After``).  A wait ending
    more than :data:`digest.sources.freshness.MAX_WAIT` after ``now`` is no wait: the clock
    went back since (a machine that booted with its clock years ahead, then set right), and the
    source was held until the clock caught up again, a week at most being what a server may ask."""
    until = state.retry_after_until if state is not None else None
    return until is not None and now < until <= now + timedelta(seconds=MAX_WAIT)


def asked_last(state: SourceState | None) -> bool:
    """Whether ``state``'s own server asked it to wait at its last request (a 429 or 503 with
    ``Retry-After``, not a fetch held for another source's 429: ``freshness.Waits``): once the
    wait has passed, it is asked after the other sources of its run or round.  Its host's other
    feeds, held for its 429, are asked first then: a feed answering 429 at every request held its
    host's later feeds in the file out of every run, never read (stop 60 review)."""
    if state is None or state.retry_after_until is None:
        return False
    if state.error_kind == HELD:  # its kind, not its line's words (stop 61)
        return False
    # a store written before stop 61 holds a held fetch under its 429's kind (``http-429``): its
    # line says it was not asked (read as asked, a run more held again after the upgrade: review)
    return not (state.last_error or "").removeprefix(f"{state.name}: ").startswith(NOT_ASKED)


def asked_to_wait(state: SourceState | None, now: datetime, tz: tzinfo) -> str | None:
    """The line a run says instead of reading a source whose server asked it to wait past ``now``
    (its ``Retry-After``, kept by :meth:`SourceTracker.failed`), naming the time in ``tz`` (the day
    too when it is not ``now``'s); None: read it (a paused source is paused first, not held)."""
    until = state.retry_after_until if state is not None and not state.paused else None
    if state is None or until is None or not held(state, now):
        return None
    return f"{state.name}: not fetched: its server asked to wait until {_when(until, now, tz)} (Retry-After)"


def _when(at: datetime, now: datetime, tz: tzinfo) -> str:
    """``at`` to the minute in ``tz``, its day too when it is not ``now``'s."""
    local = at.astimezone(tz)
    return f"{local:%H:%M %Z}" if local.date() == now.astimezone(tz).date() else f"{local:%Y-%m-%d %H:%M %Z}"


def slowed(state: SourceState | None, now: datetime) -> bool:
    """Whether ``digest run`` passes ``state``'s feed over at ``now``: it failed
    :data:`~digest.sources.params.SLOW_AFTER` reads in a row or more, the last two by a timeout
    and its next try (``next_poll_at``, set by :meth:`SourceTracker.failed`) is more than
    :data:`~digest.sources.params.SLOW_EARLY` later: a wait of one poll interval passed over the
    next cron run (the interval later) whenever that run read its clock a moment sooner after
    it started than the run before, about one run in two.
    A paused source is paused first; a wait further ahead than the cap is no wait (the clock
    went back since)."""
    if state is None or state.paused or state.next_poll_at is None or state.error_kind != "timeout":
        return False
    early = timedelta(seconds=SLOW_EARLY)  # a cron run the interval later, its clock read a moment sooner
    return state.failures >= SLOW_AFTER and now + early < state.next_poll_at <= now + timedelta(seconds=SLOW_CAP)


def all_timed_out(results: Mapping[str, FetchResult | FetchError]) -> bool:
    """Whether the feeds a run read side by side (``prefetch``: two or more) all timed out: the
    network's, not each feed's, so none of them is read less often for it."""
    return len(results) >= 2 and all(isinstance(r, FetchError) and r.kind == "timeout" for r in results.values())


def slow_wait(failures: int, interval: float) -> float:
    """Seconds ``digest run`` waits before asking again a feed whose last reads timed out,
    after ``failures`` failed reads: the poll interval from the :data:`SLOW_AFTER`-th on,
    doubled for each one more, at most :data:`SLOW_CAP` (30 min, 1 h, 2 h, 4 h, 6 h at the
    default 30 min), a source's longer ``interval`` too: :func:`slowed` takes a wait past the cap
    for a clock gone back, and a feed read every 12 h was read, and waited for, every run."""
    return min(interval * 2.0 ** min(max(failures - SLOW_AFTER, 0), 30), SLOW_CAP)


def timed_out(failures: int) -> str:
    """What is known of a slowed feed's failed reads: its last reads timed out (two at least,
    :meth:`SourceTracker.failed`), of ``failures`` in a row.  Only the last error's kind is
    kept: "it timed out 3 reads in a row" was said of a feed that answered 503, then timed out
    twice (stop 57)."""
    return f"its last reads timed out ({failures} failed reads in a row)"


def slowed_lines(feeds: Sequence[tuple[str, int, datetime]], now: datetime, tz: tzinfo) -> list[str]:
    """What ``digest run`` says of the feeds :func:`slowed` passed over: (name, failures in a
    row, next try) each.  A line each for one or two; from
    :data:`~digest.sources.params.ALIKE_AT` one line naming the first few and how many more,
    with the earliest next try and the latest when they differ (a cron mail said a line a
    feed every run, as the failures said before ``digest.sources.alike`` grouped them)."""
    if len(feeds) < ALIKE_AT:
        return [f"{name}: not read this run: {timed_out(failures)}; "
                f"read less often until it answers, next at {_when(at, now, tz)}" for name, failures, at in feeds]
    first, last = (_when(f(at for *_, at in feeds), now, tz) for f in (min, max))
    span = f"at {first}" if first == last else f"between {first} and {last}"
    return [f"{plural(len(feeds), 'feed')} not read this run: they timed out run after run "
            f"({names([name for name, *_ in feeds])}); read less often until they answer, next {span}"]


class SourceTracker:
    """Records a poll's outcome in a source's state (``digest run``: nothing scheduled).
    ``lines``: where a round's failure and recovery lines go to be said together (the daemon's
    round, ``digest.sources.alike``); None: each logged as it happens."""

    lines: RoundLines | None = None
    #: Whether the stored next poll is left as it was (``App.run`` beside a running daemon: the
    #: daemon's schedule).  Cleared, every source a hand ``digest run`` read was due at the
    #: daemon's next tick, read again there, and ``digest status`` said the daemon "read no
    #: source since it started" until then (stop 61).  A source the run reads again after
    #: failures is due within its interval, not at the end of the daemon's backoff (review).
    keeps_schedule: bool = False
    #: Whether a feed that times out run after run is read less often (``App.run``: not in a run
    #: where every feed timed out, :func:`all_timed_out`).
    slows: bool = True

    def __init__(self, cfg: Config | None = None) -> None:
        self._cfg = cfg  # its poll interval: how long a slowed feed waits

    def succeeded(
        self, src: SourceConfig, state: SourceState, now: datetime, max_age: float | None = None,
        *, note: str | None = None,
    ) -> None:
        """A read that worked: the run of failures is over (one line says so, as each failure
        was one).  ``note``: what the read noted (a feed cut off: ``Entries.note``), kept for
        ``digest sources`` and logged in one line when it is new (not again on every poll
        while the feed stays cut the same way); the validators of a body cut off are not
        kept (the next read asks for all of it)."""
        failing = bool(state.failures or state.paused)
        if failing:
            resumed = "; no longer paused" if state.paused else ""
            line = f"{src.name}: reads again after {plural(state.failures, 'failed read')}{resumed}"
            if self.lines is not None:
                self.lines.recovered(src.name, line, state.failures)
            else:
                log.info("%s", line)
        state.paused, state.paused_reason = False, None
        state.retry_after_until = None
        state.last_fetch_at = state.last_fetch_at or now
        state.failures, state.first_failure_at = 0, None
        state.last_ok_at, state.last_error, state.error_kind = now, None, None
        noted, state.note = state.note, note
        if note:
            if note != noted:  # once, not on every poll while the feed stays cut
                log.warning("%s: %s", src.name, note)
            state.etag, state.last_modified = None, None
        self.scheduled(src, state, now, max_age)
        if self.keeps_schedule and failing and state.next_poll_at is not None and self._cfg is not None:
            # the daemon's time was a failing feed's backoff (up to 6 h): read again within its
            # interval, as the daemon's own read that worked would have it (stop 61 review)
            interval = (src.interval or self._cfg.schedule.poll_minutes) * 60.0
            state.next_poll_at = min(state.next_poll_at, now + timedelta(seconds=interval))

    def failed(
        self, src: SourceConfig, state: SourceState, exc: SourceError, now: datetime, *, logged: bool = False
    ) -> None:
        """A read that failed: one more in the run, which began at its first failure
        (``logged``: the caller logged it already, with its traceback).  The server's
        ``Retry-After`` (any error response's) is kept as the time before which it is not asked."""
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        timed_out_before = state.error_kind == "timeout"
        state.retry_after_until = now + timedelta(seconds=retry_after) if retry_after else None
        state.last_fetch_at = now
        state.failures += 1
        state.first_failure_at = state.first_failure_at or now
        state.last_error, state.error_kind = str(exc), exc.kind
        if exc.kind == "gone":
            state.paused, state.paused_reason = True, GONE
        if not self.keeps_schedule:  # ``digest run``'s: asked again at the next run, unless slowed
            state.next_poll_at = None
            if (exc.kind == "timeout" and timed_out_before and state.failures >= SLOW_AFTER
                    and self._cfg is not None and self.slows):
                interval = (src.interval or self._cfg.schedule.poll_minutes) * 60.0
                state.next_poll_at = now + timedelta(seconds=slow_wait(state.failures, interval))
        self.after_failure(src, state, exc, now, logged=logged)

    def retries(self, state: SourceState, now: datetime) -> bool:
        """Whether a paused source is to be tried at ``now`` (``digest run``: never, it waits
        for ``digest sources --resume``)."""
        return False

    def scheduled(self, src: SourceConfig, state: SourceState, now: datetime, max_age: float | None) -> None:
        """After a success: when to read the source next (``digest run``: when it is run; a
        slowed feed's next try is over; beside a running daemon, the daemon's time, kept)."""
        if not self.keeps_schedule:
            state.next_poll_at = None

    def after_failure(
        self, src: SourceConfig, state: SourceState, exc: SourceError, now: datetime, *, logged: bool = False
    ) -> None:
        """After a failure: when to try again, whether to pause (``digest run``: neither)."""
