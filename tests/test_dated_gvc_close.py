"""The GVC stream of stop 54: GVC val's shootings packed into two weeks, each moved by whole weeks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from benchmarks.dated import (
    GVC,
    PACK_DAYS,
    PACK_START,
    STREAMS,
    gvc_close_stream,
    load_gvc,
    pack_shifts,
)
from benchmarks.tune import TUNING_SPLIT

needs_gvc = pytest.mark.skipif(not GVC.is_file(), reason="GVC corpus not in the shared folder")


def _firsts(n: int, seed: int) -> dict[str, datetime]:
    """``n`` incidents' first days spread over 2.5 years, as GVC val's are."""
    rng = random.Random(seed)
    base = datetime(2014, 6, 1, tzinfo=UTC)
    return {f"ev{k:02d}": base + timedelta(days=rng.randrange(900)) for k in range(n)}


def test_each_incident_moves_by_whole_weeks_into_the_window() -> None:
    firsts = _firsts(37, 3)
    shifts = pack_shifts(firsts, random.Random("s"))
    assert set(shifts) == set(firsts)
    for ev, shift in shifts.items():
        assert shift.days % 7 == 0 and shift.seconds == 0
        moved = firsts[ev] + shift
        assert moved.weekday() == firsts[ev].weekday()
        assert PACK_START - timedelta(days=3) <= moved <= PACK_START + timedelta(days=PACK_DAYS + 3)


def test_packed_incidents_start_within_three_days_of_many_others() -> None:
    firsts = _firsts(37, 4)

    def near(starts: list[datetime]) -> list[int]:
        return [sum(1 for j, b in enumerate(starts) if j != i and abs((a - b).days) <= 3) for i, a in enumerate(starts)]

    assert sum(near(list(firsts.values()))) / 37 < 1  # 2.5 years: hardly any start near another
    shifts = pack_shifts(firsts, random.Random(0))
    packed = near([firsts[ev] + shifts[ev] for ev in firsts])
    assert min(packed) >= 1 and sum(packed) / 37 > 6


def test_the_same_seed_draws_the_same_shifts() -> None:
    firsts = _firsts(10, 5)
    assert pack_shifts(firsts, random.Random(1)) == pack_shifts(firsts, random.Random(1))
    assert pack_shifts(firsts, random.Random(1)) != pack_shifts(firsts, random.Random(2))


def test_gvc_close_is_a_val_only_tuning_stream() -> None:
    assert TUNING_SPLIT["gvc-close"] == "val"
    assert STREAMS["gvc-close"] is gvc_close_stream
    with pytest.raises(ValueError):
        gvc_close_stream("test", 0)


@needs_gvc
def test_every_val_report_keeps_its_delay_after_its_incidents_first() -> None:
    rows = {str(r["id"]): r for r in load_gvc("val")}
    records = gvc_close_stream("val", 0)
    assert sorted(r["id"] for r in records) == sorted(rows)
    assert [r["arrived"] for r in records] == sorted(r["arrived"] for r in records)

    def day(iso: str) -> datetime:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).replace(hour=0, minute=0, second=0, microsecond=0)

    real_first: dict[str, datetime] = {}
    new_first: dict[str, datetime] = {}
    for r in records:
        real = datetime.fromisoformat(rows[r["id"]]["published"]).replace(tzinfo=UTC)
        real_first[r["event"]] = min(real_first.get(r["event"], real), real)
        new_first[r["event"]] = min(new_first.get(r["event"], day(r["published"])), day(r["published"]))
    for r in records:
        real = datetime.fromisoformat(rows[r["id"]]["published"]).replace(tzinfo=UTC)
        assert day(r["published"]) - new_first[r["event"]] == real - real_first[r["event"]]
        assert day(r["published"]).weekday() == real.weekday()
    span = max(new_first.values()) - min(new_first.values())
    assert span <= timedelta(days=PACK_DAYS + 6)
