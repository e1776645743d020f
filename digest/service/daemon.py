"""``digest daemon``: poll sources on their own schedules, build and send the daily digest.

Observations
------------
* A daemon gets killed: by the OOM killer, a reboot, ``kill -9``.  Every unit
  of work must therefore be whole or absent in the store: one source's new
  articles and its fetch state (validators, next poll time) are written in
  one transaction, and the entries are deduplicated by identity key, so a
  feed read twice stores nothing twice.
* A digest due while the daemon was down must still go out, once.
* SQLite connections belong to one thread; fetching is network-bound and
  benefits from concurrency.

How it works
------------
Timing is APScheduler 3 (a ``BackgroundScheduler``) with a persistent
``SQLAlchemyJobStore`` in the project's own database (table
:data:`JOB_TABLE`).  Its jobs are two references to :func:`wake` with a plain
argument: ``"poll"`` on an interval (:data:`POLL_JOB`) and ``"digest"`` on a
``DigestTrigger`` (:mod:`digest.service.digesttime`: once a local day, DST or
not) at ``schedule.digest_time`` in the configured timezone (:data:`DIGEST_JOB`, ``coalesce`` and ``misfire_grace_time``: a run missed
while down fires once on start).  :func:`wake` only puts the word on a queue;
the main thread owns the :class:`~digest.app.App` (and its SQLite
connection) and does all the work:

* a poll round (:mod:`digest.service.pollround`) reads every due source: the URL
  sources fetched concurrently, then each parsed and stored in its own transaction.
* a digest run writes the day's ``.md``/``.html`` to ``output_dir`` and, if
  ``email`` is configured, delivers it (:func:`send_digest`); each of
  ``digests:`` has its own job (``digest-NAME``).  On start, one poll round,
  then :meth:`Daemon.catch_up` (docs/daemon.md): what is due and was not
  written whole or mailed (:mod:`digest.service.maildays` says which days),
  however long the daemon was down (a missed run the scheduler fires after it
  finds the day sent, and says so).  Then, with ``keep_days`` set, the stories wholly
  older than the days kept are pruned (:meth:`Daemon.prune`, ``digest.retention``).

Which day: the digest built at ``digest_time`` covers the local day that
ended before it (``--digest-day yesterday``, the default; every calendar day
is sent once and complete) or the day so far (``--digest-day today``).

Shutdown and locking
--------------------
SIGTERM/SIGINT set a flag: the fetch phase is cancelled (nothing of it was
stored), a source being ingested finishes its transaction, then the
scheduler stops and the process exits 0.  A second signal interrupts at once
(the open transaction rolls back).  ``store.exclusive("daemon")`` makes a
second daemon on the same database exit with a one-line message naming the
first one's pid.
Each poll round also holds the store's ``run`` lock, which ``digest run`` takes
for its pass: a round never interleaves with a run (a run waits for the round;
a round due while a run holds the lock is skipped and its sources stay due), and
the engine is rebuilt after a run stored articles (``digest.app``, "Several
processes on one store"), so a run beside the daemon splits no story.

Special cases
-------------
* Deliveries are claimed in the ``deliveries`` table (``digest.output.mailer``), so
  a day is never mailed twice to a target.  Senders hold the ``deliver``
  lock; a *pending* row found while holding it was left by a sender that died
  mid-send, and is retried with the same Message-ID.  A digest with no
  stories is written but not mailed.
* A source failing continuously for ``schedule.pause_after_hours`` is paused
  with one warning line (``digest sources`` shows it); HTTP 410 pauses at once.
  A paused source is tried again every ``schedule.paused_retry_hours`` (one
  warning line a try) and resumes by itself when a read works; one the server
  called gone waits for ``digest sources --resume``.
* A failed delivery is retried on later poll rounds, backing off to hourly: every
  digest whose delivery failed, not only the last; one refused for good (a 5xx
  answer, a configuration error) is tried again with the next digest, not hourly.
  A digest whose files or store writes failed (a full disk, a read-only folder) is
  retried the same way, written and mailed once there is room; one a broken template
  stopped waits for the next digest.
* PostgreSQL restarted or killed (the connection lost): what it cut short is one error
  line, and the next round connects again and catches up as a start (:meth:`Daemon._guarded`);
  the daemon used to exit, and nothing was polled until someone restarted it.
* The configuration file is looked at every ``CONFIG_CHECK`` seconds and read again
  when it changed, or on SIGHUP (:mod:`digest.service.reload`): a source added is
  polled at once; a file that does not read is one error line and the daemon runs
  on with what it had.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import random
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import NO_SOURCE_TO_BLAME, DigestError, StoreError, StoreLost
from ..output.days import seal
from ..output.digests import Plan, plan_named, plans
from ..output.mailer import DeliveryError, Unrecorded
from ..records import plural
from ..retention import prune
from ..store.base import redact
from .delivery import DIGEST_JOB, Sent, digest_label, mailing, send_digest
from .maildays import (
    before_first_day,
    earlier_due_days,
    latest_due_day,
    mark_daemon_day,
    mark_daemon_start,
    mark_mail_start,
    mark_written,
    owed,
    written_whole,
)
from .polling import ScheduledTracker, backoff_delay, tick_seconds
from .pollround import PollRound
from .reload import CONFIG_CHECK, ConfigWatch, reload, rescheduled
from .schedule import JOB_TABLE, POLL_JOB, make_scheduler
from .stopping import StopFlag

if TYPE_CHECKING:
    from ..app import App, RunReport

__all__ = ["DIGEST_JOB", "JOB_TABLE", "POLL_JOB", "Daemon", "Sent", "make_scheduler", "send_digest", "wake"]

log = logging.getLogger(__name__)

_WAKE: queue.Queue[str] = queue.Queue()


def wake(kind: str) -> None:
    """The scheduler's job: ask the daemon's main thread to run ``kind`` (poll or digest)."""
    _WAKE.put(kind)


# -- the daemon ----------------------------------------------------------------------------


class Daemon:
    """The daemon's work, run in the thread that owns ``app`` (see module docstring)."""

    def __init__(
        self,
        app: App,
        *,
        day_offset: int = -1,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.rng = rng or random.Random()
        #: The daemon schedules each source's next poll, whoever reads it (here or App.poll).
        app.tracker = ScheduledTracker(app.cfg, self.rng)
        self.day_offset = day_offset
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stop = StopFlag()
        self._delivery_failures = 0
        self._retry_delivery_at: datetime | None = None
        #: The digests whose delivery failed, retried at ``_retry_delivery_at`` (an ordered set
        #: of (name as ``digest`` takes it, None: the single daily one; its day: a retry after
        #: the next day's time still mails the day that failed)).
        self._retry_digests: dict[tuple[str | None, date], None] = {}
        #: In a round of deliveries (``_round``), one failed: the others wait for the retry.
        self._in_round = self._mail_down = False
        self._poller = PollRound(app, self.clock, self.stop)
        #: The configuration file, read again when it changes (``reload_config``); SIGHUP asks.
        self._watch = ConfigWatch(app.cfg)
        self._reload_asked = False
        self._sched: Any = None
        #: The connection to PostgreSQL is lost and the server could not be reached again (said once).
        self._store_down = False

    @property
    def cfg(self) -> Config:
        return self.app.cfg

    # -- polling ---------------------------------------------------------------------
    def poll_due(self) -> RunReport:
        """One poll round over every due source (:class:`~digest.service.pollround.PollRound`)."""
        return self._poller.poll_due()

    # -- the digest ------------------------------------------------------------------
    def catch_up(self) -> None:
        """On start: every configured digest is written and mailed for its latest due day
        (:func:`latest_due_day`: a weekly one's week, whatever the weekday now) unless it was
        already, whatever the scheduler's misfire grace; before it, its periods due in the week
        before (:func:`earlier_due_days`), oldest first, where one was not written whole or is
        still :func:`owed` (a failed delivery's retry lived in memory), saying nothing of one
        done or with no stories.  The latest day is the one counted at the start."""
        now = self.clock()
        with self._round():
            for plan in plans(self.cfg):
                if not self._periods(plan, now, scheduled=False):
                    return

    def _periods(self, plan: Plan, now: datetime, *, scheduled: bool) -> bool:
        """The digest ``plan``'s latest period due at ``now`` (``scheduled``: written again,
        its time has come), after the periods of the week before still owed, oldest first (a
        refusal for good, not retried hourly, is tried again here, once a day); marks when
        its mailing began (:func:`mark_mail_start`).  False when a stop cut it short."""
        latest = latest_due_day(plan, now, self.cfg.tz, day_offset=self.day_offset)
        days = [*earlier_due_days(self.app.store, self.cfg, plan, latest), latest]
        mark_mail_start(self.app.store, plan.name, now)
        for day in days:
            if self.stop.requested:
                return False
            late = day != latest
            self.digest(scheduled=scheduled and not late, name=plan.name, day=day, quiet=late, earlier=late)
        return True

    @contextlib.contextmanager
    def _round(self) -> Iterator[None]:
        """Deliveries in a row (the start's catch-up, a retry round): once the server could not
        be reached, the others wait for the retry, not each for its time-out (a refusal of
        one digest's message holds up no other)."""
        self._in_round = True
        try:
            yield
        finally:
            self._in_round = self._mail_down = False
            if not self._retry_digests:  # none failed (again)
                self._delivery_failures, self._retry_delivery_at = 0, None

    def digest(
        self, *, scheduled: bool, name: str | None = None, day: date | None = None, quiet: bool = False,
        earlier: bool | None = None,
    ) -> None:
        """Write (if not yet written whole, or ``scheduled``) and deliver the digest of its
        latest due day, or of ``day`` (a retry: the day whose delivery failed, though the
        next may be due by then; an earlier period of the start's catch-up) (``name``: one of
        ``digests:``; a weekly one covers the week that ended).  Mailed once: a second call
        (the scheduler's missed run fired after the start's catch-up) logs "not sent: already
        sent".  ``quiet`` (an earlier period): nothing is done or said for a day written whole
        and not :func:`owed`, and a day with no stories is not mailed silently.  ``earlier``:
        the day is before the latest due (None: worked out from the clock; a retry's)."""
        now = self.clock()
        plan = plan_named(self.cfg, name)
        if day is None:
            day = latest_due_day(plan, now, self.cfg.tz, day_offset=self.day_offset)
        label = digest_label(plan.name, day)  # its log lines, as `digest send` says it
        early = before_first_day(self.app.store, self.cfg, day)
        if early is not None:  # before the install: no empty day in the archive
            log.info("%s: none: %s", label, early)
            return
        # written whole already (by this daemon, or once the day was over): not again; rows
        # written while the day was open (`digest run`, `build --date`) hold part of it, and
        # the files of one of `digests:` count only as this daemon wrote them (mark_written)
        written = written_whole(self.app.store, self.cfg, day, plan.name)
        if quiet and written and not owed(self.app, day, plan.name):
            return
        if scheduled or not written:
            try:
                seal(self.app.store, self.cfg, day, now)  # later arrivals go to the next day
                paths = self.app.write_digest(day=day, formats=("md", "html"), digest=name, now=now)
                mark_written(self.app.store, plan.name, day, now)
            except (DigestError, OSError) as exc:  # a broken template, a full disk: the daemon goes on
                if isinstance(exc, StoreError | OSError) or isinstance(exc.__cause__, OSError):
                    # the disk or the store (full, read-only, held): tried again once there is room
                    self._delivery_failed(name, day, now, exc, said="not written or sent: ")
                else:
                    log.error("%s: not written or sent: %s (tried again with the next digest)", label, exc)
                return
            log.info("%s written: %s", label, ", ".join(str(p) for p in paths))
        if self.cfg.email is None:
            return
        if self._mail_down:  # in a round, the server unreachable: not one time-out after another
            self._retry_digests[name, day] = None
            log.info("%s: not sent now: the mail server failed an earlier digest; retried with it", label)
            return
        try:
            if earlier is None:
                earlier = day < latest_due_day(plan, now, self.cfg.tz, day_offset=self.day_offset)
            outcome = send_digest(self.app, day, digest=name, now=now, earlier=earlier)
            # sent now, already sent (a restart, a manual send), or nothing to send: one line
            log.log(logging.DEBUG if quiet and not outcome else logging.INFO, "%s: %s", label, outcome.why)
        except StoreError as exc:  # a manual `digest send` holds the lock: it sends (looked at again)
            # ... or the store failed (its disk full): an error, looked at again a minute on
            mailed = isinstance(exc, Unrecorded)  # sent, the store full: recorded, not sent, next time
            log.log(logging.ERROR if mailed or isinstance(exc, NO_SOURCE_TO_BLAME) else logging.INFO,
                    "%s: %s%s", label, "" if mailed else "not sent now: ", exc)
            self._retry_digests[name, day] = None
            later, pending = now + timedelta(seconds=60), self._retry_delivery_at
            # a minute on, or sooner if another is due sooner: not the past time (every tick)
            self._retry_delivery_at = pending if pending is not None and now < pending < later else later
            return
        except DigestError as exc:
            if not (isinstance(exc, DeliveryError) and exc.permanent):
                self._delivery_failed(name, day, now, exc)
                return
            # refused for good (5xx, a configuration error): the same answer every hour
            ended = day < now.astimezone(self.cfg.tz).date()  # `digest send --date` takes it
            flag = f" --digest {name}" if name else ""
            log.error("%s: %s (refused for good: not retried hourly; tried again with the next digest%s)",
                      label, exc, f", or 'digest send --date {day.isoformat()}{flag}' once mended" if ended else "")
        self._retry_digests.pop((name, day), None)
        if not self._retry_digests and not self._in_round:  # a round resets at its end
            self._delivery_failures, self._retry_delivery_at = 0, None

    def prune(self) -> None:
        """With ``keep_days`` set, after a digest: the stories wholly older than the days kept
        go (``digest.retention``; nothing left to remove costs one scan of the articles).  A
        failure (the store held, its disk full) is one line; the next digest tries again."""
        keep = self.cfg.keep_days
        if keep is None:
            return
        try:
            report = prune(self.app.store, self.cfg, keep, self.clock())
        except DigestError as exc:
            log.error("prune: %s (tried again after the next digest)", exc)
            return
        if report.stories or report.days:
            log.info("%s", report.summary())

    def _delivery_failed(
        self, name: str | None, day: date, now: datetime, exc: DigestError | OSError, *, said: str = ""
    ) -> None:
        """A delivery failed and may go through later: it is retried with the others that
        failed, the backoff one step longer for each failed round (not for each digest).  So is
        a digest whose files or store writes the disk refused (``said``: "not written or sent")."""
        self._retry_digests[name, day] = None  # each failed digest is retried, not only the last
        pending = self._retry_delivery_at
        if pending is None or pending <= now:  # one more failed round, not one per digest
            self._delivery_failures += 1
        wait = backoff_delay(60.0, self._delivery_failures, cap=3600.0)
        self._retry_delivery_at = now + timedelta(seconds=wait)
        self._mail_down = self._in_round and isinstance(exc, DeliveryError) and exc.unreachable
        log.error("%s: %s%s (retrying in %.0fs)", digest_label(name, day), said, exc, wait)

    # -- the loop --------------------------------------------------------------------
    def _handle(self, kind: str) -> None:
        late = kind.startswith("late:")  # a run the scheduler missed (asleep): caught up as on start
        kind = kind.removeprefix("late:")
        if kind == "digest" or kind.startswith("digest:"):
            with self._round():
                self._periods(plan_named(self.cfg, kind.partition(":")[2] or None), self.clock(), scheduled=not late)
            self.prune()
            return
        self.poll_due()
        if self._retry_delivery_at is not None and self.clock() >= self._retry_delivery_at:
            retry, self._retry_digests = list(self._retry_digests), {}  # a failure adds it again
            with self._round():
                for name, day in retry:
                    if not self.stop.requested:
                        self.digest(scheduled=False, name=name, day=day)

    def reload_config(self, *, asked: bool = False) -> bool:
        """Take the configuration file again if it changed (``digest.service.reload``): new
        sources are polled at once, removed ones no more, and the schedule is made again when
        the poll tick or a digest's time changed; then, as at a start, every digest now due
        and not yet done is written and mailed (a time moved before now, a digest added: the
        new schedule's next run is tomorrow's).  True when a new configuration was taken."""
        old = reload(self.app, self._watch, asked=asked)
        if old is None:
            return False
        self.app.tracker = ScheduledTracker(self.cfg, self.rng)
        if rescheduled(old, self.cfg):
            if self._sched is not None:
                self._sched.shutdown(wait=True)
                self._sched = make_scheduler(self.cfg, tick=tick_seconds(self.cfg))
                self._sched.resume()
            self.catch_up()
        return True

    def _guarded(self, work: Callable[[], object]) -> object:
        """``work()``, unless the connection to PostgreSQL was lost (the server restarted or
        killed): the round, digest or catch-up it cut short is one error line, and the next
        one connects again (one line while the server is down) and then, as a start, catches up
        every digest due and not written or mailed.  None when it did not run."""
        store = self.app.store
        lost = getattr(store, "lost", None)
        if lost is None:  # SQLite
            return work()
        if lost() is not None:
            try:
                store.reconnect()  # type: ignore[attr-defined]
            except StoreError as exc:
                if lost() is None:  # connected, but another daemon took the lock meanwhile
                    raise
                if not self._store_down:
                    log.error("%s (tried again every round)", exc)
                self._store_down = True
                return None
            self._store_down = False
            log.info("%s: connected again", redact(store.url))
            if work != self.catch_up:
                self._guarded(self.catch_up)  # what the loss cut short, as a start
        try:
            return work()
        except Exception as exc:
            if lost() is None:
                raise
            cause = exc.__cause__ if isinstance(exc, StoreLost) and exc.__cause__ else exc
            where = redact(store.url)
            said = " ".join(str(cause).split()).removeprefix(f"{where}: ") or type(cause).__name__
            log.error("%s: the connection to PostgreSQL was lost (%s); connecting again at the next round",
                      where, said)
            return None
        finally:
            taken = getattr(store, "taken", None)
            if taken is not None:  # connected again as a send was recorded, its lock another's
                raise taken

    def _hup(self, signum: int, frame: object) -> None:
        self._reload_asked = True

    def run(self) -> int:
        """Run until SIGTERM/SIGINT; 0 after a clean stop.  Refuses a configuration that
        sets ``clock`` (a fixed time: the daemon polls and mails on the real one)."""
        if self.cfg.clock is not None:
            raise DigestError(
                f"{self.cfg.config_path or 'the configuration'}: clock: {self.cfg.clock.isoformat()} "
                "reads as if it were then (for the bundled examples): the daemon runs on the real "
                "clock; remove the line (or comment it out)"
            )
        old = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        old[signal.SIGHUP] = signal.signal(signal.SIGHUP, self._hup)  # read feeds.yaml again
        try:
            with self.app.store.exclusive("daemon"):
                return self._run_locked()
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)

    def _run_locked(self) -> int:
        cfg = self.cfg
        enabled = [s for s in cfg.sources if s.enabled]
        self.app.store.sync_sources([(s.name, s.url or str(s.path)) for s in enabled])
        mark_daemon_start(self.app.store, self.clock())
        mark_daemon_day(self.app.store, self.day_offset)  # which day its digest covers: status reads it
        tick = tick_seconds(cfg)
        self._sched = make_scheduler(cfg, tick=tick)
        try:
            log.info(
                "daemon started: %s, poll check every %gs, %s (%s), written to %s, %s",
                plural(len(enabled), "source", no=True), tick, "; ".join(plan.when() for plan in plans(cfg)), cfg.timezone,
                cfg.output_dir, mailing(cfg),
            )
            self._guarded(self.poll_due)
            self._guarded(self.catch_up)  # every digest missed while down
            self._sched.resume()
            checked = time.monotonic()
            while not self.stop.requested:
                if self._reload_asked or time.monotonic() - checked >= CONFIG_CHECK:
                    asked, self._reload_asked, checked = self._reload_asked, False, time.monotonic()
                    if self._guarded(lambda asked=asked: self.reload_config(asked=asked)):  # type: ignore[misc]
                        self._guarded(self.poll_due)  # a source added is read now, not at the next tick
                try:
                    kind = _WAKE.get(timeout=0.25)
                except queue.Empty:
                    continue
                pending = {kind}
                while True:  # coalesce a backlog
                    try:
                        pending.add(_WAKE.get_nowait())
                    except queue.Empty:
                        break
                for k in sorted(pending):  # "digest" before "poll"
                    if not self.stop.requested:
                        self._guarded(lambda k=k: self._handle(k))  # type: ignore[misc]
        finally:
            self._sched.shutdown(wait=True)
        name = signal.Signals(self.stop.signum).name if self.stop.signum else "stop"
        log.info("daemon stopped (%s)", name)
        return 0
