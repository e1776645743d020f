"""``digest status``: whether digest is healthy, in a few lines, read from the store only.

What it reads
-------------
The store opened read only (:func:`digest.store.readonly.open_read_only`: no file made, no
migration, no lock taken or waited for), in one read transaction (one moment of the store: a
send between two of its queries was half seen, a day just sent said failed), the configuration,
and the digests' files.  Each part is one line or a few: the store (where, its schema
version, articles and stories held, its first day); the daemon (its ``daemon`` lock held now
or not, seen without taking it: a lock a killed daemon left reads as not running); the last
poll (the sources' latest read, how many fail now); each configured digest (the last day written, each reader's last day
mailed and how, the days owed, when the next is due).  Times are in the configured zone.

When something needs attention (:attr:`Status.attention`, exit status 1)
--------------------------------------------------------------------------
* A day owed (:func:`digest.service.maildays.owed`; a reader's row left *whole* by a killed
  send counted sent, as the next send counts it, mailing nothing) whose mailing failed: a
  reader has not got it.  Said at once: the failure is seen, not expected.  So is a reader
  whose last day tried failed though the day is no longer owed (past the catch-up's week, or
  refused for good): nothing was sent to them since.
* A day owed more than a poll interval (``schedule.poll_minutes``) past its time (a daily
  digest of day D is due at its time on D + 1; a weekly one the day after its week): the
  daemon sends at its time and retries failures, a cron's ``digest send`` runs at the time
  its user chose after it; past that interval nobody is sending.  Owed counts only once
  mailing of that digest began on the store (``mail_since:``, written by the daemon or by
  ``digest send`` without ``--date``), as the daemon's catch-up counts it: a user who mails
  by hand is owed nothing.  A day with no stories (over, or at its time the day so far) is owed
  nothing: a send would mail none (it records the day empty), so a quiet day is no noise.
  Whose day is due when is the daemon's rule as it last started: ``--digest-day today`` mails
  day D at its time on D (:data:`~digest.service.maildays.DAEMON_DAY`).
* Every source failing (at least one configured): nothing new is read.
* The daemon running (its lock held) for longer than :data:`STALL_AFTER` (or the poll interval)
  but a source due that long ago still unread (``next_poll_at``): its process lives, hung, and
  polls no more (:func:`_stalled_since`).  So for a daemon hung before its first read (no source
  has a next poll set: none was read since it started), every source due since its start.

The daemon not running is never one by itself: a cron user runs none, and the store cannot
tell the two ways apart (``daemon_since`` keeps the first start only; a daemon stopped by its
user and one killed leave the same free lock).  What a stopped daemon leaves undone is: its
digests owed past their time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from ..config import Config
from ..errors import DigestError, StoreError
from ..output.digests import Plan, digest_view, plans
from ..records import plural
from ..runlock import RUN_LOCK
from ..store.base import local_time, parse_ts, redact
from ..store.deliveries import UNCONFIRMED, Delivery, address_of, addresses_in
from ..store.readonly import LockState, ReadOnlyStore, open_read_only
from ..store.sqlite import path_of
from .digesttime import digest_moment
from .maildays import (
    DAEMON_SINCE,
    MAIL_SINCE,
    before_first_day,
    daemon_day_offset,
    earlier_due_days,
    first_day,
    latest_due_day,
    owed,
)

if TYPE_CHECKING:
    from ..app import App

#: How far back a reader's last mailing is looked for (days): a weekly digest's nine weeks.
LOOK_BACK_DAYS = 63
#: Failing sources named on the poll line; the rest are counted (``digest sources`` lists all).
NAMED_FAILING = 3
#: How long a source may be past its next poll while the daemon runs (and has run) before the
#: daemon is said to read nothing: a poll round of many slow feeds takes minutes, and a tick
#: may come late; at least the poll interval (``schedule.poll_minutes``).
STALL_AFTER = timedelta(minutes=15)


@dataclass(slots=True)
class ReaderState:
    """A reader's last day mailed: ``state`` "sent", "sent unconfirmed" (the *whole* state, or
    counted sent so), "failed", "sending" (claimed, not finished); None: none found."""

    address: str
    day: date | None = None
    state: str | None = None
    error: str | None = None
    at: datetime | None = None
    #: The last day sent to the reader (``day`` itself when it was sent): a script read null for
    #: a reader mailed every day, where the schema says "the last day sent" (stop 65 review)
    last_sent: date | None = None


@dataclass(slots=True)
class Owed:
    day: date
    due: datetime
    failed: str | None = None  # the last error of a failed try


@dataclass(slots=True)
class DigestState:
    name: str | None
    every: str
    written: date | None
    next_due: datetime
    mail: bool
    readers: list[ReaderState] = field(default_factory=list)
    owed: list[Owed] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "digest" if self.name is None else f"digest {self.name}"


@dataclass(slots=True)
class Status:
    cfg: Config
    where: str
    backend: str
    schema: int
    latest_schema: int
    articles: int
    stories: int
    first_day: date | None
    daemon: LockState
    daemon_first: datetime | None
    reading: LockState
    polled: datetime | None
    sources: int
    failing: list[str]
    digests: list[DigestState]
    attention: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What ``digest status`` prints: a line a part, the digests' readers indented."""
        tz = self.cfg.tz
        t = lambda at: local_time(at, tz)  # noqa: E731
        schema = f"schema version {self.schema}" + (
            f" (this digest's is {self.latest_schema}: the next run or daemon start migrates it)"
            if self.schema < self.latest_schema else "")
        kept = f", first day {self.first_day.isoformat()}" if self.first_day else ""
        out = [f"store: {self.where} ({self.backend}, {schema}): {plural(self.articles, 'article')} in "
               f"{plural(self.stories, 'story', 'stories')}{kept}"]
        if self.daemon.held:
            since = f" since {t(self.daemon.since)}" if self.daemon.since else ""
            out.append(f"daemon: running{since} (pid {self.daemon.pid})")
        else:
            first = (f"first started {t(self.daemon_first)}" if self.daemon_first
                     else "never started on this store")
            out.append(f"daemon: not running ({first})")
        if self.reading.held:
            out.append(f"reading now: a run or poll round (pid {self.reading.pid})")
        last = f"last read {t(self.polled)}" if self.polled else "not read yet"
        failing = ""
        if self.failing:
            named = ", ".join(self.failing[:NAMED_FAILING]) + (
                f" and {len(self.failing) - NAMED_FAILING} more" if len(self.failing) > NAMED_FAILING else "")
            failing = f", {len(self.failing)} failing now ({named}): see digest sources"
        out.append(f"sources: {last}, {plural(self.sources, 'source')}{failing}")
        for d in self.digests:
            written = d.written.isoformat() if d.written else "none yet"
            out.append(f"{d.label} ({'weekly' if d.every == 'week' else 'daily'}): last written {written}, "
                       f"next due {t(d.next_due)}")
            if not d.mail:
                out.append("  mail: not configured")
            for r in d.readers:
                out.append(f"  {r.address}: " + _reader_line(r, tz))
            for o in d.owed:
                why = f": failed: {o.failed}" if o.failed else ""
                out.append(f"  owed: {o.day.isoformat()} (due {t(o.due)}){why}")
        out += [f"attention: {line}" for line in self.attention] or ["ok: nothing needs attention"]
        return out

    def as_json(self) -> dict[str, Any]:
        """The same as one JSON object (its keys: the README's ``digest status``)."""
        tz = self.cfg.tz
        iso = lambda at: at.astimezone(tz).replace(microsecond=0).isoformat() if at is not None else None  # noqa: E731
        day = lambda d: d.isoformat() if d is not None else None  # noqa: E731
        return {
            "ok": not self.attention,
            "attention": self.attention,
            "timezone": self.cfg.timezone,
            "store": {"where": self.where, "backend": self.backend, "schema_version": self.schema,
                      "schema_latest": self.latest_schema, "articles": self.articles, "stories": self.stories,
                      "first_day": day(self.first_day)},
            "daemon": {"running": self.daemon.held, "pid": self.daemon.pid, "since": iso(self.daemon.since),
                       "first_started": iso(self.daemon_first)},
            "reading_now": {"running": self.reading.held, "pid": self.reading.pid},
            "sources": {"last_read": iso(self.polled), "count": self.sources, "failing": self.failing},
            "digests": [{
                "name": d.name, "every": d.every, "last_written": day(d.written), "next_due": iso(d.next_due),
                "mail": d.mail,
                "readers": [{"address": r.address, "day": day(r.day), "state": r.state, "error": r.error,
                             "at": iso(r.at), "last_sent": day(r.last_sent)} for r in d.readers],
                "owed": [{"day": day(o.day), "due": iso(o.due), "failed": o.failed} for o in d.owed],
            } for d in self.digests],
        }


