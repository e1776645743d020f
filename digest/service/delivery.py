"""Mailing a day's digest at most once per recipient list, and saying what happened.

``send_digest`` is shared by the daemon and ``digest send``: it holds the
store's ``deliver`` lock while it sends (``digest.output.mailer.deliver``
records the delivery), and returns :class:`Sent`, whose ``why`` says whether
it mailed now, or why not: already sent (to whom, when) or no stories.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import DigestError
from ..output.days import day_frame, frame_day, seal, sealed_at
from ..output.digests import Plan, plan_named, plans
from ..retention import kept_from
from ..runlock import waiting_for_lock
from ..sources.dates import day_fits
from ..store.base import Store, local_time, parse_ts, ts
from ..store.deliveries import address_of, addresses_in
from .digesttime import DigestTrigger, digest_moment
from .polling import digest_due

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "CATCH_UP_DAYS", "DAEMON_SINCE", "DIGEST_JOB", "EMPTY_KEY", "MAIL_SINCE", "UNCONFIRMED_LINE", "WRITTEN_KEY",
    "Sent", "before_first_day", "check_begun", "check_ended", "digest_jobs", "digest_label", "earlier_due_days",
    "first_day", "latest_due_day", "mark_daemon_start", "mark_mail_start", "mark_written", "owed", "send_digest",
    "settle_whole", "write_and_send", "written_whole",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    """What :func:`send_digest` did: true when it mailed now; ``why`` says it in words."""

    sent: bool
    why: str
    #: The mailing was tried and failed (an earlier period's, which ``write_and_send`` reports
    #: and goes on; a failure of the period asked for raises instead).
    failed: bool = False

    def __bool__(self) -> bool:
        return self.sent


def _already_sent(app: App, key: str, target: str) -> Sent:
    row = app.store.get_delivery(key, target)
    # as every other command names a time ("2026-12-08 07:00 CET", in `timezone`: local_time);
    # it wrote "2026-12-08 06:00:12+00:00" beside `digest sources`' "2026-12-08 07:00 CET"
    when = local_time(row.sent_at, app.cfg.tz) if row and row.sent_at else None
    unsure = " (unconfirmed: its send died after the whole message had left)" if row and row.unconfirmed else ""
    return Sent(False, f"not sent: already sent to {named(target)}" + (f" at {when}" if when else "") + unsure)


#: The line for a row counted as sent unconfirmed (:func:`settle_whole`).  No command mails a day
#: again; ``digest build --date`` writes it (``--digest NAME`` for a named digest's), to forward by hand.
UNCONFIRMED_LINE = ("digest %s to %s: counted as sent, not mailed again: the last send died after the whole "
                    "message had left, before the server's answer (if it never arrived: digest build --date %s"
                    "%s --format html writes it, to forward)")


def settle_whole(store: Store, key: str, head: str) -> list[str]:
    """Count as sent each row of the day under ``head`` ("email:", "NAME:email:") left *whole*
    (its sender died after the message's end was written: the server has it;
    ``digest.store.deliveries``), one line each (:data:`UNCONFIRMED_LINE`); the targets
    settled.  One this process saw accepted (``record_accepted``) is recorded sent."""
    from ..output.mailer import record_accepted

    settled = []
    for row in store.deliveries_on(key):
        if row.status != "whole" or not row.target.startswith(head) or record_accepted(store, key, row.target):
            continue
        if store.mark_unconfirmed(key, row.target):
            name = head.partition("email:")[0].rstrip(":")  # a named digest's row: "weekly:email:..."
            log.warning(UNCONFIRMED_LINE, key, named(row.target), key, f" --digest {name}" if name else "")
            settled.append(row.target)
    return settled


#: The store lock held while a digest is mailed (``send_digest``).
DELIVER_LOCK = "deliver"
#: How long ``digest send`` waits for another process's mailing (another ``digest send``, the
#: daemon's) before it gives up, seconds: as ``digest run`` waits for another pass.
SEND_WAIT = 600.0


@contextmanager
def _deliver_lock(store: Store, wait: float) -> Iterator[None]:
    """The store's ``deliver`` lock for a block.  ``wait`` 0 (the daemon, which looks again at
    its next tick): another holder is a StoreError at once (``Store.exclusive``).  Otherwise
    (``digest send``) another process's mailing is waited for, at most ``wait`` seconds, one
    line when the wait begins: two sends at once (cron's and one typed) said "error: another
    digest deliver is already running", exit 2; the second now finds the day sent, or sends it."""
    if wait <= 0:
        with store.exclusive(DELIVER_LOCK):
            yield
        return
    with waiting_for_lock(store, DELIVER_LOCK, wait, doing="mailing", nothing="nothing was sent"):
        yield


def named(target: str) -> str:
    """The readers of a delivery target, as a line to the user names them: each address once,
    lower case, sorted, ", " between ("ann@x, bob@x"), as "already sent to" names the readers
    reached.  The target holds ``to:``'s entries as written, lower case, comma-joined: its
    tail said "sent to ann example <ann@x>,ann@x,bob <bob@x>", a reader listed in two
    spellings (one reader, one message) named twice, and a display name beside an address."""
    return ", ".join(sorted(addresses_in(target.partition("email:")[2]))) or target.partition("email:")[2]


def _prefix(digest: str | None) -> str:
    """The head of a digest's delivery targets: "NAME:" for one of ``digests:``, "" for the
    single daily one (then ``email:`` and the sorted recipient list)."""
    return "" if digest is None else f"{digest}:"


def _rows(store: Store, key: str, digest: str | None) -> list[tuple[str, set[str]]]:
    """The attempted deliveries of the digest ``digest`` dated ``key``: each one's status and
    the addresses its recipient list had."""
    head = _prefix(digest) + "email:"  # read as addresses: a name "Doe, Jane" holds a comma
    return [(row.status, addresses_in(row.target[len(head):]))
            for row in store.deliveries_on(key) if row.target.startswith(head)]


def _reached(rows: list[tuple[str, set[str]]]) -> set[str]:
    """The addresses ``_rows``' deliveries reached (those sent), whatever the lists were then."""
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


def _mark_empty(store: Store, digest: str | None, day: date) -> None:
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


def digest_label(name: str | None, day: date) -> str:
    """How the daemon's log and ``digest send`` name one digest: "digest morning 2026-11-09"
    (one of ``digests:``), "digest 2026-11-09" (the single daily one)."""
    return f"digest {name} {day.isoformat()}" if name else f"digest {day.isoformat()}"


def mailing(cfg: Config) -> str:
    """Whom the digests are mailed to, as the daemon's start says it: "mailed to a@x, b@y"
    (each digest's own ``to``, else ``email.to``), or "not mailed (no 'email:' in
    feeds.yaml)": a daemon without mail only writes the files, and says so."""
    if cfg.email is None:
        where = cfg.config_path.name if cfg.config_path else "the configuration"
        return f"not mailed (no 'email:' in {where})"
    to = dict.fromkeys(a for plan in plans(cfg) for a in (plan.to or cfg.email.to))
    return f"mailed to {', '.join(to)}"


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
    rows = {d: _rows(store, d.isoformat(), plan.name) for d in days}
    if since is None and any(rows.values()):  # mailed under this name by a daemon before the marks
        since = parse_ts(store.get_meta(DAEMON_SINCE))
    first = since.astimezone(cfg.tz).date() if since is not None else date.max
    return [d for d in days if d >= first or any(status != "sent" for status, _ in rows[d])]


def owed(app: App, day: date, digest: str | None = None) -> bool:
    """Whether the digest ``digest`` (None: the single daily one) of ``day`` is still owed to
    someone: never tried (no delivery row: the daemon was down), or tried for addresses it
    has not reached (a failed or interrupted row) that are still listed.  An address added to
    ``to:`` since is not owed an earlier period: it gets the latest one alone
    (``send_digest``), not the week before it.  False when no mail is configured, or the day
    had no stories once over (:data:`EMPTY_KEY`)."""
    cfg, store = app.cfg, app.store
    if cfg.email is None or store.get_meta(_empty_key(digest, day)):
        return False
    listed = {address_of(a) for a in (plan_named(cfg, digest).to or cfg.email.to)}
    rows = _rows(store, day.isoformat(), digest)
    got = _reached(rows)
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


#: The single daily digest's job id (the jobs of ``digests:`` are ``digest-NAME``).
DIGEST_JOB = "digest-daily"


def digest_jobs(cfg: Config) -> list[tuple[str, str, Any]]:
    """(job id, wake kind, trigger) of each digest: at its time in the configured time zone
    (:class:`digest.service.digesttime.DigestTrigger`: once a local day, DST or not), a weekly
    one on its weekday only."""
    out = []
    for plan in plans(cfg):
        trigger = DigestTrigger(plan.time, cfg.tz, plan.weekday if plan.every == "week" else None)
        job_id = DIGEST_JOB if plan.name is None else f"digest-{plan.name}"
        out.append((job_id, "digest" if plan.name is None else f"digest:{plan.name}", trigger))
    return out


def send_digest(
    app: App, day: date, *, digest: str | None = None, now: datetime | None = None, earlier: bool = False,
    wait: float = 0.0,
) -> Sent:
    """Email the digest of ``day`` once per recipient list, a message of its own to each reader
    (``digest``: one of ``digests:``, to its own ``to``, its own delivery record); says whether
    it was sent now, and if not, why.  ``earlier``: a period before the latest, caught up: if it was tried, only the
    addresses it did not reach then (and still on the list) are owed it.  The day is sealed at ``now``: the caller's clock (the daemon's), else the
    configuration's (``Config.now``: ``clock`` when set).

    Holds the store's ``deliver`` lock (another process's mailing waited for at most ``wait``
    seconds: :func:`_deliver_lock`); raises :class:`digest.output.mailer.DeliveryError`.
    """
    from ..output.mailer import default_target, deliver, record_accepted
    from ..output.render import make_env

    cfg, store = app.cfg, app.store
    if cfg.email is None:
        raise DigestError("email is not configured (add an 'email:' section to the configuration)")
    plan = plan_named(cfg, digest)
    email = cfg.email.model_copy(update={"to": plan.to}) if plan.to else cfg.email
    key, target = day.isoformat(), default_target(email)
    prefix = _prefix(plan.name)  # one delivery record per digest
    target = prefix + target
    if store.delivery_status(key, target) == "sent":
        return _already_sent(app, key, target)
    rows = _rows(store, key, plan.name)
    got = _reached(rows)
    # an earlier period tried before: owed to whom it did not reach then, not to an address
    # added to `to:` since (that one gets the latest period alone)
    tried = {a for status, to in rows if status != "sent" for a in to} if earlier and rows else None
    if got or tried is not None:  # sent before `to:` changed: only to whom it has not reached
        new = [a for a in email.to if address_of(a) not in got and (tried is None or address_of(a) in tried)]
        if not new:
            return Sent(False, f"not sent: already sent to {', '.join(sorted(got))}" if got
                        else "not sent: owed to nobody on the list now")
        email = email.model_copy(update={"to": new})
        target = prefix + default_target(email)
    with _deliver_lock(store, wait):
        if record_accepted(store, key, target):  # mailed before by this process, recorded only now
            return Sent(False, f"not sent again: sent to {named(target)} before, recorded now")
        # a reader's row *whole* counted sent, the list narrowed to the rest (as for those reached)
        settled = settle_whole(store, key, prefix + "email:")
        if target in settled:
            return _already_sent(app, key, target)
        counted = {a for t in settled for a in addresses_in(t.partition("email:")[2])}
        rest = [a for a in email.to if address_of(a) not in counted]
        if not rest:
            return Sent(False, f"not sent: already sent to {named(target)} (unconfirmed)")
        if len(rest) < len(email.to):
            email = email.model_copy(update={"to": rest})
            target = prefix + default_target(email)
        # Only lock holders send: a pending row now is from a sender that died mid-send (its
        # list's, and the reader's it was mailing; the list narrowed since to whom it had not
        # reached): one line, naming that reader (the list's readers not reached where none
        # was begun: killed between two readers, it named ann, mailed and recorded, too)
        pending = [row.target for row in store.deliveries_on(key)
                   if row.status == "pending" and row.target.startswith(prefix + "email:")]
        for row_target in pending:
            store.mark_failed(key, row_target, "interrupted before the server's answer was recorded")
        if pending:
            lists = [addresses_in(t.partition("email:")[2]) for t in pending]
            own = [one for one in lists if len(one) == 1] or lists
            whom = set().union(*own)
            log.warning("digest %s: the last send (to %s) was interrupted; sending again", key,
                        ", ".join(sorted(whom - got - counted or whom)))  # not one counted sent above
        seal(store, cfg, day, now or cfg.now())  # what arrives from now on is the next day's
        view = app.build_view(day, digest=plan.name)
        if not view.story_count:  # sealed: nothing that arrives later is this day's
            _mark_empty(store, plan.name, day)  # (copies only, "also reported since": no news)
            also = f" ({view.also_reported} also reported, nothing new to read)" if view.also_reported else ""
            return Sent(False, f"not sent: no stories that day{also}")
        env = make_env(cfg.templates)
        if deliver(store, view, email, tz=cfg.tz, target=target, env=env, excerpt_chars=cfg.excerpt_chars,
                   locale=cfg.locale, timeout=email.timeout):
            return Sent(True, f"sent to {named(target)}")
        return _already_sent(app, key, target)  # another sender's, between our look and the lock


def write_and_send(
    app: App, plan: Plan, day: date, *, given: bool = False
) -> Iterator[tuple[str, list[Path], Sent | None]]:
    """``digest send``: write ``plan``'s digest of ``day`` and mail it (:func:`send_digest`).
    Unless the day was ``given`` (``--date``): nothing for a day before the store's first
    (:func:`before_first_day`, the daemon's rule), and first each earlier period still
    :func:`owed` that has stories (:func:`earlier_due_days`: a cron run's send that failed,
    or a period whose run never came, the machine off at its time; the next run mails that
    period too, not only its own; an earlier period with no stories is passed over without
    a word, and recorded so: not looked at again).  The first such run is recorded
    (:func:`mark_mail_start`): periods before it were never the cron's to mail.  The files
    are recorded as written whole (:func:`mark_written`: the day has ended), so a daemon
    started later does not write them again.  Per period: its label and the files written
    (no outcome yet), then its label and what the mailing did.  An earlier period that fails again says
    so (``why``: "not sent: ...", ``failed``) and the next period is still written and
    mailed; the period asked for raises :class:`digest.output.mailer.DeliveryError` (its
    files said first)."""
    early = None if given else before_first_day(app.store, app.cfg, day)
    if early is not None:
        yield digest_label(plan.name, day), [], Sent(False, f"not written or sent: {early}")
        return
    store, now = app.store, app.cfg.now()
    days = [] if given else earlier_due_days(store, app.cfg, plan, day)
    if not given:
        mark_mail_start(store, plan.name, now)
    for d in [*(d for d in days if owed(app, d, plan.name)), day]:
        if d != day and not app.build_view(d, digest=plan.name).stories:  # an ended day: for good
            _mark_empty(store, plan.name, d)
            continue
        label = digest_label(plan.name, d)
        try:
            yield label, app.write_digest(day=d, formats=("md", "html"), digest=plan.name), None
            mark_written(store, plan.name, d, now)
            sent = send_digest(app, d, digest=plan.name, earlier=d != day, wait=SEND_WAIT)
        except DigestError as exc:  # an earlier period still failing holds up no later one
            if d == day:
                raise
            sent = Sent(False, f"not sent: {exc}", failed=True)
        yield label, [], sent
