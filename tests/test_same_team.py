"""The dev stream of stop 64: ECB+ dev close with a topic's second event renamed to the first's
people, teams and places, its venues, dates and numbers left."""

from __future__ import annotations

import re

import pytest

from benchmarks.common import ECB
from benchmarks.dated import STREAMS
from benchmarks.same_place import SAME_PLACE, rewrite
from benchmarks.same_team import SAME_TEAM, same_team_stream
from benchmarks.speaker_venue_cue import _VENUE_NOUNS
from benchmarks.tune import TUNING_SPLIT

needs_ecb = pytest.mark.skipif(not ECB.is_file(), reason="ECB+ corpus not in the shared folder")


def test_the_table_holds_dev_topics_only_and_renames_no_venue_or_number() -> None:
    assert SAME_TEAM and all(t % 2 == 1 for t in SAME_TEAM)
    names = [name for pairs in SAME_TEAM.values() for pair in pairs for name in pair]
    assert not any(re.search(r"\d", n) for n in names)
    assert not any(n.split()[-1] in _VENUE_NOUNS for n in names)


def test_rewrite_with_the_team_table_keeps_the_venue_and_the_score() -> None:
    rows = [
        {"id": "a", "topic": 29, "event": "29ecb", "title": "Colts beat Jaguars 31-24", "text": "In Jacksonville."},
        {"id": "b", "topic": 29, "event": "29ecbplus", "title": "Colts top Chiefs 20-13",
         "text": "Andrew Luck led the Colts past the Kansas City Chiefs at Arrowhead Stadium on Sunday."},
    ]
    out = rewrite(rows, SAME_TEAM)
    assert out[0] is rows[0]
    assert out[1]["title"] == "Colts top Jaguars 20-13"
    assert out[1]["text"] == "Peyton Manning led the Colts past the Jacksonville Jaguars at Arrowhead Stadium on Sunday."
    assert rewrite(rows)[1]["title"] == "Colts top Chiefs 20-13"  # topic 29 is not in SAME_PLACE's table


def test_ecb_sameteam_is_a_dev_only_tuning_stream() -> None:
    assert TUNING_SPLIT["ecb-sameteam"] == "dev"
    with pytest.raises(ValueError):
        same_team_stream("test", 0)
    with pytest.raises(ValueError):
        STREAMS["ecb-sameteam"]("test", 0)


@needs_ecb
def test_the_stream_is_ecb_close_with_only_second_events_renamed() -> None:
    close = STREAMS["ecb-close"]("dev", 1)
    team = STREAMS["ecb-sameteam"]("dev", 1)
    keys = ("id", "event", "source", "published", "arrived")
    assert [tuple(r[k] for k in keys) for r in team] == [tuple(r[k] for k in keys) for r in close]
    changed = {r["event"] for r, c in zip(team, close, strict=True) if (r["title"], r["text"]) != (c["title"], c["text"])}
    assert changed and all(e.endswith("ecbplus") for e in changed) and len(changed) > len(SAME_PLACE)
    rehab = " ".join(r["title"] + r["text"] for r in team if r["event"] == "1ecbplus")
    assert "Lohan" not in rehab and "Betty Ford Center" in rehab  # the person renamed, the venue left


def test_close_cues_venues_flags_two_venues_of_one_kind_in_the_openings_only() -> None:
    from benchmarks.close_cues import conflict, features

    def report(title: str, text: str) -> dict[str, object]:
        return {"id": title, "title": title, "text": text}

    ford = features("venues", report("Reid checks into rehab", "She entered the Betty Ford Center on Thursday."), 400)
    promises = features("venues", report("Reid in rehab", "She checked into Promises Treatment Center in Malibu."), 400)
    ford_again = features("venues", report("Reid at Betty Ford", "The Betty Ford Treatment Center said so."), 400)
    late = features("venues", report("Reid in rehab", "x" * 400 + " at Promises Treatment Center."), 400)
    assert ford and promises and ford_again
    assert conflict("venues", ford, promises) and conflict("venues", promises, ford)
    assert not conflict("venues", ford, ford_again)  # one venue, named two ways
    assert late is None  # a venue past the opening is not read