def _reader_line(r: ReaderState, tz: Any) -> str:
    if r.day is None:
        return f"not mailed in the last {LOOK_BACK_DAYS} days"
    at = f" at {local_time(r.at, tz)}" if r.at else ""
    error = f": {r.error}" if r.error and r.state == "failed" else ""
    before = f"; last sent {r.last_sent.isoformat()}" if r.last_sent and r.last_sent != r.day else ""
    return f"{r.state} {r.day.isoformat()}{at}{error}{before}"


class _Reading:
    """What :func:`digest.service.maildays.owed` reads of an App: the configuration and store."""

    def __init__(self, cfg: Config, store: ReadOnlyStore) -> None:
        self.cfg, self.store = cfg, store


def gather(cfg: Config) -> Status:
    """The status of the store ``cfg`` names, read only.  DigestError when there is no store
    yet ("no store yet at WHERE: run `digest run` first"), or it cannot be read."""
    url = cfg.database_url
    sqlite = url.lower().startswith("sqlite")
    where = str(path_of(url)) if sqlite else redact(url)
    store = open_read_only(url)
    if store is None:
        raise DigestError(f"no store yet at {where}: run `digest run` first")
    try:
        with store.snapshot():  # one moment: a send meanwhile half seen said a day just sent had failed
            return _gather(cfg, store, where, "SQLite" if sqlite else "PostgreSQL")
    except DigestError:
        raise
    except Exception as exc:  # a query an older schema, or a damaged file, cannot answer: one line
        if type(exc).__module__.split(".")[0] not in ("sqlite3", "psycopg"):
            raise
        raise StoreError(f"{where}: cannot read the store: {' '.join(str(exc).split())}") from None
    finally:
        store.close()


