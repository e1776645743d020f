"""Stop 44's review of the lead's holders (tests written by the reviewer; the failing ones
failed before their fixes): a copy with a credit line of its own a day late takes no lead (a
copy is as complete as its text's first read); ``digest dedupe`` reads the first read as
``digest replay`` does; an engine rebuilt from the store picks the lead the running one stored.
Real parts: ``digest replay``, ``digest dedupe`` through the CLI, SQLite on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_lead_stands import B_TITLE, FIRST, B, _leads, _record


@pytest.mark.parametrize("tail", ["", " Copyright Wire Mirror.", " (Wire Mirror)"])
def test_a_near_copy_a_day_late_takes_no_lead(tmp_path: Path, tail: str) -> None:
    """A copier's feed that adds a credit line is the same report: it should not move the lead."""
    copy = _record("wm-b0", B_TITLE, B + tail, "Wire Mirror", "2026-11-22T10:50:00+00:00", "https://wm.example/b1")
    leads = _leads(tmp_path, [*FIRST, copy])
    assert leads == {"2026-11-21": "Daily Courier", "2026-11-22": "Daily Courier"}, leads


def test_dedupe_reads_the_first_read_as_replay_does() -> None:
    """Records replay leads by their 'arrived' (the first read); `digest dedupe` of the same
    records drops 'arrived' (batch.to_doc) and falls to the smaller id: another lead."""
    from digest.batch import dedupe_records
    orig = dict(FIRST[1])
    copy = _record("a-copy", B_TITLE, B, "Wire Mirror", "2026-11-22T10:50:00+00:00", "https://wm.example/b1")
    rows = dedupe_records([orig, copy])
    leads = [r["id"] for r in rows if r["lead"]]
    assert leads == ["b1"], rows


def _restart_leads(tmp_path: Path, records: list[dict]) -> list[tuple[str, str, str]]:
    from datetime import UTC, datetime

    from digest.app import open_app
    from digest.engines import rebuilt_engine
    _leads(tmp_path, records)
    out = []
    with open_app(tmp_path / "feeds.yaml") as app:
        engine = rebuilt_engine(app.cfg, app.store, datetime(2026, 11, 30, tzinfo=UTC))
        for sid in app.store.stories_fetched_between(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)):
            st = app.store.get_story(sid)
            out.append((sid, st.lead_key, engine.lead(sid)))
    return out


@pytest.mark.parametrize("case", ["copy", "near", "revised", "back"])
def test_a_restart_picks_the_lead_the_running_engine_stored(tmp_path: Path, case: str) -> None:
    later = "2026-11-22T10:50:00+00:00"
    extra = {
        "copy": [_record("wm-b0", B_TITLE, B, "Wire Mirror", later, "https://wm.example/b1")],
        "near": [_record("wm-b0", B_TITLE, B + " (Wire Mirror)", "Wire Mirror", later, "https://wm.example/b1")],
        "revised": [_record("b1", B_TITLE, B.replace("22,", "23,"), "Channel 7 News", later, "https://b.example/1")],
        "back": [_record("b1", "Article removed", "This article has been removed.", "Channel 7 News", later,
                         "https://b.example/1"),
                 _record("b1", B_TITLE, B, "Channel 7 News", "2026-11-24T10:50:00+00:00", "https://b.example/1")],
    }[case]
    rows = _restart_leads(tmp_path, [*FIRST, *extra])
    assert all(stored == rebuilt for _sid, stored, rebuilt in rows), rows
