"""The event-time cue of ``benchmarks.event_time`` (stop 61, issue #19): the time of day a
report says its event happened, in ECB+'s spaced forms, resolved to UTC where a zone is given,
and compared as precisely as it is told."""

import benchmarks.close_cues as cc
from benchmarks.event_time import conflict, event_times

# two 6.1 quakes on one island, worded alike (ECB+ topic 37's forms, the places made one)
PAPUA_LOCAL = "The quake struck off the coast at 7:48 a.m. local time, 75 kilometers west of Manokwari."
PAPUA_GMT = "Wednesday's shallow quake hit at 7 : 48 am (2248 GMT Tuesday) just off the coast."
ACEH_UTC = "A magnitude - 6.1 earthquake struck on Tuesday at 07 : 37 a. m. UTC (3 : 37 a. m. EDT)."
ACEH_GMT = "The quake struck inland at 0737 GMT at a depth of just 10 kilometres."
ACEH_LOCAL = "It took place at 7 : 37 AM local time."


def test_spaced_forms_and_zones_are_read() -> None:
    assert event_times(PAPUA_LOCAL) == {(7 * 60 + 48, "local", True)}
    assert event_times(PAPUA_GMT) == {(7 * 60 + 48, "local", True), (22 * 60 + 48, "utc", True)}
    assert event_times(ACEH_UTC) == {(7 * 60 + 37, "utc", True)}  # EDT resolved to the same UTC
    assert event_times(ACEH_GMT) == {(7 * 60 + 37, "utc", True)}
    assert event_times("at 3.45pm on Tuesday") == {(15 * 60 + 45, "local", False)}


def test_the_two_quakes_conflict_and_each_agrees_with_itself() -> None:
    papua = [event_times(t) for t in (PAPUA_LOCAL, PAPUA_GMT)]
    aceh = [event_times(t) for t in (ACEH_UTC, ACEH_GMT, ACEH_LOCAL)]
    assert all(conflict(p, a) for p in papua for a in aceh)
    assert not any(conflict(x, y) for side in (papua, aceh) for x in side for y in side)


def test_times_not_the_events_are_not_read() -> None:
    for text in ("tied Ford on a jumper with 7:42 left in the first half",
                 "stopping the fight at the 2:15 mark", "The fire was knocked down by 6 : 40 a. m. The",
                 "Formal sentencing is set for 11 a. m. on Nov. 8", "advances to a 1 : 35 p. m. semifinal",
                 "Update , 9:45 a.m. Sunday : A 17-year - old was arrested", "the score was 21:14 at half"):
        assert event_times(text) == frozenset(), text


def test_a_rounded_time_is_let_pass_within_its_rounding() -> None:
    about = event_times("the woman was struck around 7 p. m. Friday")
    exact = event_times("officers found her at 7 : 01 p. m. on Friday")
    assert not conflict(about, exact)
    assert conflict(about, event_times("she was hit at 10 p. m."))
    # "3 p. m." is read local too, and lets pass an exact 2:53 p.m. 7 minutes from it
    assert not conflict(event_times("explosions at 3 p. m. (1200 GMT)"), event_times("at 2 : 53 p. m. local time"))


def test_close_cues_reads_the_title_and_opening() -> None:
    a = cc.features("times", {"title": "Quake hits Papua", "text": PAPUA_LOCAL}, 600)
    b = cc.features("times", {"title": "Quake hits Papua", "text": ACEH_GMT}, 600)
    assert cc.conflict("times", a, b)
    assert cc.features("times", {"title": "Quake", "text": "x " * 400 + ACEH_GMT}, 600) is None
