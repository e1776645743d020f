"""``digest explain`` of two posts of one templated feed: their cosine without the source's own words.

Between two articles of one source the engine sets aside the terms most of that source's
latest articles hold (``digest.dedup.sourceterms``); ``explain`` showed only the plain
cosine, so a user asking why two posts of one feed were kept apart read "cosine 0.37" and no
reason.  Real parts: ``digest run`` of the written apps feed (``tests/test_source_template.py``)
through the CLI into SQLite on disk, then ``digest explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main

APPS = Path(__file__).parent / "fixtures" / "templated" / "apps.xml"


def test_explain_shows_two_posts_of_one_feed_without_its_own_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Zen Apps\n    path: {APPS}\noutput_dir: out\ndata_dir: data\n"
                   "timezone: UTC\nclock: 2026-05-20T18:00:00Z\ndedup:\n  window_days: 36500\n", encoding="utf-8")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    a, b = "tag:zenapps.example,2026://1.800", "tag:zenapps.example,2026://1.801"
    capsys.readouterr()
    assert main(["explain", "--config", str(cfg), a, b, "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    stages = pair["stages"]
    assert pair["merged"] is False
    # the template makes them look alike; without it they share next to nothing
    assert stages["tfidf_cosine"] > 0.3
    assert stages["cosine_without_source_words"] < 0.1
    assert {"Zen", "Reduced"} <= set(stages["source_words"]), stages["source_words"]
    assert stages["source_words_count"] >= len(stages["source_words"])
    assert "its own words (Apps, Zen" in pair["why"] and "without them" in pair["why"]
    # and in the text output
    assert main(["explain", "--config", str(cfg), a, b]) == 0
    text = capsys.readouterr().out.splitlines()
    assert f"  cosine_without_source_words: {stages['cosine_without_source_words']}" in text
    assert "    - Zen" in text


def test_the_engine_sets_no_words_aside_between_two_sources() -> None:
    """``Engine.source_cosine``: None for articles of two sources, or of none."""
    from digest.dedup.engine import Doc, Engine

    engine = Engine()
    text = "Crews fought a warehouse fire on the harbour quay overnight, the council said."
    for i, source in enumerate(["One", "Two", "", ""]):
        engine.add(Doc(f"d{i}", "Harbour fire", text + f" Update {i}.", source=source))
    assert engine.source_cosine("d0", "d1") is None
    assert engine.source_cosine("d2", "d3") is None