def _gather(cfg: Config, store: ReadOnlyStore, where: str, backend: str) -> Status:
    now = cfg.now()
    articles, stories = store.totals()
    enabled = [s.name for s in cfg.sources if s.enabled]
    states = {st.name: st for st in store.list_source_states()}
    read = [states[n] for n in enabled if n in states]
    polled = max((st.last_fetch_at for st in read if st.last_fetch_at), default=None)
    failing = [st.name for st in read if st.failures]
    since = (now.astimezone(cfg.tz).date() - timedelta(days=LOOK_BACK_DAYS)).isoformat()
    rows = store.deliveries_since(since)
    status = Status(
        cfg, where, backend, store.schema_version, store.latest_schema, articles, stories,
        first_day(store, cfg), store.lock_state("daemon"), parse_ts(store.get_meta(DAEMON_SINCE)),
        store.lock_state(RUN_LOCK), polled, len(enabled), failing,
        [_digest(cfg, store, plan, now, rows) for plan in plans(cfg)],
    )
    grace = timedelta(minutes=cfg.schedule.poll_minutes)
    for d in status.digests:
        for o in d.owed:
            said = f"{d.label} of {o.day.isoformat()}"
            if o.failed:
                status.attention.append(f"{said}: mailing failed ({o.failed}) and it was not sent since")
            elif now - o.due > grace:
                status.attention.append(f"{said}: owed since {local_time(o.due, cfg.tz)}, not mailed "
                                        f"(is the daemon, or the cron's digest send, running?)")
        owed_failed = {o.day for o in d.owed if o.failed}
        for r in d.readers:  # a failure the catch-up no longer retries (or a reader refused for good)
            if r.state == "failed" and r.day not in owed_failed:
                status.attention.append(f"{d.label} to {r.address}: mailing {r.day} failed ({r.error}) and "
                                        "nothing was sent to them since")
    if enabled and len(failing) == len(enabled):
        status.attention.append(f"every source is failing ({plural(len(enabled), 'source')}): see digest sources")
    due = [st.next_poll_at for st in read if st.next_poll_at]
    first_round = not due and status.daemon.since is not None and any(not st.paused for st in read)
    if first_round:  # no round of it recorded: each source (not paused) due since it started
        due = [cast("datetime", status.daemon.since)]
    stalled = _stalled_since(status, due, now)
    if stalled is not None:
        what = "read no source since it started" if first_round else "read no source due since"
        status.attention.append(f"the daemon (pid {status.daemon.pid}) runs but has {what} "
                                f"{local_time(stalled, cfg.tz)}: is it stuck? (its log says; a restart is safe)")
    return status


def _stalled_since(status: Status, due: list[datetime], now: datetime) -> datetime | None:
    """When the source due first was due, if the daemon runs, has run long enough to have read
    it, and has not read it for more than :data:`STALL_AFTER` (or the poll interval, if longer):
    a daemon whose process lives on (its lock held) but polls no more, hung on a lock or a
    read that never ends, is found by nothing else until a digest is owed.  None otherwise (no
    daemon: a cron user's sources are read when the cron runs)."""
    daemon = status.daemon
    grace = max(STALL_AFTER, timedelta(minutes=status.cfg.schedule.poll_minutes))
    if not daemon.held or not due or (daemon.since is not None and now - daemon.since <= grace):
        return None
    first = min(due)
    return first if now - first > grace else None


