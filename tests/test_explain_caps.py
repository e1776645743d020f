"""``digest explain`` names the cap or the factor that held a pair apart (stop 52 left it blaming
the relative cosine for any cap, stop 53 left the time and places factors out).  Real parts: ``digest replay`` through the CLI into SQLite on disk, then
``digest explain`` of two articles."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.cli import main
from digest.dedup.engine import Doc, Engine
from digest.dedup.params import Params
from digest.explain import CAP_WHY, DAY, FACTOR_WHY
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
    does not cap the pair; the profile cap would hold them apart alone, and the crowd cap (a
    young store, days apart) holds them tighter: explain names the tightest, not "the pair's
    cosine"."""
    rows = [(f"rovers_a{i}", f"2026-03-07T{16 + i}:00:00Z") for i in (1, 2, 3)]
    rows += [(f"rovers_b{i}", f"2026-03-10T{20 + i}:00:00Z") for i in (1, 2, 3)]
    got = _explained(tmp_path, capsys, rows, "rovers_a1", "rovers_b3")  # b3 arrived last: all six known
    stages = got["stages"]
    assert got["merged"] is False
    caps = stages["caps"]
    assert caps["relative_cosine"] == 1.0
    assert caps["profile"] < stages["link_threshold"]
    assert caps["crowd"] == min(caps.values()) == stages["cosine_cap"] == stages["link"] < caps["profile"]
    assert CAP_WHY["crowd"] in got["why"] and CAP_WHY["relative_cosine"] not in got["why"]


