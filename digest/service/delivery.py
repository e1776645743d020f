"""Mailing a day's digest at most once per recipient list, and saying what happened.

``send_digest`` is shared by the daemon and ``digest send``: it holds the
store's ``deliver`` lock while it sends (``digest.output.mailer.deliver``
records the delivery), and returns :class:`Sent`, whose ``why`` says whether
it mailed now, or why not: already sent (to whom, when) or no stories.
Which days are due, owed, begun or written is :mod:`digest.service.maildays`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config
from ..errors import DigestError
from ..output.days import seal
from ..output.digests import Plan, plan_named, plans
from ..runlock import waiting_for_lock
from ..store.base import Store, local_time
from ..store.deliveries import address_of, addresses_in
from .digesttime import DigestTrigger
from .maildays import (
    before_first_day,
    delivery_rows,
    earlier_due_days,
    mark_daemon_day,
    mark_empty,
    mark_mail_start,
    mark_written,
    owed,
    reached,
    target_prefix,
)

if TYPE_CHECKING:
    from ..app import App
    from ..config.model import EmailConfig

__all__ = [
    "DIGEST_JOB", "SEND_WAIT", "UNCONFIRMED_LINE", "Sent", "deliver_lock", "digest_jobs", "digest_label", "mailing",
    "named",
    "send_digest", "settle_whole", "write_and_send",
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
    # the command that mails it again when it never arrived (``digest.service.resend``): its day
    # named (bare, it mailed the latest due: run the day after, the next day's), as UNCONFIRMED_LINE
    name, _, listed = target.partition("email:")
    readers = addresses_in(listed)
    again = (f"digest send --again --date {key}" + (f" --digest {name.rstrip(':')}" if name else "")
             + (f" --to {next(iter(readers))}" if len(readers) == 1 else ""))
    unsure = (" (unconfirmed: its send died after the whole message had left; if it never arrived, "
              f"'{again}' mails it again)") if row and row.unconfirmed else ""
    return Sent(False, f"not sent: already sent to {named(target)}" + (f" at {when}" if when else "") + unsure)


#: The line for a row counted as sent unconfirmed (:func:`settle_whole`): the automatic sends
#: never mail it again; ``digest send --again`` does, on request (``digest.service.resend``).
UNCONFIRMED_LINE = ("digest %s to %s: counted as sent, not mailed again: the last send died after the whole "
                    "message had left, before the server's answer (if it never arrived: "
                    "digest send --again --date %s%s%s mails it again)")


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
            readers = addresses_in(row.target.partition("email:")[2])
            only = f" --to {next(iter(readers))}" if len(readers) == 1 else ""  # a list's row: its readers
            log.warning(UNCONFIRMED_LINE, key, named(row.target), key, f" --digest {name}" if name else "", only)
            settled.append(row.target)
    return settled


#: The store lock held while a digest is mailed (``send_digest``).
DELIVER_LOCK = "deliver"
#: How long ``digest send`` waits for another process's mailing (another ``digest send``, the
#: daemon's) before it gives up, seconds: as ``digest run`` waits for another pass.
SEND_WAIT = 600.0


@contextmanager
def deliver_lock(store: Store, wait: float) -> Iterator[None]:
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
    seconds: :func:`deliver_lock`); raises :class:`digest.output.mailer.DeliveryError`.
    """
    from ..output.mailer import default_target, deliver, record_accepted
    from ..output.render import make_env

    cfg, store = app.cfg, app.store
    if cfg.email is None:
        raise DigestError("email is not configured (add an 'email:' section to the configuration)")
    plan = plan_named(cfg, digest)
    email, target, got, done = _owed(app, day, plan, earlier=earlier)
    if done is not None:
        return done
    key, prefix = day.isoformat(), target_prefix(plan.name)
    with deliver_lock(store, wait):
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
            mark_empty(store, plan.name, day)  # (copies only, "also reported since": no news)
            also = f" ({view.also_reported} also reported, nothing new to read)" if view.also_reported else ""
            return Sent(False, f"not sent: no stories that day{also}")
        env = make_env(cfg.templates)
        if deliver(store, view, email, tz=cfg.tz, target=target, env=env, excerpt_chars=cfg.excerpt_chars,
                   locale=cfg.locale, timeout=email.timeout):
            return Sent(True, f"sent to {named(target)}")
        return _already_sent(app, key, target)  # another sender's, between our look and the lock


def _owed(app: App, day: date, plan: Plan, *, earlier: bool = False) -> tuple[EmailConfig, str, set[str], Sent | None]:
    """The mail of ``plan``'s period ``day`` narrowed to whom it is owed, its delivery target,
    the addresses it reached before, and why none is mailed where it is owed to nobody (its row
    sent, every reader reached; with ``earlier``, a period tried before: only whom it did not
    reach then), else None: :func:`send_digest`'s first look, and ``write_and_send``'s before it
    writes a day's files.  A row left whole by a killed send is not counted here:
    :func:`send_digest` settles it under its lock."""
    from ..output.mailer import default_target

    assert app.cfg.email is not None
    email = app.cfg.email.model_copy(update={"to": plan.to}) if plan.to else app.cfg.email
    key, prefix = day.isoformat(), target_prefix(plan.name)  # one delivery record per digest
    target = prefix + default_target(email)
    if app.store.delivery_status(key, target) == "sent":
        return email, target, set(), _already_sent(app, key, target)
    rows = delivery_rows(app.store, key, plan.name)
    got = reached(rows)
    # an earlier period tried before: owed to whom it did not reach then, not to an address
    # added to `to:` since (that one gets the latest period alone)
    tried = {a for status, to in rows if status != "sent" for a in to} if earlier and rows else None
    if got or tried is not None:  # sent before `to:` changed: only to whom it has not reached
        new = [a for a in email.to if address_of(a) not in got and (tried is None or address_of(a) in tried)]
        if not new:
            return email, target, got, Sent(False, f"not sent: already sent to {', '.join(sorted(got))}" if got
                                            else "not sent: owed to nobody on the list now")
        email = email.model_copy(update={"to": new})
        target = prefix + default_target(email)
    return email, target, got, None


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
        # the mailing rule is the cron's now (the day that ended): a today daemon's, recorded at
        # its start, had ``digest status`` say the cron's next day owed a day early, every day;
        # not beside a running daemon (a hand send): its rule holds while it runs (stop 61)
        if not store.lock_held("daemon"):
            mark_daemon_day(store, -1)
    for d in [*(d for d in days if owed(app, d, plan.name)), day]:
        if d != day and not app.build_view(d, digest=plan.name).stories:  # an ended day: for good
            mark_empty(store, plan.name, d)
            continue
        label = digest_label(plan.name, d)
        if d == day and app.cfg.email is not None and _owed(app, d, plan)[3] is not None:  # nothing to mail: no file written
            # either ("not sent: already sent" came after the day's two paths, written again:
            # stop 65 review); send_digest says to whom and when, mailing nothing
            yield label, [], send_digest(app, d, digest=plan.name, wait=SEND_WAIT)
            continue
        try:
            yield label, app.write_digest(day=d, formats=("md", "html"), digest=plan.name), None
            mark_written(store, plan.name, d, now)
            sent = send_digest(app, d, digest=plan.name, earlier=d != day, wait=SEND_WAIT)
        except DigestError as exc:  # an earlier period still failing holds up no later one
            if d == day:
                raise
            sent = Sent(False, f"not sent: {exc}", failed=True)
        yield label, [], sent