def due_at(day: date, plan: Plan, cfg: Config, day_offset: int = -1) -> datetime:
    """When the digest of ``plan`` dated ``day`` is due: its time on the day after (a daily
    one covers the day that ended, a weekly one its week); a daily one of a daemon covering
    the day so far (``day_offset`` 0, ``--digest-day today``), its time on the day."""
    after = 0 if day_offset == 0 and plan.every != "week" else 1
    return digest_moment(day + timedelta(days=after), plan.time, cfg.tz)


def _digest(cfg: Config, store: ReadOnlyStore, plan: Plan, now: datetime, rows: list[Delivery]) -> DigestState:
    offset = daemon_day_offset(store)  # the day the daemon's digest covers (today's so far, or not)
    latest = latest_due_day(plan, now, cfg.tz, day_offset=offset)
    nxt = latest + timedelta(days=1)
    while not plan.due(nxt):
        nxt += timedelta(days=1)
    state = DigestState(plan.name, plan.every, _written(cfg, store, plan), due_at(nxt, plan, cfg, offset),
                        cfg.email is not None)
    if cfg.email is None:
        return state
    head = ("" if plan.name is None else f"{plan.name}:") + "email:"
    mine = [r for r in rows if r.target.startswith(head)]
    listed = list(dict.fromkeys(address_of(a) for a in (plan.to or cfg.email.to)))
    state.readers = [_reader(a, [(r, addresses_in(r.target[len(head):])) for r in mine]) for a in listed]
    # the latest period is owed once mailing of it began here (as earlier_due_days reads it: a
    # daemon's rows from before the marks count), not to one who mails by hand (send --date)
    began = (store.get_meta(MAIL_SINCE.format(name=plan.name or "")) is not None
             or (store.get_meta(DAEMON_SINCE) is not None and bool(mine)))
    days = [*earlier_due_days(store, cfg, plan, latest), *([latest] if began else [])]
    reading = cast("App", _Reading(cfg, store))
    for day in days:
        if before_first_day(store, cfg, day) is None and owed(reading, day, plan.name, whole_sent=True):
            tried = [r for r in mine if r.date == day.isoformat()]
            if not tried and not digest_view(store, cfg, day, plan).story_count:
                continue  # a quiet day: a send mails nothing (and records it empty), nobody is owed it
            failed = [r for r in tried if r.status == "failed"]
            state.owed.append(Owed(day, due_at(day, plan, cfg, offset), failed[-1].last_error if failed else None))
    return state


def _reader(address: str, rows: list[tuple[Delivery, set[str]]]) -> ReaderState:
    """``address``'s last day mailed among ``rows`` (each with the addresses of its list): the
    latest day with a row listing it; on it, sent if any row listing it was, else its own row's
    state (a reader of several has one), else the list's."""
    theirs = [(r, to) for r, to in rows if address in to]
    if not theirs:
        return ReaderState(address)
    last = max(r.date for r, _ in theirs)
    on = [(r, to) for r, to in theirs if r.date == last]
    sent = [r for r, _ in on if r.status in ("sent", "whole")]
    row = sent[0] if sent else next((r for r, to in on if to == {address}), on[0][0])
    state = {"sent": "sent", "whole": "sent unconfirmed", "failed": "failed", "pending": "sending"}.get(row.status, row.status)
    if row.status == "sent" and row.last_error == UNCONFIRMED:
        state = "sent unconfirmed"
    done = [r.date for r, _ in theirs if r.status in ("sent", "whole")]
    return ReaderState(address, date.fromisoformat(last), state, row.last_error if row.status == "failed" else None,
                       row.sent_at or row.claimed_at,
                       date.fromisoformat(max(done)) if done else None)


def _written(cfg: Config, store: ReadOnlyStore, plan: Plan) -> date | None:
    """The last day of ``plan``'s digest written: the single daily one's from the store's
    ``digests`` rows, one of ``digests:`` from its files (``Plan.files``)."""
    if plan.name is None:
        days = store.list_digest_dates()
        return date.fromisoformat(days[0][0]) if days else None
    found: list[date] = []
    folder = plan.files(cfg, date(2000, 1, 1), "html").parent
    for path in folder.glob(f"digest-{plan.name}-*.*"):
        stem = path.name.removeprefix(f"digest-{plan.name}-").split(".", 1)[0]
        try:
            found.append(date.fromisoformat(stem))
        except ValueError:
            continue
    return max(found, default=None)
