"""Which days of a digest are due, owed, begun, ended and written: the mailing's calendar.

What :mod:`digest.service.delivery` (the sending) and the daemon ask before they write or mail
a day: whether it has ended (:func:`check_ended`) or begun (:func:`check_begun`,
:func:`first_day`), the latest period due (:func:`latest_due_day`) and the earlier ones to
catch up (:func:`earlier_due_days`), whether a day is still :func:`owed` to someone (read from
its delivery rows: :func:`delivery_rows`), and the meta marks that answer them (the daemon's
and the mailing's first start, a day found empty, a day written whole).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import DigestError
from ..output.days import day_frame, frame_day, sealed_at
from ..output.digests import Plan, plan_named
from ..retention import kept_from
from ..sources.dates import day_fits
from ..store.base import Store, parse_ts, ts
from ..store.deliveries import address_of, addresses_in
from .digesttime import digest_moment
from .polling import digest_due

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "CATCH_UP_DAYS", "DAEMON_DAY", "DAEMON_SINCE", "EMPTY_KEY", "MAIL_SINCE", "WRITTEN_KEY", "before_first_day",
    "check_begun", "check_ended", "daemon_day_offset", "delivery_rows", "earlier_due_days", "first_day",
    "latest_due_day", "mark_daemon_day", "mark_daemon_start", "mark_empty", "mark_mail_start", "mark_written", "owed", "reached", "target_prefix", "written_whole",
]


def target_prefix(digest: str | None) -> str:
    """The head of a digest's delivery targets: "NAME:" for one of ``digests:``, "" for the
    single daily one (then ``email:`` and the sorted recipient list)."""
    return "" if digest is None else f"{digest}:"


def delivery_rows(store: Store, key: str, digest: str | None) -> list[tuple[str, set[str]]]:
    """The attempted deliveries of the digest ``digest`` dated ``key``: each one's status and
    the addresses its recipient list had."""
    head = target_prefix(digest) + "email:"  # read as addresses: a name "Doe, Jane" holds a comma
    return [(row.status, addresses_in(row.target[len(head):]))
            for row in store.deliveries_on(key) if row.target.startswith(head)]


def reached(rows: list[tuple[str, set[str]]]) -> set[str]:
    """The addresses ``delivery_rows``' deliveries reached (those sent), whatever the lists were then."""
    return {a for status, to in rows if status == "sent" for a in to}


def check_ended(day: date, cfg: Config, store: Store) -> date:
    """``day`` if it has ended in the configured time zone (by ``clock`` when set), else
    :class:`DigestError` naming it and the last day that has.

    ``digest send --date`` mails only such a day: mailing seals the day
    (``digest.output.days.seal``): what arrives after a seal is the next day's.
    A day mailed before it began is sealed at its start, and its window holds
    the rest of a day before it sealed early: mailed with what had arrived by
    then, and the later arrivals never.  (The daemon's ``--digest-day today``
    seals the day so far at its digest time, on purpose: the rest of the day
    goes into the next day's mail, sent when that day is due.)
    """
    today = frame_day(store, cfg, cfg.now())  # a day written keeps its hours (``days.day_frame``)
    if day >= today:  # today's is previewed so far; a later day has no digest yet (check_begun)
        preview = f"; 'digest build --date {day.isoformat()}' previews it" if day == today else ""
        raise DigestError(
            f"{day.isoformat()} has not ended yet in {cfg.timezone}: the last day that can be sent is "
            f"{(today - timedelta(days=1)).isoformat()} (nothing was written or sent{preview})"
        )
    return day


#: Meta key: when the daemon first started on this store (kept: the first start only).
DAEMON_SINCE = "daemon_since"


def mark_daemon_start(store: Store, now: datetime) -> None:
    """Record the daemon's first start on the store (a later start keeps the first)."""
    if store.get_meta(DAEMON_SINCE) is None:
        store.set_meta(DAEMON_SINCE, ts(now) or "")


#: Meta key: the day the daemon's digest covers, as its last start was told (``--digest-day``):
#: "yesterday" (the day that ended before its time) or "today" (the day so far).  ``digest
#: status`` reads a daily digest's due days by it (a today daemon's day D is due at its time
#: on D, not on D + 1: a stopped one's owed day was said a day late).  A cron's ``digest send``
#: (no ``--date``) records "yesterday", the day it mails: the rule of whoever mailed last.
DAEMON_DAY = "daemon_digest_day"


def mark_daemon_day(store: Store, day_offset: int) -> None:
    """Record which day the daemon now starting covers (``day_offset`` 0: today's so far)."""
    store.set_meta(DAEMON_DAY, "today" if day_offset == 0 else "yesterday")


def daemon_day_offset(store: Store) -> int:
    """The ``day_offset`` of :func:`latest_due_day` the daemon last started with (-1 when
    none did, or it covered the day that ended)."""
    return 0 if store.get_meta(DAEMON_DAY) == "today" else -1


