"""The moment a digest is due on a local day, and the scheduler's trigger that fires at it.

APScheduler 3's ``CronTrigger`` misreads local days around a DST change: in Europe/Berlin
a digest at 00:00-00:59 skipped the day after the clocks went forward (fired on 29 March,
then 31 March: the 23-hour day's digest came a day late), and one in the repeated hour of
the night they go back fired twice.  :class:`DigestTrigger` fires once per local day at
:func:`digest_moment`, the instant :func:`digest.service.polling.last_digest_moment` counts
from too, so the scheduler and the catch-up agree on which day is due.

The class is pickled with each digest job in the job store: it must not move.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger

__all__ = ["DigestTrigger", "digest_moment"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def digest_moment(day: date, hhmm: str, tz: tzinfo) -> datetime:
    """The instant (aware, in UTC) of the local time ``hhmm`` on ``day`` in ``tz``: on the
    night the clocks go back, its first occurrence; when it falls in the hour the clocks skip,
    as read with the offset before the change (02:30 in Berlin on the day they go forward is
    03:30 summer time), as ``zoneinfo`` reads it."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


class DigestTrigger(BaseTrigger):
    """Fires at :func:`digest_moment` of every local day (``weekday``: 0 Monday .. 6 Sunday,
    that day only), once each, whatever the clocks do that day."""

    def __init__(self, hhmm: str, tz: tzinfo, weekday: int | None = None) -> None:
        self.hhmm, self.timezone, self.weekday = hhmm, tz, weekday

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        """The first moment after ``previous_fire_time`` (None: at or after ``now``)."""
        after = previous_fire_time if previous_fire_time is not None else now - timedelta(microseconds=1)
        after = after.astimezone(UTC)
        day = after.astimezone(self.timezone).date() - timedelta(days=1)
        while True:
            moment = digest_moment(day, self.hhmm, self.timezone)
            if moment > after and (self.weekday is None or day.weekday() == self.weekday):
                return moment.astimezone(self.timezone)
            day += timedelta(days=1)

    def __repr__(self) -> str:
        on = "" if self.weekday is None else f", day_of_week={_DAYS[self.weekday]!r}"
        return f"<DigestTrigger (at {self.hhmm} in {self.timezone}{on})>"
