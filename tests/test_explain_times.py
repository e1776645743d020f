"""``digest explain STORY`` writes its times in the configured ``timezone`` (stop 50's review).

It wrote ``first_seen: 2026-05-20 18:00:00+00:00`` whatever the configuration said, where
every other time digest shows a reader is in the configured zone.  As text a time is now
written the digest's way (``output.dates.format_time``, plain spaces); ``--json`` stays
ISO 8601, with the zone's offset.  Real parts: ``digest run`` of a feed file through the
CLI into SQLite on disk, then ``digest explain``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from digest.cli import main

APPS = Path(__file__).parent / "fixtures" / "templated" / "apps.xml"
POST = "tag:zenapps.example,2026://1.800"  # published 2026-05-20T10:00:00Z


def test_explain_writes_times_in_the_configured_timezone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Zen Apps\n    path: {APPS}\noutput_dir: out\ndata_dir: data\n"
                   "timezone: Europe/Paris\nclock: 2026-05-20T18:00:00Z\n", encoding="utf-8")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["explain", "--config", str(cfg), POST]) == 0
    text = capsys.readouterr().out.splitlines()
    assert "first_seen: 2026-05-20 20:00 CEST" in text, text
    assert "  published: 2026-05-20 12:00 CEST" in text, text
    assert main(["explain", "--config", str(cfg), POST, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["first_seen"] == "2026-05-20T20:00:00+02:00"
    assert out["versions"][0]["published"] == "2026-05-20T12:00:00+02:00"
    assert datetime.fromisoformat(out["first_seen"]) == datetime.fromisoformat("2026-05-20T18:00:00+00:00")
