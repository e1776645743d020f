"""The pure polling policy: intervals, backoff, server hints, jitter, pausing, digest day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.service.polling import (
    BACKOFF_CAP,
    MAX_TTL,
    backoff_delay,
    digest_due,
    is_due,
    last_digest_moment,
    next_poll_delay,
    overdue_key,
    should_pause,
)
from digest.store.base import SourceState


def rng() -> random.Random:
    return random.Random(1234)


def test_backoff_doubles_per_failure_and_is_capped() -> None:
    assert [backoff_delay(60, n) for n in range(5)] == [60, 60, 120, 240, 480]
    assert backoff_delay(60, 40) == BACKOFF_CAP
    assert backoff_delay(60, 10_000) == BACKOFF_CAP  # no overflow
    # an interval longer than the cap is never shortened by it
    assert backoff_delay(2 * BACKOFF_CAP, 5) == 2 * BACKOFF_CAP
    with pytest.raises(ValueError):
        backoff_delay(0, 1)


def test_jitter_only_lengthens_and_is_bounded() -> None:
    r = rng()
    delays = [next_poll_delay(1800, rng=r) for _ in range(200)]
    assert all(1800 <= d <= 1800 * 1.1 for d in delays)
    assert len({round(d, 6) for d in delays}) > 150  # actually spread
    assert next_poll_delay(1800, rng=r, jitter=0) == 1800


def test_seeded_rng_is_reproducible() -> None:
    a = [next_poll_delay(60, failures=3, rng=random.Random(7)) for _ in range(3)]
    b = [next_poll_delay(60, failures=3, rng=random.Random(7)) for _ in range(3)]
    assert a == b


def test_max_age_is_a_floor_up_to_a_day() -> None:
    r = rng()
    assert 3600 <= next_poll_delay(600, max_age=3600, rng=r) <= 3600 * 1.1
    # shorter than the interval: the interval wins
    assert 600 <= next_poll_delay(600, max_age=60, rng=r) <= 660
    # no-cache (0) changes nothing
    assert 600 <= next_poll_delay(600, max_age=0, rng=r) <= 660
    # a week-long max-age is honoured only up to MAX_TTL
    assert MAX_TTL <= next_poll_delay(600, max_age=7 * 86400, rng=r) <= MAX_TTL * 1.1


def test_retry_after_is_a_floor_even_when_failing() -> None:
    r = rng()
    d = next_poll_delay(60, failures=1, retry_after=7200, rng=r)
    assert 7200 <= d <= 7200 + 6
    # a short Retry-After does not undercut the backoff
    d = next_poll_delay(60, failures=4, retry_after=5, rng=r)
    assert 480 <= d <= 480 * 1.1


def test_max_age_ignored_while_failing() -> None:
    # a failure has no freshness lifetime: the backoff applies
    assert next_poll_delay(60, failures=2, max_age=86400, rng=rng(), jitter=0) == 120


def test_should_pause() -> None:
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert not should_pause(None, now, 72)
    assert not should_pause(now - timedelta(hours=71, minutes=59), now, 72)
    assert should_pause(now - timedelta(hours=72), now, 72)
    assert should_pause(now - timedelta(seconds=2), now, 0.0005)


def test_last_digest_moment_and_day() -> None:
    tz = ZoneInfo("Europe/Berlin")
    before = datetime(2024, 5, 10, 4, 59, tzinfo=UTC)  # 06:59 in Berlin
    after = datetime(2024, 5, 10, 5, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert last_digest_moment(before, "07:00", tz) == datetime(2024, 5, 9, 7, 0, tzinfo=tz)
    assert last_digest_moment(after, "07:00", tz) == datetime(2024, 5, 10, 7, 0, tzinfo=tz)
    assert digest_due(before, "07:00", tz) == date(2024, 5, 8)
    assert digest_due(after, "07:00", tz) == date(2024, 5, 9)
    assert digest_due(after, "07:00", tz, day_offset=0) == date(2024, 5, 10)


def test_digest_day_follows_the_configured_timezone() -> None:
    # 23:30 UTC on May 9 is already May 10 in Tokyo
    now = datetime(2024, 5, 9, 23, 30, tzinfo=UTC)
    assert digest_due(now, "08:00", ZoneInfo("Asia/Tokyo"), day_offset=0) == date(2024, 5, 10)
    assert digest_due(now, "08:00", UTC, day_offset=0) == date(2024, 5, 9)


def test_dst_gap_never_after_now() -> None:
    tz = ZoneInfo("Europe/Berlin")
    # 2024-03-31 02:30 does not exist in Berlin
    now = datetime(2024, 3, 31, 0, 45, tzinfo=UTC)  # 01:45 local
    assert last_digest_moment(now, "02:30", tz) <= now


def test_is_due_and_overdue_order() -> None:
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert is_due(None, now)
    s = SourceState("a", "http://x")
    assert is_due(s, now)
    s.next_poll_at = now + timedelta(seconds=1)
    assert not is_due(s, now)
    s.next_poll_at = now
    assert is_due(s, now)
    s.retry_after_until = now + timedelta(seconds=5)
    assert not is_due(s, now)  # the server's Retry-After wins over a due time
    s.retry_after_until, s.paused = None, True
    assert not is_due(s, now)
    late = SourceState("late", "x", next_poll_at=now - timedelta(hours=2))
    recent = SourceState("recent", "x", next_poll_at=now - timedelta(minutes=1))
    order = sorted([recent, None, late], key=overdue_key)
    assert order == [None, late, recent]


@pytest.mark.parametrize("kind", ["http-503", "internal"])
def test_the_daemon_s_tracker_logs_each_failure_once_unless_logged_already(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    """A failed read is one warning line with the wait before the next try, whatever its
    kind (an unexpected error inside the fetch arrives as kind "internal" with no traceback
    logged); a crash the daemon logged with its traceback is not logged twice."""
    import logging

    from digest.errors import FetchError
    from digest.service.polling import ScheduledTracker
    from tests.support.config import make_config

    cfg = make_config(tmp_path, {"feed": "https://feed.example/rss"})
    tracker = ScheduledTracker(cfg, random.Random(1))
    src, now = cfg.sources[0], datetime(2026, 1, 1, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="digest"):
        state = SourceState("feed", "https://feed.example/rss")
        tracker.failed(src, state, FetchError("feed", "unexpected RuntimeError: boom", kind=kind), now)
        assert [r.getMessage() for r in caplog.records] == [
            f"feed: unexpected RuntimeError: boom (failure 1; next try in "
            f"{(state.next_poll_at - now).total_seconds():.0f}s)"  # type: ignore[operator]
        ]
        caplog.clear()
        tracker.failed(src, state, FetchError("feed", "boom", kind=kind), now, logged=True)
        assert state.failures == 2 and not caplog.records