#: Meta key: when mailing began for one digest (its name; "" for the single daily one): the
#: daemon's start, or ``digest send`` without ``--date`` (a cron run's), first handling its
#: latest period (kept: the first only).  Per digest: the delivery rows are, so a digest
#: renamed or added is owed no back issues.
MAIL_SINCE = "mail_since:{name}"


def mark_mail_start(store: Store, digest: str | None, now: datetime) -> None:
    """Record that mailing the digest ``digest`` began at ``now`` on the store (a later call
    keeps the first): from that day on, a period of it nobody tried to mail (the daemon down,
    the machine off at the cron's time) is owed to its readers."""
    key = MAIL_SINCE.format(name=digest or "")
    if store.get_meta(key) is None:
        store.set_meta(key, ts(now) or "")


#: Meta key: the digest ``name`` ("" for the single daily one) of ``day`` had no stories once
#: the day was over (sealed, or found so after its end): nothing to mail, now or later.
EMPTY_KEY = "empty:{name}:{day}"


def _empty_key(digest: str | None, day: date) -> str:
    return EMPTY_KEY.format(name=digest or "", day=day.isoformat())


def mark_empty(store: Store, digest: str | None, day: date) -> None:
    store.set_meta(_empty_key(digest, day), "1")


def first_day(store: Store, cfg: Config) -> date | None:
    """The first day the store has a digest for (None: none yet): the day (in the configured
    time zone) its first article arrived, or the daemon first started if that was earlier.

    A day before it predates the install: the daemon's first start would have written an
    empty digest for the day that ended before it, the first day of the archive.  The day is
    the one whose calendar day holds that moment (``days.frame_day``): a day written in an
    earlier zone keeps its hours (Los Angeles' 1 December, written, stays the first day after a
    move to Kiritimati, where that moment was the 2nd: its rebuild was refused).

    A pruned store's first day is at the latest the first its archive lists: the prune removed
    the first articles, and the first left may have arrived days after the first day kept (a
    quiet week): "kept: 2026-11-08 on", the digest of the 8th in the archive, and ``digest build
    --date 2026-11-08`` refused, "the store's first day is 2026-11-10"."""
    moments = [t for t in (store.earliest_fetched(), parse_ts(store.get_meta(DAEMON_SINCE))) if t is not None]
    days = [frame_day(store, cfg, min(moments))] if moments else []
    if kept_from(store) is not None and (archived := store.list_digest_dates()):
        days.append(date.fromisoformat(min(d for d, _ in archived)))
    return min(days, default=None)


def before_first_day(store: Store, cfg: Config, day: date) -> str | None:
    """Why ``day`` gets no digest (the daemon's, or ``digest send``'s without ``--date``):
    it is before the store's :func:`first_day` ("the store's first day is DAY"), or nothing
    was read yet ("nothing read yet"); None when it gets one."""
    first = first_day(store, cfg)
    if first is None:
        return "nothing read yet"
    return f"the store's first day is {first.isoformat()}" if day < first else None


def check_begun(day: date, cfg: Config, store: Store, *, nothing: str = "written or sent",
                first: date | None = None) -> date:
    """``day`` if the store has a digest for it, else :class:`DigestError` saying why
    (:func:`before_first_day`) and that ``nothing`` was done: ``digest send --date`` and
    ``digest build --date`` of a day before the store's first wrote an empty digest, and the
    archive then listed that day with 0 stories (a new user's typo, a day before the install).
    So for a period that has not begun (``first``: its first day, a weekly digest's Monday;
    else ``day``), after today in the configured zone (by ``clock`` when set): ``digest run
    --date 2030-01-01`` and ``digest build --date`` of tomorrow listed "Tuesday, 1 January
    2030 · 0 stories" atop the archive, and today's page linked on to it."""
    today = frame_day(store, cfg, cfg.now())
    if (first or day) > today:
        raise DigestError(f"{day.isoformat()} has no digest yet: today is {today.isoformat()} in "
                          f"{cfg.timezone} (nothing was {nothing})")
    why = before_first_day(store, cfg, day)
    if why is not None:
        raise DigestError(f"{day.isoformat()} has no digest: {why} (nothing was {nothing})")
    return day


def _skipped(day: date, tz: tzinfo) -> bool:
    """Whether the zone skipped ``day`` whole: it begins where the next one does (Samoa's Friday
    30 December 2011, between Thursday 23:59 -10 and Saturday 00:00 +14).  The daily digest due
    after it is the day before's: that one ended at its midnight, and mailing the day of no
    hours in its place left the day before never mailed."""
    if not day_fits(day, tz) or day >= date.max - timedelta(days=1):
        return False
    return digest_moment(day, "00:00", tz) == digest_moment(day + timedelta(days=1), "00:00", tz)


