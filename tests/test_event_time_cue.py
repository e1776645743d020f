"""``benchmarks.close_cues --cue times`` (stop 61, issue #19): the harness reads the engine's
event times (``digest.dedup.clock``) of the title and the first ``--chars`` of the text."""

import benchmarks.close_cues as cc
from benchmarks.event_time import reading

PAPUA = "The quake struck off the coast at 7:48 a.m. local time, 75 kilometers west of Manokwari."
ACEH = "The quake struck inland at 0737 GMT at a depth of just 10 kilometres."


def test_close_cues_reads_the_title_and_opening() -> None:
    a = cc.features("times", {"title": "Quake hits Papua", "text": PAPUA}, 600)
    b = cc.features("times", {"title": "Quake hits Papua", "text": ACEH}, 600)
    assert cc.conflict("times", a, b)
    assert not cc.conflict("times", a, cc.features("times", {"title": "Quake", "text": "at 7 : 48 am (2248 GMT)"}, 600))
    assert cc.features("times", {"title": "Quake", "text": "x " * 400 + ACEH}, 600) is None
    assert reading({"title": "Quake", "text": "x " * 400 + ACEH}) == {(7 * 60 + 37, True, True)}  # chars 0: all
