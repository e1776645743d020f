"""A source's fetch state as the store keeps it (:class:`SourceState`), and how ``digest
sources`` writes it: one line a source, its times in the configured zone (:func:`local_time`),
a URL's password hidden (:func:`redact`).  Moved out of ``digest.store.base`` (stop 62), which
imports them from here, so that ``base`` stays the store's interface and its rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ..records import plural

#: Why a source the server calls gone is paused (shown in the digest's footer and ``status``);
#: such a source waits for ``digest sources --resume``, it is not tried again.
GONE = "the server says the feed is gone (HTTP 410)"


@dataclass(slots=True)
class SourceState:
    """A source's fetch state, as the scheduler and ``digest sources`` see it."""

    name: str
    location: str
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None
    last_fetch_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    error_kind: str | None = None
    #: Consecutive failures (0 after a success).
    failures: int = 0
    first_failure_at: datetime | None = None
    paused: bool = False
    paused_reason: str | None = None
    next_poll_at: datetime | None = None
    #: Do not poll before this time (the server's Retry-After).
    retry_after_until: datetime | None = None
    #: What the last good read noted (a feed cut off: ``digest.sources.cutoff``; an article's front
    #: matter that does not read); None: nothing.
    note: str | None = None

    @property
    def condition(self) -> str:
        """``paused``, ``failing`` (failed since its last success) or ``ok``."""
        return "paused" if self.paused else ("failing" if self.failures else "ok")

    def __str__(self) -> str:
        """:meth:`line` by the real time: a wait named while it has not passed."""
        until = self.retry_after_until
        return self.line(held=until is not None and datetime.now(UTC) < until)

    def line(self, *, held: bool, tz: tzinfo = UTC) -> str:
        """One line for ``digest sources``: the name once, then its state, each part after ``;``.
        ``held``: whether the server's wait (``retry_after_until``) still holds by the clock the
        runs read (``digest.sources.tracking.held``); it stays stored until the next read clears
        it, and a wait that has passed is not named (``digest run`` reads the source).  Times are
        in ``tz`` (the configured ``timezone``), as :func:`local_time` writes them."""
        state = self.condition
        last = local_time(self.last_ok_at, tz) if self.last_ok_at else "never"
        parts = [f"{self.name}: {state}, last ok {last}, {plural(self.failures, 'failure', no=True)}"]
        if self.permanent_url and self.permanent_url != self.location:
            parts.append(f"reads {redact(self.permanent_url)}")
        if self.paused:
            parts.append(self.paused_reason or "paused")
            if self.next_poll_at is not None and self.paused_reason != GONE:
                parts.append(f"next try {local_time(self.next_poll_at, tz)}")
            parts.append(f"resume with: digest sources --resume {self.name!r}")
        else:
            until = self.retry_after_until if held else None
            nxt = max((t for t in (self.next_poll_at, until) if t is not None), default=None)
            if nxt is not None and nxt == until:  # the server's wait (``digest run`` too)
                parts.append(f"not asked before {local_time(nxt, tz)} (its server asked to wait: "
                             "Retry-After)")
            else:
                # none set: read by the next ``digest run`` or daemon round, whenever that is ("due
                # now" read, a second after a run, as a poll about to happen; stop 64's review)
                parts.append(f"next poll {local_time(nxt, tz)}" if nxt else "next poll: at the next run or poll round")
                if until is not None:  # the daemon's jittered poll after it: named all the same
                    parts.append(f"its server asked to wait until {local_time(until, tz)} (Retry-After)")
        if self.last_error and self.failures and not self.paused:
            # stored as the error's line, which starts with the name already
            parts.append(f"last error: {self.last_error.removeprefix(self.name + ': ')}")
        elif self.note and not self.paused:
            parts.append(f"last read: {self.note}")
        return "; ".join(parts)


def local_time(at: datetime, tz: tzinfo) -> str:
    """A moment as ``digest sources`` writes it: "2026-12-08 10:01 CET", in ``tz`` (the
    configured ``timezone``), to the minute, as ``digest run``'s "asked to wait until" line
    names a time.  It wrote UTC ISO 8601 ("2026-12-08T09:01:26+00:00") where every other
    command writes the configured zone (stop 50's walkthrough)."""
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M %Z}".rstrip()


def redact(url: str) -> str:
    """The URL with any password hidden (for error messages): ``user:pw@`` and libpq's
    ``?password=pw`` (which error lines printed as it was)."""
    url = re.sub(r"(://[^/:@]*):[^/@]*@", r"\1:***@", url)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url, flags=re.I)
