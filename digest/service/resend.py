"""``digest send --again``: a day's digest mailed again, on request, to readers it reached.

A reader who lost a mailed digest (deleted, filtered away, or counted sent "unconfirmed" after a
killed send and never arrived) had no way to get it again: ``digest send`` mails a day at most
once per address.  ``--again`` is the explicit request that sets that rule aside, for one day,
one digest, every reader it reached or one (``--to``).

Decisions (docs/design.md)
--------------------------
* The delivery rows are read, not written: the readers' rows stay *sent* (their ``sent_at``, their
  Message-ID, "unconfirmed" where it was so), so the automatic sends (the daemon's, a cron
  ``digest send``) find the day sent as before and never mail it a third time, and the fact and
  time of the first send are kept.  Nothing is claimed or marked: a resend killed mid-way leaves
  the store as it was (a copy may or may not have reached the server; asking again is safe).
  The one write is the one any send makes under the ``deliver`` lock first: a *whole* row left
  by a killed send is counted sent, unconfirmed (``settle_whole``), so its reader is mailed
  again here too.  What was mailed again is said on stderr (and the daemon's log is untouched).
* A new Message-ID per copy, ``References:`` the first one's: mail clients (Gmail, Thunderbird
  with its duplicate filter) drop or hide a message whose Message-ID they hold already, so a
  copy under the first id never shows where the first one still sits (in spam, in the trash),
  which is when a reader asks for it.  ``References:`` threads the copy with the first where a
  client has it.  Not ``Resent-*`` fields: RFC 5322 keeps the first Message-ID with them (the
  same dropping), and the copy is built again from the store, not the first message forwarded.
  Its ``Date:`` is now, the real time as ``send``'s is, even under ``clock:`` (it was the clock's
  until stop 62): it arrives at the top of the inbox, where the reader looks; a client sorts by
  it, and a date days off is taken for spam.
* A day whose digest, built again, has no stories (a mute rule added since, the digest's
  sections changed) is one line, nothing mailed: what was lost had stories, and ``send``
  mails no empty digest either (stop 59's review: it mailed "0 stories").
* A day (or a reader, with ``--to``) the digest never reached is one line, nothing mailed:
  ``digest send --date`` mails it, once, recorded (``--again`` records nothing, so mailing a
  day never sent through it would leave the automatic sends to mail it again).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import getaddresses
from typing import TYPE_CHECKING

from ..config import Config, mail_address, quote_name
from ..errors import DigestError
from ..output.digests import Plan, plan_named
from ..store.deliveries import Delivery, address_of, addresses_in
from .delivery import SEND_WAIT, deliver_lock, settle_whole
from .maildays import target_prefix

if TYPE_CHECKING:
    from ..app import App

__all__ = ["Resent", "again_plans", "resend_digest"]


@dataclass(frozen=True)
class Resent:
    """What :func:`resend_digest` did: the addresses mailed again; ``why`` says it in words;
    ``failed``: a reader's copy did not go through (named in ``why``)."""

    mailed: list[str]
    why: str
    failed: bool = False


def _recipients(cfg: Config, plan: Plan) -> list[str]:
    """The entries of ``to:`` the digest ``plan`` is mailed to (its own, else ``email.to``)."""
    assert cfg.email is not None
    return list(plan.to or cfg.email.to)


def _which(plan: Plan) -> str:
    return f"digest {plan.name}" if plan.name else "the daily digest"


def check_to(to: str) -> str:
    """``--to``'s address, by the rule ``email.to`` entries are read by when the file loads
    (``config.mail_address``: "Doe, Ann <ann@x>" given back quoted), else :class:`DigestError`
    in one line: ``--to ann@@x.example`` was told "not a recipient", the rule's words never
    said (stop 65)."""
    named = [a for _, a in getaddresses([quote_name(to)]) if "@" in a]  # "Doe, Ann <ann@x>" is one
    if len(named) > 1:  # read as the first alone, the others asked for were not mailed
        raise DigestError(f"--to takes one address ({', '.join(named)}: {len(named)}); nothing was sent")
    try:
        return mail_address(to)
    except ValueError as exc:
        raise DigestError(f"--to: {exc}; nothing was sent") from None


def again_plans(cfg: Config, wanted: list[Plan], to: str | None, digest: str | None) -> list[Plan]:
    """The digests ``--again`` mails: ``wanted``; with ``--to``, those of them whose recipients
    hold the address, else :class:`DigestError` naming it and the digest (every one asked for)."""
    if to is None:
        return wanted
    addr = address_of(check_to(to))
    holding = [p for p in wanted if addr in {address_of(a) for a in _recipients(cfg, p)}]
    if holding:
        return holding
    if len(wanted) == 1:
        listed = ", ".join(sorted({address_of(a) for a in _recipients(cfg, wanted[0])}))
        raise DigestError(f"{addr} is not a recipient of {_which(wanted[0])} (its to: {listed}); "
                          "nothing was sent")
    names = ", ".join(_which(p) for p in wanted)
    raise DigestError(f"{addr} is not a recipient of any digest ({names}); nothing was sent"
                      + ("" if digest else " (--digest NAME chooses one)"))


