"""``digest explain`` names the cap that held a pair apart (stop 52 left it blaming the relative
cosine for any cap).  Real parts: ``digest replay`` through the CLI into SQLite on disk, then
``digest explain`` of two articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from digest.explain import CAP_WHY
from tests.support.config import make_config
from tests.support.stories import load

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def _explained(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[tuple[str, str]],
               a: str, b: str) -> dict:
    """``rows`` (fixture, published) replayed, each from its own outlet; ``explain a b --json``."""
    sources = {"Coast News": FEEDS / "coast.rss", "Valley Wire": FEEDS / "valley.atom"}
    cfg = make_config(tmp_path, sources, write=True).config_path
    assert cfg is not None
    data = tmp_path / "in.jsonl"
    data.write_text("".join(
        json.dumps({"id": name, "title": load(name).title, "text": load(name).text,
                    "source": f"Outlet {i}", "published": at}) + "\n"
        for i, (name, at) in enumerate(rows)))
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["explain", "--config", str(cfg), a, b, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_two_matches_held_apart_by_their_neighbour_profiles(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Two matches of one club three days apart: shared neighbours say 1, the relative cosine
    does not cap the pair, the profile cap does; explain says so, not "the pair's cosine"."""
    rows = [(f"rovers_a{i}", f"2026-03-07T{16 + i}:00:00Z") for i in (1, 2, 3)]
    rows += [(f"rovers_b{i}", f"2026-03-10T{20 + i}:00:00Z") for i in (1, 2, 3)]
    got = _explained(tmp_path, capsys, rows, "rovers_a1", "rovers_b3")  # b3 arrived last: all six known
    stages = got["stages"]
    assert got["merged"] is False
    assert stages["caps"]["relative_cosine"] == 1.0
    assert stages["caps"]["profile"] == stages["cosine_cap"] == stages["link"] < stages["link_threshold"]
    assert CAP_WHY["profile"] in got["why"] and CAP_WHY["relative_cosine"] not in got["why"]


def test_two_fires_held_apart_by_their_young_neighbourhood(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Two paint-store fires, two reports each, alone in a new store: the young cap holds them
    apart, and explain names it."""
    rows = [(name, f"2026-03-0{6 + i // 2}T{8 + i:02d}:00:00Z")
            for i, name in enumerate(("fire_a1", "fire_a2", "fire_b1", "fire_b2"))]
    got = _explained(tmp_path, capsys, rows, "fire_a1", "fire_b2")  # b2 arrived last: all four known
    stages = got["stages"]
    assert got["merged"] is False
    assert stages["caps"]["young"] == stages["cosine_cap"] == stages["link"] < stages["link_threshold"]
    assert stages["caps"]["relative_cosine"] > stages["caps"]["young"]
    assert CAP_WHY["young"] in got["why"]


def test_a_pair_in_one_story_shows_its_caps_at_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [(f"rovers_a{i}", f"2026-03-07T{16 + i}:00:00Z") for i in (1, 2, 3)]
    got = _explained(tmp_path, capsys, rows, "rovers_a1", "rovers_a2")
    assert got["merged"] is True
    assert got["stages"]["link"] >= got["stages"]["link_threshold"]
    assert set(got["stages"]["caps"]) <= {"relative_cosine", "profile", "young"}
