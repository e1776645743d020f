"""The bundled examples give the digest examples/README.md describes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from digest.config import load_config
from digest.pipeline import App
from digest.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def test_default_config_reads_the_examples_into_the_expected_stories(tmp_path: Path) -> None:
    cfg = load_config(ROOT / "feeds.yaml")
    cfg.data_dir = tmp_path
    cfg.output_dir = tmp_path / "out"
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())
    with App(cfg, open_store(f"sqlite:///{tmp_path / 'd.sqlite3'}")) as app:
        now = datetime.now(UTC)
        report = app.run(now=now)
        assert report.errors == []
        view = app.build_view(now.astimezone(cfg.tz).date())
    assert len(view.stories) == len(expected["stories"])
    for want in expected["stories"]:
        found = [s for s in view.stories if want["title_contains"].lower() in s.title.lower()]
        assert len(found) == 1, want["title_contains"]
        story = found[0]
        outlets = {story.lead.source} | {v.source for v in story.also}
        assert outlets == set(want["outlets"]), want["title_contains"]
        if "lead_not" in want:
            assert story.lead.source != want["lead_not"]
        for junk in expected["junk_never_in_lead"]:
            assert junk.lower() not in story.lead.text.lower(), (want["title_contains"], junk)
