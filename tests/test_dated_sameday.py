"""The harder dev stream of stop 53: a topic's second event 0-24 h after its first."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from benchmarks.common import ECB
from benchmarks.dated import STREAMS, ecb_stream, event_time
from benchmarks.tune import TUNING_SPLIT

BASE = datetime(2024, 3, 4, tzinfo=UTC)


def test_sameday_second_event_within_a_day_of_the_first() -> None:
    rng = random.Random(7)
    gaps = []
    for _ in range(500):
        first = event_time("sameday", BASE, None, rng.choice([None, 0, 3, 6]), rng)
        day, at = event_time("sameday", BASE, first, rng.choice([None, 0, 3, 6]), rng)
        gap = (at - first[1]).total_seconds() / 3600
        assert 0 <= gap <= 24
        assert day == at.replace(hour=0, minute=0, second=0, microsecond=0)
        gaps.append(gap)
    assert max(gaps) - min(gaps) > 20  # spread over the day, not pinned to one gap


def test_close_second_event_one_to_three_days_after() -> None:
    rng = random.Random(7)
    for _ in range(200):
        first = event_time("close", BASE, None, None, rng)
        day, _at = event_time("close", BASE, first, None, rng)
        assert timedelta(days=1) <= day - first[0] <= timedelta(days=3)


@pytest.mark.skipif(not ECB.is_file(), reason="ECB+ corpus not in the shared folder")
def test_sameday_is_a_dev_stream_of_every_report() -> None:
    assert TUNING_SPLIT["ecb-sameday"] == "dev"
    records = STREAMS["ecb-sameday"]("dev", 0)
    close = STREAMS["ecb-close"]("dev", 0)
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in close)
    arrived = [r["arrived"] for r in records]
    assert arrived == sorted(arrived)


def test_unknown_scenario_refused() -> None:
    with pytest.raises(ValueError):
        ecb_stream("dev", "someday")