def test_two_fires_held_apart_by_their_young_neighbourhood(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Two paint-store fires, two reports each, alone in a new store: the young cap holds them
    apart, and explain names the tightest cap (the crowd cap, a day apart, a little tighter)."""
    rows = [(name, f"2026-03-0{6 + i // 2}T{8 + i:02d}:00:00Z")
            for i, name in enumerate(("fire_a1", "fire_a2", "fire_b1", "fire_b2"))]
    got = _explained(tmp_path, capsys, rows, "fire_a1", "fire_b2")  # b2 arrived last: all four known
    stages = got["stages"]
    assert got["merged"] is False
    caps = stages["caps"]
    assert caps["young"] < stages["link_threshold"]
    assert min(caps.values()) == stages["cosine_cap"] < stages["link_threshold"]
    assert stages["link"] <= stages["cosine_cap"]  # times the factors (the towns differ: places)
    assert caps["relative_cosine"] > caps["young"]
    assert CAP_WHY[min(caps, key=caps.__getitem__)] in got["why"]


def test_a_pair_in_one_story_shows_its_caps_at_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [(f"rovers_a{i}", f"2026-03-07T{16 + i}:00:00Z") for i in (1, 2, 3)]
    got = _explained(tmp_path, capsys, rows, "rovers_a1", "rovers_a2")
    assert got["merged"] is True
    assert got["stages"]["link"] >= got["stages"]["link_threshold"]
    assert set(got["stages"]["caps"]) <= {"relative_cosine", "profile", "young", "crowd"}


def test_two_bursts_held_apart_by_the_places_in_their_openings(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Two water mains burst in two towns: a rewrite of one and a report of the other have
    shared neighbours and caps over the threshold, and only the places factor takes their link
    under it.  Explain said "linked as a pair, but not to the other story's members" (it left
    the factors out of the link); it now multiplies them in, names the places rule and shows
    each opening's places."""
    rows = [(name, f"2026-03-0{6 + i // 2}T{8 + i:02d}:00:00Z")
            for i, name in enumerate(("burst_a1", "burst_a2", "burst_b1", "burst_b2"))]
    got = _explained(tmp_path, capsys, rows, "burst_a2", "burst_b1")
    stages = got["stages"]
    assert got["merged"] is False
    assert min(stages["shared_neighbours"], stages["cosine_cap"]) >= stages["link_threshold"]
    assert stages["factors"] == {"places": 0.5}
    assert stages["link"] == pytest.approx(min(stages["shared_neighbours"], stages["cosine_cap"]) * 0.5, abs=0.002)
    assert stages["link"] < stages["link_threshold"]
    assert FACTOR_WHY["places"].format(f=0.5) in got["why"]
    assert stages["opening_places"] == {"a": ["Elsworth"], "b": ["Harnby"]}


def test_a_follow_up_weeks_later_shows_its_time_factor(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A rewrite 25 days after its story's report joins it, its link counted at the time
    factor of 11 days past the 14-day grace."""
    got = _explained(tmp_path, capsys, [("rovers_a1", "2026-03-07T16:00:00Z"), ("rovers_a2", "2026-04-01T16:00:00Z")],
                     "rovers_a1", "rovers_a2")
    p = Params()
    assert got["merged"] is True
    assert got["stages"]["factors"]["time"] == pytest.approx(math.exp(-(25 * DAY - p.time_grace) / p.time_scale), abs=0.001)


def test_a_report_past_the_window_was_never_compared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rewrite 36 days after its story's only report: both are in the engine, but the story
    was closed to it.  Explain blamed "their nearest neighbours differ"; it now says the two
    were never compared, and why."""
    got = _explained(tmp_path, capsys, [("rovers_a1", "2026-03-07T16:00:00Z"), ("rovers_a2", "2026-04-12T16:00:00Z")],
                     "rovers_a1", "rovers_a2")
    assert got["merged"] is False
    assert got["why"].startswith("never compared: one was published 36 days away from the other's story")
    assert "within 30 days" in got["why"]


def test_days_past_the_window_are_not_rounded_onto_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """30.2 days read "30 days away ... within 30 days", which contradicted itself (the stop 54
    review); it now reads 30.2."""
    got = _explained(tmp_path, capsys, [("rovers_a1", "2026-03-07T16:00:00Z"), ("rovers_a2", "2026-04-06T20:00:00Z")],
                     "rovers_a1", "rovers_a2")
    assert got["why"].startswith("never compared: one was published 30.2 days away"), got["why"]


def test_only_the_factor_that_took_the_link_under_is_blamed(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The second burst 14 days and some hours after the first: the time factor is 0.99 and the
    places factor 0.5; the link without them is over the threshold, times the places factor
    alone under it.  Only the places rule is named."""
    rows = [("burst_a1", "2026-03-06T08:00:00Z"), ("burst_a2", "2026-03-06T09:00:00Z"),
            ("burst_b1", "2026-03-20T18:00:00Z"), ("burst_b2", "2026-03-20T19:00:00Z")]
    got = _explained(tmp_path, capsys, rows, "burst_a2", "burst_b1")
    stages = got["stages"]
    assert set(stages["factors"]) == {"time", "places"} and 0.9 < stages["factors"]["time"] < 1
    assert min(stages["shared_neighbours"], stages["cosine_cap"]) * 0.5 < stages["link_threshold"]
    assert FACTOR_WHY["places"].format(f=0.5) in got["why"]
    assert "grace" not in got["why"], got["why"]


def test_story_gap_of_an_undated_article_is_none_both_ways() -> None:
    """An undated article is compared with every story: no gap, whichever of the pair it is
    (``min`` over a NaN answered by the order of its arguments)."""
    eng = Engine()
    t0 = datetime(2026, 3, 7, 16, tzinfo=UTC).timestamp()
    for name, at in (("fire_a1", t0), ("rovers_a1", t0 + 36 * DAY), ("fire_a2", None)):
        doc = load(name)
        eng.add(Doc(doc.id, doc.title, doc.text, published=at))
    assert eng.story_gap("rovers_a1", "fire_a2") is None
    assert eng.story_gap("fire_a2", "rovers_a1") is None
    assert eng.story_gap("fire_a1", "rovers_a1") == pytest.approx(36 * DAY)