def latest_due_day(plan: Plan, now: datetime, tz: tzinfo, *, day_offset: int = -1) -> date:
    """The day of the latest digest of ``plan`` due at or before ``now``: a daily one's is the
    day :func:`digest.service.polling.digest_due` gives (``day_offset``: -1 the day that ended
    before its time, 0 the day so far); a weekly one's is the last day of the latest week
    whose mailing (its weekday at its time) has passed, whatever the weekday of ``now``
    (always the week that ended: ``day_offset`` does not apply)."""
    if plan.every != "week":
        day = digest_due(now, plan.time, tz, day_offset=day_offset)
        while day_offset < 0 and _skipped(day, tz):  # the day that ended is the one before it
            day -= timedelta(days=1)
        return day
    day = digest_due(now, plan.time, tz)  # the latest day whose digest time has passed
    while not plan.due(day):  # back to the last day of a week mailed by then (at most 6 days)
        day -= timedelta(days=1)
    return day


#: Days before a digest's latest due day whose periods the daemon's start catches up too (a
#: delivery that failed, then a restart after the next period was due: its retry lived in memory).
CATCH_UP_DAYS = 7


def earlier_due_days(store: Store, cfg: Config, plan: Plan, latest: date) -> list[date]:
    """The days of ``plan``'s digests due in the :data:`CATCH_UP_DAYS` before ``latest`` (its
    latest due day), oldest first, that are to be caught up: those due since mailing of this
    digest began on this store (on or after the day of :data:`MAIL_SINCE`: the daemon, or
    ``digest send`` without ``--date``, first handling it), and those whose mailing was tried
    and did not go through (a failed or interrupted row).  Days before were another way of
    running's (``digest run`` alone, mail sent by hand, or the digest not yet configured, or
    named otherwise): none of them that was never tried is mailed.  A day listed may be owed
    to nobody (:func:`owed`) or have no stories."""
    since = parse_ts(store.get_meta(MAIL_SINCE.format(name=plan.name or "")))
    days = [d for d in (latest - timedelta(days=i) for i in range(CATCH_UP_DAYS, 0, -1)) if plan.due(d)]
    rows = {d: delivery_rows(store, d.isoformat(), plan.name) for d in days}
    if since is None and any(rows.values()):  # mailed under this name by a daemon before the marks
        since = parse_ts(store.get_meta(DAEMON_SINCE))
    first = since.astimezone(cfg.tz).date() if since is not None else date.max
    return [d for d in days if d >= first or any(status != "sent" for status, _ in rows[d])]


def owed(app: App, day: date, digest: str | None = None, *, whole_sent: bool = False) -> bool:
    """Whether the digest ``digest`` (None: the single daily one) of ``day`` is still owed to
    someone: never tried (no delivery row: the daemon was down), or tried for addresses it
    has not reached (a failed or interrupted row) that are still listed.  An address added to
    ``to:`` since is not owed an earlier period: it gets the latest one alone
    (``send_digest``), not the week before it.  False when no mail is configured, or the day
    had no stories once over (:data:`EMPTY_KEY`).  ``whole_sent`` (``digest status``): a row
    left *whole* by a killed send counts as sent, as the next send counts it
    (``delivery.settle_whole``), mailing nothing; the catch-up visits such a day to settle it."""
    cfg, store = app.cfg, app.store
    if cfg.email is None or store.get_meta(_empty_key(digest, day)):
        return False
    listed = {address_of(a) for a in (plan_named(cfg, digest).to or cfg.email.to)}
    rows = delivery_rows(store, day.isoformat(), digest)
    if whole_sent:
        rows = [("sent" if status == "whole" else status, to) for status, to in rows]
    got = reached(rows)
    return not rows or any(status != "sent" and (to - got) & listed for status, to in rows)


#: Meta key: when the daemon wrote the files of one of ``digests:`` for a day (the single
#: daily digest's writes are rows of the ``digests`` table).
WRITTEN_KEY = "written:{name}:{day}"


def mark_written(store: Store, digest: str | None, day: date, at: datetime) -> None:
    """Record that the daemon wrote the digest ``digest`` (one of ``digests:``) of ``day`` at
    ``at``, for :func:`written_whole`; the single daily one (None) is recorded by
    ``App.write_digest`` already."""
    if digest is not None:
        store.set_meta(WRITTEN_KEY.format(name=digest, day=day.isoformat()), ts(at) or "")


def written_whole(store: Store, cfg: Config, day: date, digest: str | None = None) -> bool:
    """The day's digest (``digest``: one of ``digests:``, recorded by :func:`mark_written`;
    None: the single daily one, a row of ``digests``) is recorded as written once the day had
    closed: built at or after its seal (the daemon seals before it writes), or its end when it
    is not sealed.  A row written while the day was open (``digest run``'s day so far, ``digest
    build --date`` of a day not over, or a write cut off between the daemon's seal and its
    files) holds part of the day: the daemon's catch-up writes it again, once.  Files of one
    of ``digests:`` that another command wrote are not recorded: the catch-up writes them
    again, once."""
    if digest is None:
        row = store.get_digest(day.isoformat(), "html")
        built = row.built_at if row is not None else None
    else:
        built = parse_ts(store.get_meta(WRITTEN_KEY.format(name=digest, day=day.isoformat())))
    if built is None:
        return False
    end = day_frame(store, cfg, day)[1]
    sealed = sealed_at(store, day)
    return built >= (min(sealed, end) if sealed is not None else end)
