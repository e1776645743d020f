"""The reader of ``benchmarks.another_cue`` (issue #19, stop 58): the later report of a pair
announcing another event of what the earlier one's opening tells."""

from benchmarks.another_cue import announced, flags, reading
from benchmarks.close_cues import conflict, features

FIRST = {"title": "Quake hits Qeshm island.", "text": "A magnitude 5.9 earthquake struck Qeshm island on Sunday.",
         "published": "2024-03-03T08:00:00Z"}


def _report(title: str, text: str, published: str) -> dict[str, str]:
    return {"title": title, "text": text, "published": published}


def test_the_word_next_to_a_marker_is_announced() -> None:
    assert "quake" in announced("Another quake hits Qeshm.", "A second strong earthquake struck the island.")
    assert "earthquake" in announced("Qeshm shaken.", "Days after a 5.9 earthquake, the island shook.")
    assert "quake" in announced("Qeshm: the quake strikes again.", "")


def test_a_follow_up_window_is_not_read() -> None:
    assert announced("Another aftershock rattles Qeshm.", "") == frozenset()
    assert announced("Quake death toll rises again.", "") == frozenset()


def test_the_later_report_a_day_or_more_on_is_flagged() -> None:
    later = _report("Another quake hits Qeshm.", "A new earthquake struck the island.", "2024-03-05T09:00:00Z")
    assert flags(reading(FIRST), reading(later)) and flags(reading(later), reading(FIRST))
    assert conflict("another", features("another", FIRST, 400), features("another", later, 400))


def test_within_a_day_undated_or_unrelated_is_not_flagged() -> None:
    soon = _report("Another quake hits Qeshm.", "", "2024-03-03T20:00:00Z")
    undated = _report("Another quake hits Qeshm.", "", "")
    other = _report("Another coach fired.", "The Sixers fired their coach.", "2024-03-06T09:00:00Z")
    assert not flags(reading(FIRST), reading(soon))
    assert not flags(reading(FIRST), reading(undated))
    assert not flags(reading(FIRST), reading(other))
