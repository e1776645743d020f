"""Stop 46's review: randomized ``digest replay`` streams against the reader's invariants
(docs/evaluation.md, "Reviews (stop 46)").  Each case is a shrunk stream; real parts: the
replay command, SQLite on disk, the written JSON digests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from digest.cli import main
from tests.test_timeline import TUE, digest_json, record, versions, write_inputs

RETRACTION = {"title": "Retraction", "text": "Editor's note: This article has been retracted."}


def _notice(rid: str, url: str, at: timedelta) -> dict[str, str]:
    when = (TUE + at).isoformat()
    return {"id": rid, **RETRACTION, "url": url, "source": "Coast News", "published": when, "arrived": when}


def _stream() -> list[dict[str, object]]:
    """Coast News's quake report and Valley Wire's on Tuesday; on Wednesday at 07:00 Coast News
    retracts it under another id at its address, at 12:00 Harbor Herald follows the story up."""
    return [
        record("q1", "quake_a1", "Coast News", TUE + timedelta(hours=8), url="https://coastnews.example/q1"),
        record("v1", "quake_a2", "Valley Wire", TUE + timedelta(hours=9)),
        _notice("q1n", "https://coastnews.example/q1", timedelta(days=1, hours=7)),
        record("h1", "quake_a_followup", "Harbor Herald", TUE + timedelta(days=1, hours=12)),
    ]


@pytest.mark.parametrize("split", [False, True])
def test_a_notice_of_its_own_takes_its_report_back_after_the_engine_is_rebuilt(tmp_path: Path, split: bool) -> None:
    """The notice's link to its report (found by its address as it was read) was no column: the
    engine rebuilt from the store (each day, or a new process) lost it, the next report of the
    story regrouped the notice into a story of its own (hidden), and Wednesday showed the
    retracted report leading, its retraction never told; a replay run in two parts (a restart)
    differed from one run."""
    data, cfg = write_inputs(tmp_path, _stream())
    if split:  # Tuesday, then the whole stream: another process, its engine rebuilt from the store
        assert main(["replay", str(data), "--config", str(cfg), "--to", "2026-11-10"]) == 0
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    [story] = digest_json(tmp_path, "2026-11-11")["stories"]
    assert story["whats_new"] == "Coast News retracted its report"
    assert story["lead"]["id"] != "q1"
    assert {v["id"]: v["new"] for v in versions(story)} == {"h1": True, "v1": False, "q1n": True}
