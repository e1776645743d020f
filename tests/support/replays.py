"""A store made by ``digest replay`` of a few records, as a user backfills one."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from digest.cli import main


def replayed(tmp_path: Path, records: Sequence[Mapping[str, Any]]) -> Path:
    """``digest replay`` of ``records`` (UTC) into ``tmp_path``; the configuration's path."""
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n", encoding="utf-8")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    return cfg
