"""Mailing a day's digest at most once per recipient list, and saying what happened.

``send_digest`` is shared by the daemon and ``digest send``: it holds the
store's ``deliver`` lock while it sends (``digest.output.mailer.deliver``
records the delivery), and returns :class:`Sent`, whose ``why`` says whether
it mailed now, or why not: already sent (to whom, when) or no stories.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from ..errors import DigestError
from ..output.view import seal

if TYPE_CHECKING:
    from ..app import App

__all__ = ["Sent", "send_digest"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    """What :func:`send_digest` did: true when it mailed now; ``why`` says it in words."""

    sent: bool
    why: str

    def __bool__(self) -> bool:
        return self.sent


def _already_sent(app: App, key: str, target: str) -> Sent:
    row = app.store.get_delivery(key, target)
    when = row.sent_at.astimezone(app.cfg.tz).isoformat(sep=" ", timespec="seconds") if row and row.sent_at else None
    to = target.removeprefix("email:")
    return Sent(False, f"not sent: already sent to {to}" + (f" at {when}" if when else ""))


def send_digest(app: App, day: date) -> Sent:
    """Email the digest of ``day`` once; says whether it was sent now, and if not, why.

    Holds the store's ``deliver`` lock; raises :class:`digest.output.mailer.DeliveryError`.
    """
    from ..output.mailer import default_target, deliver
    from ..output.render import make_env

    cfg, store = app.cfg, app.store
    if cfg.email is None:
        raise DigestError("email is not configured (add an 'email:' section to the configuration)")
    key, target = day.isoformat(), default_target(cfg.email)
    if store.delivery_status(key, target) == "sent":
        return _already_sent(app, key, target)
    with store.exclusive("deliver"):
        row = store.get_delivery(key, target)
        if row is not None and row.status == "pending":
            # Only lock holders send: a pending row now is from a sender that died mid-send.
            log.warning("digest %s to %s: the last send was interrupted; sending again", key, target)
            store.mark_failed(key, target, "interrupted before the server's answer was recorded")
        seal(store, cfg, day, datetime.now(UTC))  # what arrives from now on is the next day's
        view = app.build_view(day)
        if not view.stories:
            return Sent(False, "not sent: no stories that day")
        env = make_env(cfg.templates)
        if deliver(store, view, cfg.email, tz=cfg.tz, target=target, env=env, excerpt_chars=cfg.excerpt_chars,
                   locale=cfg.locale):
            return Sent(True, f"sent to {target.removeprefix('email:')}")
        return _already_sent(app, key, target)  # another sender's, between our look and the lock