def _first_id(rows: list[Delivery], head: str, addr: str) -> str | None:
    """The Message-ID of the message that reached ``addr``: its own row's (a list of one), else
    a list's of several that was sent To: all (a digest before one message each)."""
    own = [r for r in rows if addresses_in(r.target[len(head):]) == {addr}]
    listed = [r for r in rows if addr in addresses_in(r.target[len(head):])]
    for row in own + listed:
        if row.message_id:
            return row.message_id
    return None


def resend_digest(
    app: App, day: date, *, digest: str | None = None, to: str | None = None, now: datetime | None = None,
    wait: float = SEND_WAIT,
) -> Resent:
    """Mail the digest ``digest`` of ``day`` again to each of its recipients it reached (``to``:
    that one alone), a new message each (see the module's decisions); the delivery rows read,
    not written.  :class:`DigestError` when it reached none of them (nothing mailed); raises
    :class:`digest.output.mailer.DeliveryError` when no copy went through."""
    from ..output.mailer import build_message, message_id_for
    from ..output.mailsize import email_parts
    from ..output.render import make_env
    from ..output.smtpsend import DeliveryError, Session

    cfg, store = app.cfg, app.store
    if cfg.email is None:
        raise DigestError("email is not configured (add an 'email:' section to the configuration)")
    plan = plan_named(cfg, digest)
    email = cfg.email.model_copy(update={"to": plan.to}) if plan.to else cfg.email
    firsts: dict[str, str] = {}
    for entry in email.to:  # one reader per address, as first listed (as ``deliver`` does)
        firsts.setdefault(address_of(entry), entry)
    wanted = address_of(to or "")  # "Doe, Ann <ann@x>": ann@x, not "doe"
    chosen = [a for a in firsts if to is None or a == wanted]
    if not chosen:  # ``again_plans`` says it first for the command
        raise DigestError(f"{wanted} is not a recipient of {_which(plan)}; nothing was sent")
    key, head = day.isoformat(), target_prefix(plan.name) + "email:"
    when = now or datetime.now(UTC)  # the Date: is when it is sent, as ``send``'s: not ``clock:``
    dated = f"digest send --date {key}" + (f" --digest {plan.name}" if plan.name else "")
    with deliver_lock(store, wait):
        settle_whole(store, key, head)  # a killed send's reader: counted sent, as any send does
        rows = [r for r in store.deliveries_on(key) if r.target.startswith(head) and r.status == "sent"]
        got = {a for r in rows for a in addresses_in(r.target[len(head):])}
        readers, never = [a for a in chosen if a in got], [a for a in chosen if a not in got]
        if not readers:
            raise DigestError(f"never sent to {', '.join(never)}: nothing was mailed again "
                              f"('{dated}' mails it, once)")
        view = app.build_view(day, digest=plan.name)
        if not view.story_count:  # built again from the store: not the copy lost, an empty digest
            raise DigestError("it has no stories now (its filters, sections or sources changed since it was "
                              "mailed): nothing was mailed again")
        html, text = email_parts(view, env=make_env(cfg.templates), tz=cfg.tz, excerpt_chars=cfg.excerpt_chars,
                                 locale=cfg.locale)
        mailed: list[str] = []
        failed: dict[str, str] = {}
        where = f"email via {email.host}:{email.port}"
        with Session(email, timeout=email.timeout) as session:
            for addr in readers:
                if session.broken:
                    failed[addr] = "not tried: the connection failed"
                    continue
                # a new Message-ID each copy: a random part, not the time alone (``clock:`` fixes it,
                # and two resends under it were one id: the second copy dropped as the first's)
                salt = f"again:{head + addr}:{when.isoformat()}:{secrets.token_hex(8)}"
                message = build_message(view, email, tz=cfg.tz, html=html, text=text, now=when, to=firsts[addr], locale=cfg.locale,
                                        message_id=message_id_for(key, salt, email))
                if (first := _first_id(rows, head, addr)) is not None:
                    message["References"] = first  # threaded with the first copy, not taken for it
                try:
                    refused = session.send(message)
                except DeliveryError as exc:
                    failed[addr] = str(exc).removeprefix(where + ": ")
                    continue
                if refused:
                    failed[addr] = "refused: " + "; ".join(f"{c} {m.decode(errors='replace')}"
                                                           for c, m in refused.values())
                else:
                    mailed.append(addr)
    problems = "; ".join(f"{a}: {why}" for a, why in failed.items())
    if not mailed:
        raise DeliveryError(f"{where}: not sent again: {problems}")
    why = f"sent again to {', '.join(mailed)}"
    if failed:
        why += f"; not to {problems}"
    if never:
        why += f"; not to {', '.join(never)}: never sent to them ('{dated}' mails it, once)"
    return Resent(mailed, why, failed=bool(failed))
